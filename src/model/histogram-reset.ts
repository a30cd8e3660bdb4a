// Counter-reset detection between two consecutive histogram samples
// (Prometheus's DetectReset): an explicit hint decides; otherwise any
// count, zero bucket or bucket that went down, a finer schema, a narrower
// zero bucket, or changed custom bounds whose shared buckets went down.

import { type FloatHistogram, CounterResetHint, usesCustomBuckets } from './histogram.js';
import { sideBuckets, type Bucket } from './histogram-buckets.js';
import { customBoundsMatch } from './histogram-arith.js';
import { zeroCountForLargerThreshold } from './histogram-zero.js';

// Buckets of prev (merged into curr's schema) that are populated but have
// no counterpart in curr, or whose counterpart has fewer observations.
function sideWentDown(curr: Bucket[], prev: Bucket[]): boolean {
  let i = 0;
  for (const p of prev) {
    while (i < curr.length && curr[i]!.index < p.index) i++;
    if (i >= curr.length || curr[i]!.index > p.index) {
      if (p.count !== 0) return true;
    } else if (curr[i]!.count < p.count) return true;
  }
  return false;
}

// Custom bounds changed: compare the cumulative counts up to each bound both share.
function customBoundsWentDown(curr: FloatHistogram, prev: FloatHistogram): boolean {
  const cb = curr.customValues ?? [], pb = prev.customValues ?? [];
  const cBuckets = sideBuckets(curr, true), pBuckets = sideBuckets(prev, true);
  let ci = 0, pi = 0, cPos = 0, pPos = 0;
  while (ci <= cb.length && pi <= pb.length) {
    const cBound = ci < cb.length ? cb[ci]! : Infinity;
    const pBound = pi < pb.length ? pb[pi]! : Infinity;
    if (cBound === pBound) {
      let cSum = 0, pSum = 0;
      while (cPos < cBuckets.length && cBuckets[cPos]!.upper <= cBound) cSum += cBuckets[cPos++]!.count;
      while (pPos < pBuckets.length && pBuckets[pPos]!.upper <= cBound) pSum += pBuckets[pPos++]!.count;
      if (cSum < pSum) return true;
      ci++;
      pi++;
    } else if (cBound < pBound) ci++;
    else pi++;
  }
  return false;
}

/** Whether curr, the sample after previous, starts a new counter. */
export function detectReset(curr: FloatHistogram, previous: FloatHistogram): boolean {
  if (curr.counterResetHint === CounterResetHint.CounterReset) return true;
  if (curr.counterResetHint === CounterResetHint.NotCounterReset) return false;
  if (curr.count < previous.count) return true;
  if (usesCustomBuckets(curr)) {
    if (!usesCustomBuckets(previous)) return true;
    if (!customBoundsMatch(curr.customValues, previous.customValues)) return customBoundsWentDown(curr, previous);
  }
  if (curr.schema > previous.schema) return true;
  if (curr.zeroThreshold < previous.zeroThreshold) return true;
  const prevZero = zeroCountForLargerThreshold(previous, curr.zeroThreshold);
  if (prevZero.threshold !== curr.zeroThreshold) return true;
  if (curr.zeroCount < prevZero.zeroCount) return true;
  const t = curr.zeroThreshold;
  if (sideWentDown(sideBuckets(curr, true, curr.schema, t), sideBuckets(previous, true, curr.schema, t))) return true;
  return sideWentDown(sideBuckets(curr, false, curr.schema, t), sideBuckets(previous, false, curr.schema, t));
}
