// sum_over_time and avg_over_time over every step of a series: the Kahan
// sum of each window, as functions.ts's sumOverTime and avgOverTime take it,
// sample by sample in window order (a running sum over the sliding window
// would not give the same bits). Two windows are summed side by side in one
// loop: each sum is a chain of dependent additions, and two independent
// chains keep the processor busy where one leaves it waiting. Each window
// still takes its own additions in its own order, so every value is the
// same bits as the one-window functions give.

import type { StepColumns } from './columnar.js';
import { avgOverTime } from './functions.js';
import type { KernelGrid, WindowTally } from './range-kernels.js';
import { walkWindows, windows } from './window-walk.js';

/** sumOverTime of every window: sum and compensation from 0, an infinite sum resetting the compensation. */
export function sumWindows(t: Float64Array, v: Float64Array, g: KernelGrid, out: StepColumns, tally: WindowTally): void {
  const m = walkWindows(t, g, tally);
  const { lo: winLo, hi: winHi, step: winStep } = windows();
  const values = out.values, present = out.present;
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
