// PromQL function implementations (Prometheus promql/functions.go), in two
// tables keyed like the parser's function table: functions over instant
// vectors and scalars, evaluated per step, and functions over range vectors,
// evaluated per window of one series.

import type { Call, Expr } from '../parser/ast.js';
import type { PositionRange } from '../parser/posrange.js';
import { QueryError } from './errors.js';
import type { Annotations } from './annotations.js';
import { kahanComp, kahanInc } from './kahan.js';
import { quantile, bucketQuantile, bucketFraction, type Bucket } from './quantile.js';
import { type Sample, type Vector, dropMetricName, getLabel, withoutLabels, labelsKey, compareLabels } from './value.js';
import type { Labels } from '../../model/labels.js';
import { formatFloat } from '../../model/float.js';
import { formatOpenMetricsFloat } from '../../model/float.js';
import type { FloatHistogram } from '../../model/histogram.js';
import { histogramFraction, histogramQuantile, histogramVariance } from './histogram-quantile.js';
import { histogramAnnos } from './histogram-annotations.js';

export interface InstantCtx {
  ts: number;
  call: Call;
  annos: Annotations;
  delayedNameRemoval: boolean;
  /** Query start, end and step (ms), for start()/end()/range()/step(). */
  queryStart: number;
  queryEnd: number;
  queryStep: number;
}

/** args[i] is the evaluated argument at this step: a vector, a scalar (number) or a string. */
export type InstantArg = Vector | number | string;
export type InstantFn = (args: InstantArg[], ctx: InstantCtx) => Vector;

const vec = (a: InstantArg | undefined): Vector => a as Vector;
const num = (a: InstantArg | undefined): number => a as number;

function dropName(ls: Labels, ctx: { delayedNameRemoval: boolean }): Labels {
  return ctx.delayedNameRemoval ? ls : dropMetricName(ls);
}

// Functions of float values skip histogram samples, as Prometheus's simpleFloatFunc does.
const floatsOnly = (v: Vector): Vector => (v.some((s) => s.h) ? v.filter((s) => !s.h) : v);

function simple(f: (v: number) => number): InstantFn {
  return (args, ctx) => floatsOnly(vec(args[0])).map((s) => ({ metric: dropName(s.metric, ctx), t: s.t, f: f(s.f), dropName: true }));
}

const scalarOut = (f: number): Vector => [{ metric: [], t: 0, f, dropName: false }];

function goTime(seconds: number): Date {
  // time.Unix(int64(v), 0).UTC(): truncation toward zero.
  return new Date(Math.trunc(seconds) * 1000);
}

function dateFn(f: (d: Date) => number): InstantFn {
  return (args, ctx) => {
    if (args.length === 0) return scalarOut(f(goTime(Math.trunc(ctx.ts / 1000))));
    return floatsOnly(vec(args[0])).map((s) => ({ metric: dropName(s.metric, ctx), t: s.t, f: f(goTime(s.f)), dropName: true }));
  };
}

const sgn = (v: number) => (v < 0 ? -1 : v > 0 ? 1 : v);

/** facette/natsort.Compare: chunks of digits compare numerically. Returns a < b. */
function natLess(a: string, b: string): boolean {
  const chunk = (s: string) => s.match(/(\d+|\D+)/g) ?? [];
  const ca = chunk(a), cb = chunk(b);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const x = ca[i]!, y = cb[i]!;
    if (x === y) continue;
    const dx = /^\d/.test(x), dy = /^\d/.test(y);
    if (dx && dy) {
      const nx = BigInt(x), ny = BigInt(y);
      if (nx !== ny) return nx < ny;
      return x.length < y.length;
    }
    return x < y;
  }
  return ca.length < cb.length;
}

function sortByValue(desc: boolean): InstantFn {
  return (args) => {
    const v = [...floatsOnly(vec(args[0]))];
    // NaN sorts last either way.
    v.sort((a, b) => {
      if (Number.isNaN(a.f)) return Number.isNaN(b.f) ? 0 : 1;
      if (Number.isNaN(b.f)) return -1;
      return desc ? b.f - a.f : a.f - b.f;
    });
    return v;
  };
}

function sortByLabel(desc: boolean): InstantFn {
  return (args) => {
    const names = args.slice(1) as string[];
    const v = [...vec(args[0])];
    v.sort((a, b) => {
      for (const n of names) {
        const x = getLabel(a.metric, n), y = getLabel(b.metric, n);
        if (x === y) continue;
        const less = natLess(x, y);
        return (less ? -1 : 1) * (desc ? -1 : 1);
      }
      return compareLabels(a.metric, b.metric) * (desc ? -1 : 1);
    });
    return v;
  };
}

