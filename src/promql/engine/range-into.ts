// Range functions that write a window's value into a column instead of
// returning it. A RangeFn's number result is boxed by V8 at every call (the
// call site sees every range function, so nothing is inlined), and those
// heap numbers were most of the garbage left in a `rate` query. A
// RangeFnInto stores into out[k] and says whether the window had a value.
//
// The common functions are written here over the same operations in the
// same order as functions.ts's (so the same bits); their rarer cases
// (anchored, smoothed, start timestamps) and every other function go
// through functions.ts's RangeFn and store its result.

import { type RangeCtx, type RangeFn, RANGE_FUNCTIONS, avgOverTime, extrapolate, sumOverTime, windowDifference } from './functions.js';

/** Writes the function's value for the window t[lo..hi) into out[k]; false when the window has none. */
export type RangeFnInto = (t: ArrayLike<number>, v: ArrayLike<number>, lo: number, hi: number, ctx: RangeCtx, out: Float64Array, k: number) => boolean;

function boxed(fn: RangeFn): RangeFnInto {
  return (t, v, lo, hi, ctx, out, k) => {
    const r = fn(t, v, lo, hi, ctx);
    if (r === null) return false;
    out[k] = r;
    return true;
  };
}

/** functions.ts's extrapolatedRate, the common case (no anchoring, smoothing or start timestamps) written out. */
function extrapolatedRateInto(name: string, isCounter: boolean, isRate: boolean): RangeFnInto {
  const general = boxed(RANGE_FUNCTIONS[name]!);
  return (t, v, lo, hi, ctx, out, k) => {
    if (ctx.anchored || ctx.smoothed || ctx.st) return general(t, v, lo, hi, ctx, out, k);
    const n = hi - lo;
    if (n < 2) return false;
    out[k] = extrapolate(windowDifference(v, lo, hi, ctx, isCounter), t[lo]!, t[hi - 1]!, v[lo]!, n - 1, ctx, isCounter, isRate);
    return true;
  };
}

function instantValueInto(name: string, isRate: boolean): RangeFnInto {
  const general = boxed(RANGE_FUNCTIONS[name]!);
  return (t, v, lo, hi, ctx, out, k) => {
    if (ctx.st !== null) return general(t, v, lo, hi, ctx, out, k);
    if (hi - lo < 2) return false;
    const dt = t[hi - 1]! - t[hi - 2]!;
    if (dt === 0) return false;
    const v0 = v[hi - 2]!, v1 = v[hi - 1]!;
    let result = v1;
    if (!isRate || !(v1 < v0)) result = v1 - v0;
    if (isRate) result /= dt / 1000;
    out[k] = result;
    return true;
  };
}

const HAND_WRITTEN: Record<string, RangeFnInto> = {
  rate: extrapolatedRateInto('rate', true, true),
  increase: extrapolatedRateInto('increase', true, false),
  delta: extrapolatedRateInto('delta', false, false),
  irate: instantValueInto('irate', true),
  idelta: instantValueInto('idelta', false),
  avg_over_time: (_t, v, lo, hi, _ctx, out, k) => {
    if (hi <= lo) return false;
    out[k] = avgOverTime(v, lo, hi);
    return true;
  },
  sum_over_time: (_t, v, lo, hi, _ctx, out, k) => {
    if (hi <= lo) return false;
    out[k] = sumOverTime(v, lo, hi);
    return true;
  },
  count_over_time: (_t, _v, lo, hi, _ctx, out, k) => {
    if (hi <= lo) return false;
    out[k] = hi - lo;
    return true;
  },
  min_over_time: (_t, v, lo, hi, _ctx, out, k) => {
    if (hi <= lo) return false;
    let best = v[lo]!;
    for (let i = lo; i < hi; i++) if (v[i]! < best || Number.isNaN(best)) best = v[i]!;
    out[k] = best;
    return true;
  },
  max_over_time: (_t, v, lo, hi, _ctx, out, k) => {
    if (hi <= lo) return false;
    let best = v[lo]!;
    for (let i = lo; i < hi; i++) if (v[i]! > best || Number.isNaN(best)) best = v[i]!;
    out[k] = best;
    return true;
  },
  last_over_time: (_t, v, lo, hi, _ctx, out, k) => {
    if (hi <= lo) return false;
    out[k] = v[hi - 1]!;
    return true;
  },
};

/** Every float range function, writing into a column. */
export const RANGE_FUNCTIONS_INTO: Record<string, RangeFnInto> = Object.fromEntries(
  Object.entries(RANGE_FUNCTIONS).map(([name, fn]) => [name, HAND_WRITTEN[name] ?? boxed(fn)]),
);
