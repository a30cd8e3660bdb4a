// Checkpoints of a data directory's head (see docs/STORAGE.md "The head's
// checkpoints"): a new chunk file, wal/checkpoint.N and the index, each
// written under a temporary name and synced, the index renamed into place
// last, and only then what they replace deleted.
//
// `now()` does all of it at once (close, snapshots, explicit calls). `soon()`
// runs it off the commit path: the head is captured synchronously (so no
// commit lands inside a checkpoint), the files are written and synced by
// libuv's threads while commits go on, and the renames and deletions happen
// together in one synchronous step. A checkpoint taken meanwhile by `now()`
// makes the one under way stale: it then removes its files and changes
// nothing, so two checkpoints never replace each other's files. A writer
// that never lets the event loop run (a loop of awaited commits and nothing
// else) would starve a background checkpoint: when the next log segment
// fills with one still under way, that one is taken at once instead
// (`onSegmentFilled`), so the log stays within two segments either way.

import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { DB } from '../storage/db.js';
import { encodeFrames } from '../storage/persist-format.js';
import { syncDir } from './node-block-backend.js';
import { type WalFile, segmentName, segments } from './wal-file.js';

export interface CheckpointResult {
  segment: number;
  newChunks: number;
  headSamples: number;
  deletedChunkFiles: number;
  ms: number;
}

export const chunkDir = (dataDir: string) => join(dataDir, 'chunks');
export const chunkFiles = (dir: string) => (existsSync(dir) ? segments(dir) : []);
export const checkpointName = (n: number) => `checkpoint.${segmentName(n)}`;

/** The suffix of files a background checkpoint is still writing; left over after a crash, they are removed at start. */
const PENDING = '.tmp-checkpoint';

/** Writes a file whole and durably under a temporary name, then renames it into place. */
export function writeAtomic(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Writes and syncs a file without holding up the event loop. */
async function writeDurably(path: string, bytes: Uint8Array): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Removes what a background checkpoint was writing when the process stopped. */
export function removePendingCheckpointFiles(dataDir: string): void {
  for (const dir of [dataDir, chunkDir(dataDir), join(dataDir, 'wal')]) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) if (f.endsWith(PENDING)) rmSync(join(dir, f), { force: true });
  }
}

/** What DB.checkpoint captures (the head's internals stay behind storage's interface). */
type HeadCheckpoint = ReturnType<DB['checkpoint']>;

export class HeadCheckpointer {
  private nextFile: number;
  /** Bumped by every checkpoint as it captures the head: a background one finding it moved is stale. */
  private generation = 0;
  private running: Promise<void> | null = null;
  private again = false;
  /** Keep log segments from the one each returns (a remote-write reader lagging behind). */
  readonly retainers: (() => number)[] = [];

  constructor(
    private readonly dataDir: string,
    private readonly db: DB,
    private readonly wal: WalFile,
    private readonly retentionSize: number,
    private readonly warn: (m: string) => void,
  ) {
    this.nextFile = (chunkFiles(chunkDir(dataDir)).at(-1) ?? 0) + 1;
  }

  private get walDir(): string {
    return this.wal.dir;
  }

  /** For the log's onCut: a checkpoint after the commit that filled a segment (at once if the last one is still under way). */
  onSegmentFilled(): void {
    if (this.running) this.now();
    else void this.soon();
  }

  /** A checkpoint of everything committed so far, whole before it returns. */
  now(): CheckpointResult {
    return this.persist(this.wal.cut());
  }

  /**
   * A checkpoint in the background (at once if none runs, else right after
   * the one under way); settles when it is in place. A failure is reported
   * and leaves the log whole until the next checkpoint works.
   */
  soon(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = async () => {
      do {
        this.again = false;
        await this.persistInBackground();
      } while (this.again);
    };
    this.running = run()
      .catch((e) => this.warn(`checkpoint of ${this.dataDir} failed: ${(e as Error).message}`))
      .finally(() => (this.running = null));
    return this.running;
  }

  /** Whether a background checkpoint is under way (its files not yet in place). */
  get pending(): boolean {
    return this.running !== null;
  }