function clamp(v: Vector, lo: number, hi: number, ctx: InstantCtx): Vector {
  if (hi < lo) return [];
  return floatsOnly(v).map((s) => ({ metric: dropName(s.metric, ctx), t: s.t, f: Math.max(lo, Math.min(hi, s.f)), dropName: true }));
}

/** Labels that absent()/absent_over_time() report: the = matchers, minus names matched twice. */
export function absentLabels(arg: Expr): Labels {
  const vs = arg.type === 'VectorSelector' ? arg : arg.type === 'MatrixSelector' && arg.vectorSelector.type === 'VectorSelector' ? arg.vectorSelector : null;
  if (!vs) return [];
  const out = new Map<string, string>();
  const has = new Set<string>();
  for (const m of vs.matchers) {
    if (m.name === '__name__') continue;
    if (m.type === '=' && !has.has(m.name)) {
      out.set(m.name, m.value);
      has.add(m.name);
    } else {
      out.delete(m.name);
    }
  }
  return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).filter(([, v]) => v !== '').map(([name, value]) => ({ name, value }));
}

interface ClassicHistogram {
  metric: Labels;
  buckets: Bucket[];
}

function ofHistograms(f: (h: FloatHistogram) => number): InstantFn {
  return (args, ctx) => vec(args[0]).filter((s) => s.h).map((s) => ({ metric: dropName(s.metric, ctx), t: s.t, f: f(s.h!), dropName: true }));
}

/**
 * The native histogram samples and the classic histograms of a vector
 * (Prometheus's resetHistograms): a native histogram with the same labels
 * as a classic one (minus le) is a conflict; both are then left out.
 */
function splitHistograms(v: Vector, pos: PositionRange, ctx: InstantCtx): { classic: ClassicHistogram[]; native: Vector } {
  const classic = classicBuckets(v.filter((s) => !s.h), pos, ctx);
  const native = v.filter((s) => s.h);
  if (native.length === 0 || classic.length === 0) return { classic, native };
  const byKey = new Map(classic.map((c) => [labelsKey(c.metric), c]));
  const keptNative: Vector = [];
  for (const s of native) {
    const c = byKey.get(labelsKey(s.metric));
    if (c && c.buckets.length > 0) {
      histogramAnnos.mixedClassicNative(ctx.annos, ctx.delayedNameRemoval ? getLabel(s.metric, '__name__') : '', pos);
      byKey.delete(labelsKey(s.metric));
      continue;
    }
    keptNative.push(s);
  }
  return { classic: [...byKey.values()], native: keptNative };
}

/** Groups classic-bucket samples by their labels minus le (histogram_quantile / histogram_fraction). */
function classicBuckets(v: Vector, pos: PositionRange, ctx: InstantCtx): ClassicHistogram[] {
  const groups = new Map<string, ClassicHistogram>();
  for (const s of v) {
    const le = getLabel(s.metric, 'le');
    const upper = parseGoFloat(le);
    if (upper === null) {
      const name = ctx.delayedNameRemoval ? getLabel(s.metric, '__name__') : '';
      ctx.annos.warn(`bucket label "le" is missing or has a malformed value of ${JSON.stringify(le)} for metric name ${JSON.stringify(name)}`, pos);
      continue;
    }
    const key = labelsKey(withoutLabels(s.metric, ['le']));
    let g = groups.get(key);
    if (!g) {
      g = { metric: withoutLabels(s.metric, ['le']), buckets: [] };
      groups.set(key, g);
    }
    g.buckets.push({ upperBound: upper, count: s.f });
  }
  return [...groups.values()];
}

/** strconv.ParseFloat for label values: decimal, exponent, ±Inf, NaN; null when invalid. */
export function parseGoFloat(s: string): number | null {
  const t = s.trim();
  if (t !== s || s === '') return null;
  const lower = s.toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(lower)) return lower.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(lower)) return NaN;
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s.replace(/_/g, ''))) return null;
  return Number(s.replace(/_/g, ''));
}

export function validateQuantile(q: number, pos: PositionRange, annos: Annotations): void {
  if (Number.isNaN(q) || q < 0 || q > 1) annos.warn(`quantile value should be between 0 and 1, got ${formatFloat(q)}`, pos);
}

export function monotonicityInfo(metric: Labels, ctx: Pick<InstantCtx, 'annos' | 'delayedNameRemoval'>, pos: PositionRange): void {
  const name = ctx.delayedNameRemoval ? getLabel(metric, '__name__') : '';
  ctx.annos.info(`input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name ${JSON.stringify(name)}`, pos);
}

