// Remote read messages (prompb/remote.proto and types.proto): ReadRequest,
// ReadResponse (SAMPLES) and ChunkedReadResponse (STREAMED_XOR_CHUNKS).

import protobuf from 'protobufjs/light.js';

const root = protobuf.Root.fromJSON({
  nested: {
    prometheus: {
      nested: {
        ReadRequest: {
          fields: {
            queries: { rule: 'repeated', type: 'Query', id: 1 },
            accepted_response_types: { rule: 'repeated', type: 'int32', id: 2 },
          },
        },
        ReadResponse: { fields: { results: { rule: 'repeated', type: 'QueryResult', id: 1 } } },
        Query: {
          fields: {
            start_timestamp_ms: { type: 'int64', id: 1 },
            end_timestamp_ms: { type: 'int64', id: 2 },
            matchers: { rule: 'repeated', type: 'LabelMatcher', id: 3 },
            hints: { type: 'ReadHints', id: 4 },
          },
        },
        QueryResult: { fields: { timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 } } },
        ChunkedReadResponse: {
          fields: {
            chunked_series: { rule: 'repeated', type: 'ChunkedSeries', id: 1 },
            query_index: { type: 'int64', id: 2 },
          },
        },
        TimeSeries: {
          fields: {
            labels: { rule: 'repeated', type: 'Label', id: 1 },
            samples: { rule: 'repeated', type: 'Sample', id: 2 },
            histograms: { rule: 'repeated', type: 'bytes', id: 4 },
          },
        },
        Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        Sample: { fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } } },
        LabelMatcher: { fields: { type: { type: 'int32', id: 1 }, name: { type: 'string', id: 2 }, value: { type: 'string', id: 3 } } },
        ReadHints: {
          fields: {
            step_ms: { type: 'int64', id: 1 },
            func: { type: 'string', id: 2 },
            start_ms: { type: 'int64', id: 3 },
            end_ms: { type: 'int64', id: 4 },
            grouping: { rule: 'repeated', type: 'string', id: 5 },
            by: { type: 'bool', id: 6 },
            range_ms: { type: 'int64', id: 7 },
          },
        },
        Chunk: {
          fields: {
            min_time_ms: { type: 'int64', id: 1 },
            max_time_ms: { type: 'int64', id: 2 },
            type: { type: 'int32', id: 3 },
            data: { type: 'bytes', id: 4 },
          },
        },
        ChunkedSeries: {
          fields: {
            labels: { rule: 'repeated', type: 'Label', id: 1 },
            chunks: { rule: 'repeated', type: 'Chunk', id: 2 },
          },
        },
      },
    },
  },
});

export const ReadRequest = root.lookupType('prometheus.ReadRequest');
export const ReadResponse = root.lookupType('prometheus.ReadResponse');
export const ChunkedReadResponse = root.lookupType('prometheus.ChunkedReadResponse');

/** ReadRequest.ResponseType. */
export const SAMPLES = 0;
export const STREAMED_XOR_CHUNKS = 1;
/** Chunk.Encoding. */
export const CHUNK_XOR = 1;

/** LabelMatcher.Type in prompb order. */
export const MATCH_TYPES = ['=', '!=', '=~', '!~'] as const;

export const SAMPLES_CONTENT_TYPE = 'application/x-protobuf';
export const CHUNKED_CONTENT_TYPE = 'application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse';

/** int64 fields decode as a number or a Long. */
export function toNum(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  return (v as { toNumber(): number }).toNumber();
}

export interface PbLabel {
  name: string;
  value: string;
}
export interface PbMatcher {
  type?: number;
  name?: string;
  value?: string;
}
export interface PbQuery {
  start_timestamp_ms?: unknown;
  end_timestamp_ms?: unknown;
  matchers?: PbMatcher[];
  hints?: { step_ms?: unknown; func?: string; start_ms?: unknown; end_ms?: unknown; range_ms?: unknown };
}
export interface PbTimeSeries {
  labels?: PbLabel[];
  samples?: { value?: number; timestamp?: unknown }[];
  histograms?: Uint8Array[];
}
export interface PbChunkedSeries {
  labels?: PbLabel[];
  chunks?: { min_time_ms?: unknown; max_time_ms?: unknown; type?: number; data?: Uint8Array }[];
}
