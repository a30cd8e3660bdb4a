// Compaction, as Prometheus's tsdb/compact.go: blocks of the same aligned
// window merge into one of the next range (2h, then ×3 per level, up to 10%
// of retention or 31 days), and blocks that overlap in time (a backfill over
// existing data) merge into one. Chunks are copied as they are when a
// series' sources do not overlap; otherwise samples are merged and encoded again.

import { compareLabels } from '../model/labels.js';
import type { Block } from './block.js';
import type { BlockWriter, ChunkToWrite } from './block-writer.js';
import { decodeHistogramRun, encodeHistogramRun, histogramsWithoutRanges, mergeHistogramRuns } from './histogram-runs.js';
import type { BlockMeta, BlockSeriesEntry } from './block-format.js';
import { encodeChunksWithMeta } from '../wasm/codec.js';
import { decodeStored, mergeRuns, withoutRanges } from './merge-read.js';

const HOUR = 3600_000;
export const DEFAULT_BLOCK_RANGE = 2 * HOUR;

/** The block ranges compaction builds: base × 3^k, capped at min(31d, retention / 10). */
export function compactionRanges(retentionMs: number, base = DEFAULT_BLOCK_RANGE): number[] {
  const cap = Math.min(31 * 24 * HOUR, retentionMs > 0 ? retentionMs / 10 : Infinity);
  const out = [base];
  for (let r = base * 3; r <= cap && out.length < 10; r *= 3) out.push(r);
  return out;
}

export interface CompactionPlan {
  blocks: Block[];
  mint: number;
  maxt: number;
}

/** The next set of blocks to merge, or null. `blocks` sorted by minTime. */
export function planCompaction(blocks: readonly Block[], ranges: readonly number[]): CompactionPlan | null {
  // Overlapping blocks first (vertical compaction).
  for (let i = 0; i < blocks.length; i++) {
    const group = [blocks[i]!];
    let maxt = blocks[i]!.maxTime;
    for (let j = i + 1; j < blocks.length && blocks[j]!.minTime < maxt; j++) {
      group.push(blocks[j]!);
      maxt = Math.max(maxt, blocks[j]!.maxTime);
    }
    if (group.length > 1) return { blocks: group, mint: group[0]!.minTime, maxt };
  }
  // A block with tombstones is written again without the deleted samples (Prometheus does so past 5% of
  // series or on clean_tombstones; promlet at the next compaction, so deletions leave the disk soon).
  const stoned = blocks.find((b) => b.tombstones.size > 0);
  if (stoned) return { blocks: [stoned], mint: stoned.minTime, maxt: stoned.maxTime };
  const newest = blocks.reduce((t, b) => Math.max(t, b.maxTime), -Infinity);
  for (const r of ranges.slice(1)) {
    const windows = new Map<number, Block[]>();
    for (const b of blocks) {
      const w = Math.floor(b.minTime / r) * r;
      if (b.maxTime > w + r) continue;
      const list = windows.get(w);
      if (list) list.push(b);
      else windows.set(w, [b]);
    }
    for (const [w, group] of [...windows].sort((a, b) => a[0] - b[0])) {
      // A window still being filled (by the head's next blocks) waits, as Prometheus's planner does.
      if (group.length < 2 || w + r > newest) continue;
      return { blocks: group, mint: w, maxt: w + r };
    }
  }
  return null;
}

/** A block's series in label order (its index orders references that way), read past the cache: a merge reads each once. */
function* seriesOf(block: Block): Generator<BlockSeriesEntry> {
  try {
    for (const ref of block.all()) yield block.series(ref, true, false);
  } finally {
    block.dropPassingPages();
  }
}

/**
 * Writes the union of `blocks` (sorted by minTime) to `writer`, dropping
 * samples `deleted` says to (tombstones) and those outside [mint, maxt).
 */
export function mergeBlocks(
  blocks: readonly Block[], writer: BlockWriter, mint: number, maxt: number,
  deleted: (b: Block, e: BlockSeriesEntry) => readonly (readonly [number, number])[] = (b, e) => b.deleted(e.ref!),
): void {
  for (const _ of mergeBlocksSteps(blocks, writer, mint, maxt, deleted));
}

/** mergeBlocks a series at a time: yields after each, so a caller can let other work run between them. */
export function* mergeBlocksSteps(
  blocks: readonly Block[], writer: BlockWriter, mint: number, maxt: number,
  deleted: (b: Block, e: BlockSeriesEntry) => readonly (readonly [number, number])[] = (b, e) => b.deleted(e.ref!),
): Generator<void> {
  const its = blocks.map((b) => seriesOf(b));
  const cur = its.map((it) => it.next());
  for (;;) {
    let lowest: BlockSeriesEntry | null = null;
    for (const c of cur) if (!c.done && (!lowest || compareLabels(c.value.labels, lowest.labels) < 0)) lowest = c.value;
    if (!lowest) return;
    const parts: { block: Block; entry: BlockSeriesEntry }[] = [];
    for (let k = 0; k < cur.length; k++) {
      const c = cur[k]!;
      if (!c.done && compareLabels(c.value.labels, lowest.labels) === 0) {
        parts.push({ block: blocks[k]!, entry: c.value });
        cur[k] = its[k]!.next();
      }
    }
    writeMerged(parts, writer, mint, maxt, deleted);
    yield;
  }
}

