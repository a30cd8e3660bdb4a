// Bucket layout helpers for ingestion: dropping empty buckets (Prometheus's
// Compact(0)), counting buckets, and the schema a minimum bucket factor
// allows. Resolution reduction itself is histogram-resolution.ts's.

import { type FloatHistogram, type Span, EXPONENTIAL_SCHEMA_MAX, EXPONENTIAL_SCHEMA_MIN } from './histogram.js';

/** Whether schema is one of the base-2 exponential schemas (-4…8). */
export function isExponentialSchema(schema: number): boolean {
  return schema >= EXPONENTIAL_SCHEMA_MIN && schema <= EXPONENTIAL_SCHEMA_MAX;
}

/** Number of buckets (positive and negative) a histogram holds. */
export function bucketCount(h: FloatHistogram): number {
  return h.positiveBuckets.length + h.negativeBuckets.length;
}

/** Visits every bucket of one side with its absolute index. */
function forEachBucket(spans: Span[], buckets: number[], fn: (idx: number, count: number) => void): void {
  let idx = 0, k = 0;
  for (let s = 0; s < spans.length; s++) {
    const span = spans[s]!;
    idx += span.offset;
    for (let j = 0; j < span.length; j++) {
      if (k >= buckets.length) throw new Error(`spans need more than the ${buckets.length} buckets given`);
      fn(idx, buckets[k++]!);
      idx++;
    }
  }
  if (k !== buckets.length) throw new Error(`spans cover ${k} buckets, have ${buckets.length}`);
}

/** Builds spans and buckets from (index, count) pairs in ascending index order. */
function fromIndexed(idxs: number[], counts: number[]): { spans: Span[]; buckets: number[] } {
  const spans: Span[] = [];
  let prevEnd = 0;
  for (let i = 0; i < idxs.length; i++) {
    const idx = idxs[i]!;
    const last = spans[spans.length - 1];
    if (last && idx === prevEnd) last.length++;
    else spans.push({ offset: spans.length === 0 ? idx : idx - prevEnd, length: 1 });
    prevEnd = idx + 1;
  }
  return { spans, buckets: counts };
}

function compactSide(spans: Span[], buckets: number[]): { spans: Span[]; buckets: number[] } {
  const idxs: number[] = [], counts: number[] = [];
  forEachBucket(spans, buckets, (idx, c) => {
    if (c !== 0) {
      idxs.push(idx);
      counts.push(c);
    }
  });
  return fromIndexed(idxs, counts);
}

/** Removes empty buckets and zero-length spans, merging touching spans (Prometheus's Compact(0)); in place. */
export function compactHistogram(h: FloatHistogram): FloatHistogram {
  const p = compactSide(h.positiveSpans, h.positiveBuckets);
  const n = compactSide(h.negativeSpans, h.negativeBuckets);
  h.positiveSpans = p.spans;
  h.positiveBuckets = p.buckets;
  h.negativeSpans = n.spans;
  h.negativeBuckets = n.buckets;
  return h;
}

/** The exponential schema whose bucket growth factor is at most `factor` (Prometheus's pickSchema). */
export function schemaForBucketFactor(factor: number): number {
  if (factor <= 1) factor = 1.00271;
  const floor = Math.floor(-Math.log2(Math.log2(factor)));
  return Math.max(EXPONENTIAL_SCHEMA_MIN, Math.min(EXPONENTIAL_SCHEMA_MAX, floor));
}
