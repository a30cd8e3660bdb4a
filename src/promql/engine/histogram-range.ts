// Range-vector functions over windows that hold native histograms
// (promql/functions.go): rate, increase and delta of counter and gauge
// histograms, irate/idelta, resets, changes, the *_over_time functions
// defined for histograms, and, for the float-only functions, the floats of
// a mixed window with the info Prometheus adds. Windows without histograms
// never come here.

import { type FloatHistogram, CounterResetHint, usesCustomBuckets } from '../../model/histogram.js';
import {
  IncompatibleSchemaError, addHistogram, divHistogram, kahanAddHistogram, mulHistogram, subHistogram,
} from '../../model/histogram-arith.js';
import { compact } from '../../model/histogram-compact.js';
import { histogramEquals } from '../../model/histogram-equal.js';
import { detectReset } from '../../model/histogram-reset.js';
import { copyHistogram, copyToSchema } from '../../model/histogram-resolution.js';
import { getLabel } from './value.js';
import { type RangeCtx, RANGE_FUNCTIONS, isStartTimestampReset, overlapWarning, startTimeOverlaps } from './functions.js';
import { histogramAnnos } from './histogram-annotations.js';
import type { SeriesData } from './selection.js';

/** A window split by kind, in time order. */
export interface HistogramWindow {
  ft: number[];
  fv: number[];
  fst: number[] | null;
  ht: number[];
  hs: FloatHistogram[];
  /** Start timestamps of the histograms (0 = unknown), when the series has any. */
  hst: number[] | null;
  /** Both kinds merged, in time order (what resets/changes walk). */
  all: { t: number; f: number; st: number; h?: FloatHistogram }[];
}

export function histogramWindow(d: SeriesData, lo: number, hi: number): HistogramWindow {
  const w: HistogramWindow = { ft: [], fv: [], fst: d.st ? [] : null, ht: [], hs: [], hst: d.st ? [] : null, all: [] };
  for (let i = lo; i < hi; i++) {
    const h = d.h?.[i];
    if (h) {
      w.ht.push(d.t[i]!);
      w.hs.push(h);
      w.hst?.push(d.st![i]!);
      w.all.push({ t: d.t[i]!, f: NaN, st: d.st ? d.st[i]! : 0, h });
    } else {
      w.ft.push(d.t[i]!);
      w.fv.push(d.v[i]!);
      w.fst?.push(d.st![i]!);
      w.all.push({ t: d.t[i]!, f: d.v[i]!, st: d.st ? d.st[i]! : 0 });
    }
  }
  return w;
}

type Result = number | FloatHistogram | null;
type HistogramRangeFn = (w: HistogramWindow, ctx: RangeCtx) => Result;

const nameOf = (ctx: RangeCtx) => getLabel(ctx.metric, '__name__');
const pos = (ctx: RangeCtx) => ctx.call.args[0]!.posRange;

/** Exponential and custom buckets in one window end its value with Prometheus's annotation; any other error propagates. */
function mixedSchemas(e: unknown, ctx: RangeCtx, name: string, at: ReturnType<typeof pos>): void {
  if (!(e instanceof IncompatibleSchemaError)) throw e;
  histogramAnnos.mixedExponentialCustom(ctx.annos, name, at);
}
const isGauge = (h: FloatHistogram) => h.counterResetHint === CounterResetHint.Gauge;

/** The window's floats through the float implementation (for windows that also hold histograms). */
function onFloats(name: string, w: HistogramWindow, ctx: RangeCtx): number | null {
  const fn = RANGE_FUNCTIONS[name]!;
  return fn(w.ft, w.fv, 0, w.ft.length, { ...ctx, st: w.fst ? Float64Array.from(w.fst) : null });
}

