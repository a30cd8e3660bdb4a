// The blocks of a BlockBackend over time (a Node data directory, a browser's
// private file system): opened at start, cut from the
// head once it spans 1.5 block ranges (as Prometheus's head compaction),
// merged by compaction, and deleted whole by time and size retention. Every
// step leaves the directory whole: a block appears by a rename, parents of a
// merge go only after the merged block is in place (and a crash in between
// leaves overlapping blocks, which the next compaction merges again).

import type { DB } from './db.js';
import { BlockWriter } from './block-writer.js';
import type { Block } from './block.js';
import type { BlockMeta } from './block-format.js';
import { type CompactionPlan, compactionRanges, DEFAULT_BLOCK_RANGE, mergeBlocks, mergeBlocksSteps, mergedCompaction, planCompaction } from './compact.js';
import type { BlockBackend } from './block-backend.js';
import { deleteBlockInBackground, listBlocks, openBlock, readMeta, startBlock, writeBlock } from './block-store.js';
import type { ChunkEncoding } from '../wasm/codec.js';

export interface BlockPolicy {
  /** The head's block range (default 2h); the head is cut when it spans 1.5 of them. */
  blockRange?: number;
  /** Merge blocks into larger ranges (default true). */
  compaction?: boolean;
}

const iso = (t: number) => new Date(t).toISOString();

/** Opens every block of the backend (removing half-written ones unless read-only). */
export function openBlocks(backend: BlockBackend, db: DB, readOnly: boolean, warn: (m: string) => void): Block[] {
  const blocks: Block[] = [];
  try {
    for (const ulid of listBlocks(backend, readOnly, warn)) blocks.push(openBlock(backend, ulid, db.cache));
  } catch (e) {
    for (const b of blocks) b.close();
    throw e;
  }
  return blocks;
}

/** The chunk encoding of the backend's blocks, if it has any. */
export function blocksEncoding(backend: BlockBackend, readOnly: boolean, warn: (m: string) => void): ChunkEncoding | undefined {
  const [first] = listBlocks(backend, readOnly, warn);
  if (!first) return undefined;
  return readMeta(backend, first).promlet?.encoding as ChunkEncoding | undefined;
}

/** The newest time a block cut from the head covers: the head never holds samples before it again. */
export function headCutUpTo(db: DB): number {
  return db.blockList().reduce((t, b) => (b.meta.promlet?.fromHead ? Math.max(t, b.maxTime) : t), -Infinity);
}

/** Cuts blocks from the head while it spans more than 1.5 block ranges; returns how many ranges were cut. */
export function cutHeadBlocks(backend: BlockBackend, db: DB, policy: BlockPolicy): number {
  const range = policy.blockRange ?? DEFAULT_BLOCK_RANGE;
  let cuts = 0;
  for (;;) {
    const { minTime, maxTime } = db.headRange();
    if (minTime === null || maxTime === null || maxTime - minTime <= range * 1.5) return cuts;
    const mint = Math.floor(minTime / range) * range, maxt = mint + range;
    const meta = writeBlock(backend, (sink) => new BlockWriter(db.encoding, sink), (w) => db.writeHeadBlock(mint, maxt, w), mint, maxt, undefined, true);
    if (meta) db.setBlocks([...db.blockList(), openBlock(backend, meta.ulid, db.cache)]);
    db.setHeadMinValidTime(maxt);
    db.truncateHead(maxt);
    cuts++;
  }
}

/** Whether the head spans more than 1.5 block ranges, so cutHeadBlocks has work. */
export function headNeedsCut(db: DB, policy: BlockPolicy): boolean {
  const { minTime, maxTime } = db.headRange();
  return minTime !== null && maxTime !== null && maxTime - minTime > (policy.blockRange ?? DEFAULT_BLOCK_RANGE) * 1.5;
}

/** Lets other work run: resolves after the caller's event loop had a turn. */
export type Pause = () => Promise<void>;

