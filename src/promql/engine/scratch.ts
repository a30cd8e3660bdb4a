// Typed arrays kept between series and queries, so that the loops over a
// query's series do not allocate one per series.

/**
 * Whether a kept array of `length` items serves `n`: long enough, and not one
 * grown by a query of millions of steps, which every small query after it
 * would otherwise keep alive.
 */
export function scratchServes(length: number, n: number): boolean {
  return length >= n && !(length > 1 << 16 && n <= 1 << 15);
}

/** `a` where it serves n items, or a new array with room to grow. */
export function float64Scratch(a: Float64Array, n: number): Float64Array {
  return scratchServes(a.length, n) ? a : new Float64Array(Math.max(1024, n * 2));
}
