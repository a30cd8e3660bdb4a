// The staleness marker: a NaN with the exact bit pattern 0x7ff0000000000002
// (Prometheus model/value.StaleNaN). Ordinary NaNs from arithmetic have other
// bits, so the marker is recognised by its bits, never by isNaN.

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

u32[0] = 0x00000002;
u32[1] = 0x7ff00000;
/** The staleness marker as a number (a signalling NaN; keep it out of plain JS arrays, which may quiet it). */
export const STALE_NAN: number = f64[0]!;

export function isStaleNaN(v: number): boolean {
  if (v === v) return false;
  f64[0] = v;
  return u32[0] === 0x00000002 && u32[1] === 0x7ff00000;
}

/** Flags the staleness markers of a value array, reading bits straight from its buffer. */
export function staleFlags(values: Float64Array): Uint8Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    if (bits[2 * i] === 0x00000002 && bits[2 * i + 1] === 0x7ff00000) out[i] = 1;
  }
  return out;
}

/**
 * staleFlags in one pass that allocates only once a marker is found: null
 * when `values` holds none. `zeroed` gives the flag array (n zeros): a
 * reader of many series may hand out one reused array.
 */
export function staleFlagsOrNull(values: Float64Array, zeroed: (n: number) => Uint8Array = (n) => new Uint8Array(n)): Uint8Array | null {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  let out: Uint8Array | null = null;
  for (let i = 0; i < values.length; i++) {
    if (bits[2 * i] === 0x00000002 && bits[2 * i + 1] === 0x7ff00000) (out ??= zeroed(values.length))[i] = 1;
  }
  return out;
}
