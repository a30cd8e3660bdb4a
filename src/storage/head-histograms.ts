// A series' native histogram chunks in the head, kept beside its float
// chunks (a series may switch between the two, as in Prometheus): a list
// of their own, encoded in WASM (assembly/histogram.ts).

import { CounterResetHint, type FloatHistogram } from '../model/histogram.js';
import type { HistogramBatch } from './interfaces.js';
import { isStaleNaN } from '../model/stale.js';
import { statusMessage } from '../wasm/codec.js';
import {
  type HistogramAppend, appendHistogramBatch, decodeHistogramList, histogramChunkFromBytes, histogramChunkMeta,
} from '../wasm/histogram-codec.js';
import type { Head, MemSeries } from './head.js';
import { NO_CUT, chunkCut } from './histogram-cut.js';
import { StorageError } from './errors.js';
import { copyHistogram as copyModelHistogram } from '../model/histogram-resolution.js';

/** A deep copy, custom bounds included, so callers can neither change what was stored nor be changed by it. */
export function copyHistogram(h: FloatHistogram): FloatHistogram {
  const out = copyModelHistogram(h);
  if (out.customValues !== undefined) out.customValues = out.customValues.slice();
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

/** One series' histogram chunks (WASM pointers), oldest first; the last is open while the table of open chunks points at it. */
export class SeriesHistograms {
  chunks: number[] = [];
  /** Samples in all chunks. */
  count = 0;
  /** Where the leading closed chunks were persisted by a checkpoint (chunk file and slot), one entry per chunk. */
  persistedFile: number[] = [];
  persistedSlot: number[] = [];
  /** Changes whenever chunks leave the front of the list, so chunk positions change meaning. */
  generation = 0;

  get minT(): number {
    return this.chunks.length > 0 ? histogramChunkMeta(this.chunks[0]!).minT : Infinity;
  }

  get maxT(): number {
    return this.chunks.length > 0 ? histogramChunkMeta(this.chunks[this.chunks.length - 1]!).maxT : -Infinity;
  }

  /** Chunks that may hold samples in [mint, maxt]. */
  overlapping(mint: number, maxt: number): number[] {
    const out: number[] = [];
    for (const c of this.chunks) {
      const m = histogramChunkMeta(c);
      if (m.maxT < mint) continue;
      if (m.minT > maxt) break;
      out.push(c);
    }
    return out;
  }

  has(mint: number, maxt: number): boolean {
    const cs = this.overlapping(mint, maxt);
    for (const c of cs) {
      const m = histogramChunkMeta(c);
      if ((m.minT >= mint && m.minT <= maxt) || (m.maxT >= mint && m.maxT <= maxt)) return true;
    }
    return cs.length > 0 && decodeHistogramList(cs, mint, maxt).timestamps.length > 0;
  }

  /** The samples in [mint, maxt] as fresh objects, or undefined when there are none. */
  read(mint: number, maxt: number, skipStale: boolean): HistogramBatch | undefined {
    return toBatch(decodeHistogramList(this.overlapping(mint, maxt), mint, maxt), skipStale);
  }
}

/** A decoded run as a HistogramBatch (undefined when empty), staleness markers dropped when asked. */
export function toBatch(run: { timestamps: number[]; histograms: FloatHistogram[] }, skipStale: boolean): HistogramBatch | undefined {
  let { timestamps, histograms } = run;
  if (skipStale && histograms.some((h) => isStaleNaN(h.sum))) {
    const keep = histograms.map((h) => !isStaleNaN(h.sum));
    timestamps = timestamps.filter((_, i) => keep[i]);
    histograms = histograms.filter((_, i) => keep[i]);
  }
  if (timestamps.length === 0) return undefined;
  return { timestamps: Float64Array.from(timestamps), histograms };
}

/** A histogram sample for appendHistograms; afterFloat: the series' sample before it is a float. */
export interface PendingHistogram {
  s: MemSeries;
  t: number;
  h: FloatHistogram;
  afterFloat: boolean;
}

/**
 * Appends histogram samples (already checked for order) to their series'
 * chunks in one WASM call, cutting chunks where the layout changes, a
 * counter resets or the series switched from floats (see histogram-cut.ts).
 * `trustHints`: the samples come from chunks (rewrites), whose hints stand.
 */
export function appendHistograms(head: Head, items: readonly PendingHistogram[], trustHints = false): void {
  if (items.length === 0) return;
  const prevOf = new Map<MemSeries, FloatHistogram | null>();
  const batch: HistogramAppend[] = [];
  for (const it of items) {
    const { s, t, h } = it;
    const prev = it.afterFloat ? null : prevOf.has(s) ? prevOf.get(s)! : s.lastH;
    let cut = chunkCut(prev, h, trustHints);
    if (cut === NO_CUT && !head.hasOpenHistogramChunk(s)) cut = h.counterResetHint === CounterResetHint.Gauge ? CounterResetHint.Gauge : CounterResetHint.NotCounterReset;
    if (cut !== NO_CUT) head.closeHistogramChunk(s);
    prevOf.set(s, h);
    batch.push({ slot: s.id, cut, t, h });
  }
  const { appended, created, status } = appendHistogramBatch(head.histHeadsTable(), batch);
  for (let i = 0; i < created.length; i += 2) head.addHistogramChunk(head.get(created[i]!)!, created[i + 1]!);
  for (let i = 0; i < appended; i++) {
    const { s } = items[i]!;
    s.hist!.count++;
    head.samples++;
  }
  if (appended !== items.length) throw new StorageError(`BUG: histogram chunk append failed at sample ${appended} of ${items.length}: ${statusMessage(status)}`);
}

/** Decodes all of a series' histogram samples (for rewrites after deletions or truncation). */
export function allHistograms(s: MemSeries): { timestamps: number[]; histograms: FloatHistogram[] } {
  return s.hist ? decodeHistogramList(s.hist.chunks, -Infinity, Infinity) : { timestamps: [], histograms: [] };
}

/**
 * Loads histogram chunks of a series from a checkpoint, after those it
 * has (the closed ones its index entry listed). `open`: the last of them is
 * its open chunk (the checkpoint's record); `persisted`: where each came
 * from (index entries). The newest sample becomes the duplicate check's
 * reference when it is the series' newest.
 */
export function loadHistogramChunks(
  head: Head, s: MemSeries, chunks: readonly Uint8Array[], open = true, persisted: readonly { file: number; slot: number }[] = [],
): void {
  if (chunks.length === 0) return;
  const ptrs = chunks.map(histogramChunkFromBytes);
  for (let i = 0; i < ptrs.length; i++) {
    if (open && i === ptrs.length - 1) head.setOpenHistogramChunk(s, ptrs[i]!);
    else head.addHistogramChunk(s, ptrs[i]!);
    const p = persisted[i];
    if (p) {
      s.hist!.persistedFile.push(p.file);
      s.hist!.persistedSlot.push(p.slot);
    }
    const m = histogramChunkMeta(ptrs[i]!);
    s.hist!.count += m.samples;
    head.samples += m.samples;
    if (m.minT < head.minT) head.minT = m.minT;
    if (m.maxT > head.maxT) head.maxT = m.maxT;
  }
  const last = histogramChunkMeta(ptrs[ptrs.length - 1]!);
  if (last.maxT >= s.maxT) {
    s.maxT = last.maxT;
    s.lastH = decodeHistogramList([ptrs[ptrs.length - 1]!], last.maxT, last.maxT).histograms[0] ?? null;
  }
}

/** The committed histogram of s at t, if it has one (only the chunks around t are decoded). */
export function storedHistogramAt(s: MemSeries, t: number): FloatHistogram | undefined {
  if (!s.hist || s.hist.chunks.length === 0) return undefined;
  return decodeHistogramList(s.hist.overlapping(t, t), t, t).histograms[0];
}

/**
 * Merges out-of-order histograms (by timestamp; none at a time s holds)
 * into s's histogram chunks: decoded, merged and encoded again (hints kept,
 * chunks cut as on append). Returns how many were added.
 */
export function mergeOutOfOrderHistograms(head: Head, s: MemSeries, late: ReadonlyMap<number, FloatHistogram>): number {
  const stored = s.hist ? decodeHistogramList(s.hist.chunks, -Infinity, Infinity) : { timestamps: [], histograms: [] };
  const byT = new Map<number, FloatHistogram>();
  stored.timestamps.forEach((t, i) => byT.set(t, stored.histograms[i]!));
  let added = 0;
  for (const [t, h] of late) {
    if (byT.has(t)) continue;
    byT.set(t, h);
    added++;
  }
  if (added === 0) return 0;
  const times = [...byT.keys()].sort((a, b) => a - b);
  const { lastH, maxT } = s;
  head.clearHistograms(s);
  appendHistograms(head, times.map((t, i) => ({ s, t, h: byT.get(t)!, afterFloat: i === 0 })), true);
  s.lastH = lastH;
  s.maxT = maxT;
  if (times[0]! < head.minT) head.minT = times[0]!;
  return added;
}
