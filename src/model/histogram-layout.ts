// Bucket layout changes that keep a histogram's meaning: dropping empty
// buckets (Prometheus's Compact(0)) and merging neighbouring buckets into a
// coarser exponential schema (ReduceResolution). Scrapes, receivers and the
// embedded histogram metric use them to keep bucket counts under limits.

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

/** The bucket of schema `target` that bucket idx of schema `origin` falls in. */
function targetIndex(idx: number, origin: number, target: number): number {
  return ((idx - 1) >> (origin - target)) + 1;
}

function reduceSide(spans: Span[], buckets: number[], origin: number, target: number): { spans: Span[]; buckets: number[] } {
  const idxs: number[] = [], counts: number[] = [];
  forEachBucket(spans, buckets, (idx, c) => {
    const t = targetIndex(idx, origin, target);
    if (idxs.length > 0 && idxs[idxs.length - 1] === t) counts[counts.length - 1]! += c;
    else {
      idxs.push(t);
      counts.push(c);
    }
  });
  return fromIndexed(idxs, counts);
}

/**
 * Merges buckets into the coarser exponential schema `target` (Prometheus's
 * ReduceResolution): each target bucket's count is the sum of the buckets it
 * covers; empty buckets stay. In place.
 */
export function reduceResolution(h: FloatHistogram, target: number): FloatHistogram {
  if (!isExponentialSchema(h.schema)) throw new Error('cannot reduce resolution when there are custom buckets');
  if (!isExponentialSchema(target)) throw new Error(`cannot reduce resolution to schema ${target}`);
  if (target >= h.schema) throw new Error(`cannot reduce resolution from schema ${h.schema} to ${target}`);
  const p = reduceSide(h.positiveSpans, h.positiveBuckets, h.schema, target);
  const n = reduceSide(h.negativeSpans, h.negativeBuckets, h.schema, target);
  h.positiveSpans = p.spans;
  h.positiveBuckets = p.buckets;
  h.negativeSpans = n.spans;
  h.negativeBuckets = n.buckets;
  h.schema = target;
  return h;
}

/** The exponential schema whose bucket growth factor is at most `factor` (Prometheus's pickSchema). */
export function schemaForBucketFactor(factor: number): number {
  if (factor <= 1) factor = 1.00271;
  const floor = Math.floor(-Math.log2(Math.log2(factor)));
  return Math.max(EXPONENTIAL_SCHEMA_MIN, Math.min(EXPONENTIAL_SCHEMA_MAX, floor));
}
