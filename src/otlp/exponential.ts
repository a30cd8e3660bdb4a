// OTLP exponential histograms as native histograms, as Prometheus's OTLP
// receiver converts them (otlptranslator exponentialToNativeHistogram):
// scales above 8 are merged down to schema 8, scales below -4 refused; OTLP
// bucket i (base^i, base^(i+1)] is Prometheus bucket i+1; empty buckets
// leave gaps, gaps of up to two buckets are filled with zeros; the zero
// threshold is Prometheus's default 1e-128 (OTLP's zero_threshold is not
// read, as in Prometheus); delta temporality makes a gauge histogram.

import { CounterResetHint, EXPONENTIAL_SCHEMA_MAX, EXPONENTIAL_SCHEMA_MIN, type FloatHistogram, type Span } from '../model/histogram.js';
import { double, int64, type ExponentialBuckets, type ExponentialHistogramDataPoint } from './decode.js';

const DEFAULT_ZERO_THRESHOLD = 1e-128;

export class ExponentialScaleError extends Error {}

/** One side's buckets in Prometheus's layout at `scaleDown` fewer schema steps. */
function layout(b: ExponentialBuckets | undefined, scaleDown: number): { spans: Span[]; buckets: number[] } {
  return bucketLayout((b?.bucketCounts ?? []).map(int64), b?.offset ?? 0, scaleDown);
}

/** Counts starting at OTLP bucket `offset` in Prometheus's layout (convertBucketsLayout), bucket i landing at ((i + offset) >> scaleDown) + 1. */
export function bucketLayout(counts: number[], offset: number, scaleDown: number): { spans: Span[]; buckets: number[] } {
  if (counts.length === 0) return { spans: [], buckets: [] };
  const target = (i: number) => ((i + offset) >> scaleDown) + 1;
  // Counts merged per target bucket, in order.
  const idxs: number[] = [], sums: number[] = [];
  for (let i = 0; i < counts.length; i++) {
    const t = target(i);
    if (idxs.length > 0 && idxs[idxs.length - 1] === t) sums[sums.length - 1]! += counts[i]!;
    else {
      idxs.push(t);
      sums.push(counts[i]!);
    }
  }
  const spans: Span[] = [{ offset: idxs[0]!, length: 0 }];
  const buckets: number[] = [];
  let next = idxs[0]!;
  const put = (idx: number, c: number) => {
    const gap = idx - next;
    if (gap > 2) spans.push({ offset: gap, length: 0 });
    else for (let g = 0; g < gap; g++) {
      spans[spans.length - 1]!.length++;
      buckets.push(0);
    }
    spans[spans.length - 1]!.length++;
    buckets.push(c);
    next = idx + 1;
  };
  // Empty buckets are left out, except the last one, which is always written.
  for (let k = 0; k < idxs.length; k++) if (sums[k] !== 0 || k === idxs.length - 1) put(idxs[k]!, sums[k]!);
  return { spans, buckets };
}

/** The native histogram of one data point (its stale flag is the caller's). */
export function exponentialToNative(p: ExponentialHistogramDataPoint, delta: boolean): FloatHistogram {
  let scale = p.scale ?? 0;
  if (scale < EXPONENTIAL_SCHEMA_MIN) throw new ExponentialScaleError(`cannot convert exponential to native histogram. Scale must be >= ${EXPONENTIAL_SCHEMA_MIN}, was ${scale}`);
  let scaleDown = 0;
  if (scale > EXPONENTIAL_SCHEMA_MAX) {
    scaleDown = scale - EXPONENTIAL_SCHEMA_MAX;
    scale = EXPONENTIAL_SCHEMA_MAX;
  }
  const pos = layout(p.positive, scaleDown), neg = layout(p.negative, scaleDown);
  return {
    integer: true,
    counterResetHint: delta ? CounterResetHint.Gauge : CounterResetHint.Unknown,
    schema: scale,
    zeroThreshold: DEFAULT_ZERO_THRESHOLD,
    zeroCount: int64(p.zeroCount),
    count: int64(p.count),
    sum: p.sum === undefined ? 0 : double(p.sum),
    positiveSpans: pos.spans, positiveBuckets: pos.buckets,
    negativeSpans: neg.spans, negativeBuckets: neg.buckets,
  };
}