export const INSTANT_FUNCTIONS: Record<string, InstantFn> = {
  abs: simple(Math.abs),
  ceil: simple(Math.ceil),
  floor: simple(Math.floor),
  exp: simple(Math.exp),
  sqrt: simple(Math.sqrt),
  ln: simple(Math.log),
  log2: simple(Math.log2),
  log10: simple(Math.log10),
  sin: simple(Math.sin),
  cos: simple(Math.cos),
  tan: simple(Math.tan),
  asin: simple(Math.asin),
  acos: simple(Math.acos),
  atan: simple(Math.atan),
  sinh: simple(Math.sinh),
  cosh: simple(Math.cosh),
  tanh: simple(Math.tanh),
  asinh: simple(Math.asinh),
  acosh: simple(Math.acosh),
  atanh: simple(Math.atanh),
  rad: simple((v) => (v * Math.PI) / 180),
  deg: simple((v) => (v * 180) / Math.PI),
  sgn: simple(sgn),
  pi: () => scalarOut(Math.PI),
  time: (_a, ctx) => scalarOut(ctx.ts / 1000),
  start: (_a, ctx) => scalarOut(ctx.queryStart / 1000),
  end: (_a, ctx) => scalarOut(ctx.queryEnd / 1000),
  range: (_a, ctx) => scalarOut((ctx.queryEnd - ctx.queryStart) / 1000),
  step: (_a, ctx) => scalarOut(ctx.queryStep / 1000),
  min_of: (args) => scalarOut(Math.min(num(args[0]), num(args[1]))),
  max_of: (args) => scalarOut(Math.max(num(args[0]), num(args[1]))),
  vector: (args) => [{ metric: [], t: 0, f: num(args[0]), dropName: false }],
  scalar: (args) => {
    const v = floatsOnly(vec(args[0]));
    return scalarOut(v.length === 1 ? v[0]!.f : NaN);
  },
  round: (args, ctx) => {
    const toNearest = args.length >= 2 ? num(args[1]) : 1;
    const inv = 1 / toNearest;
    return simple((f) => Math.floor(f * inv + 0.5) / inv)(args, ctx);
  },
  clamp: (args, ctx) => clamp(vec(args[0]), num(args[1]), num(args[2]), ctx),
  clamp_max: (args, ctx) => clamp(vec(args[0]), -Infinity, num(args[1]), ctx),
  clamp_min: (args, ctx) => clamp(vec(args[0]), num(args[1]), Infinity, ctx),
  timestamp: (args, ctx) => vec(args[0]).map((s) => ({ metric: dropName(s.metric, ctx), t: s.t, f: s.t / 1000, dropName: true })),
  absent: (args, ctx) => (vec(args[0]).length > 0 ? [] : [{ metric: absentLabels(ctx.call.args[0]!), t: 0, f: 1, dropName: false }]),
  sort: sortByValue(false),
  sort_desc: sortByValue(true),
  sort_by_label: sortByLabel(false),
  sort_by_label_desc: sortByLabel(true),
  days_in_month: dateFn((d) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate()),
  day_of_month: dateFn((d) => d.getUTCDate()),
  day_of_week: dateFn((d) => d.getUTCDay()),
  day_of_year: dateFn((d) => Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000) + 1),
  hour: dateFn((d) => d.getUTCHours()),
  minute: dateFn((d) => d.getUTCMinutes()),
  month: dateFn((d) => d.getUTCMonth() + 1),
  year: dateFn((d) => d.getUTCFullYear()),
  histogram_quantile: (args, ctx) => {
    const q = num(args[0]);
    const v = vec(args[1]);
    validateQuantile(q, ctx.call.args[0]!.posRange, ctx.annos);
    if (v.length === 0) return [];
    const pos = ctx.call.args[1]!.posRange;
    const { classic, native } = splitHistograms(v, pos, ctx);
    const out: Vector = native.map((s) => ({
      metric: dropName(s.metric, ctx), t: 0, f: histogramQuantile(q, s.h!, getLabel(s.metric, '__name__'), pos, ctx.annos), dropName: true,
    }));
    for (const h of classic) {
      if (h.buckets.length === 0) continue;
      const r = bucketQuantile(q, h.buckets);
      if (r.forcedMonotonic) monotonicityInfo(h.metric, ctx, ctx.call.args[1]!.posRange);
      out.push({ metric: dropName(h.metric, ctx), t: 0, f: r.value, dropName: true });
    }
    return out;
  },
  histogram_quantiles: (args, ctx) => {
    const v = vec(args[0]);
    const label = args[1] as string;
    const qs = args.slice(2).map(num);
    qs.forEach((q, i) => validateQuantile(q, ctx.call.args[i + 2]!.posRange, ctx.annos));
    const pos = ctx.call.args[0]!.posRange;
    const { classic: hs, native } = splitHistograms(v, pos, ctx);
    const out: Vector = [];
    const withQuantile = (metric: Labels, q: number) => [...dropName(metric, ctx).filter((l) => l.name !== label), { name: label, value: formatOpenMetricsFloat(q) }]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const q of qs) {
      for (const s of native) {
        out.push({ metric: withQuantile(s.metric, q), t: 0, f: histogramQuantile(q, s.h!, getLabel(s.metric, '__name__'), pos, ctx.annos), dropName: true });
      }
      for (const h of hs) {
        if (h.buckets.length === 0) continue;
        const r = bucketQuantile(q, h.buckets);
        if (r.forcedMonotonic) monotonicityInfo(h.metric, ctx, ctx.call.args[0]!.posRange);
        const metric = [...dropName(h.metric, ctx).filter((l) => l.name !== label), { name: label, value: formatOpenMetricsFloat(q) }]
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        out.push({ metric, t: 0, f: r.value, dropName: true });
      }
    }
    return out;
  },
  histogram_fraction: (args, ctx) => {
    const lower = num(args[0]), upper = num(args[1]);
    const pos = ctx.call.args[2]!.posRange;
    const { classic, native } = splitHistograms(vec(args[2]), pos, ctx);
    const out: Vector = native.map((s) => ({
      metric: dropName(s.metric, ctx), t: 0, f: histogramFraction(lower, upper, s.h!, getLabel(s.metric, '__name__'), pos, ctx.annos), dropName: true,
    }));
    for (const h of classic) {
      if (h.buckets.length === 0) continue;
      out.push({ metric: dropName(h.metric, ctx), t: 0, f: bucketFraction(lower, upper, h.buckets), dropName: true });
    }
    return out;
  },
  // Native-histogram functions skip float samples.
  histogram_count: ofHistograms((h) => h.count),
  histogram_sum: ofHistograms((h) => h.sum),
  histogram_avg: ofHistograms((h) => h.sum / h.count),
  histogram_stddev: ofHistograms((h) => Math.sqrt(histogramVariance(h))),
  histogram_stdvar: ofHistograms(histogramVariance),
  // Over a selector the evaluator passes each sample's start time; an expression's result has none.
  start_timestamp: () => [],
};

