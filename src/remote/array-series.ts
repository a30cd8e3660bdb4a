// A Series over samples held in arrays (what remote read brings back, or
// remote and local samples merged), with the reductions the head computes
// in WebAssembly done here in JavaScript, in the same way (assembly/scan.ts
// ReduceSink): staleness markers skipped, Kahan-Neumaier sums.

import type { Labels } from '../model/labels.js';
import { isStaleNaN } from '../model/stale.js';
import {
  R_CHANGES, R_CORRECTION, R_COUNT, R_FIRST_T, R_FIRST_V, R_LAST_T, R_LAST_V, R_MAX, R_MIN, R_PREV_T, R_PREV_V, R_RESETS, R_SIZE, R_SUM,
  R_SUM_COMP, type SampleBatch, type Series, type WindowReduction,
} from '../storage/interfaces.js';

/** First index with timestamp >= x. */
function lowerBound(t: Float64Array, x: number): number {
  let lo = 0, hi = t.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (t[m]! < x) lo = m + 1;
    else hi = m;
  }
  return lo;
}

function reduceInto(ts: Float64Array, vs: Float64Array, from: number, to: number, out: Float64Array, o: number): void {
  let count = 0, sum = 0, comp = 0, min = NaN, max = NaN, firstT = 0, firstV = NaN, lastT = 0, lastV = NaN, prevT = 0, prevV = NaN;
  let correction = 0, resets = 0, changes = 0;
  for (let i = from; i < to; i++) {
    const v = vs[i]!, t = ts[i]!;
    if (isStaleNaN(v)) continue;
    if (count === 0) {
      firstT = t;
      firstV = v;
      min = v;
      max = v;
    } else {
      if (v < lastV) {
        correction += lastV;
        resets++;
      }
      if (!(v === lastV || (Number.isNaN(v) && Number.isNaN(lastV)))) changes++;
      if (v < min || Number.isNaN(min)) min = v;
      if (v > max || Number.isNaN(max)) max = v;
      prevT = lastT;
      prevV = lastV;
    }
    const s = sum + v;
    if (!Number.isFinite(s) && !Number.isNaN(s)) comp = 0;
    else if (Math.abs(sum) >= Math.abs(v)) comp += (sum - s) + v;
    else comp += (v - s) + sum;
    sum = s;
    lastT = t;
    lastV = v;
    count++;
  }
  out[o + R_COUNT] = count;
  out[o + R_SUM] = sum;
  out[o + R_SUM_COMP] = comp;
  out[o + R_MIN] = min;
  out[o + R_MAX] = max;
  out[o + R_FIRST_T] = firstT;
  out[o + R_FIRST_V] = firstV;
  out[o + R_LAST_T] = lastT;
  out[o + R_LAST_V] = lastV;
  out[o + R_PREV_T] = prevT;
  out[o + R_PREV_V] = prevV;
  out[o + R_CORRECTION] = correction;
  out[o + R_RESETS] = resets;
  out[o + R_CHANGES] = changes;
}

export class ArraySeries implements Series {
  /** Samples outside [mint, maxt] (the querier's range) are never returned. */
  constructor(
    readonly labels: Labels,
    private readonly ts: Float64Array,
    private readonly vs: Float64Array,
    private readonly mint = -Infinity,
    private readonly maxt = Infinity,
  ) {}

  private span(mint: number, maxt: number): [number, number] {
    const lo = Math.max(mint, this.mint), hi = Math.min(maxt, this.maxt);
    return [lowerBound(this.ts, lo), lowerBound(this.ts, hi + 1)];
  }

  samples(mint: number, maxt: number, opts?: { skipStale?: boolean }): SampleBatch {
    const [a, b] = this.span(mint, maxt);
    if (!opts?.skipStale) return { timestamps: this.ts.slice(a, b), values: this.vs.slice(a, b) };
    const keep: number[] = [];
    for (let i = a; i < b; i++) if (!isStaleNaN(this.vs[i]!)) keep.push(i);
    const timestamps = new Float64Array(keep.length), values = new Float64Array(keep.length);
    keep.forEach((i, k) => {
      timestamps[k] = this.ts[i]!;
      values[k] = this.vs[i]!;
    });
    return { timestamps, values };
  }

  reduce(mint: number, maxt: number): WindowReduction {
    const [a, b] = this.span(mint, maxt);
    const r = new Float64Array(R_SIZE);
    reduceInto(this.ts, this.vs, a, b, r, 0);
    return {
      count: r[R_COUNT]!, sum: r[R_SUM]!, sumCompensation: r[R_SUM_COMP]!, min: r[R_MIN]!, max: r[R_MAX]!,
      firstT: r[R_FIRST_T]!, firstV: r[R_FIRST_V]!, lastT: r[R_LAST_T]!, lastV: r[R_LAST_V]!, prevT: r[R_PREV_T]!, prevV: r[R_PREV_V]!,
      correction: r[R_CORRECTION]!, resets: r[R_RESETS]!, changes: r[R_CHANGES]!,
    };
  }

  reduceWindows(firstMin: number, firstMax: number, step: number, steps: number): Float64Array {
    const out = new Float64Array(steps * R_SIZE);
    for (let k = 0; k < steps; k++) {
      const [a, b] = this.span(firstMin + step * k, firstMax + step * k);
      reduceInto(this.ts, this.vs, a, b, out, k * R_SIZE);
    }
    return out;
  }
}

/**
 * Two sorted sample lists as one, as storage/merge.go's chained merge:
 * where both hold a timestamp, the primary's sample is kept.
 */
export function mergeSamples(
  pt: Float64Array, pv: Float64Array, st: Float64Array, sv: Float64Array,
): { timestamps: Float64Array; values: Float64Array } {
  const timestamps = new Float64Array(pt.length + st.length), values = new Float64Array(pt.length + st.length);
  let i = 0, j = 0, n = 0;
  while (i < pt.length || j < st.length) {
    if (j >= st.length || (i < pt.length && pt[i]! <= st[j]!)) {
      if (j < st.length && st[j] === pt[i]) j++;
      timestamps[n] = pt[i]!;
      values[n++] = pv[i++]!;
    } else {
      timestamps[n] = st[j]!;
      values[n++] = sv[j++]!;
    }
  }
  return { timestamps: timestamps.subarray(0, n), values: values.subarray(0, n) };
}
