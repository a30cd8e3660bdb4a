// The values of a moving window kept sorted as it moves, for
// quantile_over_time over many steps: sorting each window again cost
// O(w log w) with a comparator per step, although consecutive windows
// mostly share all but a sample or two.
//
// The order is exactly the one quantile() leaves after its stable sort of
// the window in time order: by value with NaN first, and values that
// compare equal (NaNs; -0 and 0) in time order. So the quantile read from
// here is the same bits. The invariant holds because a window loses its
// oldest samples (the first of their equal run) and gains its newest (the
// last of theirs).

/** Prometheus's ordering for quantile(): NaN first, then by value. */
export function byValue(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
  if (Number.isNaN(b)) return 1;
  return a - b;
}

export class SortedWindow {
  /** Sorted values in [0, size). */
  values = new Float64Array(64);
  size = 0;
  /** The sample indices [lo, hi) the window holds. */
  private lo = 0;
  private hi = 0;

  /** Makes the window hold v[lo..hi), moving from what it holds now when that is cheaper. */
  moveTo(v: Float64Array, lo: number, hi: number): void {
    const leaving = lo - this.lo, entering = hi - this.hi;
    // Windows only move forward; a jump past the held samples, or one that replaces most
    // of them, is sorted afresh.
    if (this.size === 0 || leaving < 0 || entering < 0 || lo >= this.hi || leaving + entering > (hi - lo) / 2 + 4) {
      this.rebuild(v, lo, hi);
      return;
    }
    for (let i = this.lo; i < lo; i++) this.remove(v[i]!);
    if (hi - lo > this.values.length) this.grow(hi - lo);
    for (let i = this.hi; i < hi; i++) this.insert(v[i]!);
    this.lo = lo;
    this.hi = hi;
  }

  /** Forgets what it holds (a new series); a buffer grown for a very wide window is let go. */
  clear(): void {
    this.size = 0;
    this.lo = this.hi = 0;
    if (this.values.length > 1 << 16) this.values = new Float64Array(64);
  }

  private rebuild(v: Float64Array, lo: number, hi: number): void {
    const n = hi - lo;
    if (n > this.values.length) this.grow(n);
    const w = this.values.subarray(0, n);
    w.set(v.subarray(lo, hi));
    // A typed array's sort with a comparator is stable, as Array's is.
    w.sort(byValue);
    this.size = n;
    this.lo = lo;
    this.hi = hi;
  }

  private grow(n: number): void {
    let cap = this.values.length;
    while (cap < n) cap *= 2;
    const next = new Float64Array(cap);
    next.set(this.values.subarray(0, this.size));
    this.values = next;
  }

  /** Removes the first value equal to x under byValue: the oldest of its run. */
  private remove(x: number): void {
    const w = this.values;
    let a = 0, b = this.size;
    if (Number.isNaN(x)) {
      b = 0;
    } else {
      // First position whose value is not NaN and not below x.
      while (a < b) {
        const m = (a + b) >>> 1;
        const y = w[m]!;
        if (Number.isNaN(y) || y < x) a = m + 1;
        else b = m;
      }
    }
    w.copyWithin(b, b + 1, this.size);
    this.size--;
  }

  /** Inserts x after every value at or below it under byValue: the newest of its run. */
  private insert(x: number): void {
    const w = this.values;
    let a = 0, b = this.size;
    const nan = Number.isNaN(x);
    while (a < b) {
      const m = (a + b) >>> 1;
      const y = w[m]!;
      if (Number.isNaN(y) || (!nan && y <= x)) a = m + 1;
      else b = m;
    }
    w.copyWithin(a + 1, a, this.size);
    w[a] = x;
    this.size++;
  }

  /** quantile()'s interpolation between ranks over the held values (a non-empty window). */
  quantile(q: number): number {
    if (Number.isNaN(q)) return NaN;
    if (q < 0) return -Infinity;
    if (q > 1) return Infinity;
    const n = this.size, w = this.values;
    const rank = q * (n - 1);
    const lower = Math.max(0, Math.floor(rank));
    const upper = Math.min(n - 1, lower + 1);
    const weight = rank - Math.floor(rank);
    return w[lower]! * (1 - weight) + w[upper]! * weight;
  }
}
