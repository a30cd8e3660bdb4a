// Range functions over one series' samples for every step of a range query
// at once, writing each window's value straight into the step columns.
//
// The per-window path (range-into.ts) sets a context and calls a function
// for every series and step, and searches each window's resets again; here
// one walk lists a series' windows (window-walk.ts: two pointers, windows
// only move forward) and one loop per function family does each window's
// arithmetic in place. Each family
// performs the same floating-point operations in the same order as
// functions.ts (Kahan terms included), so the values are the same bits:
// test/promql/engine/range-kernels.test.ts holds them to that against the
// per-window path.
//
// Only plain windows come here: anchored or smoothed selectors, @-pinned
// windows, start timestamps (for the functions that read them) and
// histograms keep the per-window path.

import type { StepColumns } from './columnar.js';
import type { SumCells } from './aggregate-fold.js';
import { counterSumRuns, takesRuns } from './counter-sum-runs.js';
import { linearRegression, variance } from './functions.js';
import { avgWindows, sumWindows } from './kahan-windows.js';
import { SortedWindow } from './sorted-window.js';
import { marked, markChanges, markResets, markSpace } from './sample-marks.js';
import { walkWindows, windows } from './window-walk.js';

/** The steps a series' windows are cut at: window k is (ts - offset - range, ts - offset] for ts = start + k * interval <= end. */
export interface KernelGrid {
  start: number;
  end: number;
  interval: number;
  offset: number;
  range: number;
  /** The function's scalar arguments per step (quantile_over_time's φ, predict_linear's horizon). */
  params: Float64Array[];
  /** Called for each window whose φ is outside [0, 1], for quantile_over_time's warning. */
  badQuantile: (q: number) => void;
  /** The query's timeout and abort check: a series of a fine subquery has millions of steps. */
  checkAbort: () => void;
}

/** The samples one series' windows took in: their sum, and the widest window (the sample limit's peak). */
export interface WindowTally {
  total: number;
  widest: number;
}

/** Writes the value of each non-empty window with a value into out (values, present, count) and fills tally. */
export type RangeKernel = (t: Float64Array, v: Float64Array, grid: KernelGrid, out: StepColumns, tally: WindowTally) => void;

const READS_START_TIMESTAMPS = new Set(['rate', 'increase', 'delta', 'irate', 'idelta', 'resets']);

/**
 * A kernel that adds each window's value into a sum's cells (as
 * FoldCells.foldColumn adds a column: the same operations, the cells taking
 * this series after those before it), for a series with dropName dn; returns
 * how many windows had a value.
 */
export type SumKernel = (t: Float64Array, v: Float64Array, grid: KernelGrid, cells: SumCells, dn: number, tally: WindowTally) => number;

/** The sum kernel for a function, or null where its values must go through a column. */
export function sumKernel(name: string, hasStartTimestamps: boolean): SumKernel | null {
  if (hasStartTimestamps) return null;
  return SUM_KERNELS[name] ?? null;
}

/** The kernel for a function, or null where the per-window path must run. */
export function rangeKernel(name: string, hasStartTimestamps: boolean): RangeKernel | null {
  // Start timestamps mark resets for these; the others never read them.
  if (hasStartTimestamps && READS_START_TIMESTAMPS.has(name)) return null;
  return KERNELS[name] ?? null;
}

/**
 * rate/increase: functions.ts's extrapolatedRate without anchoring, smoothing
 * or start timestamps. One function for counters and another for delta
 * rather than one closure per flag pair: closures made by one factory share
 * their optimized code, so the flags stayed tests in the loop. A counter's
 * resets are marked as the window's end passes them, while those samples are
 * in cache, instead of in a pass of their own; every index marked is a reset
 * above some window's first sample, so a window (lo, hi) takes exactly the
 * marks inside it. This loop and deltaWindows walk the steps themselves
 * rather than through window-walk.ts's list: `rate` and `increase` over the
 * dashboard's 432 bucket series took 1.3–1.4× as long through the list.
 *
 * extrapolate (functions.ts) is written out here with isCounter known and
 * the window's bounds in locals, the same operations in the same order, so
 * the same bits: test/promql/engine/range-kernels.test.ts holds each window
 * to the per-window path. Not through counter-run-plan.ts's windowFactor,
 * which computes the same: called here, it made 60 s steps over 60 s
 * scrapes of the large dashboard's CPU counters 1.3× as slow.
 */