  /** Settles when no background checkpoint runs. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  private capture(segment: number): { cp: HeadCheckpoint; fileNo: number; generation: number } {
    const fileNo = this.nextFile;
    const cp = this.db.checkpoint(fileNo, segment);
    if (cp.chunkFile) this.nextFile++;
    return { cp, fileNo, generation: ++this.generation };
  }

  private persist(segment: number): CheckpointResult {
    const t = performance.now();
    const { cp, fileNo } = this.capture(segment);
    if (cp.chunkFile) {
      mkdirSync(chunkDir(this.dataDir), { recursive: true });
      writeAtomic(join(chunkDir(this.dataDir), segmentName(fileNo)), cp.chunkFile);
      syncDir(chunkDir(this.dataDir));
    }
    writeAtomic(join(this.walDir, checkpointName(segment)), encodeFrames(cp.records));
    syncDir(this.walDir);
    writeAtomic(join(this.dataDir, 'index'), cp.index);
    syncDir(this.dataDir);
    return this.replaced(segment, cp, t);
  }

  private async persistInBackground(): Promise<void> {
    // Not inside the commit that asked for it: the head is captured after that commit has returned.
    await new Promise((r) => setImmediate(r));
    // The database was closed (or a test stopped it as a crash would) before the turn came.
    if (this.wal.closed) return;
    const t = performance.now();
    const segment = this.wal.cut();
    const { cp, fileNo, generation } = this.capture(segment);
    const chunkPath = join(chunkDir(this.dataDir), segmentName(fileNo));
    const checkpointPath = join(this.walDir, checkpointName(segment));
    const indexPath = join(this.dataDir, 'index');
    const written: string[] = [];
    const write = async (path: string, bytes: Uint8Array) => {
      written.push(path);
      await writeDurably(path + PENDING, bytes);
    };
    const discard = () => {
      for (const p of written) rmSync(p + PENDING, { force: true });
    };
    try {
      if (cp.chunkFile) {
        mkdirSync(chunkDir(this.dataDir), { recursive: true });
        await write(chunkPath, cp.chunkFile);
      }
      await write(checkpointPath, encodeFrames(cp.records));
      await write(indexPath, cp.index);
    } catch (e) {
      discard();
      throw e;
    }
    if (generation !== this.generation) {
      discard();
      return;
    }
    // Everything is on disk: put it in place in one step, no commit or other checkpoint in between.
    if (cp.chunkFile) {
      renameSync(chunkPath + PENDING, chunkPath);
      syncDir(chunkDir(this.dataDir));
    }
    renameSync(checkpointPath + PENDING, checkpointPath);
    syncDir(this.walDir);
    renameSync(indexPath + PENDING, indexPath);
    syncDir(this.dataDir);
    this.replaced(segment, cp, t);
  }

  /** The new state is in place: what it replaces can go. */
  private replaced(segment: number, cp: HeadCheckpoint, t: number): CheckpointResult {
    cp.markPersisted();
    const keep = Math.min(segment + 1, ...this.retainers.map((f) => f()));
    this.wal.deleteUpTo(keep - 1);
    for (const f of readdirSync(this.walDir)) {
      const m = /^checkpoint\.(\d{8})(\.tmp)?$/.exec(f);
      if (m && (Number(m[1]) < segment || m[2])) unlinkSync(join(this.walDir, f));
    }
    const deleted = deleteUnreferenced(this.dataDir, cp.fileMaxT);
    const result = { segment, newChunks: cp.newChunks, headSamples: cp.headSamples, deletedChunkFiles: deleted, ms: 0 };
    if (this.retentionSize > 0 && applySizeRetention(this.dataDir, this.db, cp.fileMaxT, this.retentionSize)) {
      // Dropped chunks leave the index at the next checkpoint; take it now so their files go.
      result.deletedChunkFiles += this.now().deletedChunkFiles;
    }
    result.ms = performance.now() - t;
    return result;
  }
}

/** Deletes chunk files no series refers to any more (their chunks fell out of retention). */
function deleteUnreferenced(dataDir: string, referenced: Map<number, number>): number {
  let n = 0;
  for (const f of chunkFiles(chunkDir(dataDir))) {
    if (referenced.has(f)) continue;
    unlinkSync(join(chunkDir(dataDir), segmentName(f)));
    n++;
  }
  return n;
}

/** Drops the data of the oldest chunk files while the directory exceeds `limit` bytes; true if anything was dropped. */
function applySizeRetention(dataDir: string, db: DB, fileMaxT: Map<number, number>, limit: number): boolean {
  const sizeOf = (dir: string) => existsSync(dir) ? readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0) : 0;
  let total = sizeOf(chunkDir(dataDir)) + sizeOf(join(dataDir, 'wal'));
  let cutoff = -Infinity;
  for (const f of [...fileMaxT.keys()].sort((a, b) => a - b)) {
    if (total <= limit) break;
    total -= statSync(join(chunkDir(dataDir), segmentName(f))).size;
    cutoff = Math.max(cutoff, fileMaxT.get(f)! + 1);
  }
  if (cutoff === -Infinity) return false;
  db.truncateBefore(cutoff);
  return true;
}
