// Lowering an exponential histogram's resolution: schema s to a smaller
// schema t merges each 2^(s-t) neighbouring buckets into one, as
// Prometheus's ReduceResolution does (used to add histograms of different
// schemas, and by scrapers enforcing a bucket limit).

import { type FloatHistogram, type Span, usesCustomBuckets, CUSTOM_BUCKETS_SCHEMA } from './histogram.js';
import { targetIndex } from './histogram-bounds.js';

/** Spans and absolute bucket counts of one side, re-indexed into targetSchema. */
export function reduceSpans(
  spans: readonly Span[],
  buckets: readonly number[],
  originSchema: number,
  targetSchema: number,
  compensation?: readonly number[],
): { spans: Span[]; buckets: number[]; compensation?: number[] } {
  const outSpans: Span[] = [];
  const outBuckets: number[] = [];
  const outComp: number[] | undefined = compensation ? [] : undefined;
  let idx = 0;
  let pos = 0;
  let last = 0;
  for (let n = 0; n < spans.length; n++) {
    const span = spans[n]!;
    if (n > 0 && span.offset < 0) throw new Error(`span number ${n + 1} with offset ${span.offset}: histogram has a span whose offset is negative`);
    idx += span.offset;
    for (let j = 0; j < span.length; j++) {
      if (pos >= buckets.length) throw new Error(`have ${buckets.length} buckets but spans need more: histogram spans specify different number of buckets than provided`);
      const t = targetIndex(idx, originSchema, targetSchema);
      const c = buckets[pos]!;
      const k = compensation ? compensation[pos]! : 0;
      if (outSpans.length === 0) {
        outSpans.push({ offset: t, length: 1 });
        outBuckets.push(c);
        outComp?.push(k);
      } else if (t === last) {
        outBuckets[outBuckets.length - 1]! += c;
        if (outComp) outComp[outComp.length - 1]! += k;
      } else if (t === last + 1) {
        outSpans[outSpans.length - 1]!.length++;
        outBuckets.push(c);
        outComp?.push(k);
      } else {
        outSpans.push({ offset: t - last - 1, length: 1 });
        outBuckets.push(c);
        outComp?.push(k);
      }
      last = t;
      idx++;
      pos++;
    }
  }
  if (pos !== buckets.length) throw new Error(`spans need ${pos} buckets, have ${buckets.length} buckets: histogram spans specify different number of buckets than provided`);
  return outComp ? { spans: outSpans, buckets: outBuckets, compensation: outComp } : { spans: outSpans, buckets: outBuckets };
}

/** Lowers h's schema to targetSchema in place (targetSchema < h.schema, exponential only). */
export function reduceResolution(h: FloatHistogram, targetSchema: number): FloatHistogram {
  if (usesCustomBuckets(h)) throw new Error('cannot reduce resolution when there are custom buckets');
  if (targetSchema === CUSTOM_BUCKETS_SCHEMA) throw new Error('cannot reduce resolution to custom buckets schema');
  if (targetSchema >= h.schema) throw new Error(`cannot reduce resolution from schema ${h.schema} to ${targetSchema}`);
  const pos = reduceSpans(h.positiveSpans, h.positiveBuckets, h.schema, targetSchema);
  const neg = reduceSpans(h.negativeSpans, h.negativeBuckets, h.schema, targetSchema);
  h.positiveSpans = pos.spans;
  h.positiveBuckets = pos.buckets;
  h.negativeSpans = neg.spans;
  h.negativeBuckets = neg.buckets;
  h.schema = targetSchema;
  return h;
}

/** A copy of h in targetSchema (<= h.schema); the counter-reset hint is not carried, as in Prometheus's CopyToSchema. */
export function copyToSchema(h: FloatHistogram, targetSchema: number): FloatHistogram {
  if (targetSchema === h.schema) return copyHistogram(h);
  const c: FloatHistogram = { ...copyHistogram(h), counterResetHint: 0 };
  return reduceResolution(c, targetSchema);
}

/** A deep copy (custom bounds shared: they are never mutated). */
export function copyHistogram(h: FloatHistogram): FloatHistogram {
  const c: FloatHistogram = {
    counterResetHint: h.counterResetHint,
    schema: h.schema,
    zeroThreshold: h.zeroThreshold,
    zeroCount: h.zeroCount,
    count: h.count,
    sum: h.sum,
    positiveSpans: h.positiveSpans.map((s) => ({ offset: s.offset, length: s.length })),
    positiveBuckets: h.positiveBuckets.slice(),
    negativeSpans: h.negativeSpans.map((s) => ({ offset: s.offset, length: s.length })),
    negativeBuckets: h.negativeBuckets.slice(),
  };
  if (h.integer) c.integer = true;
  if (h.customValues) c.customValues = h.customValues;
  return c;
}
