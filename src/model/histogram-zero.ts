// Widening a histogram's zero bucket: when two histograms with different
// zero thresholds meet, the narrower one's buckets that fall inside the
// wider zero bucket are folded into it (Prometheus's
// zeroCountForLargerThreshold and reconcileZeroBuckets). A bucket that
// straddles the threshold widens it further to the bucket's far edge.

import { type FloatHistogram } from './histogram.js';
import { sideBuckets } from './histogram-buckets.js';
import { compactSide } from './histogram-compact.js';
import { kahanInc } from './kahan-sum.js';

/**
 * h's zero count if its zero bucket were widened to largerThreshold (or
 * further, to the edge of a populated bucket it cuts), with the threshold
 * actually reached. c, if given, holds Kahan compensation buckets laid out
 * as h's.
 */
export function zeroCountForLargerThreshold(
  h: FloatHistogram,
  largerThreshold: number,
  c?: FloatHistogram,
): { zeroCount: number; threshold: number; cZeroCount: number } {
  let cZero = c ? c.zeroCount : 0;
  if (largerThreshold === h.zeroThreshold) return { zeroCount: h.zeroCount, threshold: largerThreshold, cZeroCount: cZero };
  if (largerThreshold < h.zeroThreshold) throw new Error(`new threshold ${largerThreshold} is less than old threshold ${h.zeroThreshold}`);
  const pos = sideBuckets(h, true);
  const neg = sideBuckets(h, false);
  outer: for (;;) {
    let zero = h.zeroCount;
    cZero = c ? c.zeroCount : 0;
    for (let i = 0; i < pos.length; i++) {
      const b = pos[i]!;
      if (b.lower >= largerThreshold) break;
      [zero, cZero] = kahanInc(b.count, zero, cZero);
      if (c) [zero, cZero] = kahanInc(c.positiveBuckets[i]!, zero, cZero);
      if (b.upper > largerThreshold) {
        if (b.count !== 0) largerThreshold = b.upper;
        break;
      }
    }
    for (let i = 0; i < neg.length; i++) {
      const b = neg[i]!;
      if (b.upper <= -largerThreshold) break;
      [zero, cZero] = kahanInc(b.count, zero, cZero);
      if (c) [zero, cZero] = kahanInc(c.negativeBuckets[i]!, zero, cZero);
      if (b.lower < -largerThreshold) {
        if (b.count !== 0) {
          largerThreshold = -b.lower;
          continue outer;
        }
        break;
      }
    }
    return { zeroCount: zero, threshold: largerThreshold, cZeroCount: cZero };
  }
}

/** Empties and drops h's buckets that now lie inside its zero bucket. */
export function trimBucketsInZeroBucket(h: FloatHistogram, c?: FloatHistogram): void {
  const pos = sideBuckets(h, true);
  for (let i = 0; i < pos.length && pos[i]!.lower < h.zeroThreshold; i++) {
    h.positiveBuckets[i] = 0;
    if (c) c.positiveBuckets[i] = 0;
  }
  const neg = sideBuckets(h, false);
  for (let i = 0; i < neg.length && neg[i]!.upper > -h.zeroThreshold; i++) {
    h.negativeBuckets[i] = 0;
    if (c) c.negativeBuckets[i] = 0;
  }
  const p = compactSide(h.positiveSpans, h.positiveBuckets, 0, c?.positiveBuckets);
  const n = compactSide(h.negativeSpans, h.negativeBuckets, 0, c?.negativeBuckets);
  h.positiveSpans = p.spans;
  h.positiveBuckets = p.buckets;
  h.negativeSpans = n.spans;
  h.negativeBuckets = n.buckets;
  if (c) {
    c.positiveBuckets = p.compensation!;
    c.negativeBuckets = n.compensation!;
    c.positiveSpans = p.spans;
    c.negativeSpans = n.spans;
  }
}

/**
 * Brings h's and other's zero buckets to the same (the wider) threshold:
 * h is widened in place; returns other's zero count at that threshold.
 */
export function reconcileZeroBuckets(h: FloatHistogram, other: FloatHistogram, c?: FloatHistogram): { otherZeroCount: number; otherCZeroCount: number } {
  let otherZeroCount = other.zeroCount;
  let otherThreshold = other.zeroThreshold;
  let otherCZeroCount = 0;
  while (otherThreshold !== h.zeroThreshold) {
    if (h.zeroThreshold > otherThreshold) {
      const r = zeroCountForLargerThreshold(other, h.zeroThreshold);
      otherZeroCount = r.zeroCount;
      otherThreshold = r.threshold;
      otherCZeroCount = r.cZeroCount;
    }
    if (otherThreshold > h.zeroThreshold) {
      const r = zeroCountForLargerThreshold(h, otherThreshold, c);
      h.zeroCount = r.zeroCount;
      h.zeroThreshold = r.threshold;
      if (c) {
        c.zeroCount = r.cZeroCount;
        c.zeroThreshold = r.threshold;
      }
      trimBucketsInZeroBucket(h, c);
    }
  }
  return { otherZeroCount, otherCZeroCount };
}
