// Writes the delimited protobuf exposition format (what client_golang
// serves when a scraper's Accept header asks for it): MetricFamily
// messages one after another, each preceded by its length.

import protobuf from 'protobufjs/light.js';
import type { FloatHistogram } from '../model/histogram.js';
import { countDeltas } from '../model/histogram-layout.js';
import { MetricFamilyType, type PbHistogram, type PbMetricFamily } from './protobuf-proto.js';

export function encodeMetricFamilies(families: PbMetricFamily[]): Uint8Array {
  const w = protobuf.Writer.create();
  for (const f of families) MetricFamilyType.encodeDelimited(MetricFamilyType.fromObject(f), w);
  return w.finish();
}

/**
 * A native histogram as client_model's Histogram: an integer one with delta
 * counts (as client_golang writes them), a float one with absolute counts.
 * An empty histogram gets a no-op span so the scraper still sees it as native.
 */
export function histogramToProto(h: FloatHistogram): PbHistogram {
  const out: PbHistogram = {
    sampleSum: h.sum, schema: h.schema, zeroThreshold: h.zeroThreshold,
    positiveSpan: h.positiveSpans.map((s) => ({ offset: s.offset, length: s.length })),
    negativeSpan: h.negativeSpans.map((s) => ({ offset: s.offset, length: s.length })),
  };
  if (h.integer) {
    out.sampleCount = h.count;
    out.zeroCount = h.zeroCount;
    out.positiveDelta = countDeltas(h.positiveBuckets);
    out.negativeDelta = countDeltas(h.negativeBuckets);
  } else {
    out.sampleCountFloat = h.count;
    out.zeroCountFloat = h.zeroCount;
    out.positiveCount = [...h.positiveBuckets];
    out.negativeCount = [...h.negativeBuckets];
  }
  if (h.zeroThreshold === 0 && h.zeroCount === 0 && h.positiveSpans.length === 0 && h.negativeSpans.length === 0) {
    out.positiveSpan = [{ offset: 0, length: 0 }];
  }
  return out;
}
