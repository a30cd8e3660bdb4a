// Functions over range vectors (rate, *_over_time, ...): for each series and
// step, the window (ref - range, ref] of samples is handed to the function
// (engine.go, the Call case with a matrix argument).

import type { Call } from '../parser/ast.js';
import { QueryError } from './errors.js';
import { ANCHORED_SAFE, KEEPS_NAME, RANGE_FUNCTIONS, SMOOTHED_SAFE, absentLabels, type RangeCtx } from './functions.js';
import { type SeriesData, upperBound } from './selection.js';
import { type FPoint, type HPoint, type Matrix, dropMetricName, getLabel, histogramSamples } from './value.js';
import { HISTOGRAM_RANGE_FUNCTIONS, histogramWindow } from './histogram-range.js';
import type { Evaluator } from './evaluator.js';
import type { Series as StoredSeries } from '../../storage/interfaces.js';
import { reduceWindowsFast } from './wasm-windows.js';
import { advanceTo } from './forward-search.js';
import { MatrixSink, type SeriesSink } from './series-sink.js';
import { RANGE_FUNCTIONS_INTO } from './range-into.js';
import { type KernelGrid, type WindowTally, rangeKernel, sumKernel } from './range-kernels.js';
import { formatFloat } from '../../model/float.js';

/** One input series of a range function: its labels first, its samples only on demand. */
export interface WindowEntry {
  labels: SeriesData['labels'];
  dropName?: boolean;
  /** The stored series, which can reduce windows without handing out samples. */
  stored?: StoredSeries;
  /** Its samples: valid until data() of another entry of the same source (which may reuse the arrays). */
  data(): SeriesData;
}

export interface WindowSource {
  series: WindowEntry[];
  /** Offset in effect (ms); the window ends at step - offset. */
  offset: number;
  /** @ time, when the window is pinned (then it is read once, at the first step). */
  at: number | null;
  range: number;
  anchored: boolean;
  smoothed: boolean;
  /** Gives back the sample budget a subquery result held. */
  release: () => void;
}

const COUNTER_SUFFIXES = ['_total', '_sum', '_count', '_bucket'];

/**
 * The range function's result, or (with a sink, as a streamed aggregation
 * passes) each series handed to the sink as it is computed and [] returned.
 */
export function evalRangeCall(ev: Evaluator, e: Call, matrixIdx: number, sink?: SeriesSink): Matrix {
  const name = e.func.name;
  const fn = RANGE_FUNCTIONS[name];
  if (!fn) throw new QueryError(`function "${name}" is not implemented`, 'bad_data');
  const src = ev.windowSource(e.args[matrixIdx]!);
  try {
    if (src.anchored && !ANCHORED_SAFE.includes(name)) {
      throw new QueryError(`anchored modifier can only be used with: ${ANCHORED_SAFE.join(', ')} - not with ${name}`);
    }
    if (src.smoothed && !SMOOTHED_SAFE.includes(name)) {
      throw new QueryError(`smoothed modifier can only be used with: ${SMOOTHED_SAFE.join(', ')} - not with ${name}`);
    }
    const params = e.args.map((a, i) => (i === matrixIdx ? null : ev.scalarSteps(a)));
    const held = new MatrixSink(ev);
    windows(ev, e, src, params, sink ?? held);
    if (name === 'absent_over_time') return absentOverTime(ev, e, held.out);
    if (!ev.cfg.delayedNameRemoval && (sink ?? held).hasDuplicates()) {
      throw new QueryError('vector cannot contain metrics with the same labelset');
    }
    return held.out;
  } finally {
    src.release();
  }
}

/**
 * Whether to take windows from the storage's reductions: a reduction adds
 * each sample of its window, so windows that overlap add each sample once
 * per window (20 times for [5m] at a 15 s step), which costs several times
 * the sample path's pass.
 */
function reductionsWanted(ev: Evaluator, src: WindowSource): boolean {
  const use = ev.cfg.useWasmReductions;
  if (use !== 'auto') return use;
  return ev.start === ev.end || src.range <= ev.interval;
}

