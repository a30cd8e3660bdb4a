// Bucket boundaries of native histograms (Prometheus's getBound). For an
// exponential schema s, bucket i covers (2^((i-1)/2^s), 2^(i/2^s)]; for
// custom buckets (NHCB), bucket i covers (customValues[i-1], customValues[i]],
// the last one reaching +Inf.

import { CUSTOM_BUCKETS_SCHEMA, EXPONENTIAL_SCHEMA_MAX } from './histogram.js';
import { BOUND_FRACTIONS_SCHEMA_8 } from './histogram-bound-fractions.js';

/** Multiplies by a power of two without overflowing early (Go's math.Ldexp for the exponents we meet). */
export function ldexp(frac: number, exp: number): number {
  if (exp > 1023) return frac * 2 ** 1023 * 2 ** (exp - 1023);
  if (exp < -1022) return frac * 2 ** -1022 * 2 ** (exp + 1022);
  return frac * 2 ** exp;
}

// The fractions 2^(k/2^s - 1), k < 2^s, per schema s >= 0: the mantissa of
// every bucket bound, Prometheus's own constants (see histogram-bound-fractions.ts).
const fractions: Float64Array[] = [];
for (let s = 0; s <= EXPONENTIAL_SCHEMA_MAX; s++) {
  const n = 1 << s;
  fractions.push(Float64Array.from({ length: n }, (_, k) => BOUND_FRACTIONS_SCHEMA_8[k << (8 - s)]!));
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
