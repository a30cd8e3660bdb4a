// Bucket boundaries of native histograms (Prometheus's getBound). For an
// exponential schema s, bucket i covers (2^((i-1)/2^s), 2^(i/2^s)]; for
// custom buckets (NHCB), bucket i covers (customValues[i-1], customValues[i]],
// the last one reaching +Inf.

import { CUSTOM_BUCKETS_SCHEMA, EXPONENTIAL_SCHEMA_MAX } from './histogram.js';

/** Multiplies by a power of two without overflowing early (Go's math.Ldexp for the exponents we meet). */
export function ldexp(frac: number, exp: number): number {
  if (exp > 1023) return frac * 2 ** 1023 * 2 ** (exp - 1023);
  if (exp < -1022) return frac * 2 ** -1022 * 2 ** (exp + 1022);
  return frac * 2 ** exp;
}

// The fractions 2^(k/2^s - 1), k < 2^s, per schema s >= 0: the mantissa of
// every bucket bound. Math.pow is not correctly rounded, so each is the
// float64 nearest the true value, found with exact integer arithmetic
// (m^(2^s) against a power of two). Prometheus's tabulated constants differ
// from these in the last bit for some k (docs/PROMQL.md).
function nearestFraction(k: number, n: number): number {
  // y = m * 2^-53 in [0.5, 1) and y^n should be 2^(k-n): compare (2m ± 1)^n with 2^(k + 53n).
  let m = BigInt(Math.round((2 ** (k / n) / 2) * 2 ** 53));
  const bn = BigInt(n);
  const target = 1n << BigInt(k + 53 * n);
  for (let guard = 0; guard < 8; guard++) {
    if ((2n * m + 1n) ** bn < target) m++;
    else if ((2n * m - 1n) ** bn > target) m--;
    else break;
  }
  return Number(m) / 2 ** 53;
}

const fractions: Float64Array[] = [];
for (let s = 0; s <= EXPONENTIAL_SCHEMA_MAX; s++) {
  const n = 1 << s;
  const row = new Float64Array(n);
  for (let k = 0; k < n; k++) row[k] = k === 0 ? 0.5 : nearestFraction(k, n);
  fractions.push(row);
}

/** Upper bound of bucket idx in an exponential schema. */
export function exponentialBound(idx: number, schema: number): number {
  if (schema < 0) {
    const exp = idx * 2 ** -schema;
    if (exp === 1024) return Number.MAX_VALUE;
    return ldexp(1, exp);
  }
  const n = 1 << schema;
  const fracIdx = idx & (n - 1);
  const frac = fractions[schema]![fracIdx]!;
  const exp = Math.floor(idx / n) + 1;
  if (frac === 0.5 && exp === 1025) return Number.MAX_VALUE;
  return ldexp(frac, exp);
}

/** Upper bound of bucket idx (lower bound: idx - 1) in any schema. */
export function bucketBound(idx: number, schema: number, customValues?: readonly number[]): number {
  if (schema === CUSTOM_BUCKETS_SCHEMA) {
    const cv = customValues ?? [];
    if (idx > cv.length || idx < -1) throw new RangeError(`index ${idx} out of bounds for custom bounds of length ${cv.length}`);
    if (idx === cv.length) return Infinity;
    if (idx === -1) return -Infinity;
    return cv[idx]!;
  }
  return exponentialBound(idx, schema);
}

/** Index of the bucket in targetSchema (<= originSchema) that holds bucket idx of originSchema. */
export function targetIndex(idx: number, originSchema: number, targetSchema: number): number {
  return ((idx - 1) >> (originSchema - targetSchema)) + 1;
}