/** Float-only functions: histograms are ignored, with an info when floats remain to answer. */
function floatsIgnoringHistograms(name: string): HistogramRangeFn {
  return (w, ctx) => {
    if (w.ft.length === 0) return null;
    const r = onFloats(name, w, ctx);
    if (w.hs.length > 0) histogramAnnos.ignoredInMixedRange(ctx.annos, nameOf(ctx), pos(ctx));
    return r;
  };
}

// histogramRate: last - first with counter resets added back (isCounter),
// in the smallest schema seen; the result is a gauge histogram.
function histogramRate(w: HistogramWindow, isCounter: boolean, ctx: RangeCtx): FloatHistogram | null {
  const points = w.hs;
  let prev = points[0]!;
  let custom = usesCustomBuckets(prev);
  const last = points[points.length - 1]!;
  const name = nameOf(ctx);
  if (isCounter && (isGauge(prev) || isGauge(last))) histogramAnnos.notCounter(ctx.annos, name, pos(ctx));
  if (isCounter) {
    const second = points[1]!;
    if (stReset(w, 1) || detectReset(second, prev)) {
      prev = { ...emptyLike(second) };
      custom = usesCustomBuckets(second);
    }
  }
  if (usesCustomBuckets(last) !== custom) {
    histogramAnnos.mixedExponentialCustom(ctx.annos, name, pos(ctx));
    return null;
  }
  let minSchema = Math.min(last.schema, prev.schema);
  for (let i = 1; i < points.length - 1; i++) {
    const curr = points[i]!;
    if (!isCounter) continue;
    if (isGauge(curr)) histogramAnnos.notCounter(ctx.annos, name, pos(ctx));
    if (curr.schema < minSchema) minSchema = curr.schema;
    if (usesCustomBuckets(curr) !== custom) {
      histogramAnnos.mixedExponentialCustom(ctx.annos, name, pos(ctx));
      return null;
    }
  }
  const h = usesCustomBuckets(last) ? copyHistogram(last) : copyToSchema(last, minSchema);
  try {
    if (subHistogram(h, prev).nhcbBoundsReconciled) histogramAnnos.mismatchedCustomBuckets(ctx.annos, 'subtraction', pos(ctx));
    if (isCounter) {
      let overlapWarned = false;
      for (let i = 1; i < points.length; i++) {
        const curr = points[i]!;
        if (!overlapWarned && w.hst && startTimeOverlaps(w.hst[i - 1]!, w.ht[i - 1]!, w.hst[i]!)) {
          ctx.annos.warn(overlapWarning(ctx), pos(ctx));
          overlapWarned = true;
        }
        // The start timestamp first, as Prometheus (it is the cheaper test).
        if (stReset(w, i) || detectReset(curr, prev)) {
          if (addHistogram(h, prev).nhcbBoundsReconciled) histogramAnnos.mismatchedCustomBuckets(ctx.annos, 'addition', pos(ctx));
        }
        prev = curr;
      }
    } else if (!isGauge(points[0]!) || !isGauge(last)) {
      histogramAnnos.notGauge(ctx.annos, name, pos(ctx));
    }
  } catch (e) {
    mixedSchemas(e, ctx, name, pos(ctx));
    return null;
  }
  h.counterResetHint = CounterResetHint.Gauge;
  return compact(h);
}

/** Whether the i-th histogram's start timestamp says its counter restarted after the one before. */
function stReset(w: HistogramWindow, i: number): boolean {
  return w.hst !== null && isStartTimestampReset(w.hst[i - 1]!, w.ht[i - 1]!, w.hst[i]!, w.ht[i]!);
}

/** result += first (the increase from the zero assumed at the first sample's start); false when they do not add. */
function addFirst(result: FloatHistogram, first: FloatHistogram, ctx: RangeCtx): boolean {
  try {
    if (addHistogram(result, first).nhcbBoundsReconciled) histogramAnnos.mismatchedCustomBuckets(ctx.annos, 'addition', pos(ctx));
    return true;
  } catch (e) {
    mixedSchemas(e, ctx, nameOf(ctx), pos(ctx));
    return false;
  }
}

