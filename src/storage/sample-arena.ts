// The arrays a querier's sample reads are copied into. A series read for a
// query is held by the engine until the query ends, so each needs memory
// of its own; but an ArrayBuffer per series and array (two per series,
// hundreds per query) is a backing store allocated outside the heap and an
// extension the collector tracks and sweeps. A querier instead carves its
// series' arrays out of a few shared buffers: every view is its own range,
// never handed out twice, and a buffer lives as long as any view of it.

/** Timestamps and values of one read: views of one buffer, each its own range. */
export interface SampleArrays {
  timestamps: Float64Array;
  values: Float64Array;
}

/**
 * Samples in the first buffer (16 KiB: a querier that reads a few samples,
 * as a rule's, allocates little); each next one doubles, up to MAX_BLOCK
 * (1 MiB), which bounds the unused tail a querier leaves.
 */
const FIRST_BLOCK = 1024;
const MAX_BLOCK = 64 * 1024;

export class SampleArena {
  private t: Float64Array = new Float64Array(0);
  private v: Float64Array = new Float64Array(0);
  private used = 0;
  private next = FIRST_BLOCK;

  /** Arrays for n samples, of this arena's memory no other call was given. */
  take(n: number): SampleArrays {
    if (this.used + n > this.t.length) {
      const cap = Math.max(n, this.next);
      this.next = Math.min(this.next * 2, MAX_BLOCK);
      // One buffer for both halves: one backing store per block.
      const buf = new ArrayBuffer(cap * 16);
      this.t = new Float64Array(buf, 0, cap);
      this.v = new Float64Array(buf, cap * 8, cap);
      this.used = 0;
    }
    const from = this.used;
    this.used += n;
    return { timestamps: this.t.subarray(from, from + n), values: this.v.subarray(from, from + n) };
  }
}