function windows(ev: Evaluator, e: Call, src: WindowSource, params: (Float64Array | null)[], out: SeriesSink): void {
  const name = e.func.name;
  const fn = RANGE_FUNCTIONS[name]!;
  const into = RANGE_FUNCTIONS_INTO[name]!;
  const lb = ev.cfg.lookbackDelta;
  const keepsName = KEEPS_NAME.has(name);
  const scalarParams = params.filter((p): p is Float64Array => p !== null);
  // Whole-series kernels for plain windows; `columnar: false` keeps the per-window path as the reference.
  const kernelsApply = ev.cfg.columnar && !src.anchored && !src.smoothed && src.at === null;
  const grid: KernelGrid | null = kernelsApply ? {
    start: ev.start, end: ev.end, interval: ev.interval, offset: src.offset, range: src.range, params: scalarParams,
    badQuantile: (q) => ev.q.annos.warn(`quantile value should be between 0 and 1, got ${formatFloat(q)}`, e.args[0]!.posRange),
    checkAbort: ev.cfg.checkAbort,
  } : null;
  const tally: WindowTally = { total: 0, widest: 0 };
  const fast = reductionsWanted(ev, src) && !src.anchored && !src.smoothed && src.at === null ? reduceWindowsFast(name) : null;
  // One context for the call, its per-step fields rewritten at each step and its per-series ones
  // at each series (functions never keep it): an object and two parameter arrays per step, and then
  // a context and a closure per series, were much of this loop's garbage.
  const ctx: RangeCtx = {
    ts: 0, rangeStart: 0, rangeEnd: 0, rangeSeconds: src.range / 1000, params: new Array<number>(scalarParams.length).fill(0),
    annos: ev.q.annos, call: e, metric: [], anchored: src.anchored, smoothed: src.smoothed, st: null, resets: undefined,
  };
  // The step's time is worked out here from its index: a time passed in as an argument was boxed at every call.
  const windowValue = (d: SeriesData, step: number, lo: number, hi: number) => {
    const ts = ev.start + step * ev.interval;
    const rangeEnd = ts - src.offset;
    ctx.ts = ts;
    ctx.rangeStart = rangeEnd - src.range;
    ctx.rangeEnd = rangeEnd;
    for (let i = 0; i < scalarParams.length; i++) ctx.params[i] = scalarParams[i]![step]!;
    ctx.st = d.st ?? null;
    return fn(d.t, d.v, lo, hi, ctx);
  };
  for (const s of src.series) {
    ev.cfg.checkAbort();
    const dropName = !keepsName || s.dropName === true;
    const metric = !ev.cfg.delayedNameRemoval && dropName ? dropMetricName(s.labels) : s.labels;
    // What a series' windows remember (its counter resets) never carries over to the next series.
    ctx.metric = s.labels;
    ctx.resets = undefined;
    let floats: FPoint[];
    let histograms: HPoint[] | undefined;
    // Asked only where reductions are wanted (each may decode): start timestamps change what rate
    // and resets see, and reductions cover floats only, so such series take the sample path.
    const readFrom = ev.start - src.offset - src.range - lb, readTo = ev.end - src.offset;
    if (fast && s.stored && !(s.stored.hasStartTimestamps?.(readFrom, readTo) ?? false) && !(s.stored.hasHistograms?.(readFrom, readTo) ?? false)) {
      const w = { start: ev.start, end: ev.end, interval: ev.interval, offset: src.offset, range: src.range };
      const res = fast(s.stored, w, (step, ts) => {
        const d = s.data();
        const maxt = ts - src.offset;
        return windowValue(d, step, upperBound(d.t, maxt - src.range), upperBound(d.t, maxt));
      });
      floats = res.points;
      ev.q.totalLoaded += res.scanned;
    } else if (s.data().h) {
      ({ floats, histograms } = histogramWindows(ev, e, src, s.labels, s.data(), params));
    } else {
      const d = s.data();
      // Into a streamed sum's cells directly, where the series' group has them already.
      const toSum = kernelsApply && out.sumCellsOf ? sumKernel(name, d.st !== undefined) : null;
      const cells = toSum ? out.sumCellsOf!(metric) : null;
      if (cells) {
        const count = toSum!(d.t, d.v, grid!, cells, dropName ? 1 : 0, tally);
        chargeWindows(ev, d.t, grid!, tally);
        if (count > 0) {
          ev.q.add(count);
          out.tookSum!(metric, count);
          if (name === 'rate' || name === 'increase') notCounterInfo(ev, e, s.labels);
        }
        continue;
      }
      // Every step's value goes into one column per series: no point object per step.
      const cols = out.columns();
      const kernel = kernelsApply ? rangeKernel(name, d.st !== undefined) : null;
      if (kernel) {
        kernel(d.t, d.v, grid!, cols, tally);
        chargeWindows(ev, d.t, grid!, tally);
      }
      let lo = 0, hi = 0;
      let step = -1;
      // windowStart and windowEnd written out (the same operations in the same order) with the source's fields in locals.
      const off = src.offset, range = src.range, anch = src.anchored ? lb : 0, smooth = src.smoothed ? lb : 0;
      const t = d.t, st = d.st ?? null;
      // The per-window path, for what no kernel covers.
      if (!kernel) for (let ts = ev.start; ts <= ev.end; ts += ev.interval) {
        step++;
        // A series of millions of steps (a fine subquery) takes seconds here: the timeout is checked within it.
        if ((step & 4095) === 4095) ev.cfg.checkAbort();
        if (ts === ev.start || src.at === null) {
          // Windows only move forward, mostly by a sample or two: step from the previous bounds.
          lo = advanceTo(t, ts - off - range - anch - smooth, lo);
          hi = advanceTo(t, ts - off + smooth, Math.max(lo, hi));
        }
        if (hi <= lo) continue;
        ev.q.add(hi - lo);
        ev.q.current -= hi - lo;
        // windowValue's context, set here: the value goes straight into the column, never boxed.
        const rangeEnd = ts - off;
        ctx.ts = ts;
        ctx.rangeStart = rangeEnd - range;
        ctx.rangeEnd = rangeEnd;
        for (let i = 0; i < scalarParams.length; i++) ctx.params[i] = scalarParams[i]![step]!;
        ctx.st = st;
        if (!into(t, d.v, lo, hi, ctx, cols.values, step)) continue;
        cols.present[step] = 1;
        cols.count++;
      }
      if (cols.count > 0) {
        ev.q.add(cols.count);
        out.takeColumns(metric, dropName, cols);
        if (name === 'rate' || name === 'increase') notCounterInfo(ev, e, s.labels);
      } else out.unused(cols);
      continue;
    }
    if (histograms) {
      if (floats.length === 0 && histograms.length === 0) continue;
      ev.q.add(floats.length);
      for (const p of histograms) ev.q.add(histogramSamples(p.h));
      out.take(histograms.length > 0 ? { metric, floats, histograms, dropName } : { metric, floats, dropName });
    } else {
      if (floats.length === 0) continue;
      ev.q.add(floats.length);
      out.take({ metric, floats, dropName });
    }
    if ((name === 'rate' || name === 'increase') && floats.length > 0) notCounterInfo(ev, e, s.labels);
  }
}