function emptyLike(h: FloatHistogram): FloatHistogram {
  const e: FloatHistogram = {
    counterResetHint: CounterResetHint.Unknown, schema: h.schema, zeroThreshold: 0, zeroCount: 0, count: 0, sum: 0,
    positiveSpans: [], positiveBuckets: [], negativeSpans: [], negativeBuckets: [],
  };
  if (h.customValues) e.customValues = h.customValues;
  return e;
}

// extrapolatedRate for histogram windows (the float case stays in functions.ts).
function extrapolatedHistogramRate(name: string, isCounter: boolean, isRate: boolean): HistogramRangeFn {
  return (w, ctx) => {
    if (w.hs.length === 0) return onFloats(name, w, ctx);
    if (w.ft.length > 0) {
      histogramAnnos.mixedFloatsHistograms(ctx.annos, nameOf(ctx), pos(ctx));
      return null;
    }
    if (ctx.anchored || ctx.smoothed) return extendedHistogramRate(w, isCounter, isRate, ctx);
    const n1 = w.hs.length - 1;
    // One sample can do when its start timestamp lies inside the window (below).
    let result: FloatHistogram | null = null;
    if (n1 >= 1) {
      result = histogramRate(w, isCounter, ctx);
      if (!result) return null;
    }
    const firstT = w.ht[0]!, lastT = w.ht[n1]!;
    let durationToStart = (firstT - ctx.rangeStart) / 1000;
    let durationToEnd = (ctx.rangeEnd - lastT) / 1000;
    let sampledInterval = (lastT - firstT) / 1000;
    const avg = n1 > 0 ? sampledInterval / n1 : 0;
    const threshold = avg * 1.1;
    const st0 = w.hst ? w.hst[0]! : 0;
    if (isCounter && st0 !== 0 && st0 > ctx.rangeStart && st0 < firstT) {
      // A zero-valued histogram assumed at the start time instead of extrapolating left.
      durationToStart = 0;
      sampledInterval = (lastT - st0) / 1000;
      if (!result) result = copyHistogram(w.hs[0]!);
      else if (!addFirst(result, w.hs[0]!, ctx)) return null;
    } else if (!result) {
      return null;
    } else {
      if (durationToStart >= threshold) durationToStart = avg / 2;
      if (isCounter) {
        let durationToZero = durationToStart;
        if (result.count > 0 && w.hs[0]!.count >= 0) durationToZero = sampledInterval * (w.hs[0]!.count / result.count);
        if (durationToZero < durationToStart) durationToStart = durationToZero;
      }
    }
    if (durationToEnd >= threshold) durationToEnd = avg / 2;
    let factor = sampledInterval !== 0 ? (sampledInterval + durationToStart + durationToEnd) / sampledInterval : 1;
    if (isRate) factor /= ctx.rangeSeconds;
    return mulHistogram(result, factor);
  };
}

/**
 * The histogram between two samples at t (Prometheus's
 * interpolateHistograms): linear between them, or a share of the second
 * when a counter reset lies between. Throws IncompatibleSchemaError.
 */
export function interpolateHistograms(h1: FloatHistogram, t1: number, h2: FloatHistogram, t2: number, t: number, isCounter: boolean, ctx: { annos: RangeCtx['annos'] }, position: RangeCtx['call']['posRange']): FloatHistogram {
  if (t === t1) return copyHistogram(h1);
  if (t === t2) return copyHistogram(h2);
  const fraction = (t - t1) / (t2 - t1);
  if (isCounter && detectReset(h2, h1)) return mulHistogram(copyHistogram(h2), fraction);
  const result = copyHistogram(h2);
  if (subHistogram(result, h1).nhcbBoundsReconciled) histogramAnnos.mismatchedCustomBuckets(ctx.annos, 'subtraction', position);
  mulHistogram(result, fraction);
  if (addHistogram(result, h1).nhcbBoundsReconciled) histogramAnnos.mismatchedCustomBuckets(ctx.annos, 'addition', position);
  return result;
}

