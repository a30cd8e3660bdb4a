// Walking a native histogram's buckets with their boundaries, as
// Prometheus's bucket iterators do: per side by index, merged into a
// coarser schema on the fly, or all buckets from -Inf to +Inf with the
// zero bucket between the two sides.

import { type FloatHistogram, type Span, CUSTOM_BUCKETS_SCHEMA, usesCustomBuckets } from './histogram.js';
import { bucketBound, exponentialBound, targetIndex } from './histogram-bounds.js';

/** One bucket: its bounds, which ends belong to it, its count and its index in its schema. */
export interface Bucket {
  lower: number;
  upper: number;
  lowerInclusive: boolean;
  upperInclusive: boolean;
  count: number;
  index: number;
}

/** Calls fn(index, position in buckets) for every bucket the spans cover, in index order. */
export function forEachBucketIndex(spans: readonly Span[], fn: (index: number, position: number) => void): void {
  let idx = 0;
  let pos = 0;
  for (let s = 0; s < spans.length; s++) {
    const span = spans[s]!;
    idx += span.offset;
    for (let j = 0; j < span.length; j++) {
      fn(idx, pos);
      idx++;
      pos++;
    }
    // The next span's offset counts from the bucket after this span's last.
  }
}

function makeBucket(index: number, count: number, schema: number, positive: boolean, customValues?: readonly number[]): Bucket {
  let lower: number, upper: number;
  if (positive) {
    upper = bucketBound(index, schema, customValues);
    lower = bucketBound(index - 1, schema, customValues);
  } else {
    lower = -bucketBound(index, schema, customValues);
    upper = -bucketBound(index - 1, schema, customValues);
  }
  if (schema === CUSTOM_BUCKETS_SCHEMA) {
    return { lower, upper, lowerInclusive: index === 0, upperInclusive: true, count, index };
  }
  return { lower, upper, lowerInclusive: lower < 0, upperInclusive: upper > 0, count, index };
}

/**
 * The buckets of one side in index order (for the negative side, from the
 * bound nearest zero outwards), merged into targetSchema (<= h.schema), and
 * skipping buckets whose upper bound is <= absoluteStartValue (used to leave
 * out buckets inside a wider zero bucket).
 */
export function sideBuckets(h: FloatHistogram, positive: boolean, targetSchema = h.schema, absoluteStartValue = 0): Bucket[] {
  const custom = usesCustomBuckets(h);
  if (custom !== (targetSchema === CUSTOM_BUCKETS_SCHEMA)) throw new Error('cannot merge between custom and exponential bucket schemas');
  if (!custom && targetSchema > h.schema) throw new Error(`cannot merge from schema ${h.schema} to ${targetSchema}`);
  const spans = positive ? h.positiveSpans : h.negativeSpans;
  const counts = positive ? h.positiveBuckets : h.negativeBuckets;
  const cv = positive ? h.customValues : undefined;
  const out: Bucket[] = [];
  let curIdx = 0;
  let curCount = 0;
  let have = false;
  let started = absoluteStartValue === 0;
  const flush = () => {
    if (!have) return;
    if (!started && !custom && exponentialBound(curIdx, targetSchema) <= absoluteStartValue) return;
    started = true;
    out.push(makeBucket(curIdx, curCount, targetSchema, positive, cv));
  };
  forEachBucketIndex(spans, (idx, pos) => {
    const t = custom || targetSchema === h.schema ? idx : targetIndex(idx, h.schema, targetSchema);
    if (have && t === curIdx && targetSchema !== h.schema) {
      curCount += counts[pos]!;
      return;
    }
    flush();
    curIdx = t;
    curCount = counts[pos]!;
    have = true;
  });
  flush();
  return out;
}

/** The positive buckets in ascending order of their bounds. */
export function positiveBuckets(h: FloatHistogram): Bucket[] {
  return sideBuckets(h, true);
}

/** The negative buckets from the one nearest zero outwards. */
export function negativeBuckets(h: FloatHistogram): Bucket[] {
  return sideBuckets(h, false);
}

/** The zero bucket, [-zeroThreshold, zeroThreshold]. Custom-bucket histograms have none. */
export function zeroBucket(h: FloatHistogram): Bucket {
  if (usesCustomBuckets(h)) throw new Error('histograms with custom buckets have no zero bucket');
  return { lower: -h.zeroThreshold, upper: h.zeroThreshold, lowerInclusive: true, upperInclusive: true, count: h.zeroCount, index: 0 };
}

// Buckets that reach into the zero bucket are reported from its edge on, as
// Prometheus's allFloatBucketIterator does.
function clipToZeroBucket(b: Bucket, threshold: number): Bucket {
  if (b.upper < 0 && b.upper > -threshold) return { ...b, upper: -threshold };
  if (b.lower > 0 && b.lower < threshold) return { ...b, lower: threshold };
  return b;
}

/**
 * Every bucket in ascending order of bounds: the negative buckets, the zero
 * bucket when its count is above zero, then the positive buckets.
 */
export function allBuckets(h: FloatHistogram): Bucket[] {
  const out: Bucket[] = [];
  const neg = negativeBuckets(h);
  for (let i = neg.length - 1; i >= 0; i--) out.push(clipToZeroBucket(neg[i]!, h.zeroThreshold));
  if (h.zeroCount > 0) out.push(zeroBucket(h));
  for (const b of positiveBuckets(h)) out.push(clipToZeroBucket(b, h.zeroThreshold));
  return out;
}

/** Every bucket in descending order of bounds (allBuckets reversed). */
export function allBucketsReverse(h: FloatHistogram): Bucket[] {
  return allBuckets(h).reverse();
}