/**
 * Runs `steps`, pausing whenever a slice of `sliceMs` is used up, and
 * waiting while the block's writes queued for the disk are past their bound.
 */
async function stepped(steps: Iterable<void>, pause: Pause, sliceMs: number, backlog: () => Promise<void> | null = () => null): Promise<void> {
  let t = performance.now();
  for (const _ of steps) {
    const queued = backlog();
    if (queued) {
      await queued;
      t = performance.now();
      continue;
    }
    if (performance.now() - t < sliceMs) continue;
    await pause();
    t = performance.now();
  }
}

/** Settles once every querier open now is closed; those opened later do not hold it up. */
function afterOpenQueriers(db: DB): Promise<void> {
  return new Promise((resolve) => db.afterOpenQueriers(resolve));
}

/**
 * cutHeadBlocks without holding up the appender or waiting for a moment
 * without queries: the block is written a series at a time (pausing every
 * `sliceMs`, its files written and synced off the event loop where the
 * backend can) while commits and queries go on. Once it is in place it joins
 * the set of blocks at once, so every querier opened from then on reads the
 * range there (and, until the head lets go of it, from the head too: the
 * merge reads equal samples once). The head's truncation waits only for the
 * queriers that were open before: they read the old set of blocks, so the
 * range must stay in the head for them. From the start of a cut, appends
 * older than its end are out of bounds, as in Prometheus's head compaction.
 * A deleteSeries while the block is written, or the commit of samples in the
 * range appended before it closed, makes the cut start over.
 */
export async function cutHeadBlocksAsync(backend: BlockBackend, db: DB, policy: BlockPolicy, pause: Pause, warn: (m: string) => void = () => {}, sliceMs = 10): Promise<number> {
  const range = policy.blockRange ?? DEFAULT_BLOCK_RANGE;
  let cuts = 0;
  while (headNeedsCut(db, policy)) {
    const mint = Math.floor(db.headRange().minTime! / range) * range, maxt = mint + range;
    db.setHeadMinValidTime(maxt);
    const deletions = db.deletions, late = db.committedBelowMinValid;
    const b = startBlock(backend, (sink) => new BlockWriter(db.encoding, sink), true);
    const unpin = db.pinHeadChunks();
    let meta;
    try {
      await stepped(db.headBlockSteps(mint, maxt, b.w), pause, sliceMs, b.backlog);
      unpin();
      meta = await b.publishAsync(mint, maxt, undefined, true);
    } catch (e) {
      unpin();
      b.discard();
      throw e;
    }
    // A deletion, or a commit of samples appended before the range closed, changed what the block should hold.
    if (db.deletions !== deletions || db.committedBelowMinValid !== late) {
      if (meta) deleteBlockInBackground(backend, meta.ulid, warn);
      continue;
    }
    const block = meta ? openBlock(backend, meta.ulid, db.cache) : null;
    if (block) db.setBlocks([...db.blockList(), block]);
    await afterOpenQueriers(db);
    // Deletions from here on reached the block as tombstones; a late commit in the range did not.
    if (db.committedBelowMinValid !== late) {
      // A merge running meanwhile may have taken the block in and retired it already.
      if (block && db.blockList().includes(block)) retire(backend, db, [block], warn);
      continue;
    }
    // In slices too: rewriting the chunk that straddles maxt is a decode and an append per series.
    await stepped(db.truncateHeadSteps(maxt), pause, sliceMs);
    cuts++;
  }
  return cuts;
}

/**
 * compactBlocksAsync without holding up the appender: each merge written a
 * series at a time and swapped in as soon as it is in place. Queriers open
 * then keep reading the parents, which are deleted once the last of them closes.
 */