// rate/increase/delta with the anchored or smoothed modifier (extendedHistogramRate):
// the window's edges are picked (anchored) or interpolated (smoothed), no extrapolation.
function extendedHistogramRate(w: HistogramWindow, isCounter: boolean, isRate: boolean, ctx: RangeCtx): FloatHistogram | null {
  const h = w.hs, t = w.ht;
  const name = nameOf(ctx), position = pos(ctx);
  let last = h.length - 1;
  const search = (n: number, pred: (i: number) => boolean) => {
    let a = 0, b = n;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (pred(m)) b = m;
      else a = m + 1;
    }
    return a;
  };
  let first = Math.max(0, search(last, (i) => t[i]! > ctx.rangeStart) - 1);
  if (ctx.smoothed) last = search(last, (i) => t[i]! >= ctx.rangeEnd);
  if (t[last]! <= ctx.rangeStart) return null;
  if (ctx.smoothed && t[first]! > ctx.rangeEnd) return null;
  const custom = usesCustomBuckets(h[first]!);
  for (let i = first; i <= last; i++) {
    if (usesCustomBuckets(h[i]!) !== custom) {
      histogramAnnos.mixedExponentialCustom(ctx.annos, name, position);
      return null;
    }
    if (isCounter && isGauge(h[i]!)) histogramAnnos.notCounter(ctx.annos, name, position);
  }
  try {
    const left = ctx.smoothed && t[first]! < ctx.rangeStart
      ? interpolateHistograms(h[first]!, t[first]!, h[first + 1]!, t[first + 1]!, ctx.rangeStart, isCounter, ctx, position)
      : copyHistogram(h[first]!);
    const right = ctx.smoothed && last > 0 && t[last]! > ctx.rangeEnd
      ? interpolateHistograms(h[last - 1]!, t[last - 1]!, h[last]!, t[last]!, ctx.rangeEnd, isCounter, ctx, position)
      : copyHistogram(h[last]!);
    if (!isCounter && (!isGauge(left) || !isGauge(right))) histogramAnnos.notGauge(ctx.annos, name, position);
    const result = copyHistogram(right);
    if (subHistogram(result, left).nhcbBoundsReconciled) histogramAnnos.mismatchedCustomBuckets(ctx.annos, 'subtraction', position);
    if (isCounter) {
      // Counter resets inside the window add back the value before each reset.
      let from = first + 1;
      let prev = left;
      if (ctx.smoothed && t[first]! < ctx.rangeStart && detectReset(h[first + 1]!, h[first]!)) {
        prev = h[first + 1]!;
        from++;
      }
      const to = last - 1;
      if (from <= to + 1) {
        let correction: FloatHistogram | undefined;
        const add = (x: FloatHistogram) => {
          if (!correction) correction = copyHistogram(x);
          else if (addHistogram(correction, x).nhcbBoundsReconciled) histogramAnnos.mismatchedCustomBuckets(ctx.annos, 'addition', position);
        };
        for (let i = from; i <= to; i++) {
          if (detectReset(h[i]!, prev)) add(prev);
          prev = h[i]!;
        }
        if (detectReset(right, prev)) add(prev);
        if (correction && addHistogram(result, correction).nhcbBoundsReconciled) histogramAnnos.mismatchedCustomBuckets(ctx.annos, 'addition', position);
      }
    }
    if (isRate) divHistogram(result, ctx.rangeSeconds);
    result.counterResetHint = CounterResetHint.Gauge;
    return compact(result);
  } catch (e) {
    mixedSchemas(e, ctx, name, position);
    return null;
  }
}

