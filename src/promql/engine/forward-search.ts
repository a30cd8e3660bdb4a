// Searches over a series' timestamps that usually resume where the last one
// ended: a range evaluation asks each series for its sample at step after
// step, moving forward by a sample or so each time.

import { upperBound } from './selection.js';

/** upperBound(t, x) for an x at or past t[from - 1]: a few steps forward, else a binary search. */
export function advanceTo(t: Float64Array, x: number, from: number): number {
  for (let i = from, end = Math.min(t.length, from + 8); i < end; i++) if (t[i]! > x) return i;
  return upperBound(t, x, Math.min(t.length, from + 8));
}

const lastBounds = new WeakMap<Float64Array, number>();

/**
 * upperBound(t, x), starting from the bound the previous call on the same
 * array found when x has not moved back past it. The hint is kept per array
 * (weakly), so callers need no state of their own.
 */
export function upperBoundFromLast(t: Float64Array, x: number): number {
  const from = lastBounds.get(t);
  const i = from !== undefined && (from === 0 || t[from - 1]! <= x) ? advanceTo(t, x, from) : upperBound(t, x);
  lastBounds.set(t, i);
  return i;
}