export async function compactBlocksAsync(backend: BlockBackend, db: DB, retentionMs: number, policy: BlockPolicy, pause: Pause, warn: (m: string) => void = () => {}, sliceMs = 10): Promise<number> {
  if (policy.compaction === false) return 0;
  const ranges = compactionRanges(retentionMs, policy.blockRange ?? DEFAULT_BLOCK_RANGE);
  let merges = 0;
  for (let plan = planCompaction(db.blockList(), ranges); plan; plan = planCompaction(db.blockList(), ranges)) {
    const { blocks, mint, maxt } = plan;
    const deletions = db.deletions;
    const b = startBlock(backend, (sink) => new BlockWriter(db.encoding, sink), true);
    let meta;
    try {
      await stepped(mergeBlocksSteps(blocks, b.w, mint, maxt), pause, sliceMs, b.backlog);
      meta = await b.publishAsync(mint, maxt, () => mergedCompaction(blocks), blocks.some((x) => x.meta.promlet?.fromHead));
    } catch (e) {
      b.discard();
      throw e;
    }
    // Tombstones added meanwhile, or a parent gone, make the merge stale: plan again.
    if (db.deletions !== deletions || !blocks.every((x) => db.blockList().includes(x))) {
      if (meta) deleteBlockInBackground(backend, meta.ulid, warn);
      continue;
    }
    swapIn(backend, db, blocks, meta, warn);
    merges++;
  }
  return merges;
}

/** Runs compaction until nothing is left to merge; returns the number of merges. */
export function compactBlocks(backend: BlockBackend, db: DB, retentionMs: number, policy: BlockPolicy): number {
  if (policy.compaction === false) return 0;
  const ranges = compactionRanges(retentionMs, policy.blockRange ?? DEFAULT_BLOCK_RANGE);
  let merges = 0;
  for (let plan = planCompaction(db.blockList(), ranges); plan; plan = planCompaction(db.blockList(), ranges)) {
    runPlan(backend, db, plan);
    merges++;
  }
  return merges;
}

/**
 * compactBlocks for a backend whose chunks are read only once loaded
 * (IndexedDB): each merge's parents are loaded through `load` and held while
 * it is written, so merges stop at `maxRange` to bound what that holds.
 * Stops early when a querier is open (the set of blocks must not change under it).
 */
export async function compactBlocksLoading(
  backend: BlockBackend, db: DB, retentionMs: number, policy: BlockPolicy, load: (blocks: readonly Block[]) => Promise<() => void>, maxRange: number,
): Promise<number> {
  if (policy.compaction === false) return 0;
  const ranges = compactionRanges(retentionMs, policy.blockRange ?? DEFAULT_BLOCK_RANGE).filter((r, i) => i === 0 || r <= maxRange);
  let merges = 0;
  for (let plan = planCompaction(db.blockList(), ranges); plan; plan = planCompaction(db.blockList(), ranges)) {
    const release = await load(plan.blocks);
    try {
      if (db.hasOpenQueriers() || !plan.blocks.every((b) => db.blockList().includes(b))) return merges;
      runPlan(backend, db, plan);
    } finally {
      release();
    }
    merges++;
  }
  return merges;
}

/** Writes every block with tombstones again without the deleted samples (clean_tombstones); returns how many. */
export function cleanTombstones(backend: BlockBackend, db: DB): number {
  const stoned = db.blockList().filter((b) => b.tombstones.size > 0);
  for (const b of stoned) runPlan(backend, db, { blocks: [b], mint: b.minTime, maxt: b.maxTime });
  return stoned.length;
}

/** Writes the merge of a plan's blocks and swaps it in for them. */
function runPlan(backend: BlockBackend, db: DB, plan: CompactionPlan): void {
  const { blocks, mint, maxt } = plan;
  const fromHead = blocks.some((b) => b.meta.promlet?.fromHead);
  const meta = writeBlock(
    backend, (sink) => new BlockWriter(db.encoding, sink), (w) => mergeBlocks(blocks, w, mint, maxt), mint, maxt,
    () => mergedCompaction(blocks), fromHead,
  );
  swapIn(backend, db, blocks, meta);
}

