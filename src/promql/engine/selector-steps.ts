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
 * Where fillSelectorSteps would write a value, for count and group, which
 * need only that: for whole-millisecond times, by runs of samples instead of
 * by steps. While samples follow each other within the lookback and none
 * is a marker, every step from the run's first sample until the next sample
 * (or the last one's lookback) sees a value, so only where runs begin and
 * end is written, as +1 and -1 into diff (steps k ≥ n are not written):
 * count at step k is the sum of diff[0 … k]. Returns the steps counted.
 * With ref0, interval, lookback and the times integers under 2^53 every sum,
 * difference and comparison here is exact, as the step walk's are, and the
 * quotient rounded up is the first step at or after a time.
 */
export function countSelectorRuns(s: SeriesData, ref0: number, interval: number, n: number, lookback: number, diff: Float64Array): number {
  const t = s.t, stale = s.stale;
  const m = t.length;
  let count = 0;
  // NaN while no run is open: sample times may be negative (before 1970), so no time can mean "none".
  let from = NaN;
  for (let i = 0; i < m; i++) {
    if (stale !== null && stale[i] === 1) {
      // A marker ends the run before it (the gap to it was within the lookback, or the run had ended).
      if (!Number.isNaN(from)) count += run(from, t[i]!, ref0, interval, n, diff);
      from = NaN;
      continue;
    }
    if (Number.isNaN(from)) from = t[i]!;
    if (i === m - 1 || t[i + 1]! - t[i]! > lookback) {
      count += run(from, t[i]! + lookback, ref0, interval, n, diff);
      from = NaN;
    }
  }
  return count;
}

/** Marks the steps at times in [from, until) in diff; returns how many there are. */
function run(from: number, until: number, ref0: number, interval: number, n: number, diff: Float64Array): number {
  const a = Math.max(0, Math.ceil((from - ref0) / interval));
  const b = Math.min(n, Math.ceil((until - ref0) / interval));
  if (a >= b) return 0;
  diff[a]!++;
  if (b < n) diff[b]!--;
  return b - a;
}

/**
 * Whether countSelectorRuns counts s as the step walk does: the grid, the
 * lookback and the times whole milliseconds, every difference taken under
 * 2^53. Storage refuses other sample times, so the first and last bound the rest.
 */
export function runsExact(s: SeriesData, ref0: number, interval: number, n: number, lookback: number): boolean {
  const t = s.t;
  if (t.length === 0) return true;
  const first = t[0]!, last = t[t.length - 1]!;
  const safe = Number.isSafeInteger;
  return interval > 0 && safe(interval) && safe(lookback) && safe(ref0) && safe(ref0 + n * interval)
    && safe(first) && safe(last) && safe(last - first) && safe(last + lookback) && safe(first - ref0) && safe(last + lookback - ref0);
}
