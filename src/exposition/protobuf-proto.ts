// io.prometheus.client.MetricFamily (client_model's metrics.proto, as
// Prometheus 3 reads it), the exposition format scrapes negotiate for
// native histograms. Field names are protobufjs's camelCase forms.

import protobuf from 'protobufjs/light.js';

const labelPair = { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } };
const timestamp = { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } };

const root = protobuf.Root.fromJSON({
  nested: {
    io_prometheus_client: {
      nested: {
        LabelPair: labelPair,
        Timestamp: timestamp,
        Gauge: { fields: { value: { type: 'double', id: 1 } } },
        Counter: { fields: { value: { type: 'double', id: 1 }, exemplar: { type: 'Exemplar', id: 2 }, startTimestamp: { type: 'Timestamp', id: 3 } } },
        Quantile: { fields: { quantile: { type: 'double', id: 1 }, value: { type: 'double', id: 2 } } },
        Summary: {
          fields: {
            sampleCount: { type: 'uint64', id: 1 }, sampleSum: { type: 'double', id: 2 }, quantile: { rule: 'repeated', type: 'Quantile', id: 3 },
            startTimestamp: { type: 'Timestamp', id: 4 },
          },
        },
        Untyped: { fields: { value: { type: 'double', id: 1 } } },
        Histogram: {
          fields: {
            sampleCount: { type: 'uint64', id: 1 }, sampleCountFloat: { type: 'double', id: 4 }, sampleSum: { type: 'double', id: 2 },
            bucket: { rule: 'repeated', type: 'Bucket', id: 3 }, startTimestamp: { type: 'Timestamp', id: 15 },
            schema: { type: 'sint32', id: 5 }, zeroThreshold: { type: 'double', id: 6 }, zeroCount: { type: 'uint64', id: 7 },
            zeroCountFloat: { type: 'double', id: 8 },
            negativeSpan: { rule: 'repeated', type: 'BucketSpan', id: 9 }, negativeDelta: { rule: 'repeated', type: 'sint64', id: 10 },
            negativeCount: { rule: 'repeated', type: 'double', id: 11 },
            positiveSpan: { rule: 'repeated', type: 'BucketSpan', id: 12 }, positiveDelta: { rule: 'repeated', type: 'sint64', id: 13 },
            positiveCount: { rule: 'repeated', type: 'double', id: 14 },
            exemplars: { rule: 'repeated', type: 'Exemplar', id: 16 },
          },
        },
        Bucket: {
          fields: {
            cumulativeCount: { type: 'uint64', id: 1 }, cumulativeCountFloat: { type: 'double', id: 4 }, upperBound: { type: 'double', id: 2 },
            exemplar: { type: 'Exemplar', id: 3 },
          },
        },
        BucketSpan: { fields: { offset: { type: 'sint32', id: 1 }, length: { type: 'uint32', id: 2 } } },
        Exemplar: { fields: { label: { rule: 'repeated', type: 'LabelPair', id: 1 }, value: { type: 'double', id: 2 }, timestamp: { type: 'Timestamp', id: 3 } } },
        Metric: {
          fields: {
            label: { rule: 'repeated', type: 'LabelPair', id: 1 }, gauge: { type: 'Gauge', id: 2 }, counter: { type: 'Counter', id: 3 },
            summary: { type: 'Summary', id: 4 }, untyped: { type: 'Untyped', id: 5 }, histogram: { type: 'Histogram', id: 7 },
            timestampMs: { type: 'int64', id: 6 },
          },
        },
        MetricFamily: {
          fields: {
            name: { type: 'string', id: 1 }, help: { type: 'string', id: 2 }, type: { type: 'int32', id: 3 },
            metric: { rule: 'repeated', type: 'Metric', id: 4 }, unit: { type: 'string', id: 5 },
          },
        },
      },
    },
  },
});

export const MetricFamilyType = root.lookupType('io_prometheus_client.MetricFamily');

/** The Content-Type of the delimited protobuf exposition format. */
export const PROTOBUF_CONTENT_TYPE = 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited';

/** MetricType. */
export const MetricType = { COUNTER: 0, GAUGE: 1, SUMMARY: 2, UNTYPED: 3, HISTOGRAM: 4, GAUGE_HISTOGRAM: 5 } as const;

/** 64-bit integers decode as numbers or Longs (long.js is installed). */
export type Int64 = number | { toNumber(): number } | null | undefined;

export interface PbTimestamp { seconds?: Int64; nanos?: number | null }
export interface PbLabelPair { name?: string | null; value?: string | null }
export interface PbExemplar { label?: PbLabelPair[]; value?: number | null; timestamp?: PbTimestamp | null }
export interface PbBucket { cumulativeCount?: Int64; cumulativeCountFloat?: number | null; upperBound?: number | null; exemplar?: PbExemplar | null }
export interface PbSpan { offset?: number | null; length?: number | null }
export interface PbHistogram {
  sampleCount?: Int64; sampleCountFloat?: number | null; sampleSum?: number | null; bucket?: PbBucket[];
  schema?: number | null; zeroThreshold?: number | null; zeroCount?: Int64; zeroCountFloat?: number | null;
  negativeSpan?: PbSpan[]; negativeDelta?: Int64[]; negativeCount?: number[];
  positiveSpan?: PbSpan[]; positiveDelta?: Int64[]; positiveCount?: number[];
  exemplars?: PbExemplar[]; startTimestamp?: PbTimestamp | null;
}
export interface PbMetric {
  label?: PbLabelPair[];
  gauge?: { value?: number | null } | null;
  counter?: { value?: number | null; exemplar?: PbExemplar | null } | null;
  summary?: { sampleCount?: Int64; sampleSum?: number | null; quantile?: { quantile?: number | null; value?: number | null }[] } | null;
  untyped?: { value?: number | null } | null;
  histogram?: PbHistogram | null;
  timestampMs?: Int64;
}
export interface PbMetricFamily { name?: string | null; help?: string | null; type?: number | null; metric?: PbMetric[]; unit?: string | null }

export function int64(v: Int64): number {
  if (v === undefined || v === null) return 0;
  return typeof v === 'number' ? v : v.toNumber();
}