/** Replaces the parents of a merge with the merged block (none when nothing was left); they are deleted once unread. */
function swapIn(backend: BlockBackend, db: DB, parents: readonly Block[], meta: BlockMeta | null, warn: (m: string) => void = () => {}): void {
  const gone = new Set(parents);
  const kept = db.blockList().filter((b) => !gone.has(b));
  if (meta) kept.push(openBlock(backend, meta.ulid, db.cache));
  retire(backend, db, parents, warn, kept);
}

/**
 * Takes `blocks` out of the set (or sets `kept`) and deletes each once the
 * queriers still reading it are closed: a query that began before keeps a
 * whole view, and no later one sees them.
 */
function retire(backend: BlockBackend, db: DB, blocks: readonly Block[], warn: (m: string) => void, kept?: readonly Block[]): void {
  const gone = new Set(blocks);
  db.setBlocks(kept ?? db.blockList().filter((b) => !gone.has(b)));
  for (const b of blocks) b.afterClose(() => deleteBlockInBackground(backend, b.ulid, warn));
}

/**
 * Deletes whole blocks that end at or before the newest sample minus the
 * retention, as Prometheus does, saying which and why.
 */
export function applyBlockTimeRetention(backend: BlockBackend, db: DB, retentionMs: number, log: (m: string) => void): number {
  if (retentionMs <= 0 || db.blockList().length === 0) return 0;
  const newest = Math.max(db.headRange().maxTime ?? -Infinity, ...db.blockList().map((b) => b.maxTime - 1));
  const cutoff = newest - retentionMs;
  return dropBlocks(backend, db, (b) => b.maxTime <= cutoff, (b) =>
    `retention: deleting block ${b.ulid} (${iso(b.minTime)} to ${iso(b.maxTime)}, ${b.meta.stats.numSamples} samples of ${b.meta.stats.numSeries} series): ` +
    `it ends before ${iso(cutoff)}, the newest sample (${iso(newest)}) minus the retention time`, log);
}

/**
 * Logs what time retention drops from `db`'s head from now on (data a log
 * replay or a checkpoint brought back, say, older than the newest sample
 * minus the retention once promlet's own metrics or a scrape move "now").
 */
export function logHeadRetention(db: DB, retentionMs: number, log: (m: string) => void): void {
  db.onHeadRetention = (d, cutoff) => log(
    `retention: dropping ${d.samples} samples of ${d.series} series from the head (${iso(d.minTime)} to ${iso(d.maxTime)}, ${d.chunks} chunks` +
    `${d.seriesRemoved > 0 ? `; ${d.seriesRemoved} series left with no samples` : ''}): ` +
    `they end before ${iso(cutoff)}, the newest sample (${iso(cutoff + retentionMs)}) minus the retention time`);
}

/** Deletes the oldest blocks while the store (blocks + `otherBytes`) exceeds `limit`. */
export function applyBlockSizeRetention(backend: BlockBackend, db: DB, limit: number, otherBytes: number, log: (m: string) => void): number {
  if (limit <= 0) return 0;
  let total = otherBytes + db.blockList().reduce((n, b) => n + (b.meta.stats.numBytes ?? 0), 0);
  const doomed = new Set<Block>();
  for (const b of db.blockList()) {
    if (total <= limit) break;
    doomed.add(b);
    total -= b.meta.stats.numBytes ?? 0;
  }
  return dropBlocks(backend, db, (b) => doomed.has(b), (b) =>
    `retention: deleting block ${b.ulid} (${iso(b.minTime)} to ${iso(b.maxTime)}, ${b.meta.stats.numSamples} samples, ${b.meta.stats.numBytes ?? 0} bytes): ` +
    `the data directory is larger than the retention size ${limit} bytes`, log);
}

function dropBlocks(backend: BlockBackend, db: DB, doomed: (b: Block) => boolean, why: (b: Block) => string, log: (m: string) => void): number {
  const drop = db.blockList().filter(doomed);
  if (drop.length === 0) return 0;
  for (const b of drop) log(why(b));
  retire(backend, db, drop, log);
  return drop.length;
}
