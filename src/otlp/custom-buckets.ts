// OTLP explicit-bucket histograms as native histograms with custom buckets,
// as Prometheus's OTLP receiver converts them under
// otlp.convert_histograms_to_nhcb (otlptranslator
// explicitHistogramToCustomBucketsHistogram): the explicit bounds are the
// custom values as they are, the bucket counts keep their layout with
// leading empty buckets skipped, and the hint is unknown (gauge for delta
// temporality), which is always safe for counter-reset detection.

import { CounterResetHint, CUSTOM_BUCKETS_SCHEMA, type FloatHistogram } from '../model/histogram.js';
import { double, int64, type HistogramDataPoint } from './decode.js';
import { bucketLayout } from './exponential.js';

/** The native histogram of one data point (its stale flag is the caller's). */
export function explicitToCustomBuckets(p: HistogramDataPoint, delta: boolean): FloatHistogram {
  const counts = (p.bucketCounts ?? []).map(int64);
  let leading = 0;
  while (leading < counts.length && counts[leading] === 0) leading++;
  const { spans, buckets } = bucketLayout(counts.slice(leading), leading, 0);
  // Custom-bucket indexes start at 0, not at exponential bucket 1.
  if (spans.length > 0) spans[0]!.offset -= 1;
  return {
    integer: true,
    counterResetHint: delta ? CounterResetHint.Gauge : CounterResetHint.Unknown,
    schema: CUSTOM_BUCKETS_SCHEMA,
    zeroThreshold: 0,
    zeroCount: 0,
    count: int64(p.count),
    sum: p.sum === undefined ? 0 : double(p.sum),
    positiveSpans: spans, positiveBuckets: buckets,
    negativeSpans: [], negativeBuckets: [],
    customValues: (p.explicitBounds ?? []).map(double),
  };
}
