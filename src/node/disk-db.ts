// A database kept in a data directory:
//   DIR/<ULID>/...             immutable blocks (see disk-blocks.ts, block-dir.ts, docs/FORMAT.md)
//   DIR/index                  the head's series, postings and chunk references (see persist-format.ts)
//   DIR/chunks/00000001 ...    persisted chunks, one file per checkpoint that closed chunks
//   DIR/wal/checkpoint.N       series and open-chunk samples as of segment N
//   DIR/wal/0000000M ...       the write-ahead log after it
// A checkpoint runs after the commit that fills a log segment, after a block
// cut, every checkpointInterval, and on close (see head-checkpointer.ts). Its
// files are written and synced before the index is renamed into place, and
// only then is what it replaces deleted, so a crash at any point leaves
// either the old or the new state whole.

import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openDB, type DB, type DBOptions } from '../storage/db.js';
import { ENCODING_IDS, type ChunkEncoding } from '../wasm/codec.js';
import { PersistCorruptionError, decodeFrames, decodeIndex, type PersistedIndex } from '../storage/persist-format.js';
import { type WalOptions, WalFile, readWal, segmentName, segments } from './wal-file.js';
import { type CheckpointResult, HeadCheckpointer, checkpointName, chunkDir, removePendingCheckpointFiles, writeAtomic } from './head-checkpointer.js';
import { DiskMaintenance } from './disk-maintenance.js';
import { parseBase2Bytes } from '../model/units.js';
import {
  type BlockPolicy, cleanTombstones as cleanBlockTombstones, blocksEncoding, compactBlocks, cutHeadBlocks, headCutUpTo, openBlocks,
} from './disk-blocks.js';
import { logHeadRetention } from '../storage/block-lifecycle.js';
import { listBlockDirs } from './block-dir.js';
import { lockDataDir } from './data-dir-lock.js';
import { parseRetention } from '../storage/db.js';

export interface DiskDBOptions extends DBOptions, WalOptions, BlockPolicy {
  /** Wall-clock milliseconds between checkpoints besides those at segment ends and close (default 30 min; 0: none). */
  checkpointInterval?: number;
  /** Size-based retention: bytes, or "512MB" as --storage.tsdb.retention.size; the oldest chunk files go first. */
  retentionSize?: number | string;
  /** Open for reading only: no log is written and nothing is checkpointed or deleted. */
  readOnly?: boolean;
}

export type { CheckpointResult } from './head-checkpointer.js';

export interface DiskDB {
  db: DB;
  wal: WalFile | null;
  /** What opening found: persisted series and chunks loaded, log records and samples replayed, and how long it took. */
  replay: { series: number; chunks: number; records: number; samples: number; skipped: number; ms: number; blocks: number };
  /** Damaged log tails found (and cut) when the directory was opened: Prometheus's prometheus_tsdb_wal_corruptions_total. */
  walCorruptions: number;
  /** Persists closed chunks and truncates the log now. */
  checkpoint(): CheckpointResult;
  /** Writes blocks with tombstones again without the deleted samples now (clean_tombstones), with any other compaction due. */
  cleanTombstones(): void;
  /**
   * Settles when the block cut, compaction and retention that commits start
   * in the background are done (at once when none runs); tests and tools
   * that look at the blocks right after writing wait for it.
   */
  maintenance(): Promise<void>;
  /** Commits held back while the head spanned more than three block ranges (see disk-maintenance.ts), and how long they waited in all. */
  readonly heldCommits: { readonly commits: number; readonly ms: number };
  /** Keeps log segments from the one `from()` returns, for a reader of the log (remote write) that lags behind. */
  retainLogFrom(from: () => number): void;
  close(): Promise<void>;
}


/** Parses Prometheus's size syntax ("512MB", "1GB"; powers of 1024) into bytes; 0 means no limit. */
export function parseSize(v: number | string | undefined): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  const n = parseBase2Bytes(v);
  if (n === null) throw new Error(`size ${JSON.stringify(v)}: want a number with a unit such as 512MB or 1GB`);
  return n;
}

export function readIndex(dataDir: string): PersistedIndex | null {
  const path = join(dataDir, 'index');
  return existsSync(path) ? decodeIndex(readFileSync(path), path) : null;
}

export { DataDirLockedError, lockDataDir } from './data-dir-lock.js';

