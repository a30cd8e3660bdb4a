// Range functions that only need a summary of each window (count, sum,
// min/max, first/last, resets) take it from the storage's window reductions,
// which WebAssembly computes while decoding, instead of materialising the
// samples. The results are bit-identical to the sample-by-sample functions;
// where an exact answer needs the samples (a counter reset's correction
// order, an overflowing average), the window falls back to them.

import {
  R_CHANGES, R_CORRECTION, R_COUNT, R_FIRST_T, R_FIRST_V, R_LAST_T, R_LAST_V, R_MAX, R_MIN, R_PREV_T, R_PREV_V,
  R_RESETS, R_SIZE, R_SUM, R_SUM_COMP, type Series as StoredSeries,
} from '../../storage/interfaces.js';
import { extrapolate } from './functions.js';
import type { FPoint } from './value.js';

const FALLBACK = Symbol('fallback');

interface WindowCtx {
  rangeStart: number;
  rangeEnd: number;
  rangeSeconds: number;
}

type Reducer = (r: Float64Array, b: number, ctx: WindowCtx) => number | null | typeof FALLBACK;

function rateReducer(isCounter: boolean, isRate: boolean): Reducer {
  return (r, b, ctx) => {
    const count = r[b + R_COUNT]!;
    if (count < 2) return null;
    if (isCounter && r[b + R_CORRECTION] !== 0) return FALLBACK;
    const firstV = r[b + R_FIRST_V]!;
    return extrapolate(r[b + R_LAST_V]! - firstV, r[b + R_FIRST_T]!, r[b + R_LAST_T]!, firstV, count - 1, ctx, isCounter, isRate);
  };
}

function instantReducer(isRate: boolean): Reducer {
  return (r, b) => {
    if (r[b + R_COUNT]! < 2) return null;
    const dt = r[b + R_LAST_T]! - r[b + R_PREV_T]!;
    if (dt === 0) return null;
    const last = r[b + R_LAST_V]!, prev = r[b + R_PREV_V]!;
    if (!isRate) return last - prev;
    return (last < prev ? last : last - prev) / (dt / 1000);
  };
}

const whenAny = (f: (r: Float64Array, b: number) => number): Reducer => (r, b) => (r[b + R_COUNT]! > 0 ? f(r, b) : null);

const REDUCERS: Record<string, Reducer> = {
  count_over_time: whenAny((r, b) => r[b + R_COUNT]!),
  sum_over_time: whenAny((r, b) => {
    const sum = r[b + R_SUM]!;
    return sum === Infinity || sum === -Infinity ? sum : sum + r[b + R_SUM_COMP]!;
  }),
  avg_over_time: (r, b) => {
    const count = r[b + R_COUNT]!;
    if (count === 0) return null;
    const sum = r[b + R_SUM]!;
    // A non-finite running sum means the sample path switches to an incremental mean.
    if (!Number.isFinite(sum)) return FALLBACK;
    return sum / count + r[b + R_SUM_COMP]! / count;
  },
  min_over_time: whenAny((r, b) => r[b + R_MIN]!),
  max_over_time: whenAny((r, b) => r[b + R_MAX]!),
  last_over_time: whenAny((r, b) => r[b + R_LAST_V]!),
  first_over_time: whenAny((r, b) => r[b + R_FIRST_V]!),
  ts_of_last_over_time: whenAny((r, b) => r[b + R_LAST_T]! / 1000),
  ts_of_first_over_time: whenAny((r, b) => r[b + R_FIRST_T]! / 1000),
  present_over_time: whenAny(() => 1),
  absent_over_time: whenAny(() => 1),
  resets: whenAny((r, b) => r[b + R_RESETS]!),
  changes: whenAny((r, b) => r[b + R_CHANGES]!),
  rate: rateReducer(true, true),
  increase: rateReducer(true, false),
  delta: rateReducer(false, false),
  irate: instantReducer(true),
  idelta: instantReducer(false),
};

export interface StepWindows {
  start: number;
  end: number;
  interval: number;
  offset: number;
  range: number;
}

/** Computes a window from the samples, for the steps a reduction cannot answer exactly. */
export type Fallback = (step: number, ts: number) => number | null;

/** Points per step, and how many stored samples the windows covered (the query's "samples scanned"). */
export type FastWindows = (s: StoredSeries, w: StepWindows, fallback: Fallback) => { points: FPoint[]; scanned: number };

/** The reduction-based evaluation of a range function, or null when it needs the samples. */
export function reduceWindowsFast(name: string): FastWindows | null {
  const reducer = REDUCERS[name];
  if (!reducer) return null;
  return (s, w, fallback) => {
    const steps = Math.floor((w.end - w.start) / w.interval) + 1;
    const firstMax = w.start - w.offset;
    // Windows are (ref - range, ref]; the reductions take closed ranges of integer milliseconds.
    const r = s.reduceWindows(firstMax - w.range + 1, firstMax, w.interval, steps);
    const out: FPoint[] = [];
    const ctx: WindowCtx = { rangeStart: 0, rangeEnd: 0, rangeSeconds: w.range / 1000 };
    let scanned = 0;
    for (let k = 0; k < steps; k++) {
      scanned += r[k * R_SIZE + R_COUNT]!;
      const ts = w.start + k * w.interval;
      ctx.rangeEnd = ts - w.offset;
      ctx.rangeStart = ctx.rangeEnd - w.range;
      let value = reducer(r, k * R_SIZE, ctx);
      if (value === FALLBACK) value = fallback(k, ts);
      if (value !== null) out.push({ t: ts, f: value });
    }
    return { points: out, scanned };
  };
}
