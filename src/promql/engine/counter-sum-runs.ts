// rate and increase added into a streamed sum's cells when the query's step
// is finer than the series' scrapes (the 10,000-series dashboard's 15 s step
// over 60 s scrapes: four windows for every sample).
//
// Consecutive steps then mostly find the same samples. counterWindows
// (range-kernels.ts) moves both ends of the window at every step, and those
// loops' exits are mispredicted branches at every step; here the steps are
// taken in runs whose windows hold the same samples: a run ends at the first
// step whose end reaches the next sample or whose start passes the window's
// first one. What follows from the samples alone (the increase with its
// resets, the sampled interval, the threshold, the extrapolation to zero) is
// worked out once a run, and the run's steps do only what depends on the
// window's bounds. Every value takes the same operations in the same order as
// counterWindows gives it (functions.ts's extrapolatedRate), and the cells
// take FoldCells.foldColumn's Kahan step, so the sums are the same bits:
// test/promql/engine/counter-sum-runs.test.ts holds them to that.

import type { SumCells } from './aggregate-fold.js';
import type { KernelGrid, WindowTally } from './range-kernels.js';

// Indices of resets (v[i] < v[i - 1]) above some window's first sample, reused between series.
let resets = new Int32Array(1024);

/** Bounds under which every step's window bounds, as counterWindows accumulates them, are exact integers. */
const EXACT = 2 ** 50;

function exactInteger(x: number): boolean {
  return Number.isInteger(x) && Math.abs(x) <= EXACT;
}

/**
 * Whether counterSumRuns takes this series on this grid: a step at most half
 * the series' mean sample spacing (coarser steps find different samples at
 * almost every step, and the runs' bookkeeping costs more than it saves:
 * 1.3× counterWindows' time at 15 s over 15 s scrapes), and a grid of whole
 * milliseconds, so that a step's bounds computed from its index are the
 * bounds counterWindows reaches by adding the interval step after step.
 */
export function takesRuns(t: Float64Array, g: KernelGrid): boolean {
  const n = t.length;
  if (n < 2 || !(g.interval * 2 <= (t[n - 1]! - t[0]!) / (n - 1))) return false;
  return g.interval > 0 && exactInteger(g.interval) && exactInteger(g.start) && exactInteger(g.end) && exactInteger(g.offset) && exactInteger(g.range);
}