function counterWindows(t: Float64Array, v: Float64Array, g: KernelGrid, out: StepColumns | null, cells: SumCells | null, dn: number, tally: WindowTally, isRate: boolean): number {
  const n = t.length, off = g.offset, range = g.range, rangeSeconds = range / 1000;
  const end = g.end, interval = g.interval;
  const resets = markSpace(n);
  const values = out ? out.values : NO_VALUES, present = out ? out.present : NO_FLAGS;
  let lo = 0, hi = 0, r = 0, nResets = 0, total = 0, widest = 0, count = 0;
  for (let ts = g.start, step = 0; ts <= end; ts += interval, step++) {
    if ((step & 4095) === 4095) g.checkAbort();
    const to = ts - off, from = to - range;
    while (lo < n && t[lo]! <= from) lo++;
    if (hi < lo) hi = lo;
    // Samples at or below lo are never inside a later window: only resets above it are marked.
    while (hi < n && t[hi]! <= to) {
      if (hi > lo && v[hi]! < v[hi - 1]!) resets[nResets++] = hi;
      hi++;
    }
    const w = hi - lo;
    if (w <= 0) continue;
    total += w;
    if (w > widest) widest = w;
    if (w < 2) continue;
    const firstT = t[lo]!, lastT = t[hi - 1]!, firstV = v[lo]!;
    let result = v[hi - 1]! - firstV;
    // The resets inside the window, added in sample order as the scan over the window does.
    while (r < nResets && resets[r]! <= lo) r++;
    for (let k = r; k < nResets && resets[k]! < hi; k++) result += v[resets[k]! - 1]!;
    let durationToStart = (firstT - from) / 1000;
    let durationToEnd = (to - lastT) / 1000;
    const sampledInterval = (lastT - firstT) / 1000;
    const avg = sampledInterval / (w - 1);
    const threshold = avg * 1.1;
    if (durationToStart >= threshold) durationToStart = avg / 2;
    let durationToZero = durationToStart;
    if (result > 0 && firstV >= 0) durationToZero = sampledInterval * (firstV / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
    if (durationToEnd >= threshold) durationToEnd = avg / 2;
    let factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
    if (isRate) factor /= rangeSeconds;
    count++;
    if (cells === null) {
      values[step] = result * factor;
      present[step] = 1;
    } else addToSum(cells, step, result * factor, dn);
  }
  if (out) out.count += count;
  tally.total = total;
  tally.widest = widest;
  return count;
}

const NO_VALUES = new Float64Array(0), NO_FLAGS = new Uint8Array(0);

/** FoldCells.foldColumn's step for one cell, f taken as the cell's next term. */
function addToSum(cells: SumCells, c: number, f: number, dn: number): void {
  const seen = cells.seen, value = cells.value, comp = cells.comp, dropName = cells.dropName;
  if (seen[c] === 0) {
    seen[c] = 1;
    value[c] = f;
    comp[c] = 0;
    dropName[c] = dn;
    return;
  }
  if (dn) dropName[c] = 1;
  const sum = value[c]!, t = sum + f;
  value[c] = t;
  if (t === Infinity || t === -Infinity) comp[c] = 0;
  else comp[c] = comp[c]! + (Math.abs(sum) >= Math.abs(f) ? (sum - t) + f : (f - t) + sum);
}

/** delta: extrapolate for a gauge (no resets, no extrapolation to zero), written out as in counterWindows. */
function deltaWindows(t: Float64Array, v: Float64Array, g: KernelGrid, out: StepColumns, tally: WindowTally): void {
  const n = t.length, off = g.offset, range = g.range;
  const end = g.end, interval = g.interval;
  const values = out.values, present = out.present;
  let lo = 0, hi = 0, total = 0, widest = 0, count = 0;
  for (let ts = g.start, step = 0; ts <= end; ts += interval, step++) {
    if ((step & 4095) === 4095) g.checkAbort();
    const to = ts - off, from = to - range;
    while (lo < n && t[lo]! <= from) lo++;
    if (hi < lo) hi = lo;
    while (hi < n && t[hi]! <= to) hi++;
    const w = hi - lo;
    if (w <= 0) continue;
    total += w;
    if (w > widest) widest = w;
    if (w < 2) continue;
    const firstT = t[lo]!, lastT = t[hi - 1]!;
    let durationToStart = (firstT - from) / 1000;
    let durationToEnd = (to - lastT) / 1000;
    const sampledInterval = (lastT - firstT) / 1000;
    const avg = sampledInterval / (w - 1);
    const threshold = avg * 1.1;
    if (durationToStart >= threshold) durationToStart = avg / 2;
    if (durationToEnd >= threshold) durationToEnd = avg / 2;
    const factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
    values[step] = (v[hi - 1]! - v[lo]!) * factor;
    present[step] = 1;
    count++;
  }
  out.count += count;
  tally.total = total;
  tally.widest = widest;
}

/** irate/idelta: the last two samples of each window. */
function instantValue(isRate: boolean): RangeKernel {
  return (t, v, g, out, tally) => {
    const values = out.values, present = out.present;
    const m = walkWindows(t, g, tally);
    const { hi: winHi, step: winStep, lo: winLo } = windows();
    let count = 0;
    for (let j = 0; j < m; j++) {
      const hi = winHi[j]!, step = winStep[j]!;
      if (hi - winLo[j]! < 2) continue;
      const dt = t[hi - 1]! - t[hi - 2]!;
      if (dt === 0) continue;
      const v0 = v[hi - 2]!, v1 = v[hi - 1]!;
      let result = v1;
      if (!isRate || !(v1 < v0)) result = v1 - v0;
      if (isRate) result /= dt / 1000;
      values[step] = result;
      present[step] = 1;
      count++;
    }
    out.count += count;
  };
}

/** resets/changes: the marked indices in (lo, hi), counted as the difference of two pointers. */
function counted(mark: (v: Float64Array) => number): RangeKernel {
  return (t, v, g, out, tally) => {
    const nMarks = mark(v);
    const at = marked();
    const values = out.values, present = out.present;
    const m = walkWindows(t, g, tally);
    const { lo: winLo, hi: winHi, step: winStep } = windows();
    let a = 0, b = 0;
    for (let j = 0; j < m; j++) {
      const lo = winLo[j]!, hi = winHi[j]!, step = winStep[j]!;
      while (a < nMarks && at[a]! <= lo) a++;
      if (b < a) b = a;
      while (b < nMarks && at[b]! < hi) b++;
      values[step] = b - a;
      present[step] = 1;
    }
    out.count += m;
  };
}

// The reductions of the *_over_time loop.
const Op = { Count: 2, Min: 3, Max: 4, Last: 5, First: 6, Present: 7, StdVar: 8, StdDev: 9, TsOfLast: 10, TsOfFirst: 11, TsOfMin: 12, TsOfMax: 13, Quantile: 14 } as const;
type Op = (typeof Op)[keyof typeof Op];

const quantileWindow = new SortedWindow();

/** The *_over_time family: one loop over the steps, the window's reduction picked by op. */
function overTime(op: Op): RangeKernel {
  return (t, v, g, out, tally) => {
    const values = out.values, present = out.present;
    const phi = op === Op.Quantile ? g.params[0]! : null;
    if (phi) quantileWindow.clear();
    const m = walkWindows(t, g, tally);
    const { lo: winLo, hi: winHi, step: winStep } = windows();
    for (let j = 0; j < m; j++) {
      const lo = winLo[j]!, hi = winHi[j]!, step = winStep[j]!, w = hi - lo;
      let x: number;
      switch (op) {
        case Op.Count: x = w; break;
        case Op.Min: x = minOf(v, lo, hi); break;
        case Op.Max: x = maxOf(v, lo, hi); break;
        case Op.Last: x = v[hi - 1]!; break;
        case Op.First: x = v[lo]!; break;
        case Op.Present: x = 1; break;
        case Op.StdVar: x = variance(v, lo, hi); break;
        case Op.StdDev: x = Math.sqrt(variance(v, lo, hi)); break;
        case Op.TsOfLast: x = t[hi - 1]! / 1000; break;
        case Op.TsOfFirst: x = t[lo]! / 1000; break;
        case Op.TsOfMin: x = tsOfBest(t, v, lo, hi, false) / 1000; break;
        case Op.TsOfMax: x = tsOfBest(t, v, lo, hi, true) / 1000; break;
        default: {
          // Op.Quantile
          const q = phi![step]!;
          if (Number.isNaN(q) || q < 0 || q > 1) g.badQuantile(q);
          quantileWindow.moveTo(v, lo, hi);
          x = quantileWindow.quantile(q);
        }
      }
      values[step] = x;
      present[step] = 1;
    }
    if (phi) quantileWindow.clear();
    out.count += m;
  };
}

// min/max_over_time: a NaN is replaced by any later value, and among equal values (-0, 0) the first stays.
function minOf(v: Float64Array, lo: number, hi: number): number {
  let best = v[lo]!;
  for (let i = lo; i < hi; i++) if (v[i]! < best || Number.isNaN(best)) best = v[i]!;
  return best;
}

function maxOf(v: Float64Array, lo: number, hi: number): number {
  let best = v[lo]!;
  for (let i = lo; i < hi; i++) if (v[i]! > best || Number.isNaN(best)) best = v[i]!;
  return best;
}

/** ts_of_min/max_over_time: the last sample at the extreme (<=, >=), a NaN replaced by any later one. */
function tsOfBest(t: Float64Array, v: Float64Array, lo: number, hi: number, max: boolean): number {
  let best = v[lo]!, bestT = t[lo]!;
  for (let i = lo; i < hi; i++) {
    const x = v[i]!;
    if ((max ? x >= best : x <= best) || Number.isNaN(best)) {
      best = x;
      bestT = t[i]!;
    }
  }
  return bestT;
}

/** deriv/predict_linear: functions.ts's linearRegression per window, x from the first sample (deriv) or the step's time (predict_linear). */
function regression(predict: boolean): RangeKernel {
  return (t, v, g, out, tally) => {
    const values = out.values, present = out.present;
    const horizon = predict ? g.params[0]! : null;
    const m = walkWindows(t, g, tally);
    const { lo: winLo, hi: winHi, step: winStep, ts: winTs } = windows();
    let count = 0;
    for (let j = 0; j < m; j++) {
      const lo = winLo[j]!, hi = winHi[j]!, step = winStep[j]!, ts = winTs[j]!;
      if (hi - lo < 2) continue;
      const [slope, intercept] = linearRegression(t, v, lo, hi, predict ? ts : t[lo]!);
      values[step] = predict ? slope * horizon![step]! + intercept : slope;
      present[step] = 1;
      count++;
    }
    out.count += count;
  };
}

const KERNELS: Record<string, RangeKernel> = {
  deriv: regression(false),
  predict_linear: regression(true),
  rate: (t, v, g, out, tally) => void counterWindows(t, v, g, out, null, 0, tally, true),
  increase: (t, v, g, out, tally) => void counterWindows(t, v, g, out, null, 0, tally, false),
  delta: deltaWindows,
  irate: instantValue(true),
  idelta: instantValue(false),
  resets: counted(markResets),
  changes: counted(markChanges),
  sum_over_time: sumWindows,
  avg_over_time: avgWindows,
  count_over_time: overTime(Op.Count),
  min_over_time: overTime(Op.Min),
  max_over_time: overTime(Op.Max),
  last_over_time: overTime(Op.Last),
  first_over_time: overTime(Op.First),
  present_over_time: overTime(Op.Present),
  absent_over_time: overTime(Op.Present),
  stdvar_over_time: overTime(Op.StdVar),
  stddev_over_time: overTime(Op.StdDev),
  ts_of_last_over_time: overTime(Op.TsOfLast),
  ts_of_first_over_time: overTime(Op.TsOfFirst),
  ts_of_min_over_time: overTime(Op.TsOfMin),
  ts_of_max_over_time: overTime(Op.TsOfMax),
  quantile_over_time: overTime(Op.Quantile),
};

// A step finer than the scrapes takes the windows in runs that hold the same samples (counter-sum-runs.ts).
const SUM_KERNELS: Record<string, SumKernel> = {
  rate: (t, v, g, cells, dn, tally) => (takesRuns(t, g) ? counterSumRuns(t, v, g, cells, dn, tally, true) : counterWindows(t, v, g, null, cells, dn, tally, true)),
  increase: (t, v, g, cells, dn, tally) => (takesRuns(t, g) ? counterSumRuns(t, v, g, cells, dn, tally, false) : counterWindows(t, v, g, null, cells, dn, tally, false)),
};