// ---- range-vector functions ----

export interface RangeCtx {
  /** Evaluation time (ms). */
  ts: number;
  /** The window is (rangeStart, rangeEnd]. */
  rangeStart: number;
  rangeEnd: number;
  /** The selector's range in seconds (rate divides by it). */
  rangeSeconds: number;
  /** The scalar arguments other than the range vector, at this step. */
  params: number[];
  annos: Annotations;
  call: Call;
  metric: Labels;
  anchored: boolean;
  smoothed: boolean;
  /** Start timestamps aligned with the samples (0 = unknown), or null when the series has none. */
  st: ArrayLike<number> | null;
  /** The counter resets of the last values array asked about, when the context lives across a series' steps. */
  resets?: { v: ArrayLike<number>; at: Int32Array };
}

/** Returns the function's value for the window ts[lo..hi), or null for no output. */
export type RangeFn = (t: ArrayLike<number>, v: ArrayLike<number>, lo: number, hi: number, ctx: RangeCtx) => number | null;

// Indices i with v[i] < v[i - 1] per values array: a series' samples do not change during a query,
// and its windows overlap, so each reset is found once instead of once per window.
const resetIndices = new WeakMap<ArrayLike<number>, Int32Array>();

function counterResets(v: ArrayLike<number>): Int32Array {
  let r = resetIndices.get(v);
  if (!r) {
    const found: number[] = [];
    for (let i = 1; i < v.length; i++) if (v[i]! < v[i - 1]!) found.push(i);
    r = Int32Array.from(found);
    resetIndices.set(v, r);
  }
  return r;
}

function firstAtOrAfter(xs: Int32Array, x: number): number {
  let lo = 0, hi = xs.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (xs[m]! < x) lo = m + 1;
    else hi = m;
  }
  return lo;
}

function extrapolatedRate(isCounter: boolean, isRate: boolean): RangeFn {
  return (t, v, lo, hi, ctx) => {
    if (ctx.anchored || ctx.smoothed) return extendedRate(t, v, lo, hi, ctx, isCounter, isRate);
    if (ctx.st) return rateWithStartTimestamps(t, v, ctx.st, lo, hi, ctx, isCounter, isRate);
    const n = hi - lo;
    if (n < 2) return null;
    return extrapolate(windowDifference(v, lo, hi, ctx, isCounter), t[lo]!, t[hi - 1]!, v[lo]!, n - 1, ctx, isCounter, isRate);
  };
}

