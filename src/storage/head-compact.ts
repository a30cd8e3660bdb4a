// Moving the head's oldest data into a block: the samples of [mint, maxt)
// are encoded afresh per series (chunks cut at the block's bounds, as
// Prometheus cuts head chunks at block boundaries), then the head lets go of
// everything before maxt, so those chunks leave WASM memory.

import { compareLabels } from '../model/labels.js';
import { appendBatch, decodeList, encodeChunksWithMeta } from '../wasm/codec.js';
import type { Head, MemSeries } from './head.js';
import type { BlockWriter } from './block-writer.js';
import { decodeHistogramList } from '../wasm/histogram-codec.js';
import { appendHistograms } from './head-histograms.js';
import { emptyRun, encodeHistogramRun } from './histogram-runs.js';
import { StorageError } from './errors.js';

type Starts = { t: number[]; st: number[] };

function startsWithin(starts: Starts | null, lo: number, hi: number): Starts | null {
  if (!starts) return null;
  const out: Starts = { t: [], st: [] };
  starts.t.forEach((t, i) => {
    if (t >= lo && t <= hi) {
      out.t.push(t);
      out.st.push(starts.st[i]!);
    }
  });
  return out.t.length > 0 ? out : null;
}

/** Writes the head's samples in [mint, maxt) to `writer`, series in label order. */
export function writeHeadRange(head: Head, mint: number, maxt: number, writer: BlockWriter): void {
  for (const _ of headRangeSteps(head, mint, maxt, writer));
}

/**
 * writeHeadRange a series at a time: yields after each, so a caller can let
 * other work run between them. Appends may go on meanwhile as long as none
 * lands in [mint, maxt) (the head's minValidTime is maxt by then) and the
 * chunks stay pinned (a reader held): each series is read as it is when its
 * turn comes.
 */
export function* headRangeSteps(head: Head, mint: number, maxt: number, writer: BlockWriter): Generator<void> {
  const series = head.series.filter((s): s is MemSeries => !!s && s.hasSamples && s.maxT >= mint && head.seriesMinTime(s) < maxt);
  series.sort((a, b) => compareLabels(a.labels, b.labels));
  for (const s of series) {
    if (!s.hasSamples) continue;
    const { timestamps, values } = decodeList(head.chunksOverlapping(s, mint, maxt - 1), head.enc, mint, maxt - 1, false);
    const hist = s.hist ? decodeHistogramList(s.hist.overlapping(mint, maxt - 1), mint, maxt - 1) : emptyRun();
    if (timestamps.length > 0 || hist.timestamps.length > 0) {
      const chunks = timestamps.length > 0 ? encodeChunksWithMeta(head.enc, timestamps, values) : [];
      writer.addSeries(s.labels, chunks, startsWithin(s.starts, mint, maxt - 1), encodeHistogramRun(hist));
    }
    yield;
  }
}

/** Writes s's histograms at or after t again (and frees the rest); the rewrite keeps each chunk's hints. */
function rewriteHistogramsFrom(head: Head, s: MemSeries, t: number): void {
  if (!s.hist || s.hist.minT >= t) return;
  const run = decodeHistogramList(s.hist.chunks, t, Infinity);
  const lastH = s.lastH, maxT = s.maxT;
  head.clearHistograms(s);
  appendHistograms(head, run.timestamps.map((ts, i) => ({ s, t: ts, h: run.histograms[i]!, afterFloat: i === 0 })), true);
  s.lastH = lastH;
  s.maxT = maxT;
}

/**
 * Drops every sample before t from the head: whole chunks are freed, and a
 * chunk holding samples on both sides is written again with the later ones.
 * Appends before t are out of bounds from now on (the data is in a block).
 */
export function truncateHeadBefore(head: Head, t: number): void {
  for (const _ of truncateHeadSteps(head, t));
}

/**
 * truncateHeadBefore a series at a time: yields after each rewrite, so a
 * caller can let other work run between them. Only for a range a block
 * already holds, with every querier opened before that block joined
 * closed: a querier opened since reads the block, so a head truncated in
 * part still gives it every sample. Appends may go on meanwhile (none
 * before t: minValidTime is t from the first step).
 */
export function* truncateHeadSteps(head: Head, t: number): Generator<void> {
  head.minValidTime = Math.max(head.minValidTime, t);
  head.truncateBefore(t);
  yield;
  for (const s of head.series) {
    if (!s || !s.hasSamples || head.seriesMinTime(s) >= t) continue;
    yield;
    // Removed, or rewritten by a commit's retention, between steps.
    if (!s.hasSamples || head.get(s.id) !== s || head.seriesMinTime(s) >= t) continue;
    rewriteHistogramsFrom(head, s, t);
    if (s.chunks.length === 0) {
      if (!s.hasSamples) head.removeSeries(s);
      continue;
    }
    if (head.floatMinTime(s) >= t) continue;
    const { timestamps, values } = decodeList(s.chunks, head.enc, t, Infinity, false);
    const starts = startsWithin(s.starts, t, Infinity);
    const lastValue = s.lastValue, maxT = s.maxT;
    head.clearSeries(s);
    const n = timestamps.length;
    if (n === 0) {
      if (!s.hasSamples) head.removeSeries(s);
      continue;
    }
    const { appended, created, status } = appendBatch(head.headsTable(), new Uint32Array(n).fill(s.id), timestamps, values, n, head.enc);
    if (appended !== n) throw new StorageError(`BUG: rewriting ${s.key} after moving data to a block failed with status ${status}`);
    for (let i = 0; i < created.length; i += 2) head.addChunk(s, created[i + 1]!);
    s.totalSamples = n;
    head.samples += n;
    s.maxT = maxT;
    s.lastValue = lastValue;
    s.starts = starts;
  }
  head.refreshTimeRange();
}