// irate / idelta: the last two samples of either kind.
function instantHistogramValue(isRate: boolean): HistogramRangeFn {
  return (w, ctx) => {
    if (w.all.length < 2) return null;
    const a = w.all[w.all.length - 2]!, b = w.all[w.all.length - 1]!;
    const interval = b.t - a.t;
    if (interval === 0) return null;
    if (!a.h && !b.h) return onFloats(isRate ? 'irate' : 'idelta', w, ctx);
    if (!a.h || !b.h) {
      histogramAnnos.mixedFloatsHistograms(ctx.annos, nameOf(ctx), pos(ctx));
      return null;
    }
    const r = copyHistogram(b.h);
    if (isRate && (isGauge(a.h) || isGauge(b.h))) histogramAnnos.notCounter(ctx.annos, nameOf(ctx), pos(ctx));
    if (!isRate && (!isGauge(a.h) || !isGauge(b.h))) histogramAnnos.notGauge(ctx.annos, nameOf(ctx), pos(ctx));
    if (!isRate || (!isStartTimestampReset(a.st, a.t, b.st, b.t) && !detectReset(b.h, a.h))) {
      try {
        if (subHistogram(r, a.h).nhcbBoundsReconciled) histogramAnnos.mismatchedCustomBuckets(ctx.annos, 'subtraction', pos(ctx));
      } catch (e) {
        mixedSchemas(e, ctx, nameOf(ctx), pos(ctx));
        return null;
      }
    }
    r.counterResetHint = CounterResetHint.Gauge;
    compact(r);
    return isRate ? divHistogram(r, interval / 1000) : r;
  };
}

// The anchored start of resets/changes: the last sample at or before the range start.
function firstOf(w: HistogramWindow, ctx: RangeCtx): number {
  if (w.all.length === 0) return -1;
  if (!ctx.anchored) return 0;
  if (w.all[w.all.length - 1]!.t <= ctx.rangeStart) return -1;
  let i = 0;
  while (i + 1 < w.all.length && w.all[i + 1]!.t <= ctx.rangeStart) i++;
  return w.all[i]!.t <= ctx.rangeStart ? i : 0;
}

const resets: HistogramRangeFn = (w, ctx) => {
  const first = firstOf(w, ctx);
  if (first < 0) return null;
  let n = 0;
  for (let i = first + 1; i < w.all.length; i++) {
    const p = w.all[i - 1]!, c = w.all[i]!;
    if (!p.h && !c.h) {
      if (c.f < p.f || isStartTimestampReset(p.st, p.t, c.st, c.t)) n++;
    } else if (!p.h || !c.h) n++;
    else if (isStartTimestampReset(p.st, p.t, c.st, c.t) || detectReset(c.h, p.h)) n++;
  }
  return n;
};

const changes: HistogramRangeFn = (w, ctx) => {
  const first = firstOf(w, ctx);
  if (first < 0) return null;
  let n = 0;
  for (let i = first + 1; i < w.all.length; i++) {
    const p = w.all[i - 1]!, c = w.all[i]!;
    if (!p.h && !c.h) {
      if (c.f !== p.f && !(Number.isNaN(c.f) && Number.isNaN(p.f))) n++;
    } else if (!p.h || !c.h) n++;
    else if (!histogramEquals(c.h, p.h)) n++;
  }
  return n;
};

