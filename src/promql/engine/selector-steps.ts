// An instant-vector selector over a range query's steps, written into step
// columns by one forward pass per series (vectorSelectorSingle at each step).

import type { SeriesData } from './selection.js';

/**
 * Writes a float series' value at each of n steps (the first at reference
 * time ref0, then every interval) into values/present from base on, as
 * vectorSelectorSingle sees it: the latest sample at or before the step's
 * time, within (ref - lookback, ref], unless it is a staleness marker.
 * Returns how many steps got a value.
 */
export function fillSelectorSteps(
  s: SeriesData, ref0: number, interval: number, n: number, lookback: number,
  values: Float64Array, present: Uint8Array, base: number,
): number {
  const t = s.t, v = s.v, stale = s.stale;
  const last = t.length - 1;
  if (last < 0) return 0;
  let count = 0;
  let i = -1;
  let k = 0;
  let ref = ref0;
  // Steps before the first sample see nothing.
  const first = t[0]!;
  while (k < n && ref < first) {
    k++;
    ref = ref0 + k * interval;
  }
  for (; k < n; k++, ref = ref0 + k * interval) {
    while (i < last && t[i + 1]! <= ref) i++;
    const ti = t[i]!;
    if (ti <= ref - lookback) {
      // Past the last sample's lookback nothing comes back.
      if (i === last) break;
      continue;
    }
    if (stale !== null && stale[i] === 1) continue;
    values[base + k] = v[i]!;
    present[base + k] = 1;
    count++;
  }
  return count;
}

/**
 * Adds 1 to counts[base + k] at each step k where fillSelectorSteps would
 * write a value, by the same walk, and returns how many steps that is: for
 * count and group, which need only where a series has a value.
 */
export function countSelectorSteps(
  s: SeriesData, ref0: number, interval: number, n: number, lookback: number, counts: Float64Array, base: number,
): number {
  const t = s.t, stale = s.stale;
  const last = t.length - 1;
  if (last < 0) return 0;
  let count = 0;
  let i = -1;
  let k = 0;
  let ref = ref0;
  const first = t[0]!;
  while (k < n && ref < first) {
    k++;
    ref = ref0 + k * interval;
  }
  for (; k < n; k++, ref = ref0 + k * interval) {
    while (i < last && t[i + 1]! <= ref) i++;
    if (t[i]! <= ref - lookback) {
      if (i === last) break;
      continue;
    }
    if (stale !== null && stale[i] === 1) continue;
    counts[base + k]!++;
    count++;
  }
  return count;
}
