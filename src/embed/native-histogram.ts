// The state of one native histogram as client_golang keeps it: sparse
// exponential buckets by index, a zero bucket, count and sum. Observations
// find their bucket as client_golang's histogramCounts.observe does (by the
// value's binary exponent and mantissa, against Prometheus's own bound
// constants), and past the bucket limit the histogram is reset, its zero
// bucket widened, or its buckets doubled in width, in that order of
// preference (client_golang's limitBuckets).

import { CounterResetHint, EXPONENTIAL_SCHEMA_MAX, EXPONENTIAL_SCHEMA_MIN, type FloatHistogram, type Span } from '../model/histogram.js';
import { BOUND_FRACTIONS_SCHEMA_8 } from '../model/histogram-bound-fractions.js';
import { exponentialBound, targetIndex } from '../model/histogram-bounds.js';

/** client_golang's DefNativeHistogramZeroThreshold (2^-128). */
export const DEFAULT_ZERO_THRESHOLD = 2.938735877055719e-39;

export interface NativeHistogramLimits {
  /** Upper bound of the growth factor from one bucket to the next (> 1; default 1.1, i.e. schema 3). */
  bucketFactor?: number;
  /** Observations with |v| <= this go to the zero bucket (default 2^-128; negative: exactly zero only). */
  zeroThreshold?: number;
  /** Most buckets kept (0: no limit, the default). */
  maxBuckets?: number;
  /** Past maxBuckets, reset the histogram if the last reset is at least this many ms ago (0: never reset). */
  minResetDuration?: number;
  /** Past maxBuckets, widen the zero bucket up to this threshold before reducing resolution (default 0: never). */
  maxZeroThreshold?: number;
}

/** client_golang's pickSchema: the largest growth factor 2^(2^-schema) not above bucketFactor. */
export function schemaForFactor(bucketFactor: number): number {
  if (!(bucketFactor > 1)) throw new Error(`bucketFactor ${bucketFactor} is <= 1`);
  const floor = Math.floor(Math.log2(Math.log2(bucketFactor)));
  if (floor <= -8) return EXPONENTIAL_SCHEMA_MAX;
  if (floor >= 4) return EXPONENTIAL_SCHEMA_MIN;
  return 0 - floor;
}

/** Go's math.Frexp for a finite positive v: v = frac * 2^exp, frac in [0.5, 1). */
function frexp(v: number): { frac: number; exp: number } {
  let exp = Math.floor(Math.log2(v)) + 1;
  let frac = v * 2 ** -exp;
  // Subnormals: scale in two steps so 2^-exp does not overflow.
  if (!Number.isFinite(frac)) frac = v * 2 ** 1000 * 2 ** (-exp - 1000);
  if (frac >= 1) {
    frac /= 2;
    exp++;
  } else if (frac < 0.5) {
    frac *= 2;
    exp--;
  }
  return { frac, exp };
}

/** First index with a[i] >= x (Go's sort.SearchFloat64s). */
function search(a: readonly number[], x: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (a[m]! < x) lo = m + 1;
    else hi = m;
  }
  return lo;
}

const boundsBySchema: number[][] = [];
for (let s = 1; s <= EXPONENTIAL_SCHEMA_MAX; s++) boundsBySchema[s] = Array.from({ length: 1 << s }, (_, k) => BOUND_FRACTIONS_SCHEMA_8[k << (8 - s)]!);

/** The bucket index of |v| (v finite or infinite, not zero) in an exponential schema. */
export function bucketIndex(v: number, schema: number): number {
  let a = Math.abs(v);
  const inf = a === Infinity;
  if (inf) a = Number.MAX_VALUE;
  const { frac, exp } = frexp(a);
  let key: number;
  if (schema > 0) {
    const bounds = boundsBySchema[schema]!;
    key = search(bounds, frac) + (exp - 1) * bounds.length;
  } else {
    key = frac === 0.5 ? exp - 1 : exp;
    // ceil, as client_golang since 1.15 (1.14 truncated toward zero, misplacing values below 1).
    key = Math.ceil(key / 2 ** -schema);
  }
  return inf ? key + 1 : key;
}

