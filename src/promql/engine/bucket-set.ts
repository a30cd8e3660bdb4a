// One classic histogram's buckets at one step, in scratch arrays that are
// reused from step to step: histogram_quantile over a range sorts and
// coalesces the buckets of every group at every step, and building bucket
// objects and arrays for each was its garbage. The order of operations is
// Prometheus's bucketQuantile (promql/quantile.go), so results are the same
// bits.

import { almostEqual } from './quantile.js';

export class BucketSet {
  /** Buckets as added (upper bound, count). */
  private upper = new Float64Array(16);
  private counts = new Float64Array(16);
  n = 0;
  /** The added buckets' indices, sorted by upper bound. */
  private readonly order: number[] = [];
  /**
   * The bounds `order` was sorted for: a group's buckets come in the same
   * order at every step, so the sort is done again only when they change.
   */
  private sortedUpper = new Float64Array(16);
  private sortedN = -1;
  /** Sorted and coalesced buckets. */
  private su = new Float64Array(16);
  private sc = new Float64Array(16);
  /** How many coalesced buckets addSorted() has written into su/sc. */
  private m = 0;
  /** Set by quantile(): whether counts had to be raised to be monotonic, and the first and last bucket raised. */
  forcedMonotonic = false;
  minBucket = 0;
  maxBucket = 0;
  maxDiff = 0;

  reset(): void {
    this.n = 0;
  }

  add(upperBound: number, count: number): void {
    if (this.n === this.upper.length) {
      this.upper = grow(this.upper);
      this.counts = grow(this.counts);
      this.su = grow(this.su);
      this.sc = grow(this.sc);
      this.sortedUpper = grow(this.sortedUpper);
    }
    this.upper[this.n] = upperBound;
    this.counts[this.n] = count;
    this.n++;
  }

  /** histogram_quantile's value for these buckets (at least one). */
  quantile(q: number): number {
    const outside = this.outsideRange(q);
    if (outside !== undefined) return outside;
    const m = this.sortAndCoalesce();
    if (m < 0) return NaN;
    return this.coalescedQuantile(m, q);
  }

  /**
   * Buckets handed over already in the order the sort would give them (by
   * bound, ties in the order they were added), coalesced as they come: for a
   * group whose bounds are known before its steps, which then needs no sort
   * and no check of its bounds at each step. resetSorted(), addSorted() for
   * each, then sortedQuantile().
   */
  resetSorted(): void {
    this.m = 0;
  }

  addSorted(upperBound: number, count: number): void {
    const m = this.m;
    if (m > 0 && this.su[m - 1] === upperBound) {
      this.sc[m - 1] = this.sc[m - 1]! + count;
      return;
    }
    if (m === this.su.length) {
      this.su = grow(this.su);
      this.sc = grow(this.sc);
    }
    this.su[m] = upperBound;
    this.sc[m] = count;
    this.m = m + 1;
  }

  /** quantile() of the buckets given to addSorted() (at least one). */
  sortedQuantile(q: number): number {
    const outside = this.outsideRange(q);
    if (outside !== undefined) return outside;
    if (this.su[this.m - 1] !== Infinity) return NaN;
    return this.coalescedQuantile(this.m, q);
  }

  /** Clears the last answer's flags; the answer for a NaN quantile or one outside [0, 1], else undefined. */
  private outsideRange(q: number): number | undefined {
    this.forcedMonotonic = false;
    this.minBucket = this.maxBucket = this.maxDiff = 0;
    if (Number.isNaN(q)) return NaN;
    if (q < 0) return -Infinity;
    if (q > 1) return Infinity;
    return undefined;
  }

  /** The quantile of su/sc's first m buckets, sorted and coalesced, the highest bound +Inf. */
  private coalescedQuantile(m: number, q: number): number {
    const su = this.su, sc = this.sc;
    // Monotonicity: tiny relative differences are precision noise; decreases are forced up.
    let prev = sc[0]!;
    for (let i = 1; i < m; i++) {
      const curr = sc[i]!;
      if (curr === prev) continue;
      if (almostEqual(prev, curr, 1e-12)) {
        sc[i] = prev;
        continue;
      }
      if (curr < prev) {
        if (!this.forcedMonotonic) this.minBucket = su[i]!;
        this.maxBucket = su[i]!;
        this.maxDiff = Math.max(this.maxDiff, prev - curr);
        sc[i] = prev;
        this.forcedMonotonic = true;
        continue;
      }
      prev = curr;
    }
    if (m < 2) return this.none(NaN);
    const observations = sc[m - 1]!;
    if (observations === 0) return this.none(NaN);
    let rank = q * observations;
    let b = 0;
    while (b < m - 1 && !(sc[b]! >= rank)) b++;
    if (b === m - 1) return su[m - 2]!;
    if (b === 0 && su[0]! <= 0) return su[0]!;
    let start = 0;
    const end = su[b]!;
    let count = sc[b]!;
    if (b > 0) {
      start = su[b - 1]!;
      count -= sc[b - 1]!;
      rank -= sc[b - 1]!;
    }
    return start + (end - start) * (rank / count);
  }

  /** A result that reports no monotonicity fix. */
  private none(v: number): number {
    this.forcedMonotonic = false;
    this.minBucket = this.maxBucket = this.maxDiff = 0;
    return v;
  }

  /**
   * Sorts by upper bound (the same stable sort and comparison as sorting the
   * bucket objects) and adds up buckets with equal bounds into su/sc; the
   * number of buckets left, or -1 when the highest bound is not +Inf.
   */
  private sortAndCoalesce(): number {
    const { upper, counts, order, su, sc } = this;
    if (!this.sameBounds()) {
      order.length = this.n;
      for (let i = 0; i < this.n; i++) order[i] = i;
      order.sort(byUpper(upper));
      this.sortedUpper.set(upper.subarray(0, this.n));
      this.sortedN = this.n;
    }
    if (upper[order[this.n - 1]!] !== Infinity) return -1;
    let m = 0;
    for (let k = 0; k < this.n; k++) {
      const i = order[k]!;
      if (m > 0 && su[m - 1] === upper[i]) sc[m - 1] = sc[m - 1]! + counts[i]!;
      else {
        su[m] = upper[i]!;
        sc[m] = counts[i]!;
        m++;
      }
    }
    return m;
  }

  /** Whether the bounds added are the ones `order` was last sorted for (NaN never is: sorted again). */
  private sameBounds(): boolean {
    if (this.n !== this.sortedN) return false;
    const a = this.upper, b = this.sortedUpper;
    for (let i = 0; i < this.n; i++) if (a[i] !== b[i]) return false;
    return true;
  }
}

function byUpper(upper: Float64Array): (a: number, b: number) => number {
  return (a, b) => (upper[a]! < upper[b]! ? -1 : upper[a]! > upper[b]! ? 1 : 0);
}

function grow(a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}
