// Indices of a series' samples where something happens (a counter reset, a
// changed value), written into one array kept between series, which the
// range kernels then read window by window.

import { scratchServes } from './scratch.js';

let marks = new Int32Array(1024);

/** The kept array, with room for the marks of a series of n samples. */
export function markSpace(n: number): Int32Array {
  if (!scratchServes(marks.length, n)) marks = new Int32Array(Math.max(1024, n * 2));
  return marks;
}

/** The array the last markResets or markChanges wrote. */
export function marked(): Int32Array {
  return marks;
}

/** Marks the indices i with v[i] < v[i - 1] (counter resets); returns how many. */
export function markResets(v: Float64Array): number {
  const at = markSpace(v.length);
  let n = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! < v[i - 1]!) at[n++] = i;
  return n;
}

/** Marks the indices whose value differs from the one before (NaN equal to NaN); returns how many. */
export function markChanges(v: Float64Array): number {
  const at = markSpace(v.length);
  let n = 0;
  for (let i = 1; i < v.length; i++) {
    const cur = v[i]!, prev = v[i - 1]!;
    if (cur !== prev && !(Number.isNaN(cur) && Number.isNaN(prev))) at[n++] = i;
  }
  return n;
}