/** counterWindows into a sum's cells for a grid takesRuns accepts; returns how many windows had a value. */
export function counterSumRuns(t: Float64Array, v: Float64Array, g: KernelGrid, cells: SumCells, dn: number, tally: WindowTally, isRate: boolean): number {
  const n = t.length, range = g.range, rangeSeconds = range / 1000, interval = g.interval;
  const to0 = g.start - g.offset;
  let steps = Math.max(0, Math.floor((g.end - g.start) / interval) + 1);
  // counterWindows' steps are those with start + k * interval <= end; the division's rounding is not trusted.
  while (steps > 0 && g.start + (steps - 1) * interval > g.end) steps--;
  while (g.start + steps * interval <= g.end) steps++;
  if (resets.length < n || (resets.length > 1 << 16 && n <= 1 << 15)) resets = new Int32Array(Math.max(1024, n * 2));
  const marks = resets;
  let lo = 0, hi = 0, r = 0, nResets = 0, total = 0, widest = 0, count = 0;
  let k = 0, abortAt = 4095;
  while (k < steps) {
    if (k >= abortAt) {
      g.checkAbort();
      abortAt = k + 4096;
    }
    const to = to0 + k * interval, from = to - range;
    while (lo < n && t[lo]! <= from) lo++;
    if (hi < lo) hi = lo;
    // As in counterWindows: samples at or below lo are never inside a later window.
    while (hi < n && t[hi]! <= to) {
      if (hi > lo && v[hi]! < v[hi - 1]!) marks[nResets++] = hi;
      hi++;
    }
    // The run's end: the first step whose end reaches sample hi, or whose start reaches sample lo. The
    // division only proposes it; the step before it is checked with the exact bounds, and a proposal
    // that fails the check ends the run after this step (the walk above then finds the next).
    let next = steps;
    if (hi < n) {
      let e = Math.min(steps, Math.ceil((t[hi]! - to0) / interval));
      if (!(e > k && to0 + (e - 1) * interval < t[hi]!)) e = k + 1;
      if (e < next) next = e;
    }
    if (lo < n) {
      let e = Math.min(steps, Math.ceil((t[lo]! + range - to0) / interval));
      if (!(e > k && to0 + (e - 1) * interval - range < t[lo]!)) e = k + 1;
      if (e < next) next = e;
    }
    // A run never passes the next deadline check: counterWindows checks every 4,096 steps, and a run of equal windows can be millions long.
    if (next > abortAt) next = abortAt;
    const w = hi - lo, len = next - k;
    if (w <= 0) {
      k = next;
      continue;
    }
    total += w * len;
    if (w > widest) widest = w;
    if (w < 2) {
      k = next;
      continue;
    }
    const firstT = t[lo]!, lastT = t[hi - 1]!, firstV = v[lo]!;
    let result = v[hi - 1]! - firstV;
    while (r < nResets && marks[r]! <= lo) r++;
    for (let q = r; q < nResets && marks[q]! < hi; q++) result += v[marks[q]! - 1]!;
    const sampledInterval = (lastT - firstT) / 1000;
    const avg = sampledInterval / (w - 1);
    const threshold = avg * 1.1, half = avg / 2;
    // Otherwise the duration to zero is the duration to the start itself, which never replaces it.
    const toZero = result > 0 && firstV >= 0;
    const durationToZero = toZero ? sampledInterval * (firstV / result) : 0;
    addRun(cells, dn, k, next, to0, interval, range, rangeSeconds, isRate, firstT, lastT, sampledInterval, threshold, half, toZero, durationToZero, result);
    count += len;
    k = next;
  }
  tally.total = total;
  tally.widest = widest;
  return count;
}

/**
 * The steps k to next - 1 of one run: each window's extrapolation to its own bounds, added into the
 * cells. A function of its own: written into counterSumRuns' loop, the same steps took about a tenth
 * longer over the large dashboard's series in the order the query reads them.
 */
function addRun(
  cells: SumCells, dn: number, k: number, next: number, to0: number, interval: number, range: number, rangeSeconds: number, isRate: boolean,
  firstT: number, lastT: number, sampledInterval: number, threshold: number, half: number, toZero: boolean, durationToZero: number, result: number,
): void {
  const seen = cells.seen, value = cells.value, comp = cells.comp, dropName = cells.dropName;
  for (let c = k; c < next; c++) {
    const to = to0 + c * interval, from = to - range;
    let durationToStart = (firstT - from) / 1000;
    let durationToEnd = (to - lastT) / 1000;
    if (durationToStart >= threshold) durationToStart = half;
    if (toZero && durationToZero < durationToStart) durationToStart = durationToZero;
    if (durationToEnd >= threshold) durationToEnd = half;
    let factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
    if (isRate) factor /= rangeSeconds;
    const f = result * factor;
    if (seen[c] === 0) {
      seen[c] = 1;
      value[c] = f;
      comp[c] = 0;
      dropName[c] = dn;
      continue;
    }
    if (dn) dropName[c] = 1;
    const sum = value[c]!, s = sum + f;
    value[c] = s;
    // The compensation worked out and then chosen, not stored in one branch or the other: the two
    // stores under a branch made this loop about a third slower.
    const kept = comp[c]! + (Math.abs(sum) >= Math.abs(f) ? (sum - s) + f : (f - s) + sum);
    comp[c] = s === Infinity || s === -Infinity ? 0 : kept;
  }
}