// Sums (and means) of the histograms of a window, Kahan-compensated, with
// the annotations for conflicting reset hints and reconciled custom bounds.
function histogramSumOverTime(mean: boolean): HistogramRangeFn {
  return (w, ctx) => {
    if (w.ft.length > 0 && w.hs.length > 0) {
      histogramAnnos.mixedFloatsHistograms(ctx.annos, nameOf(ctx), pos(ctx));
      return null;
    }
    if (w.hs.length === 0) return onFloats(mean ? 'avg_over_time' : 'sum_over_time', w, ctx);
    let resetSeen = false, notResetSeen = false, reconciled = false;
    const track = (h: FloatHistogram) => {
      if (h.counterResetHint === CounterResetHint.CounterReset) resetSeen = true;
      else if (h.counterResetHint === CounterResetHint.NotCounterReset) notResetSeen = true;
    };
    try {
      let sum = copyHistogram(w.hs[0]!);
      track(sum);
      let c: FloatHistogram | undefined;
      let meanH: FloatHistogram | undefined;
      let incremental = false;
      let count = 1;
      for (let i = 1; i < w.hs.length; i++) {
        const h = w.hs[i]!;
        track(h);
        count = i + 1;
        if (!mean || !incremental) {
          const sumCopy = copyHistogram(sum);
          const cCopy = c ? copyHistogram(c) : undefined;
          const r = kahanAddHistogram(sumCopy, h, cCopy);
          if (r.nhcbBoundsReconciled) reconciled = true;
          if (!mean || !hasOverflow(sumCopy)) {
            sum = sumCopy;
            c = r.c;
            continue;
          }
          incremental = true;
          meanH = divHistogram(copyHistogram(sum), count - 1);
          if (c) divHistogram(c, count - 1);
        }
        const q = (count - 1) / count;
        if (c) mulHistogram(c, q);
        const toAdd = divHistogram(copyHistogram(h), count);
        const r = kahanAddHistogram(mulHistogram(meanH!, q), toAdd, c);
        c = r.c;
        if (r.nhcbBoundsReconciled) reconciled = true;
      }
      let out: FloatHistogram;
      if (!mean) {
        out = sum;
        if (c && addHistogram(out, c).nhcbBoundsReconciled) reconciled = true;
      } else if (incremental) {
        out = meanH!;
        if (c) addHistogram(out, c);
      } else {
        out = divHistogram(sum, count);
        if (c) addHistogram(out, divHistogram(c, count));
      }
      return out;
    } catch (e) {
      mixedSchemas(e, ctx, nameOf(ctx), pos(ctx));
      return null;
    } finally {
      if (resetSeen && notResetSeen) histogramAnnos.counterResetCollision(ctx.annos, 'aggregation', pos(ctx));
      if (reconciled) histogramAnnos.mismatchedCustomBuckets(ctx.annos, 'aggregation', pos(ctx));
    }
  };
}

function hasOverflow(h: FloatHistogram): boolean {
  const inf = (x: number) => x === Infinity || x === -Infinity;
  return inf(h.zeroCount) || inf(h.count) || inf(h.sum) || h.positiveBuckets.some(inf) || h.negativeBuckets.some(inf);
}

export const HISTOGRAM_RANGE_FUNCTIONS: Record<string, HistogramRangeFn> = {
  rate: extrapolatedHistogramRate('rate', true, true),
  increase: extrapolatedHistogramRate('increase', true, false),
  delta: extrapolatedHistogramRate('delta', false, false),
  irate: instantHistogramValue(true),
  idelta: instantHistogramValue(false),
  resets,
  changes,
  sum_over_time: histogramSumOverTime(false),
  avg_over_time: histogramSumOverTime(true),
  count_over_time: (w) => (w.all.length > 0 ? w.all.length : null),
  present_over_time: (w) => (w.all.length > 0 ? 1 : null),
  absent_over_time: (w) => (w.all.length > 0 ? 1 : null),
  last_over_time: (w) => {
    const p = w.all[w.all.length - 1];
    return p ? (p.h ? copyHistogram(p.h) : p.f) : null;
  },
  first_over_time: (w) => {
    const p = w.all[0];
    return p ? (p.h ? copyHistogram(p.h) : p.f) : null;
  },
  ts_of_last_over_time: (w) => (w.all.length > 0 ? w.all[w.all.length - 1]!.t / 1000 : null),
  ts_of_first_over_time: (w) => (w.all.length > 0 ? w.all[0]!.t / 1000 : null),
  min_over_time: floatsIgnoringHistograms('min_over_time'),
  max_over_time: floatsIgnoringHistograms('max_over_time'),
  ts_of_min_over_time: floatsIgnoringHistograms('ts_of_min_over_time'),
  ts_of_max_over_time: floatsIgnoringHistograms('ts_of_max_over_time'),
  quantile_over_time: floatsIgnoringHistograms('quantile_over_time'),
  mad_over_time: floatsIgnoringHistograms('mad_over_time'),
  stddev_over_time: floatsIgnoringHistograms('stddev_over_time'),
  stdvar_over_time: floatsIgnoringHistograms('stdvar_over_time'),
  predict_linear: floatsIgnoringHistograms('predict_linear'),
  double_exponential_smoothing: floatsIgnoringHistograms('double_exponential_smoothing'),
  deriv: (w, ctx) => {
    if (w.ft.length < 2) {
      if (w.ft.length === 1 && w.hs.length > 0) histogramAnnos.ignoredInMixedRange(ctx.annos, nameOf(ctx), pos(ctx));
      return null;
    }
    const r = onFloats('deriv', w, ctx);
    if (w.hs.length > 0) histogramAnnos.ignoredInMixedRange(ctx.annos, nameOf(ctx), pos(ctx));
    return r;
  },
};

