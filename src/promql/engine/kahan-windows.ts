// sum_over_time and avg_over_time over every step of a series: the Kahan
// sum of each window, as functions.ts's sumOverTime and avgOverTime take it,
// sample by sample in window order (a running sum over the sliding window
// would not give the same bits). Two windows are summed side by side in one
// loop: each sum is a chain of dependent additions, and two independent
// chains keep the processor busy where one leaves it waiting. Each window
// still takes its own additions in its own order, so every value is the
// same bits as the one-window functions give.
//
// One case slides: a series whose values are all integers with absolute sum
// below 2^53 (memory gauges, byte and request counts). There every sum of
// its samples, in any order, is the exact integer, so each Kahan addition is
// exact and its compensation stays +0; the window's value is its exact sum S
// and sumOverTime gives S + 0, avgOverTime S / count + 0 / count. A running
// sum, adding the samples that enter and subtracting those that leave, is
// the same exact S, so the same bits at O(1) a window instead of O(window).

import type { StepColumns } from './columnar.js';
import { avgOverTime } from './functions.js';
import type { KernelGrid, WindowTally } from './range-kernels.js';
import { walkWindows, windows } from './window-walk.js';

/** sumOverTime of every window: sum and compensation from 0, an infinite sum resetting the compensation. */
export function sumWindows(t: Float64Array, v: Float64Array, g: KernelGrid, out: StepColumns, tally: WindowTally): void {
  const m = walkWindows(t, g, tally);
  const { lo: winLo, hi: winHi, step: winStep } = windows();
  const values = out.values, present = out.present;
  if (m > 0 && overlapping(m) && exactSums(v, winLo[0]!, winHi[m - 1]!)) {
    slidingSums(v, m, out, false);
    return;
  }
  for (let j = 0; j < m; j += 2) {
    const a0 = winLo[j]!, a1 = winHi[j]!;
    // An odd last window is paired with an empty one.
    const paired = j + 1 < m;
    const b0 = paired ? winLo[j + 1]! : 0, b1 = paired ? winHi[j + 1]! : 0;
    let sa = 0, ca = 0, sb = 0, cb = 0, i = 0;
    const both = Math.min(a1 - a0, b1 - b0);
    // Until either sum overflows; from there each window goes on alone, overflow handled.
    for (; i < both; i++) {
      const fa = v[a0 + i]!, fb = v[b0 + i]!;
      const ta = sa + fa, tb = sb + fb;
      if (ta === Infinity || ta === -Infinity || tb === Infinity || tb === -Infinity) break;
      ca += Math.abs(sa) >= Math.abs(fa) ? (sa - ta) + fa : (fa - ta) + sa;
      cb += Math.abs(sb) >= Math.abs(fb) ? (sb - tb) + fb : (fb - tb) + sb;
      sa = ta;
      sb = tb;
    }
    values[winStep[j]!] = sumFrom(v, a0 + i, a1, sa, ca);
    present[winStep[j]!] = 1;
    if (!paired) break;
    values[winStep[j + 1]!] = sumFrom(v, b0 + i, b1, sb, cb);
    present[winStep[j + 1]!] = 1;
  }
  out.count += m;
}

/** sumOverTime of a window carried on from sample i to hi with the sum and compensation so far. */
function sumFrom(v: Float64Array, i: number, hi: number, sum: number, c: number): number {
  for (; i < hi; i++) {
    const f = v[i]!, t = sum + f;
    if (t === Infinity || t === -Infinity) c = 0;
    else c += Math.abs(sum) >= Math.abs(f) ? (sum - t) + f : (f - t) + sum;
    sum = t;
  }
  return sum === Infinity || sum === -Infinity ? sum : sum + c;
}

/**
 * avgOverTime of every window: the Kahan sum from the first sample, divided
 * by the count at the end. A window whose sum overflows is taken again by
 * avgOverTime itself, which switches to an incremental mean there.
 */
