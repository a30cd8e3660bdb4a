// Runs of histogram samples outside the head: encoding them into chunks for
// blocks (cut as the head cuts), merging runs from several sources, and
// dropping deleted ranges (tombstones).

import type { FloatHistogram } from '../model/histogram.js';
import { type HistogramChunkWithMeta, decodeHistogramChunks, encodeHistogramChunks } from '../wasm/histogram-codec.js';
import { chunkCut } from './histogram-cut.js';

export interface HistogramRun {
  timestamps: number[];
  histograms: FloatHistogram[];
}

export const emptyRun = (): HistogramRun => ({ timestamps: [], histograms: [] });

/**
 * Chunks for a run. Hints read from chunks stand (a chunk's first sample
 * keeps its header's), and every layout change or reset cuts again.
 */
export function encodeHistogramRun(run: HistogramRun): HistogramChunkWithMeta[] {
  let prev: FloatHistogram | null = null;
  const items = run.histograms.map((h, i) => {
    const cut = chunkCut(prev, h, true);
    prev = h;
    return { t: run.timestamps[i]!, h, cut };
  });
  return encodeHistogramChunks(items);
}

/** The samples of stored chunks within [mint, maxt]. */
export function decodeHistogramRun(chunks: readonly Uint8Array[], mint = -Infinity, maxt = Infinity): HistogramRun {
  return chunks.length === 0 ? emptyRun() : decodeHistogramChunks(chunks, mint, maxt);
}

/** run without the samples inside any of `ranges` (inclusive). */
export function histogramsWithoutRanges(run: HistogramRun, ranges: readonly (readonly [number, number])[]): HistogramRun {
  if (ranges.length === 0) return run;
  const out = emptyRun();
  run.timestamps.forEach((t, i) => {
    if (ranges.some(([lo, hi]) => t >= lo && t <= hi)) return;
    out.timestamps.push(t);
    out.histograms.push(run.histograms[i]!);
  });
  return out;
}

/** Merges time-ordered runs; a later run wins a timestamp several hold. */
export function mergeHistogramRuns(runs: readonly HistogramRun[]): HistogramRun {
  const nonEmpty = runs.filter((r) => r.timestamps.length > 0);
  if (nonEmpty.length <= 1) return nonEmpty[0] ?? emptyRun();
  const byT = new Map<number, FloatHistogram>();
  for (const r of nonEmpty) r.timestamps.forEach((t, i) => byT.set(t, r.histograms[i]!));
  const timestamps = [...byT.keys()].sort((a, b) => a - b);
  return { timestamps, histograms: timestamps.map((t) => byT.get(t)!) };
}
