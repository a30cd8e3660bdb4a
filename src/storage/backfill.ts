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

/**
 * Groups samples by series and sorts each by time. A repeated timestamp with
 * the same value is dropped; with another value it is rejected as a duplicate.
 */
export function groupSeries(samples: Iterable<BackfillInput>, rejected: string[], where: (line: number) => string = (l) => `line ${l}`): BackfillSeries[] {
  const byKey = new Map<string, { labels: Labels; ts: number[]; vs: number[]; lines: number[]; sorted: boolean }>();
  for (const s of samples) {
    const key = labelsKey(s.labels);
    let g = byKey.get(key);
    if (!g) byKey.set(key, (g = { labels: s.labels, ts: [], vs: [], lines: [], sorted: true }));
    if (g.ts.length > 0 && s.t < g.ts[g.ts.length - 1]!) g.sorted = false;
    g.ts.push(s.t);
    g.vs.push(s.v);
    g.lines.push(s.line);
  }
  const out: BackfillSeries[] = [];
  const f64 = new Float64Array(1), bits = new BigUint64Array(f64.buffer);
  const bitsOf = (v: number) => { f64[0] = v; return bits[0]; };
  for (const g of byKey.values()) {
    let order = g.ts.map((_, i) => i);
    if (!g.sorted) order = order.sort((a, b) => g.ts[a]! - g.ts[b]! || a - b);
    const ts = new Float64Array(order.length), vs = new Float64Array(order.length);
    let n = 0;
    for (const i of order) {
      const t = g.ts[i]!, v = g.vs[i]!;
      if (n > 0 && ts[n - 1] === t) {
        if (bitsOf(vs[n - 1]!) !== bitsOf(v)) rejected.push(`${where(g.lines[i]!)}: duplicate sample for timestamp ${t}: ${vs[n - 1]} already, got ${v}`);
        continue;
      }
      ts[n] = t;
      vs[n] = v;
      n++;
    }
    out.push({ labels: g.labels, ts: ts.subarray(0, n), vs: vs.subarray(0, n) });
  }
  return out.sort((a, b) => compareLabels(a.labels, b.labels));
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
