// rate and increase added into a streamed sum's cells when the query's step
// is finer than the series' scrapes (the 10,000-series dashboard's 15 s step
// over 60 s scrapes: four windows for every sample).
//
// Consecutive steps then mostly find the same samples. counterWindows
// (range-kernels.ts) moves both ends of the window at every step, and those
// loops' exits are mispredicted branches at every step; here the steps are
// taken in runs whose windows hold the same samples (counter-run-plan.ts
// finds them, and what each step owes to the timestamps alone). What follows
// from the values (the increase with its resets, the extrapolation to zero)
// is worked out once a run, and the run's steps only multiply. Every value
// takes the same operations in the same order as counterWindows gives it
// (functions.ts's extrapolatedRate), and the cells take FoldCells.foldColumn's
// Kahan step, so the sums are the same bits:
// test/promql/engine/counter-sum-runs.test.ts holds them to that.

import type { SumCells } from './aggregate-fold.js';
import type { KernelGrid, WindowTally } from './range-kernels.js';
import { CounterRunPlan, windowFactor } from './counter-run-plan.js';
import { marked, markResets } from './sample-marks.js';
import { float64Scratch } from './scratch.js';

export { takesRuns } from './counter-run-plan.js';

const plan = new CounterRunPlan();

/** counterWindows into a sum's cells for a grid takesRuns accepts; returns how many windows had a value. */
export function counterSumRuns(t: Float64Array, v: Float64Array, g: KernelGrid, cells: SumCells, dn: number, tally: WindowTally, isRate: boolean): number {
  // A plan worked out now has met the deadline checks as it walked the steps.
  const held = plan.holds(t, g, isRate);
  if (!held) plan.build(t, g, isRate);
  const runs = plan.runs, runStep = plan.runStep, runEnd = plan.runEnd, runLo = plan.runLo, runHi = plan.runHi, longest = plan.runLongestStart;
  const nResets = markResets(v), marks = marked();
  let r = 0, abortAt = 4095;
  for (let i = 0; i < runs; i++) {
    const k = runStep[i]!, next = runEnd[i]!, lo = runLo[i]!, hi = runHi[i]!;
    if (held && k >= abortAt) {
      g.checkAbort();
      abortAt = k + 4096;
    }
    const firstV = v[lo]!;
    let result = v[hi - 1]! - firstV;
    while (r < nResets && marks[r]! <= lo) r++;
    for (let q = r; q < nResets && marks[q]! < hi; q++) result += v[marks[q]! - 1]!;
    // Otherwise the duration to zero is the duration to the start itself, which never replaces it.
    if (result > 0 && firstV >= 0) {
      const sampledInterval = (t[hi - 1]! - t[lo]!) / 1000;
      const durationToZero = sampledInterval * (firstV / result);
      if (durationToZero < longest[i]!) {
        addRun(cells, dn, k, next, factorsToZero(t, lo, hi, k, next, g, isRate, sampledInterval, durationToZero), result);
        continue;
      }
    }
    addRun(cells, dn, k, next, plan.factor, result);
  }
  tally.total = plan.total;
  tally.widest = plan.widest;
  return plan.count;
}

/**
 * The steps k to next - 1 of one run: each window's increase times its step's factor, added into the
 * cells. A function of its own: written into counterSumRuns' loop, the same steps took about a tenth
 * longer over the large dashboard's series in the order the query reads them.
 */
function addRun(cells: SumCells, dn: number, k: number, next: number, factor: Float64Array, result: number): void {
  const seen = cells.seen, value = cells.value, comp = cells.comp, dropName = cells.dropName;
  for (let c = k; c < next; c++) {
    const f = result * factor[c]!;
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

let toZeroFactors: Float64Array = new Float64Array(1024);

/** The factors of steps k to next - 1 of the run over samples lo to hi - 1 when the extrapolation to zero may stop short of a window's start. */
function factorsToZero(t: Float64Array, lo: number, hi: number, k: number, next: number, g: KernelGrid, isRate: boolean, sampledInterval: number, durationToZero: number): Float64Array {
  toZeroFactors = float64Scratch(toZeroFactors, next);
  const out = toZeroFactors, range = g.range, rangeSeconds = range / 1000, interval = g.interval, to0 = g.start - g.offset;
  const firstT = t[lo]!, lastT = t[hi - 1]!;
  const avg = sampledInterval / (hi - lo - 1);
  const threshold = avg * 1.1, half = avg / 2;
  for (let c = k; c < next; c++) out[c] = windowFactor(to0 + c * interval, range, rangeSeconds, isRate, firstT, lastT, sampledInterval, threshold, half, durationToZero);
  return out;
}
