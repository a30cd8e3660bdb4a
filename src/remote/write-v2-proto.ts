// io.prometheus.write.v2.Request (prompb/io/prometheus/write/v2/types.proto):
// label names and values, help and unit texts are interned in `symbols`
// and referenced by index. Native histograms are kept as raw bytes: promlet
// cannot store them yet, it only counts them.

import protobuf from 'protobufjs/light.js';

const root = protobuf.Root.fromJSON({
  nested: {
    io: { nested: { prometheus: { nested: { write: { nested: { v2: { nested: {
      Request: {
        fields: {
          symbols: { rule: 'repeated', type: 'string', id: 4 },
          timeseries: { rule: 'repeated', type: 'TimeSeries', id: 5 },
        },
      },
      TimeSeries: {
        fields: {
          labels_refs: { rule: 'repeated', type: 'uint32', id: 1 },
          samples: { rule: 'repeated', type: 'Sample', id: 2 },
          histograms: { rule: 'repeated', type: 'bytes', id: 3 },
          exemplars: { rule: 'repeated', type: 'Exemplar', id: 4 },
          metadata: { type: 'Metadata', id: 5 },
        },
      },
      Exemplar: {
        fields: {
          labels_refs: { rule: 'repeated', type: 'uint32', id: 1 },
          value: { type: 'double', id: 2 },
          timestamp: { type: 'int64', id: 3 },
        },
      },
      Sample: {
        fields: {
          value: { type: 'double', id: 1 },
          timestamp: { type: 'int64', id: 2 },
          start_timestamp: { type: 'int64', id: 3 },
        },
      },
      Metadata: {
        fields: {
          type: { type: 'int32', id: 1 },
          help_ref: { type: 'uint32', id: 3 },
          unit_ref: { type: 'uint32', id: 4 },
        },
      },
    } } } } } } } },
  },
});

export const WriteV2Request = root.lookupType('io.prometheus.write.v2.Request');

export const V1_MESSAGE = 'prometheus.WriteRequest';
export const V2_MESSAGE = 'io.prometheus.write.v2.Request';
export type ProtobufMessage = typeof V1_MESSAGE | typeof V2_MESSAGE;

export const V2_CONTENT_TYPE = `application/x-protobuf;proto=${V2_MESSAGE}`;

/** Metadata.MetricType in order. */
export const METRIC_TYPES = ['unknown', 'counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset'] as const;

export const WRITTEN_HEADERS = {
  samples: 'x-prometheus-remote-write-samples-written',
  histograms: 'x-prometheus-remote-write-histograms-written',
  exemplars: 'x-prometheus-remote-write-exemplars-written',
} as const;

export interface V2Sample {
  value?: number;
  timestamp?: unknown;
  start_timestamp?: unknown;
}
export interface V2TimeSeries {
  labels_refs?: number[];
  samples?: V2Sample[];
  histograms?: Uint8Array[];
  exemplars?: { labels_refs?: number[]; value?: number; timestamp?: unknown }[];
  metadata?: { type?: number; help_ref?: number; unit_ref?: number };
}