function writeMerged(
  parts: { block: Block; entry: BlockSeriesEntry }[], writer: BlockWriter, mint: number, maxt: number,
  deleted: (b: Block, e: BlockSeriesEntry) => readonly (readonly [number, number])[],
): void {
  const labels = parts[0]!.entry.labels;
  const starts = mergeStarts(parts.map((p) => p.entry.starts));
  const enc = parts[0]!.block.encoding;
  const chunks = parts.flatMap((p) => p.entry.chunks.map((c) => ({ ...c, block: p.block })));
  let copyable = parts.every((p) => deleted(p.block, p.entry).length === 0);
  for (let i = 0; i < chunks.length && copyable; i++) {
    const c = chunks[i]!;
    if (c.minT < mint || c.maxT >= maxt || (i > 0 && c.minT <= chunks[i - 1]!.maxT)) copyable = false;
  }
  const hchunks = mergedHistogramChunks(parts, mint, maxt, deleted);
  if (copyable) {
    writer.addSeries(labels, chunks.map((c) => ({ bytes: c.block.chunk(c, false), minT: c.minT, maxT: c.maxT, samples: c.samples })), starts, hchunks);
    return;
  }
  const runs = parts.map((p) => withoutRanges(decodeStored(p.entry.chunks.map((c) => p.block.chunk(c, false)), enc, mint, maxt - 1), deleted(p.block, p.entry)));
  const merged = mergeRuns(runs);
  if (merged.timestamps.length === 0 && hchunks.length === 0) return;
  const kept = starts ? { t: [] as number[], st: [] as number[] } : null;
  if (starts && kept) {
    const at = new Set(merged.timestamps);
    // Histogram samples' starts too: those within the kept histogram chunks and outside every deleted range.
    const gone = parts.flatMap((p) => deleted(p.block, p.entry));
    const histogramAt = (t: number) => t >= mint && t < maxt && hchunks.some((c) => t >= c.minT && t <= c.maxT) && !gone.some(([lo, hi]) => t >= lo && t <= hi);
    starts.t.forEach((t, i) => { if (at.has(t) || histogramAt(t)) { kept.t.push(t); kept.st.push(starts.st[i]!); } });
  }
  writer.addSeries(labels, merged.timestamps.length > 0 ? encodeChunksWithMeta(enc, merged.timestamps, merged.values) : [], kept, hchunks);
}

/** The series' histogram chunks in the merged block: copied when they need no change, else decoded, merged and encoded again. */
function mergedHistogramChunks(
  parts: { block: Block; entry: BlockSeriesEntry }[], mint: number, maxt: number,
  deleted: (b: Block, e: BlockSeriesEntry) => readonly (readonly [number, number])[],
): ChunkToWrite[] {
  const all = parts.flatMap((p) => (p.entry.hchunks ?? []).map((c) => ({ ...c, block: p.block })));
  if (all.length === 0) return [];
  let copyable = parts.every((p) => !p.entry.hchunks?.length || deleted(p.block, p.entry).length === 0);
  for (let i = 0; i < all.length && copyable; i++) {
    const c = all[i]!;
    if (c.minT < mint || c.maxT >= maxt || (i > 0 && c.minT <= all[i - 1]!.maxT)) copyable = false;
  }
  if (copyable) return all.map((c) => ({ bytes: c.block.chunk(c, false), minT: c.minT, maxT: c.maxT, samples: c.samples }));
  const runs = parts.map((p) => histogramsWithoutRanges(
    decodeHistogramRun((p.entry.hchunks ?? []).map((c) => p.block.chunk(c, false)), mint, maxt - 1), deleted(p.block, p.entry),
  ));
  return encodeHistogramRun(mergeHistogramRuns(runs));
}

function mergeStarts(lists: (BlockSeriesEntry['starts'])[]): BlockSeriesEntry['starts'] {
  const present = lists.filter((l): l is NonNullable<typeof l> => !!l);
  if (present.length === 0) return null;
  if (present.length === 1) return present[0]!;
  const m = new Map<number, number>();
  for (const l of present) l.t.forEach((t, i) => m.set(t, l.st[i]!));
  const t = [...m.keys()].sort((a, b) => a - b);
  return { t, st: t.map((x) => m.get(x)!) };
}

/** meta.json's compaction section for a block merged from `blocks`. */
export function mergedCompaction(blocks: readonly Block[]): BlockMeta['compaction'] {
  return {
    level: Math.max(...blocks.map((b) => b.meta.compaction.level)) + 1,
    sources: [...new Set(blocks.flatMap((b) => b.meta.compaction.sources))].sort(),
    parents: blocks.map((b) => ({ ulid: b.ulid, minTime: b.minTime, maxTime: b.maxTime })),
  };
}
