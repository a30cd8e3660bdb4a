// What a sum of rate or increase over a series' windows owes to the series'
// timestamps alone, worked out once and kept for the next series with the same
// timestamps: the runs of steps whose windows hold the same samples, and for
// every step the extrapolation's factor (counter-sum-runs.ts multiplies each
// run's increase by it).
//
// Every series of one scrape target carries the scrape's timestamps, and
// series come in label order, so a histogram's buckets or a target's CPU modes
// mostly follow a series with the same timestamps: over the 10,000-series
// dashboard, 71 of every 72 bucket series. Their windows then cost a load and
// a multiplication instead of three divisions.

import type { KernelGrid } from './range-kernels.js';
import { float64Scratch } from './scratch.js';

/** Bounds under which every step's window bounds, as counterWindows accumulates them, are exact integers. */
const EXACT = 2 ** 50;

function exactInteger(x: number): boolean {
  return Number.isInteger(x) && Math.abs(x) <= EXACT;
}

/**
 * Whether counterSumRuns takes this series on this grid: a step at most half
 * the series' mean sample spacing (coarser steps find different samples at
 * almost every step, and the runs' bookkeeping costs more than it saves:
 * 1.3× counterWindows' time at 15 s over 15 s scrapes, and no less through
 * the plan of a series with the same timestamps), and a grid of whole
 * milliseconds, so that a step's bounds computed from its index are the
 * bounds counterWindows reaches by adding the interval step after step.
 */
export function takesRuns(t: Float64Array, g: KernelGrid): boolean {
  const n = t.length;
  if (n < 2 || !(g.interval * 2 <= (t[n - 1]! - t[0]!) / (n - 1))) return false;
  return g.interval > 0 && exactInteger(g.interval) && exactInteger(g.start) && exactInteger(g.end) && exactInteger(g.offset) && exactInteger(g.range);
}

/**
 * One window's extrapolation factor, as functions.ts's extrapolatedRate works
 * it out: durations to the window's bounds in seconds, each replaced by half
 * a spacing past the threshold, the one to the start cut at the duration to
 * zero (Infinity where there is none), over the range for rate.
 */
export function windowFactor(
  to: number, range: number, rangeSeconds: number, isRate: boolean,
  firstT: number, lastT: number, sampledInterval: number, threshold: number, half: number, durationToZero: number,
): number {
  let durationToStart = (firstT - (to - range)) / 1000;
  let durationToEnd = (to - lastT) / 1000;
  if (durationToStart >= threshold) durationToStart = half;
  if (durationToZero < durationToStart) durationToStart = durationToZero;
  if (durationToEnd >= threshold) durationToEnd = half;
  const factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
  return isRate ? factor / rangeSeconds : factor;
}

export class CounterRunPlan {
  private times: Float64Array = new Float64Array(0);
  private n = -1;
  private start = NaN;
  private end = NaN;
  private interval = NaN;
  private offset = NaN;
  private range = NaN;
  private isRate = false;

  /** Runs of steps [runStep[i], runEnd[i]) whose windows hold samples runLo[i] to runHi[i] - 1, at least two. */
  runs = 0;
  runStep = new Int32Array(256);
  runEnd = new Int32Array(256);
  runLo = new Int32Array(256);
  runHi = new Int32Array(256);
  /** At least the longest duration to the start among a run's steps: a run whose duration to zero is not below it keeps every step's factor. */
  runLongestStart = new Float64Array(256);
  /** Per step: the extrapolation's factor (over the range too, for rate) when the extrapolation to zero does not stop it short. */
  factor: Float64Array = new Float64Array(0);
  /** counterWindows' tally of the windows' samples, and the count of windows with a value. */
  total = 0;
  widest = 0;
  count = 0;

  /** Whether this is the plan of these timestamps on this grid. */
  holds(t: Float64Array, g: KernelGrid, isRate: boolean): boolean {
    const n = t.length, held = this.times;
    if (n !== this.n || this.isRate !== isRate || this.start !== g.start || this.end !== g.end || this.interval !== g.interval || this.offset !== g.offset || this.range !== g.range) return false;
    if (n === 0 || t[0] !== held[0] || t[n - 1] !== held[n - 1]) return false;
    for (let i = 1; i < n - 1; i++) if (t[i] !== held[i]) return false;
    return true;
  }

  /** Works out the plan of these timestamps on this grid in place of the one held. */
  build(t: Float64Array, g: KernelGrid, isRate: boolean): void {
    const n = t.length;
    // Held only once whole: a query's deadline can end the walk half-way.
    this.n = -1;
    this.times = float64Scratch(this.times, n);
    this.times.set(t);
    this.start = g.start;
    this.end = g.end;
    this.interval = g.interval;
    this.offset = g.offset;
    this.range = g.range;
    this.isRate = isRate;
    const range = g.range, rangeSeconds = range / 1000, interval = g.interval;
    const to0 = g.start - g.offset;
    let steps = Math.max(0, Math.floor((g.end - g.start) / interval) + 1);
    // counterWindows' steps are those with start + k * interval <= end; the division's rounding is not trusted.
    while (steps > 0 && g.start + (steps - 1) * interval > g.end) steps--;
    while (g.start + steps * interval <= g.end) steps++;
    this.factor = float64Scratch(this.factor, steps);
    if (this.runStep.length > 1 << 16 && steps <= 1 << 15) {
      this.runStep = this.runEnd = this.runLo = this.runHi = new Int32Array(0);
      this.runLongestStart = new Float64Array(0);
    }
    const factors = this.factor;
    let lo = 0, hi = 0, runs = 0, total = 0, widest = 0, count = 0;
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
      while (hi < n && t[hi]! <= to) hi++;
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
      if (w > 0) {
        total += w * len;
        if (w > widest) widest = w;
      }
      if (w >= 2) {
        if (runs >= this.runStep.length) this.growRuns();
        this.runStep[runs] = k;
        this.runEnd[runs] = next;
        this.runLo[runs] = lo;
        this.runHi[runs] = hi;
        const firstT = t[lo]!, lastT = t[hi - 1]!;
        const sampledInterval = (lastT - firstT) / 1000;
        const avg = sampledInterval / (w - 1);
        const threshold = avg * 1.1, half = avg / 2;
        for (let c = k; c < next; c++) factors[c] = windowFactor(to0 + c * interval, range, rangeSeconds, isRate, firstT, lastT, sampledInterval, threshold, half, Infinity);
        // The run's first step is the furthest from its first sample; a duration at or past the threshold becomes half a spacing, less than the threshold.
        const furthest = (firstT - from) / 1000;
        const longest = furthest < threshold ? furthest : Math.max(threshold, half);
        this.runLongestStart[runs] = longest;
        runs++;
        count += len;
      }
      k = next;
    }
    this.runs = runs;
    this.n = n;
    this.total = total;
    this.widest = widest;
    this.count = count;
  }

  private growRuns(): void {
    const n = Math.max(256, this.runStep.length * 2);
    const wider = <T extends Int32Array | Float64Array>(a: T, b: T): T => (b.set(a), b);
    this.runStep = wider(this.runStep, new Int32Array(n));
    this.runEnd = wider(this.runEnd, new Int32Array(n));
    this.runLo = wider(this.runLo, new Int32Array(n));
    this.runHi = wider(this.runHi, new Int32Array(n));
    this.runLongestStart = wider(this.runLongestStart, new Float64Array(n));
  }
}