/** The last value less the first over v[lo..hi), with a counter's resets added back. */
export function windowDifference(v: ArrayLike<number>, lo: number, hi: number, ctx: RangeCtx, isCounter: boolean): number {
  let result = v[hi - 1]! - v[lo]!;
  if (!isCounter) return result;
  if (hi - lo > 16) {
    // The series' resets are found once; each window adds those inside it, in the same order
    // (so the same bits) as the scan below, without visiting every sample of every window.
    // A context kept for a whole series remembers them: a lookup per window was a visible cost.
    let resets: Int32Array;
    if (ctx.resets?.v === v) resets = ctx.resets.at;
    else ctx.resets = { v, at: (resets = counterResets(v)) };
    for (let k = firstAtOrAfter(resets, lo + 1); k < resets.length && resets[k]! < hi; k++) result += v[resets[k]! - 1]!;
  } else {
    for (let i = lo + 1; i < hi; i++) if (v[i]! < v[i - 1]!) result += v[i - 1]!;
  }
  return result;
}

/** The extrapolation step of rate/increase/delta, shared by the JS and WASM paths. */
export function extrapolate(result: number, firstT: number, lastT: number, firstV: number, intervals: number, ctx: Pick<RangeCtx, 'rangeStart' | 'rangeEnd' | 'rangeSeconds'>, isCounter: boolean, isRate: boolean): number {
  let durationToStart = (firstT - ctx.rangeStart) / 1000;
  let durationToEnd = (ctx.rangeEnd - lastT) / 1000;
  const sampledInterval = (lastT - firstT) / 1000;
  const avg = sampledInterval / intervals;
  const threshold = avg * 1.1;
  if (durationToStart >= threshold) durationToStart = avg / 2;
  if (isCounter) {
    let durationToZero = durationToStart;
    if (result > 0 && firstV >= 0) durationToZero = sampledInterval * (firstV / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  if (durationToEnd >= threshold) durationToEnd = avg / 2;
  let factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
  if (isRate) factor /= ctx.rangeSeconds;
  return result * factor;
}

/** Linear interpolation at `at`; across a counter reset the counter is taken to restart from 0. */
function interpolate(t1: number, v1: number, t2: number, v2: number, at: number, isCounter: boolean): number {
  let y1 = v1;
  if (isCounter && v2 < y1) y1 = 0;
  return y1 + ((v2 - y1) * (at - t1)) / (t2 - t1);
}

/** First index in [lo, n) whose timestamp satisfies pred (n when none): Go's sort.Search. */
function search(t: ArrayLike<number>, lo: number, n: number, pred: (x: number) => boolean): number {
  let a = lo, b = n;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (pred(t[m]!)) b = m;
    else a = m + 1;
  }
  return a;
}

/**
 * rate/increase/delta over anchored or smoothed windows; the window holds the
 * samples of the range extended by the lookback delta (functions.go extendedRate).
 */
function extendedRate(t: ArrayLike<number>, v: ArrayLike<number>, lo: number, hi: number, ctx: RangeCtx, isCounter: boolean, isRate: boolean): number | null {
  if (hi <= lo) return null;
  const { rangeStart, rangeEnd, smoothed } = ctx;
  let last = hi - 1;
  let first = Math.max(lo, search(t, lo, last, (x) => x > rangeStart) - 1);
  if (smoothed) last = search(t, lo, last, (x) => x >= rangeEnd);
  if (t[last]! <= rangeStart) return null;
  if (smoothed && t[first]! > rangeEnd) return null;
  const left = smoothed && t[first]! < rangeStart ? interpolate(t[first]!, v[first]!, t[first + 1]!, v[first + 1]!, rangeStart, isCounter) : v[first]!;
  const right = smoothed && last > lo && t[last]! > rangeEnd ? interpolate(t[last - 1]!, v[last - 1]!, t[last]!, v[last]!, rangeEnd, isCounter) : v[last]!;
  let result = right - left;
  if (isCounter) {
    if (t[first]! <= rangeStart) first++;
    if (t[last]! >= rangeEnd) last--;
    let prev = left;
    let correction = 0;
    for (let i = first; i <= last; i++) {
      if (v[i]! < prev) correction += prev;
      prev = v[i]!;
    }
    if (right < prev) correction += prev;
    result += correction;
  }
  if (isRate) result /= ctx.rangeSeconds;
  return result;
}

/**
 * Whether a sample's start timestamp says the counter restarted since the
 * previous sample (functions.go isStartTimestampReset). 0 means unknown;
 * ST == T is OpenTelemetry's unknown start.
 */
export function isStartTimestampReset(prevSt: number, prevT: number, curSt: number, curT: number): boolean {
  if (curSt === 0 || curSt >= curT) return false;
  if (curSt < prevT) return false;
  if (curSt > prevT) return true;
  // curSt == prevT: a delta sample, or a cumulative one whose start is unknown.
  if (prevSt > prevT) return false;
  return prevSt !== 0 && prevSt !== prevT;
}

/** A start timestamp before the previous sample's time that is not the previous start: overlapping samples. */
export function startTimeOverlaps(prevSt: number, prevT: number, curSt: number): boolean {
  return curSt !== 0 && curSt < prevT && curSt !== prevSt;
}

export const overlapWarning = (ctx: RangeCtx) =>
  `sample has start time that overlaps with previous sample timestamp for metric ${JSON.stringify(getLabel(ctx.metric, '__name__'))}`;

/**
 * rate/increase/delta when samples carry start timestamps: a start timestamp
 * marks a reset, and one inside the window replaces the extrapolation to the
 * left by a zero-valued point at that time (so one sample can be enough).
 */
function rateWithStartTimestamps(
  t: ArrayLike<number>, v: ArrayLike<number>, st: ArrayLike<number>, lo: number, hi: number, ctx: RangeCtx, isCounter: boolean, isRate: boolean,
): number | null {
  const n = hi - lo;
  if (n < 1) return null;
  const firstT = t[lo]!, lastT = t[hi - 1]!;
  let result = v[hi - 1]! - v[lo]!;
  if (isCounter) {
    let overlapWarned = false;
    for (let i = lo + 1; i < hi; i++) {
      if (!overlapWarned && startTimeOverlaps(st[i - 1]!, t[i - 1]!, st[i]!)) {
        ctx.annos.warn(overlapWarning(ctx), ctx.call.args[0]!.posRange);
        overlapWarned = true;
      }
      if (v[i]! < v[i - 1]! || isStartTimestampReset(st[i - 1]!, t[i - 1]!, st[i]!, t[i]!)) result += v[i - 1]!;
    }
  }
  let durationToStart = (firstT - ctx.rangeStart) / 1000;
  let durationToEnd = (ctx.rangeEnd - lastT) / 1000;
  let sampledInterval = (lastT - firstT) / 1000;
  const avg = n > 1 ? sampledInterval / (n - 1) : 0;
  const threshold = avg * 1.1;
  const st0 = st[lo]!;
  if (isCounter && st0 !== 0 && st0 > ctx.rangeStart && st0 < firstT) {
    // Assume a zero-valued sample at the start time instead of extrapolating left.
    durationToStart = 0;
    sampledInterval = (lastT - st0) / 1000;
    result += v[lo]!;
  } else if (n === 1) {
    return null;
  } else {
    if (durationToStart >= threshold) durationToStart = avg / 2;
    if (isCounter) {
      let durationToZero = durationToStart;
      if (result > 0 && v[lo]! >= 0) durationToZero = sampledInterval * (v[lo]! / result);
      if (durationToZero < durationToStart) durationToStart = durationToZero;
    }
  }
  if (durationToEnd >= threshold) durationToEnd = avg / 2;
  let factor = sampledInterval !== 0 ? (sampledInterval + durationToStart + durationToEnd) / sampledInterval : 1;
  if (isRate) factor /= ctx.rangeSeconds;
  return result * factor;
}

function instantValue(isRate: boolean): RangeFn {
  return (t, v, lo, hi, ctx) => {
    if (hi - lo < 2) return null;
    const t0 = t[hi - 2]!, t1 = t[hi - 1]!;
    const v0 = v[hi - 2]!, v1 = v[hi - 1]!;
    const dt = t1 - t0;
    if (dt === 0) return null;
    let result = v1;
    const stReset = ctx.st !== null && isStartTimestampReset(ctx.st[hi - 2]!, t0, ctx.st[hi - 1]!, t1);
    if (!isRate || !(v1 < v0 || stReset)) result = v1 - v0;
    if (isRate) result /= dt / 1000;
    return result;
  };
}

/** Least squares with Kahan terms (Prometheus's linearRegression): [slope, intercept]. */
export function linearRegression(t: ArrayLike<number>, v: ArrayLike<number>, lo: number, hi: number, interceptTime: number): [number, number] {
  let n = 0, sumX = 0, cX = 0, sumY = 0, cY = 0, sumXY = 0, cXY = 0, sumX2 = 0, cX2 = 0;
  const initY = v[lo]!;
  let constY = true;
  for (let i = lo; i < hi; i++) {
    const y = v[i]!;
    if (constY && i > lo && y !== initY) constY = false;
    n += 1;
    const x = (t[i]! - interceptTime) / 1e3;
    // kahanInc's steps without a pair per sample (range-kernels.ts calls this for every window).
    cX = kahanComp(x, sumX, cX);
    sumX += x;
    cY = kahanComp(y, sumY, cY);
    sumY += y;
    const xy = x * y, x2 = x * x;
    cXY = kahanComp(xy, sumXY, cXY);
    sumXY += xy;
    cX2 = kahanComp(x2, sumX2, cX2);
    sumX2 += x2;
  }
  if (constY) {
    if (initY === Infinity || initY === -Infinity) return [NaN, NaN];
    return [0, initY];
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  return [slope, sumY / n - (slope * sumX) / n];
}

/** Welford's variance with Kahan terms (Prometheus's stdvar_over_time). */
export function variance(v: ArrayLike<number>, lo: number, hi: number): number {
  let count = 0, mean = 0, cMean = 0, aux = 0, cAux = 0;
  for (let i = lo; i < hi; i++) {
    const f = v[i]!;
    count++;
    const delta = f - (mean + cMean);
    let inc = delta / count;
    cMean = kahanComp(inc, mean, cMean);
    mean += inc;
    inc = delta * (f - (mean + cMean));
    cAux = kahanComp(inc, aux, cAux);
    aux += inc;
  }
  return (aux + cAux) / count;
}

function compareOverTime(better: (cur: number, best: number) => boolean, returnTimestamp: boolean): RangeFn {
  return (t, v, lo, hi) => {
    if (hi <= lo) return null;
    let best = v[lo]!;
    let bestT = t[lo]!;
    for (let i = lo; i < hi; i++) {
      if (better(v[i]!, best)) {
        best = v[i]!;
        bestT = t[i]!;
      }
    }
    return returnTimestamp ? bestT / 1000 : best;
  };
}

/** Average with Kahan summation, switching to an incremental mean when the sum would overflow. */
/** The Kahan sum of v[lo..hi) (a non-empty window). */
export function sumOverTime(v: ArrayLike<number>, lo: number, hi: number): number {
  let sum = 0, c = 0;
  for (let i = lo; i < hi; i++) {
    // kahanInc written out (no pair per sample); an infinite sum resets c, as there.
    const f = v[i]!, t = sum + f;
    if (t === Infinity || t === -Infinity) c = 0;
    else c += Math.abs(sum) >= Math.abs(f) ? (sum - t) + f : (f - t) + sum;
    sum = t;
  }
  return sum === Infinity || sum === -Infinity ? sum : sum + c;
}

export function avgOverTime(v: ArrayLike<number>, lo: number, hi: number): number {
  let sum = v[lo]!, count = 1, mean = 0, c = 0, incremental = false;
  for (let i = lo + 1; i < hi; i++) {
    const f = v[i]!;
    count = i - lo + 1;
    if (!incremental) {
      // kahanInc(f, sum, c) written out: no pair allocated per sample on this hot path.
      const ns = sum + f;
      if (ns !== Infinity && ns !== -Infinity) {
        c += Math.abs(sum) >= Math.abs(f) ? (sum - ns) + f : (f - ns) + sum;
        sum = ns;
        continue;
      }
      incremental = true;
      mean = sum / (count - 1);
      c /= count - 1;
    }
    const q = (count - 1) / count;
    [mean, c] = kahanInc(f / count, q * mean, q * c);
  }
  return incremental ? mean + c : sum / count + c / count;
}

function doubleExponentialSmoothing(t: ArrayLike<number>, v: ArrayLike<number>, lo: number, hi: number, ctx: RangeCtx): number | null {
  const sf = ctx.params[0]!, tf = ctx.params[1]!;
  if (sf <= 0 || sf >= 1) throw new QueryError(`invalid smoothing factor. Expected: 0 < sf < 1, got: ${sf.toFixed(6)}`);
  if (tf <= 0 || tf >= 1) throw new QueryError(`invalid trend factor. Expected: 0 < tf < 1, got: ${tf.toFixed(6)}`);
  const l = hi - lo;
  if (l < 2) return null;
  let s0 = 0, s1 = v[lo]!, b = v[lo + 1]! - v[lo]!;
  for (let i = 1; i < l; i++) {
    const x = sf * v[lo + i]!;
    b = i - 1 === 0 ? b : tf * (s1 - s0) + (1 - tf) * b;
    const y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  void t;
  return s1;
}

export const RANGE_FUNCTIONS: Record<string, RangeFn> = {
  rate: extrapolatedRate(true, true),
  increase: extrapolatedRate(true, false),
  delta: extrapolatedRate(false, false),
  irate: instantValue(true),
  idelta: instantValue(false),
  avg_over_time: (_t, v, lo, hi) => (hi > lo ? avgOverTime(v, lo, hi) : null),
  count_over_time: (_t, _v, lo, hi) => (hi > lo ? hi - lo : null),
  sum_over_time: (_t, v, lo, hi) => (hi > lo ? sumOverTime(v, lo, hi) : null),
  min_over_time: compareOverTime((cur, best) => cur < best || Number.isNaN(best), false),
  max_over_time: compareOverTime((cur, best) => cur > best || Number.isNaN(best), false),
  ts_of_min_over_time: compareOverTime((cur, best) => cur <= best || Number.isNaN(best), true),
  ts_of_max_over_time: compareOverTime((cur, best) => cur >= best || Number.isNaN(best), true),
  last_over_time: (_t, v, lo, hi) => (hi > lo ? v[hi - 1]! : null),
  first_over_time: (_t, v, lo, hi) => (hi > lo ? v[lo]! : null),
  ts_of_last_over_time: (t, _v, lo, hi) => (hi > lo ? t[hi - 1]! / 1000 : null),
  ts_of_first_over_time: (t, _v, lo, hi) => (hi > lo ? t[lo]! / 1000 : null),
  present_over_time: (_t, _v, lo, hi) => (hi > lo ? 1 : null),
  absent_over_time: (_t, _v, lo, hi) => (hi > lo ? 1 : null),
  quantile_over_time: (_t, v, lo, hi, ctx) => {
    if (hi <= lo) return null;
    const q = ctx.params[0]!;
    if (Number.isNaN(q) || q < 0 || q > 1) ctx.annos.warn(`quantile value should be between 0 and 1, got ${formatFloat(q)}`, ctx.call.args[0]!.posRange);
    return quantile(q, Array.from({ length: hi - lo }, (_, i) => v[lo + i]!));
  },
  mad_over_time: (_t, v, lo, hi) => {
    if (hi <= lo) return null;
    const xs = Array.from({ length: hi - lo }, (_, i) => v[lo + i]!);
    // As upstream, one NaN makes the whole answer NaN.
    if (xs.some((x) => Number.isNaN(x))) return NaN;
    const median = quantile(0.5, [...xs]);
    return quantile(0.5, xs.map((x) => Math.abs(x - median)));
  },
  stddev_over_time: (_t, v, lo, hi) => (hi > lo ? Math.sqrt(variance(v, lo, hi)) : null),
  stdvar_over_time: (_t, v, lo, hi) => (hi > lo ? variance(v, lo, hi) : null),
  deriv: (t, v, lo, hi) => (hi - lo < 2 ? null : linearRegression(t, v, lo, hi, t[lo]!)[0]),
  predict_linear: (t, v, lo, hi, ctx) => {
    if (hi - lo < 2) return null;
    const [slope, intercept] = linearRegression(t, v, lo, hi, ctx.ts);
    return slope * ctx.params[0]! + intercept;
  },
  resets: (t, v, lo, hi, ctx) => {
    const first = firstIndex(t, lo, hi, ctx);
    if (first < 0) return null;
    const st = ctx.st;
    let n = 0;
    for (let i = first + 1; i < hi; i++) {
      if (v[i]! < v[i - 1]! || (st !== null && isStartTimestampReset(st[i - 1]!, t[i - 1]!, st[i]!, t[i]!))) n++;
    }
    return n;
  },
  changes: (t, v, lo, hi, ctx) => {
    const first = firstIndex(t, lo, hi, ctx);
    if (first < 0) return null;
    let n = 0;
    for (let i = first + 1; i < hi; i++) {
      const cur = v[i]!, prev = v[i - 1]!;
      if (cur !== prev && !(Number.isNaN(cur) && Number.isNaN(prev))) n++;
    }
    return n;
  },
  double_exponential_smoothing: doubleExponentialSmoothing,
};

/** resets/changes on anchored windows start at the last sample at or before the range start. */
function firstIndex(t: ArrayLike<number>, lo: number, hi: number, ctx: RangeCtx): number {
  if (hi <= lo) return -1;
  if (!ctx.anchored) return lo;
  if (t[hi - 1]! <= ctx.rangeStart) return -1;
  let i = lo;
  while (i + 1 < hi && t[i + 1]! <= ctx.rangeStart) i++;
  return t[i]! <= ctx.rangeStart ? i : lo;
}

/** Range functions that keep the metric name (they act like an offset). */
export const KEEPS_NAME = new Set(['last_over_time', 'first_over_time']);
export const ANCHORED_SAFE = ['changes', 'delta', 'increase', 'rate', 'resets'];
export const SMOOTHED_SAFE = ['delta', 'increase', 'rate'];

export type { Sample };