/** Opens (or creates) a database in dataDir: loads the index and chunks, replays checkpoint and log. */
export async function openDiskDB(dataDir: string, opts: DiskDBOptions = {}): Promise<DiskDB> {
  const t0 = performance.now();
  const walDir = join(dataDir, 'wal');
  if (!opts.readOnly) mkdirSync(walDir, { recursive: true });
  const unlock = opts.readOnly ? () => {} : lockDataDir(dataDir);
  try {
    return await openLocked(dataDir, walDir, opts, t0, unlock);
  } catch (e) {
    unlock();
    throw e;
  }
}

async function openLocked(dataDir: string, walDir: string, opts: DiskDBOptions, t0: number, unlock: () => void): Promise<DiskDB> {
  const ix = readIndex(dataDir);
  const warn = opts.warn ?? (() => {});
  // A data directory keeps the chunk encoding it was created with.
  const encoding = ix
    ? (Object.keys(ENCODING_IDS) as ChunkEncoding[]).find((e) => ENCODING_IDS[e] === ix.encoding)
    : blocksEncoding(dataDir, !!opts.readOnly, warn) ?? opts.encoding;
  const db = await openDB({ ...opts, encoding });
  // Retention may drop head data the index or the log brings back (at start, once "now" moves): say so.
  logHeadRetention(db, parseRetention(opts.retention), warn);
  const replay = { series: 0, chunks: 0, records: 0, samples: 0, skipped: 0, ms: 0, blocks: 0 };
  try {
    db.setBlocks(openBlocks(dataDir, db, !!opts.readOnly, warn));
  } catch (e) {
    await db.close();
    throw e;
  }
  replay.blocks = db.blockList().length;
  // What blocks cut from the head hold is not the head's any more (the log may still have it).
  const cutUpTo = headCutUpTo(db);
  db.setHeadMinValidTime(cutUpTo);
  if (ix) {
    const files = new Map<number, Uint8Array>();
    // A path per chunk file, not per chunk: loading asks for it with every chunk it checks.
    const paths = new Map<number, string>();
    const where = (n: number) => paths.get(n) ?? paths.set(n, join(chunkDir(dataDir), segmentName(n))).get(n)!;
    db.loadPersisted(ix, (n) => {
      let f = files.get(n);
      if (!f) files.set(n, (f = readFileSync(where(n))));
      return f;
    }, where);
    replay.series = ix.series.length;
    replay.chunks = ix.series.reduce((n, s) => n + s.chunks.length + (s.open ? 1 : 0), 0);
  }
  const after = ix?.checkpoint ?? 0;
  // One replay for checkpoint and log: the log's records refer to series the checkpoint defines.
  let walCorruptions = 0;
  add(replay, db.replayWal(logAfterIndex(dataDir, after, opts, () => walCorruptions++)));
  if (cutUpTo > -Infinity) db.truncateHead(cutUpTo);
  replay.ms = performance.now() - t0;

  if (opts.readOnly) {
    const refuse = () => { throw new Error(`${dataDir} is open read-only`); };
    return { db, wal: null, replay, walCorruptions, checkpoint: refuse, cleanTombstones: refuse, maintenance: () => Promise.resolve(), heldCommits: { commits: 0, ms: 0 }, retainLogFrom: () => {}, close: () => db.close() };
  }

  removePendingCheckpointFiles(dataDir);
  const wal = new WalFile(walDir, opts, after);
  db.attachWal(wal);
  const retentionSize = parseSize(opts.retentionSize);
  const retentionMs = parseRetention(opts.retention);
  const checkpoints = new HeadCheckpointer(dataDir, db, wal, retentionSize, warn);
  // The commit that fills a log segment only starts the next one; the checkpoint runs after it.
  wal.onCut = () => checkpoints.onSegmentFilled();
  const checkpoint = () => checkpoints.now();
  const headDirBytes = () => dirBytes(chunkDir(dataDir)) + dirBytes(walDir);
  // At start: a head the log filled past 1.5 block ranges is cut, and what retention drops is said
  // (data imported long ago, say, under a shorter retention).
  if (cutHeadBlocks(dataDir, db, opts) > 0) checkpoint();
  compactBlocks(dataDir, db, retentionMs, opts);
  // From now on cutting, compaction and retention run after the commits that call for them (see disk-maintenance.ts).
  const maintenance = new DiskMaintenance(dataDir, db, { ...opts, retentionMs, retentionSize, headDirBytes, warn, afterCut: () => void checkpoints.soon() });
  maintenance.applyRetention();
  const interval = opts.checkpointInterval ?? 30 * 60_000;
  const timer = interval > 0 ? setInterval(() => void checkpoints.soon(), interval) : null;
  timer?.unref();
  const settled = async () => {
    await maintenance.settled();
    await checkpoints.settled();
  };
  return {
    db, wal, replay, walCorruptions, checkpoint,
    maintenance: settled,
    heldCommits: maintenance.held,
    cleanTombstones: () => {
      if (!maintenance.busy && !db.hasOpenQueriers()) cleanBlockTombstones(dataDir, db);
    },
    retainLogFrom: (from) => checkpoints.retainers.push(from),
    close: async () => {
      if (timer) clearInterval(timer);
      await maintenance.stop();
      await checkpoints.settled();
      try {
        checkpoint();
      } finally {
        wal.close();
        await db.close();
        unlock();
      }
    },
  };
}

