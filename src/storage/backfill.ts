// Backfilling: samples grouped by series, sorted, and cut into aligned
// blocks written directly (no log, no head), as promtool's
// `tsdb create-blocks-from` does. Where the blocks go is the caller's.

import { compareLabels, labelsKey, type Labels } from '../model/labels.js';
import { encodeChunksWithMeta, ENCODING_IDS, type ChunkEncoding } from '../wasm/codec.js';
import type { BlockWriter } from './block-writer.js';

export interface BackfillSeries {
  labels: Labels;
  ts: Float64Array;
  vs: Float64Array;
}

export interface BackfillInput {
  labels: Labels;
  t: number;
  v: number;
  /** For rejection messages. */
  line: number;
}

interface Collected {
  labels: Labels;
  ts: Float64Array;
  vs: Float64Array;
  /** Input line of each sample, for duplicate messages. */
  lines: Uint32Array;
  n: number;
  sorted: boolean;
}

/**
 * Samples of many series collected in typed arrays (about 20 bytes a
 * sample, no object per sample), then sorted and checked per series.
 */
export class BackfillBuffer {
  private readonly ids = new Map<string, number>();
  private readonly series: Collected[] = [];
  /** Samples added so far. */
  samples = 0;

  /** The id of the series with these labels; a new series on first sight. */
  seriesId(labels: Labels): number {
    const key = labelsKey(labels);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.series.length;
      this.ids.set(key, id);
      this.series.push({ labels, ts: new Float64Array(8), vs: new Float64Array(8), lines: new Uint32Array(8), n: 0, sorted: true });
    }
    return id;
  }

  add(id: number, t: number, v: number, line: number): void {
    const c = this.series[id]!;
    let n = c.n;
    if (n === c.ts.length) this.grow(c);
    if (n > 0 && t < c.ts[n - 1]!) c.sorted = false;
    c.ts[n] = t;
    c.vs[n] = v;
    c.lines[n] = line;
    c.n = ++n;
    this.samples++;
  }

  private grow(c: Collected): void {
    const size = c.ts.length * 2;
    const ts = new Float64Array(size), vs = new Float64Array(size), lines = new Uint32Array(size);
    ts.set(c.ts);
    vs.set(c.vs);
    lines.set(c.lines);
    c.ts = ts;
    c.vs = vs;
    c.lines = lines;
  }

  /**
   * Every series sorted by time, sorted by labels. A repeated timestamp with
   * the same value is dropped; with another value it is rejected as a
   * duplicate of the first in input order. Empties the buffer.
   */
  finish(rejected: string[], where: (line: number) => string = (l) => `line ${l}`): BackfillSeries[] {
    const out: BackfillSeries[] = [];
    const f64 = new Float64Array(1), bits = new BigUint64Array(f64.buffer);
    const bitsOf = (v: number) => { f64[0] = v; return bits[0]; };
    for (const c of this.series) {
      // A series whose every line was rejected (no timestamp) is no series.
      if (c.n === 0) continue;
      const { ts: srcT, vs: srcV, lines } = c;
      let ts = srcT, vs = srcV;
      let order: Uint32Array | null = null;
      if (!c.sorted) {
        // Stable: among equal timestamps the first in the input comes first.
        order = new Uint32Array(c.n);
        for (let i = 0; i < c.n; i++) order[i] = i;
        order.sort((a, b) => srcT[a]! - srcT[b]! || a - b);
        ts = new Float64Array(c.n);
        vs = new Float64Array(c.n);
      }
      // Sorted input is compacted in place (the write index never passes the read index).
      let n = 0;
      for (let k = 0; k < c.n; k++) {
        const i = order ? order[k]! : k;
        const t = srcT[i]!, v = srcV[i]!;
        if (n > 0 && ts[n - 1] === t) {
          if (bitsOf(vs[n - 1]!) !== bitsOf(v)) rejected.push(`${where(lines[i]!)}: duplicate sample for timestamp ${t}: ${vs[n - 1]} already, got ${v}`);
          continue;
        }
        ts[n] = t;
        vs[n] = v;
        n++;
      }
      // Let the line numbers (and an unsorted copy) go as each series is done.
      c.lines = new Uint32Array(0);
      c.ts = c.vs = new Float64Array(0);
      out.push({ labels: c.labels, ts: ts.subarray(0, n), vs: vs.subarray(0, n) });
    }
    this.series.length = 0;
    this.ids.clear();
    this.samples = 0;
    return out.sort((a, b) => compareLabels(a.labels, b.labels));
  }
}

/**
 * Groups samples by series and sorts each by time. A repeated timestamp with
 * the same value is dropped; with another value it is rejected as a duplicate.
 */
export function groupSeries(samples: Iterable<BackfillInput>, rejected: string[], where: (line: number) => string = (l) => `line ${l}`): BackfillSeries[] {
  const buffer = new BackfillBuffer();
  for (const s of samples) buffer.add(buffer.seriesId(s.labels), s.t, s.v, s.line);
  return buffer.finish(rejected, where);
}

/** The aligned [mint, maxt) ranges of `blockRange` that hold samples. */
export function backfillRanges(series: readonly BackfillSeries[], blockRange: number): [number, number][] {
  const starts = new Set<number>();
  for (const s of series) {
    // Sorted timestamps: step from range to range without visiting each sample.
    let i = 0;
    while (i < s.ts.length) {
      const lo = Math.floor(s.ts[i]! / blockRange) * blockRange;
      starts.add(lo);
      i = lowerBound(s.ts, lo + blockRange, i);
    }
  }
  return [...starts].sort((a, b) => a - b).map((lo) => [lo, lo + blockRange]);
}

export function lowerBound(a: Float64Array, x: number, from = 0): number {
  let lo = from, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Adds every series' samples within [mint, maxt) to a block writer; returns the samples added. */
export function fillBackfillBlock(series: readonly BackfillSeries[], encoding: ChunkEncoding, mint: number, maxt: number, w: BlockWriter): number {
  const enc = ENCODING_IDS[encoding];
  let n = 0;
  for (const s of series) {
    const lo = lowerBound(s.ts, mint), hi = lowerBound(s.ts, maxt, lo);
    if (hi === lo) continue;
    w.addSeries(s.labels, encodeChunksWithMeta(enc, s.ts.subarray(lo, hi), s.vs.subarray(lo, hi)));
    n += hi - lo;
  }
  return n;
}