/**
 * Counts a kernel's windows against the sample limit as the per-window path
 * does (each window's samples held while its value is computed): the widest
 * window is the peak. Past the limit the windows are charged one by one
 * again, so the same step raises the same error.
 */
function chargeWindows(ev: Evaluator, t: Float64Array, g: KernelGrid, tally: WindowTally): void {
  const q = ev.q, before = q.current;
  try {
    q.add(tally.widest);
  } catch {
    q.current = before;
    let lo = 0, hi = 0;
    for (let ts = g.start; ts <= g.end; ts += g.interval) {
      lo = advanceTo(t, ts - g.offset - g.range, lo);
      hi = advanceTo(t, ts - g.offset, Math.max(lo, hi));
      if (hi <= lo) continue;
      q.add(hi - lo);
      q.current -= hi - lo;
    }
    throw new Error('unreachable: the widest window passed the sample limit');
  }
  q.current = before;
  q.totalLoaded += tally.total - tally.widest;
}

// A loop, not COUNTER_SUFFIXES.some(closure): that closure was made for every series a rate read.
function hasCounterSuffix(name: string): boolean {
  for (const x of COUNTER_SUFFIXES) if (name.endsWith(x)) return true;
  return false;
}

function notCounterInfo(ev: Evaluator, e: Call, labels: SeriesData['labels']): void {
  const metricName = getLabel(labels, '__name__');
  if (metricName !== '' && !hasCounterSuffix(metricName)) {
    ev.q.annos.info(`metric might not be a counter, name does not end in _total/_sum/_count/_bucket: ${JSON.stringify(metricName)}`, e.args[0]!.posRange);
  }
}