export class NativeHistogramState {
  schema: number;
  zeroThreshold: number;
  zeroCount = 0;
  count = 0;
  sum = 0;
  readonly positive = new Map<number, number>();
  readonly negative = new Map<number, number>();
  private lastReset: number;

  constructor(private readonly limits: Required<NativeHistogramLimits>, private readonly now: () => number) {
    this.schema = schemaForFactor(limits.bucketFactor);
    this.zeroThreshold = limits.zeroThreshold < 0 ? 0 : limits.zeroThreshold;
    this.lastReset = now();
  }

  get bucketCount(): number {
    return this.positive.size + this.negative.size;
  }

  observe(v: number): void {
    this.add(v);
    if (this.limits.maxBuckets > 0 && this.bucketCount > this.limits.maxBuckets) this.limit(v);
  }

  private add(v: number): void {
    this.count++;
    this.sum += v;
    if (Number.isNaN(v)) return;
    if (v > this.zeroThreshold) bump(this.positive, bucketIndex(v, this.schema), 1);
    else if (v < -this.zeroThreshold) bump(this.negative, bucketIndex(v, this.schema), 1);
    else this.zeroCount++;
  }

  /** One step of client_golang's strategy: reset, else widen the zero bucket, else halve the resolution. */
  private limit(v: number): void {
    const l = this.limits;
    if (l.minResetDuration > 0 && this.now() - this.lastReset >= l.minResetDuration) {
      this.reset();
      this.add(v);
      return;
    }
    if (this.zeroThreshold < l.maxZeroThreshold) {
      const smallest = Math.min(...this.positive.keys(), ...this.negative.keys());
      if (Number.isFinite(smallest)) {
        const threshold = exponentialBound(smallest, this.schema);
        if (threshold <= l.maxZeroThreshold) {
          this.zeroThreshold = threshold;
          for (const side of [this.positive, this.negative]) {
            this.zeroCount += side.get(smallest) ?? 0;
            side.delete(smallest);
          }
          return;
        }
      }
    }
    if (this.schema === EXPONENTIAL_SCHEMA_MIN) return;
    for (const side of [this.positive, this.negative]) {
      const merged = new Map<number, number>();
      for (const [k, c] of side) bump(merged, targetIndex(k, this.schema, this.schema - 1), c);
      side.clear();
      for (const [k, c] of merged) side.set(k, c);
    }
    this.schema--;
  }

  /** Back to the initial state (a counter reset for whoever reads it). */
  reset(): void {
    this.schema = schemaForFactor(this.limits.bucketFactor);
    this.zeroThreshold = this.limits.zeroThreshold < 0 ? 0 : this.limits.zeroThreshold;
    this.zeroCount = this.count = this.sum = 0;
    this.positive.clear();
    this.negative.clear();
    this.lastReset = this.now();
  }

  /** The current value as an integer histogram, buckets in index order, no empty ones. */
  snapshot(): FloatHistogram {
    const p = layout(this.positive), n = layout(this.negative);
    return {
      integer: true, counterResetHint: CounterResetHint.Unknown, schema: this.schema, zeroThreshold: this.zeroThreshold,
      zeroCount: this.zeroCount, count: this.count, sum: this.sum,
      positiveSpans: p.spans, positiveBuckets: p.buckets, negativeSpans: n.spans, negativeBuckets: n.buckets,
    };
  }
}

function bump(m: Map<number, number>, k: number, by: number): void {
  m.set(k, (m.get(k) ?? 0) + by);
}

function layout(m: Map<number, number>): { spans: Span[]; buckets: number[] } {
  const keys = [...m.keys()].sort((a, b) => a - b);
  const spans: Span[] = [];
  const buckets: number[] = [];
  let next = 0;
  for (const k of keys) {
    const last = spans[spans.length - 1];
    if (last && k === next) last.length++;
    else spans.push({ offset: spans.length === 0 ? k : k - next, length: 1 });
    buckets.push(m.get(k)!);
    next = k + 1;
  }
  return { spans, buckets };
}
