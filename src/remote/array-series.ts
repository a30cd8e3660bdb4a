// A Series over samples held in arrays (what remote read brings back, or
// remote and local samples merged), with the reductions the head computes
// in WebAssembly done here in JavaScript, in the same way (assembly/scan.ts
// ReduceSink): staleness markers skipped, Kahan-Neumaier sums.

import type { Labels } from '../model/labels.js';
import { isStaleNaN } from '../model/stale.js';
import {
  R_CHANGES, R_CORRECTION, R_COUNT, R_FIRST_T, R_FIRST_V, R_LAST_T, R_LAST_V, R_MAX, R_MIN, R_PREV_T, R_PREV_V, R_RESETS, R_SIZE, R_SUM,
  R_SUM_COMP, type HistogramBatch, type SampleBatch, type Series, type WindowReduction,
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
    /** Native histogram samples, when the series has any. */
    private readonly hist?: HistogramBatch,
  ) {}

  /** The histogram samples in [mint, maxt] (copies of the objects), or undefined when there are none. */
  private histogramsIn(mint: number, maxt: number): HistogramBatch | undefined {
    const h = this.hist;
    if (!h) return undefined;
    const lo = Math.max(mint, this.mint), hi = Math.min(maxt, this.maxt);
    const a = lowerBound(h.timestamps, lo), b = lowerBound(h.timestamps, hi + 1);
    if (a >= b) return undefined;
    return { timestamps: h.timestamps.slice(a, b), histograms: h.histograms.slice(a, b).map((x) => structuredClone(x)) };
  }

  hasHistograms(mint: number, maxt: number): boolean {
    return this.histogramsIn(mint, maxt) !== undefined;
  }

  private span(mint: number, maxt: number): [number, number] {
    const lo = Math.max(mint, this.mint), hi = Math.min(maxt, this.maxt);
    return [lowerBound(this.ts, lo), lowerBound(this.ts, hi + 1)];
  }

  samples(mint: number, maxt: number, opts?: { skipStale?: boolean }): SampleBatch {
    const [a, b] = this.span(mint, maxt);
    const histograms = this.histogramsIn(mint, maxt);
    if (histograms) return { ...this.floats(a, b, opts), histograms };
    return this.floats(a, b, opts);
  }

  private floats(a: number, b: number, opts?: { skipStale?: boolean }): SampleBatch {
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

/** Two histogram batches as one, the primary's sample kept where both hold a timestamp. */
export function mergeHistogramBatches(p: HistogramBatch | undefined, s: HistogramBatch | undefined): HistogramBatch | undefined {
  if (!p || p.timestamps.length === 0) return s;
  if (!s || s.timestamps.length === 0) return p;
  const ts: number[] = [], hs: HistogramBatch['histograms'] = [];
  let i = 0, j = 0;
  while (i < p.timestamps.length || j < s.timestamps.length) {
    if (j >= s.timestamps.length || (i < p.timestamps.length && p.timestamps[i]! <= s.timestamps[j]!)) {
      if (j < s.timestamps.length && s.timestamps[j] === p.timestamps[i]) j++;
      ts.push(p.timestamps[i]!);
      hs.push(p.histograms[i++]!);
    } else {
      ts.push(s.timestamps[j]!);
      hs.push(s.histograms[j++]!);
    }
  }
  return { timestamps: Float64Array.from(ts), histograms: hs };
}
