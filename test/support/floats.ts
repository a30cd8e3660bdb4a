// Bit-level float helpers for exact round-trip assertions.

const f = new Float64Array(1);
const u = new BigUint64Array(f.buffer);

export function bitsOf(v: number): bigint {
  f[0] = v;
  return u[0]!;
}

export function fromBits(b: bigint): number {
  u[0] = BigInt.asUintN(64, b);
  return f[0]!;
}

/** The staleness marker NaN (0x7ff0000000000002). */
export const STALE_NAN = fromBits(0x7ff0000000000002n);

/**
 * A Float64Array holding exactly these bit patterns. Build value arrays
 * this way: V8's plain double arrays quiet signaling NaNs (the staleness
 * marker among them), so a literal [.., STALE_NAN] does not hold the marker.
 */
export function floatsFromBits(bits: readonly bigint[]): Float64Array {
  const out = new Float64Array(bits.length);
  const view = new BigUint64Array(out.buffer);
  bits.forEach((b, i) => (view[i] = BigInt.asUintN(64, b)));
  return out;
}

export const STALE_BITS = 0x7ff0000000000002n;

/** Index of the first sample whose timestamp or value bits differ, or -1. */
export function firstMismatch(ts: ArrayLike<number>, vs: Float64Array, gotT: ArrayLike<number>, gotV: Float64Array): number {
  const n = Math.max(ts.length, gotT.length);
  const a = new BigUint64Array(vs.buffer, vs.byteOffset, vs.length);
  const b = new BigUint64Array(gotV.buffer, gotV.byteOffset, gotV.length);
  for (let i = 0; i < n; i++) {
    if (ts[i] !== gotT[i] || a[i] !== b[i]) return i;
  }
  return -1;
}

/** Concatenates Float64Arrays without passing values through JS arrays. */
export function concatFloats(parts: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Deterministic PRNG shared with the benchmarks. */
export { rng } from '../../bench/data.js';
