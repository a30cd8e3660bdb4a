// A classic histogram's series (cumulative `le` buckets, `_count`, `_sum`)
// gathered into one native histogram with custom buckets, as Prometheus's
// util/convertnhcb.TempHistogram: bucket counts become per-bucket counts, the
// finite bounds the custom values, +Inf is added from the count when the
// buckets lack it, and buckets may come in any order (a repeated bound keeps
// its first count). Used by scraping (convert_classic_histograms_to_nhcb) and
// promqltest's load_with_nhcb.

import { type FloatHistogram, CounterResetHint, CUSTOM_BUCKETS_SCHEMA } from './histogram.js';
import { compact } from './histogram-compact.js';

export class ClassicHistogramBuilder {
  private readonly buckets: { le: number; count: number }[] = [];
  private count = 0;
  private hasCount = false;
  private sum = 0;
  /** The first thing wrong with the series given so far; convert() throws it. */
  err: string | undefined;

  setBucketCount(le: number, count: number): void {
    if (this.err) return;
    if (Number.isNaN(le)) {
      this.err = 'bucket boundary must not be NaN';
      return;
    }
    if (count < 0) {
      this.err = `bucket count must be non-negative: le=${le}, count=${count}`;
      return;
    }
    const b = this.buckets;
    const i = b.findIndex((x) => x.le >= le);
    if (i >= 0 && b[i]!.le === le) return;
    const at = i < 0 ? b.length : i;
    if (at > 0 && count < b[at - 1]!.count) {
      this.err = `count is not cumulative: ${count} < ${b[at - 1]!.count}`;
      return;
    }
    if (at < b.length && count > b[at]!.count) {
      this.err = `count is not cumulative: ${count} > ${b[at]!.count}`;
      return;
    }
    b.splice(at, 0, { le, count });
  }

  setCount(count: number): void {
    if (this.err) return;
    if (count < 0) {
      this.err = `count must be non-negative: count=${count}`;
      return;
    }
    this.count = count;
    this.hasCount = true;
  }

  setSum(sum: number): void {
    if (this.err) return;
    this.sum = sum;
  }

  /** The native histogram (integer when every count is); throws when the series do not make one. */
  convert(): FloatHistogram {
    if (this.err) throw new Error(this.err);
    const buckets = [...this.buckets];
    let count = this.count;
    if (!this.hasCount && buckets.length > 0) count = buckets[buckets.length - 1]!.count;
    if (buckets.length === 0 || buckets[buckets.length - 1]!.le !== Infinity) buckets.push({ le: Infinity, count });
    const last = buckets[buckets.length - 1]!;
    if (count !== last.count) throw new Error(`count mismatch: count=${count} != le=${last.le} count=${last.count}`);
    const h: FloatHistogram = {
      counterResetHint: CounterResetHint.Unknown,
      schema: CUSTOM_BUCKETS_SCHEMA,
      zeroThreshold: 0,
      zeroCount: 0,
      count,
      sum: this.sum,
      positiveSpans: [{ offset: 0, length: buckets.length }],
      positiveBuckets: buckets.map((b, i) => b.count - (i > 0 ? buckets[i - 1]!.count : 0)),
      negativeSpans: [],
      negativeBuckets: [],
      customValues: buckets.slice(0, -1).map((b) => b.le),
    };
    const integer = buckets.every((b) => Number.isInteger(b.count)) && Number.isInteger(count);
    if (integer) h.integer = true;
    return compact(h, integer ? 2 : 0);
  }
}

/** `x_bucket`, `x_count`, `x_sum` split into the family name x and the suffix; null for any other name. */
export function classicHistogramPart(name: string): { base: string; kind: 'bucket' | 'count' | 'sum' } | null {
  const m = /^(.*)_(bucket|count|sum)$/.exec(name);
  return m ? { base: m[1]!, kind: m[2] as 'bucket' | 'count' | 'sum' } : null;
}

/** An `le` label's bound (+Inf, -Inf, Go float syntax); NaN when it is not one. */
export function parseLe(text: string): number {
  if (text === '+Inf' || text === 'Inf' || text === '+inf' || text === 'inf') return Infinity;
  if (text === '-Inf' || text === '-inf') return -Infinity;
  const t = text.trim();
  return t === '' || t !== text ? NaN : Number(t);
}
