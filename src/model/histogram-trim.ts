// The histogram trim operators `h </ x` (keep observations below x) and
// `h >/ x` (keep those above), as Prometheus's TrimBuckets: buckets beyond
// x are emptied, the bucket x falls in keeps its interpolated share
// (linear for custom and zero buckets, exponential otherwise), and count
// and sum are recomputed from bucket midpoints when anything was trimmed.

import { type FloatHistogram, usesCustomBuckets } from './histogram.js';
import { type Bucket, sideBuckets, zeroBucket } from './histogram-buckets.js';
import { compact } from './histogram-compact.js';

/** The share of bucket b below v: linear within custom buckets and the zero bucket, logarithmic within exponential ones. */
export function fractionBelow(b: Bucket, v: number, linear: boolean): number {
  if (linear) return (v - b.lower) / (b.upper - b.lower);
  const logLower = Math.log2(Math.abs(b.lower));
  const logUpper = Math.log2(Math.abs(b.upper));
  const logV = Math.log2(Math.abs(v));
  if (v > 0) return (logV - logLower) / (logUpper - logLower);
  return 1 - (logV - logUpper) / (logLower - logUpper);
}

// The representative value of a surviving interval: arithmetic mean for
// linear buckets, geometric mean (signed) for exponential ones.
function midpoint(lower: number, upper: number, positive: boolean, linear: boolean): number {
  const lInf = lower === Infinity || lower === -Infinity, uInf = upper === Infinity || upper === -Infinity;
  if (lInf) {
    if (uInf) return 0;
    return upper > 0 ? upper / 2 : upper;
  }
  if (uInf) return lower;
  if (linear) return (lower + upper) / 2;
  const geo = Math.sqrt(Math.abs(lower * upper));
  return positive ? geo : -geo;
}

function infinityBucket(upperTrim: boolean, b: Bucket, rhs: number): [number, number] {
  const zeroIfInf = (x: number) => (x === Infinity || x === -Infinity ? 0 : x);
  if (b.lower === -Infinity) {
    if (upperTrim) {
      if (rhs >= b.upper) return [b.count, 0];
      if (rhs > 0 && b.upper > 0 && b.upper !== Infinity) return [(b.count * rhs) / b.upper, rhs / 2];
      if (b.upper <= 0) return [b.count, rhs];
      return [0, zeroIfInf(b.upper)];
    }
    if (rhs <= b.lower) return [b.count, 0];
    if (rhs >= 0 && b.upper > rhs && b.upper !== Infinity) return [b.count * (1 - rhs / b.upper), (rhs + b.upper) / 2];
    return [0, zeroIfInf(b.upper)];
  }
  if (upperTrim) return [0, zeroIfInf(b.lower)];
  if (rhs >= b.lower) return [b.count, rhs];
  return [0, zeroIfInf(b.lower)];
}

function bucketTrim(b: Bucket, rhs: number, upperTrim: boolean, positive: boolean, linear: boolean): [number, number] {
  if (b.lower === -Infinity || b.upper === Infinity) return infinityBucket(upperTrim, b, rhs);
  const under = rhs <= b.lower ? 0 : rhs >= b.upper ? b.count : b.count * fractionBelow(b, rhs, linear);
  if (upperTrim) return [under, midpoint(b.lower, rhs, positive, linear)];
  return [b.count - under, midpoint(rhs, b.upper, positive, linear)];
}

function zeroTrim(z: Bucket, rhs: number, hasNegative: boolean, hasPositive: boolean, upperTrim: boolean): [number, number] {
  let lower = z.lower, upper = z.upper;
  if (hasNegative && !hasPositive) upper = 0;
  if (hasPositive && !hasNegative) lower = 0;
  if (upperTrim) {
    if (rhs <= lower) return [0, 0];
    if (rhs >= upper) return [z.count, (lower + upper) / 2];
    return [(z.count * (rhs - lower)) / (upper - lower), (lower + rhs) / 2];
  }
  if (rhs <= lower) return [z.count, (lower + upper) / 2];
  if (rhs >= upper) return [0, 0];
  return [(z.count * (upper - rhs)) / (upper - lower), (rhs + upper) / 2];
}

/** Trims h in place: upperTrim keeps what lies below rhs (`</`), otherwise what lies above it (`>/`). */
export function trimBuckets(h: FloatHistogram, rhs: number, upperTrim: boolean): FloatHistogram {
  const linear = usesCustomBuckets(h);
  let count = 0, sum = 0, trimmed = false, hasPositive = false, hasNegative = false;
  const side = (positive: boolean) => {
    const counts = positive ? h.positiveBuckets : h.negativeBuckets;
    sideBuckets(h, positive).forEach((b, i) => {
      if (b.count === 0) return;
      if (positive) hasPositive = true;
      else hasNegative = true;
      const whole = upperTrim ? b.upper <= rhs : b.lower >= rhs;
      const partial = upperTrim ? b.lower < rhs : b.upper > rhs;
      if (whole) {
        count += b.count;
        sum += midpoint(b.lower, b.upper, positive, linear) * b.count;
      } else if (partial) {
        const [keep, mid] = bucketTrim(b, rhs, upperTrim, positive, linear);
        count += keep;
        sum += mid * keep;
        if (counts[i] !== keep) {
          counts[i] = keep;
          trimmed = true;
        }
      } else {
        counts[i] = 0;
        trimmed = true;
      }
    });
  };
  side(true);
  side(false);
  if (h.zeroCount > 0) {
    const [keep, mid] = zeroTrim(zeroBucket(h), rhs, hasNegative, hasPositive, upperTrim);
    if (h.zeroCount !== keep) {
      h.zeroCount = keep;
      trimmed = true;
    }
    sum += mid * keep;
    count += keep;
  }
  if (trimmed) {
    h.count = count;
    h.sum = sum;
    compact(h);
  }
  return h;
}
