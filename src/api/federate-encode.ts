// Federated families as length-delimited io.prometheus.client.MetricFamily
// messages: floats as Untyped, exponential histograms as native
// histograms with absolute float counts (makeNativeHistogram), custom
// bucket histograms as classic buckets with cumulative float counts
// (makeClassicHistogram), as Prometheus's web/federate.go builds them.

import protobuf from 'protobufjs/light.js';
import { type FloatHistogram, usesCustomBuckets } from '../model/histogram.js';
import { positiveBuckets } from '../model/histogram-buckets.js';
import { MetricFamily, MetricType } from './federate-proto.js';
import type { FederatedFamily, FederatedSample } from './federate.js';

/** The cumulative classic buckets of a custom-bucket histogram, one per custom bound (+Inf left implied). */
export function classicBuckets(h: FloatHistogram): { upperBound: number; cumulativeCount: number }[] {
  const counts = new Map(positiveBuckets(h).map((b) => [b.index, b.count]));
  let cumulative = 0;
  return (h.customValues ?? []).map((le, i) => {
    cumulative += counts.get(i) ?? 0;
    return { upperBound: le, cumulativeCount: cumulative };
  });
}

function histogramMessage(h: FloatHistogram) {
  if (usesCustomBuckets(h)) {
    return {
      sampleCountFloat: h.count, sampleSum: h.sum,
      bucket: classicBuckets(h).map((b) => ({ upperBound: b.upperBound, cumulativeCountFloat: b.cumulativeCount })),
    };
  }
  return {
    sampleCountFloat: h.count, sampleSum: h.sum, schema: h.schema, zeroThreshold: h.zeroThreshold, zeroCountFloat: h.zeroCount,
    negativeCount: h.negativeBuckets, positiveCount: h.positiveBuckets,
    negativeSpan: h.negativeSpans.map((s) => ({ offset: s.offset, length: s.length })),
    positiveSpan: h.positiveSpans.map((s) => ({ offset: s.offset, length: s.length })),
  };
}

function metricMessage(s: FederatedSample) {
  const label = s.labels.map((l) => ({ name: l.name, value: l.value }));
  if (s.h) return { label, histogram: histogramMessage(s.h), timestampMs: s.t };
  return { label, untyped: { value: s.v }, timestampMs: s.t };
}

const TYPES = { untyped: MetricType.UNTYPED, histogram: MetricType.HISTOGRAM, gaugehistogram: MetricType.GAUGE_HISTOGRAM } as const;

export function encodeFamilies(families: FederatedFamily[]): Uint8Array {
  const w = protobuf.Writer.create();
  for (const f of families) {
    MetricFamily.encodeDelimited(MetricFamily.fromObject({ name: f.name, type: TYPES[f.type], metric: f.samples.map(metricMessage) }), w);
  }
  return w.finish();
}