/**
 * A smoothed instant selector over a series with histograms: per step, the
 * sample at the step, the histogram interpolated between the samples
 * around it, or the previous one carried forward (its hint unknown); a
 * window mixing floats and histograms gives nothing and a warning.
 * Float-only windows use floatStep.
 */
export function smoothedHistogramSeries(
  d: SeriesData, start: number, end: number, interval: number, offset: number, lookback: number,
  annos: RangeCtx['annos'], position: RangeCtx['call']['posRange'],
  floatStep: (lo: number, hi: number, ts: number) => number | null,
  upperBound: (t: Float64Array, x: number) => number,
): { floats: { t: number; f: number }[]; histograms: { t: number; h: FloatHistogram }[] } {
  const floats: { t: number; f: number }[] = [], histograms: { t: number; h: FloatHistogram }[] = [];
  const name = getLabel(d.labels, '__name__');
  for (let step = start; step <= end; step += interval) {
    const ts = step - offset;
    const lo = upperBound(d.t, ts - lookback), hi = upperBound(d.t, ts + lookback);
    if (hi <= lo) continue;
    let nh = 0;
    for (let i = lo; i < hi; i++) if (d.h?.[i]) nh++;
    if (nh > 0 && nh < hi - lo) {
      histogramAnnos.mixedFloatsHistograms(annos, name, position);
      continue;
    }
    if (nh === 0) {
      const f = floatStep(lo, hi, ts);
      if (f !== null) floats.push({ t: step, f });
      continue;
    }
    let i = lo;
    while (i < hi && d.t[i]! < ts) i++;
    if (i < hi && d.t[i] === ts) {
      histograms.push({ t: step, h: copyHistogram(d.h![i]!) });
    } else if (i > lo && i < hi) {
      const prev = d.h![i - 1]!, next = d.h![i]!;
      if (usesCustomBuckets(prev) !== usesCustomBuckets(next)) {
        histogramAnnos.mixedExponentialCustom(annos, name, position);
        continue;
      }
      const isCounter = !isGauge(prev) || !isGauge(next);
      try {
        histograms.push({ t: step, h: interpolateHistograms(prev, d.t[i - 1]!, next, d.t[i]!, ts, isCounter, { annos }, position) });
      } catch (e) {
        if (!(e instanceof IncompatibleSchemaError)) throw e;
        histogramAnnos.mixedExponentialCustom(annos, name, position);
      }
    } else if (i > lo) {
      histograms.push({ t: step, h: { ...copyHistogram(d.h![i - 1]!), counterResetHint: CounterResetHint.Unknown } });
    }
  }
  return { floats, histograms };
}
