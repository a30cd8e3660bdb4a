// A series' native histogram samples in the head, kept beside its float
// chunks (a series may switch between the two, as in Prometheus).

import type { FloatHistogram } from '../model/histogram.js';
import type { HistogramBatch } from './interfaces.js';
import { isStaleNaN } from '../model/stale.js';

/** A deep copy, so callers can neither change what was stored nor be changed by it. */
export function copyHistogram(h: FloatHistogram): FloatHistogram {
  const out: FloatHistogram = {
    counterResetHint: h.counterResetHint,
    schema: h.schema,
    zeroThreshold: h.zeroThreshold,
    zeroCount: h.zeroCount,
    count: h.count,
    sum: h.sum,
    positiveSpans: h.positiveSpans.map((s) => ({ offset: s.offset, length: s.length })),
    positiveBuckets: h.positiveBuckets.slice(),
    negativeSpans: h.negativeSpans.map((s) => ({ offset: s.offset, length: s.length })),
    negativeBuckets: h.negativeBuckets.slice(),
  };
  if (h.integer) out.integer = true;
  if (h.customValues !== undefined) out.customValues = h.customValues.slice();
  return out;
}

const f64 = new Float64Array(2);
const u64 = new BigUint64Array(f64.buffer);
function sameBits(a: number, b: number): boolean {
  f64[0] = a;
  f64[1] = b;
  return u64[0] === u64[1];
}

function sameSpans(a: readonly { offset: number; length: number }[], b: readonly { offset: number; length: number }[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.offset !== b[i]!.offset || a[i]!.length !== b[i]!.length) return false;
  return true;
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameBits(a[i]!, b[i]!)) return false;
  return true;
}

/**
 * Whether two histograms are the same sample (Prometheus's Equals, used for
 * the duplicate check): every field bit for bit, the hint and kind aside.
 */
export function sameHistogram(a: FloatHistogram, b: FloatHistogram): boolean {
  return a.schema === b.schema && sameBits(a.zeroThreshold, b.zeroThreshold) && sameBits(a.zeroCount, b.zeroCount) &&
    sameBits(a.count, b.count) && sameBits(a.sum, b.sum) && sameSpans(a.positiveSpans, b.positiveSpans) &&
    sameSpans(a.negativeSpans, b.negativeSpans) && sameNumbers(a.positiveBuckets, b.positiveBuckets) &&
    sameNumbers(a.negativeBuckets, b.negativeBuckets) && sameNumbers(a.customValues ?? [], b.customValues ?? []);
}

/** One series' histogram samples, in time order. */
export class SeriesHistograms {
  private ts: number[] = [];
  private hs: FloatHistogram[] = [];

  get count(): number {
    return this.ts.length;
  }

  get minT(): number {
    return this.ts.length > 0 ? this.ts[0]! : Infinity;
  }

  get maxT(): number {
    return this.ts.length > 0 ? this.ts[this.ts.length - 1]! : -Infinity;
  }

  /** Appends a sample newer than every stored one (the appender checked order). */
  append(t: number, h: FloatHistogram): void {
    this.ts.push(t);
    this.hs.push(copyHistogram(h));
  }

  has(mint: number, maxt: number): boolean {
    const i = this.lowerBound(mint);
    return i < this.ts.length && this.ts[i]! <= maxt;
  }

  /** The samples in [mint, maxt] as fresh objects, or undefined when there are none. */
  read(mint: number, maxt: number, skipStale: boolean): HistogramBatch | undefined {
    let i = this.lowerBound(mint);
    const ts: number[] = [];
    const hs: FloatHistogram[] = [];
    for (; i < this.ts.length && this.ts[i]! <= maxt; i++) {
      if (skipStale && isStaleNaN(this.hs[i]!.sum)) continue;
      ts.push(this.ts[i]!);
      hs.push(copyHistogram(this.hs[i]!));
    }
    if (ts.length === 0) return undefined;
    return { timestamps: Float64Array.from(ts), histograms: hs };
  }

  /** Drops the samples before mint; returns how many. */
  truncateBefore(mint: number): number {
    const k = this.lowerBound(mint);
    this.ts.splice(0, k);
    this.hs.splice(0, k);
    return k;
  }

  /** Drops the samples in [mint, maxt]; returns how many. */
  deleteRange(mint: number, maxt: number): number {
    const from = this.lowerBound(mint);
    let to = from;
    while (to < this.ts.length && this.ts[to]! <= maxt) to++;
    this.ts.splice(from, to - from);
    this.hs.splice(from, to - from);
    return to - from;
  }

  /** The newest sample, or null. */
  last(): FloatHistogram | null {
    return this.hs.length > 0 ? this.hs[this.hs.length - 1]! : null;
  }

  private lowerBound(t: number): number {
    let lo = 0, hi = this.ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ts[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
