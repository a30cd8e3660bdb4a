// The write-ahead log on disk: numbered segment files under DATA_DIR/wal,
// each a run of frames (u32 length, u32 CRC-32 of the record, the record).
// A torn or corrupt tail of the newest segment is cut off with a warning,
// as Prometheus repairs its WAL; damage anywhere else is an error that names
// the segment and offset, never skipped silently.

import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, truncateSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { FRAME_HEADER, encodeFrames, frameAt } from '../storage/persist-format.js';
import type { WalWriter } from '../storage/wal-records.js';

export type FsyncPolicy = 'never' | 'always';

export interface WalOptions {
  /** Bytes after which a new segment starts (default 128 MiB, as Prometheus). */
  segmentSize?: number;
  /**
   * 'never' (default): a commit returns once the kernel has the bytes, which
   * survives the process dying; 'always' also fsyncs, which survives power loss.
   */
  fsync?: FsyncPolicy;
  warn?: (msg: string) => void;
}

export class WalCorruptionError extends Error {}

export const segmentName = (n: number) => String(n).padStart(8, '0');

export function segments(dir: string): number[] {
  return readdirSync(dir).filter((f) => /^\d{8}$/.test(f)).map(Number).sort((a, b) => a - b);
}

/**
 * Yields every record of the log in order, one segment in memory at a time,
 * repairing a torn tail of the newest segment.
 */
export function* readWal(dir: string, warn: (msg: string) => void = () => {}, after = 0, repair = true, onCorruption: () => void = () => {}): Generator<Uint8Array> {
  const segs = segments(dir).filter((n) => n > after);
  for (const [i, n] of segs.entries()) {
    const path = join(dir, segmentName(n));
    const buf = readFileSync(path);
    for (let off = 0; off < buf.length;) {
      const f = frameAt(buf, off, crc32);
      if ('problem' in f) {
        const { problem } = f;
        const where = `segment ${path} at byte ${off} of ${buf.length}`;
        if (i !== segs.length - 1) throw new WalCorruptionError(`write-ahead log: ${problem} in ${where}`);
        // Counted as Prometheus's prometheus_tsdb_wal_corruptions_total: a damaged tail that was cut (or, read-only, ignored).
        onCorruption();
        if (!repair) {
          warn(`write-ahead log: ${problem} in ${where}; ignoring the ${buf.length - off} bytes after it`);
          break;
        }
        warn(`write-ahead log: ${problem} in ${where}; truncating the ${buf.length - off} bytes after it`);
        truncateSync(path, off);
        break;
      }
      yield f.record;
      off = f.end;
    }
  }
}

/** Appends frames to the newest segment, starting a new one past the size limit. */
export class WalFile implements WalWriter {
  private fd: number;
  private seg: number;
  private size: number;
  private readonly segmentSize: number;
  private readonly fsync: FsyncPolicy;
  /**
   * Called when a full segment is closed, before the commit that filled it is
   * written to the next one: every commit in segments up to `closed` is applied.
   */
  onCut: ((closed: number) => void) | null = null;
  /** Called after each write, so a reader of the log in this process need not poll. */
  onWrite: (() => void) | null = null;

  /** `after`: segments up to this number are covered by a checkpoint, so writing starts past it. */
  constructor(readonly dir: string, opts: WalOptions = {}, after = 0) {
    this.segmentSize = opts.segmentSize ?? 128 * 1024 * 1024;
    this.fsync = opts.fsync ?? 'never';
    mkdirSync(dir, { recursive: true });
    const segs = segments(dir);
    this.seg = Math.max(segs.length ? segs[segs.length - 1]! : 1, after + 1);
    const path = join(dir, segmentName(this.seg));
    this.fd = openSync(path, 'a');
    this.size = statSync(path).size;
  }

  /** Where a commit's frames are put together: written synchronously, so one buffer serves every commit. */
  private scratch = new Uint8Array(0);
  /** Commits in a row that used less than a quarter of the buffer. */
  private smallCommits = 0;

  write(records: Uint8Array[]): void {
    let bytes = 0;
    for (const r of records) bytes += FRAME_HEADER + r.length;
    this.fitScratch(bytes);
    const buf = encodeFrames(records, crc32, this.scratch);
    const total = buf.length;
    if (this.size > 0 && this.size + total > this.segmentSize) {
      const closed = this.cut();
      this.onCut?.(closed);
    }
    // One write per commit: a crash leaves at most this commit's frames torn.
    for (let done = 0; done < total;) done += writeSync(this.fd, buf, done, total - done);
    if (this.fsync === 'always') fsyncSync(this.fd);
    this.size += total;
    this.onWrite?.();
  }

  /**
   * Sizes the reused buffer to the commits being written: commits of up to
   * 16 MiB fit (rarer, larger ones get a buffer of their own), with an eighth
   * to spare rather than doubled, and a buffer grown for one large commit
   * (a scrape's first, with every series record) shrinks once eight commits
   * in a row needed less than a quarter of it.
   */
  private fitScratch(bytes: number): void {
    if (bytes > 16 * 1024 * 1024) return;
    const fit = () => new Uint8Array(Math.min(16 * 1024 * 1024, bytes + (bytes >>> 3)));
    if (bytes > this.scratch.length) {
      this.scratch = fit();
      this.smallCommits = 0;
    } else if (bytes >= this.scratch.length >>> 2) {
      this.smallCommits = 0;
    } else if (++this.smallCommits >= 8) {
      this.scratch = fit();
      this.smallCommits = 0;
    }
  }

  /** Closes the current segment (unless it is empty) and returns the newest closed segment's number. */
  cut(): number {
    if (this.size === 0) return this.seg - 1;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.seg++;
    this.fd = openSync(join(this.dir, segmentName(this.seg)), 'a');
    this.size = 0;
    return this.seg - 1;
  }

  /** Deletes segments up to `n`, which a checkpoint now covers. */
  deleteUpTo(n: number): void {
    for (const s of segments(this.dir)) if (s <= n) unlinkSync(join(this.dir, segmentName(s)));
  }

  /** Whether close() was called: nothing is written to this log any more. */
  closed = false;

  close(): void {
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.closed = true;
  }
}