export function avgWindows(t: Float64Array, v: Float64Array, g: KernelGrid, out: StepColumns, tally: WindowTally): void {
  const m = walkWindows(t, g, tally);
  const { lo: winLo, hi: winHi, step: winStep } = windows();
  const values = out.values, present = out.present;
  if (m > 0 && overlapping(m) && exactSums(v, winLo[0]!, winHi[m - 1]!)) {
    slidingSums(v, m, out, true);
    return;
  }
  for (let j = 0; j < m; j += 2) {
    const a0 = winLo[j]!, a1 = winHi[j]!;
    const paired = j + 1 < m;
    const b0 = paired ? winLo[j + 1]! : a0, b1 = paired ? winHi[j + 1]! : a0 + 1;
    let sa = v[a0]!, ca = 0, sb = v[b0]!, cb = 0, i = 1;
    const both = Math.min(a1 - a0, b1 - b0);
    for (; i < both; i++) {
      const fa = v[a0 + i]!, fb = v[b0 + i]!;
      const ta = sa + fa, tb = sb + fb;
      if (ta === Infinity || ta === -Infinity || tb === Infinity || tb === -Infinity) break;
      ca += Math.abs(sa) >= Math.abs(fa) ? (sa - ta) + fa : (fa - ta) + sa;
      cb += Math.abs(sb) >= Math.abs(fb) ? (sb - tb) + fb : (fb - tb) + sb;
      sa = ta;
      sb = tb;
    }
    values[winStep[j]!] = avgFrom(v, a0, a1, a0 + i, sa, ca);
    present[winStep[j]!] = 1;
    if (!paired) break;
    values[winStep[j + 1]!] = avgFrom(v, b0, b1, b0 + i, sb, cb);
    present[winStep[j + 1]!] = 1;
  }
  out.count += m;
}

/** avgOverTime of v[lo..hi) carried on from sample i with the sum and compensation of v[lo..i). */
function avgFrom(v: Float64Array, lo: number, hi: number, i: number, sum: number, c: number): number {
  for (; i < hi; i++) {
    const f = v[i]!, t = sum + f;
    if (t === Infinity || t === -Infinity) return avgOverTime(v, lo, hi);
    c += Math.abs(sum) >= Math.abs(f) ? (sum - t) + f : (f - t) + sum;
    sum = t;
  }
  const count = hi - lo;
  return sum / count + c / count;
}

const EXACT = 2 ** 53;

/**
 * Whether v[lo..hi) are integers whose absolute sum is below 2^53: then every
 * partial sum of them, a running window's included, is an integer of at most
 * that size, exactly represented. NaN fails the integer test; ±Inf passes it
 * but makes the absolute sum infinite. The absolute sum is rounded, but only
 * down to a value still >= 2^53 once the exact one is, so the bound holds.
 */
export function exactSums(v: Float64Array, lo: number, hi: number): boolean {
  let abs = 0;
  for (let i = lo; i < hi; i++) {
    const x = v[i]!;
    if (x !== Math.trunc(x)) return false;
    abs += Math.abs(x);
  }
  return abs < EXACT;
}

/**
 * Whether the last walk's m windows hold more samples between them than
 * their span does, so windows share samples and a running sum saves work:
 * otherwise (a range no longer than the step) the Kahan path reads each
 * sample at most once already, and exactSums's pass over the span would be
 * extra.
 */
function overlapping(m: number): boolean {
  const { lo: winLo, hi: winHi } = windows();
  let held = 0;
  for (let j = 0; j < m; j++) held += winHi[j]! - winLo[j]!;
  return held > winHi[m - 1]! - winLo[0]!;
}

/** The last walk's m windows over exact samples, each as sumOverTime (S + 0) or avgOverTime (S / count + 0 / count) gives it. */
function slidingSums(v: Float64Array, m: number, out: StepColumns, avg: boolean): void {
  const { lo: winLo, hi: winHi, step: winStep } = windows();
  const values = out.values, present = out.present;
  let s = 0, lo = winLo[0]!, hi = lo;
  for (let j = 0; j < m; j++) {
    const a = winLo[j]!, b = winHi[j]!;
    if (a >= hi) {
      // Disjoint from the last window (range shorter than the step): start again.
      s = 0;
      lo = hi = a;
    }
    while (hi < b) s += v[hi++]!;
    while (lo < a) s -= v[lo++]!;
    // The Kahan paths add their compensation (+0 here), which makes a -0 sum +0; s is never -0: it
    // starts at +0, and an exact sum or difference that is zero is +0 unless both terms are -0.
    values[winStep[j]!] = avg ? s / (b - a) : s;
    present[winStep[j]!] = 1;
  }
  out.count += m;
}