function* logAfterIndex(dataDir: string, checkpoint: number, opts: DiskDBOptions, onCorruption: () => void): Generator<Uint8Array> {
  const walDir = join(dataDir, 'wal');
  const ckpt = join(walDir, checkpointName(checkpoint));
  if (checkpoint > 0) {
    if (!existsSync(ckpt)) throw new PersistCorruptionError(`${ckpt}: missing, but ${join(dataDir, 'index')} refers to it`);
    yield* decodeFrames(readFileSync(ckpt), ckpt);
  }
  if (existsSync(walDir)) yield* readWal(walDir, opts.warn, checkpoint, !opts.readOnly, onCorruption);
}

function dirBytes(dir: string): number {
  return existsSync(dir) ? readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0) : 0;
}

function add(into: DiskDB['replay'], r: { records: number; samples: number; skipped: number }): void {
  into.records += r.records;
  into.samples += r.samples;
  into.skipped += r.skipped;
}

/**
 * Copies a data directory to outDir while another process (or this one) may
 * write to it: the index, the chunk files and checkpoint it names, then the
 * log after that checkpoint. If a checkpoint replaced files during the copy,
 * the copy starts over. A commit being written at the copy's instant may be
 * cut, and is then dropped as a torn tail when the copy is opened.
 */
export function snapshotDataDir(dataDir: string, outDir: string): { files: number; bytes: number } {
  for (let attempt = 1; ; attempt++) {
    try {
      return copyOnce(dataDir, outDir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === 5) throw e;
    }
  }
}

function copyOnce(dataDir: string, outDir: string): { files: number; bytes: number } {
  const walDir = join(dataDir, 'wal');
  let files = 0, bytes = 0;
  const copy = (from: string, to: string) => {
    copyFileSync(from, to);
    files++;
    bytes += statSync(to).size;
  };
  mkdirSync(join(outDir, 'wal'), { recursive: true });
  // Blocks are immutable: a copy of each directory present now (one compaction deletes restarts the copy).
  for (const ulid of listBlockDirs(dataDir, true)) {
    for (const rel of ['chunks', '']) mkdirSync(join(outDir, `${ulid}.tmp-for-creation`, rel), { recursive: true });
    for (const f of readdirSync(join(dataDir, ulid, 'chunks'))) copy(join(dataDir, ulid, 'chunks', f), join(outDir, `${ulid}.tmp-for-creation`, 'chunks', f));
    for (const f of ['index', 'meta.json', 'tombstones']) {
      if (f !== 'tombstones' || existsSync(join(dataDir, ulid, f))) copy(join(dataDir, ulid, f), join(outDir, `${ulid}.tmp-for-creation`, f));
    }
    rmSync(join(outDir, ulid), { recursive: true, force: true });
    renameSync(join(outDir, `${ulid}.tmp-for-creation`), join(outDir, ulid));
  }
  const indexPath = join(dataDir, 'index');
  const raw = existsSync(indexPath) ? readFileSync(indexPath) : null;
  const ix = raw ? decodeIndex(raw, indexPath) : null;
  if (ix) {
    const referenced = new Set(ix.series.flatMap((s) => [...s.chunks.map((c) => c.file), ...(s.open ? [s.open.file] : [])]));
    if (referenced.size > 0) mkdirSync(join(outDir, 'chunks'), { recursive: true });
    for (const f of referenced) copy(join(chunkDir(dataDir), segmentName(f)), join(outDir, 'chunks', segmentName(f)));
    if (ix.checkpoint > 0) copy(join(walDir, checkpointName(ix.checkpoint)), join(outDir, 'wal', checkpointName(ix.checkpoint)));
  }
  for (const n of segments(walDir)) {
    if (n > (ix?.checkpoint ?? 0)) copy(join(walDir, segmentName(n)), join(outDir, 'wal', segmentName(n)));
  }
  // The index goes last: it is what makes the copied files a data directory.
  if (raw) {
    writeAtomic(join(outDir, 'index'), raw);
    files++;
    bytes += raw.length;
  }
  return { files, bytes };
}
