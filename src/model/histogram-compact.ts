// Compacting a histogram's buckets: empty buckets dropped, spans merged
// (Prometheus's Compact). maxEmptyBuckets empty buckets between two
// populated ones are kept in one span rather than split into two.

import type { FloatHistogram, Span } from './histogram.js';
import { forEachBucketIndex } from './histogram-buckets.js';

/** One side's populated buckets laid out again; compensation buckets (Kahan sums) follow the same layout. */
export function compactSide(
  spans: readonly Span[],
  buckets: readonly number[],
  maxEmptyBuckets: number,
  compensation?: readonly number[],
): { spans: Span[]; buckets: number[]; compensation?: number[] } {
  const outSpans: Span[] = [];
  const outBuckets: number[] = [];
  const outComp: number[] = [];
  let last = 0;
  forEachBucketIndex(spans, (idx, pos) => {
    const c = buckets[pos]!;
    const k = compensation ? compensation[pos]! : 0;
    if (c === 0 && k === 0) return;
    if (outSpans.length > 0 && idx - last - 1 <= maxEmptyBuckets) {
      for (let i = last + 1; i < idx; i++) {
        outBuckets.push(0);
        outComp.push(0);
      }
      outSpans[outSpans.length - 1]!.length += idx - last;
    } else {
      outSpans.push({ offset: outSpans.length === 0 ? idx : idx - last - 1, length: 1 });
    }
    outBuckets.push(c);
    outComp.push(k);
    last = idx;
  });
  return compensation ? { spans: outSpans, buckets: outBuckets, compensation: outComp } : { spans: outSpans, buckets: outBuckets };
}

/** Compacts h in place and returns it. */
export function compact(h: FloatHistogram, maxEmptyBuckets = 0): FloatHistogram {
  const p = compactSide(h.positiveSpans, h.positiveBuckets, maxEmptyBuckets);
  const n = compactSide(h.negativeSpans, h.negativeBuckets, maxEmptyBuckets);
  h.positiveSpans = p.spans;
  h.positiveBuckets = p.buckets;
  h.negativeSpans = n.spans;
  h.negativeBuckets = n.buckets;
  return h;
}