/** The first instant a step's window takes in (exclusive): anchored and smoothed windows reach a lookback further back. */
function windowStart(ts: number, src: WindowSource, lb: number): number {
  return ts - src.offset - src.range - (src.anchored ? lb : 0) - (src.smoothed ? lb : 0);
}

/** The last instant a step's window takes in: smoothed windows reach a lookback past the step. */
function windowEnd(ts: number, src: WindowSource, lb: number): number {
  return ts - src.offset + (src.smoothed ? lb : 0);
}

/** A series with histograms: each step's window goes to the histogram-aware implementation. */
function histogramWindows(ev: Evaluator, e: Call, src: WindowSource, labels: SeriesData['labels'], d: SeriesData, params: (Float64Array | null)[]): { floats: FPoint[]; histograms: HPoint[] } {
  const name = e.func.name;
  const fn = HISTOGRAM_RANGE_FUNCTIONS[name];
  if (!fn) throw new QueryError(`function "${name}" is not implemented for native histograms`, 'bad_data');
  const lb = ev.cfg.lookbackDelta;
  const floats: FPoint[] = [], histograms: HPoint[] = [];
  let lo = 0, hi = 0, step = -1;
  for (let ts = ev.start; ts <= ev.end; ts += ev.interval) {
    step++;
    if (ts === ev.start || src.at === null) {
      lo = upperBound(d.t, windowStart(ts, src, lb));
      hi = upperBound(d.t, windowEnd(ts, src, lb));
    }
    if (hi <= lo) continue;
    const w = histogramWindow(d, lo, hi);
    let loaded = w.ft.length;
    for (const h of w.hs) loaded += histogramSamples(h);
    ev.q.add(loaded);
    ev.q.current -= loaded;
    const rangeEnd = ts - src.offset;
    const value = fn(w, {
      ts, rangeStart: rangeEnd - src.range, rangeEnd, rangeSeconds: src.range / 1000,
      params: params.filter((p): p is Float64Array => p !== null).map((p) => p[step]!),
      annos: ev.q.annos, call: e, metric: labels, anchored: src.anchored, smoothed: src.smoothed, st: null,
    });
    if (value === null) continue;
    if (typeof value === 'number') floats.push({ t: ts, f: value });
    else histograms.push({ t: ts, h: value });
  }
  return { floats, histograms };
}

/** absent_over_time: one series, with a 1 at every step where no input series had samples. */
function absentOverTime(ev: Evaluator, e: Call, mat: Matrix): Matrix {
  const steps = ev.numSteps;
  if (mat.some((s) => s.floats.length === steps)) return [];
  const found = new Set<number>();
  for (const s of mat) for (const p of s.floats) found.add(p.t);
  if (found.size === steps) return [];
  const floats: FPoint[] = [];
  for (let ts = ev.start; ts <= ev.end; ts += ev.interval) if (!found.has(ts)) floats.push({ t: ts, f: 1 });
  return [{ metric: absentLabels(e.args[0]!), floats, dropName: true }];
}

/**
 * The window of an anchored or smoothed range selector evaluated on its own:
 * boundary points at mint and maxt (picked or interpolated) around the inner samples.
 */
export function extendFloats(floats: FPoint[], mint: number, maxt: number, smoothed: boolean): FPoint[] {
  if (floats.length === 0) return floats;
  let last = floats.length - 1;
  const search = (n: number, pred: (p: FPoint) => boolean) => {
    let a = 0, b = n;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (pred(floats[m]!)) b = m;
      else a = m + 1;
    }
    return a;
  };
  let first = Math.max(0, search(last, (p) => p.t > mint) - 1);
  if (smoothed) last = search(last, (p) => p.t >= maxt);
  if (floats[last]!.t <= mint) return [];
  const lerp = (a: FPoint, b: FPoint, t: number) => a.f + ((b.f - a.f) * (t - a.t)) / (b.t - a.t);
  const left = smoothed && floats[first]!.t < mint ? lerp(floats[first]!, floats[first + 1]!, mint) : floats[first]!.f;
  const right = smoothed && last > 0 && floats[last]!.t > maxt ? lerp(floats[last - 1]!, floats[last]!, maxt) : floats[last]!.f;
  if (floats[first]!.t <= mint) first++;
  if (floats[last]!.t >= maxt) last--;
  return [{ t: mint, f: left }, ...floats.slice(first, Math.max(first, last + 1)), { t: maxt, f: right }];
}
