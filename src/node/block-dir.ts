// Blocks as directories of a data directory, as Prometheus keeps them:
//   DIR/<ULID>/meta.json, DIR/<ULID>/index, DIR/<ULID>/chunks/000001 ...
// A block is written under DIR/<ULID>.tmp-for-creation, every file synced,
// then renamed into place (the commit point); deleting renames it to
// <ULID>.tmp-for-deletion first. Leftovers of either are removed at start.
// Reads are positional (readSync at an offset): nothing is mapped or loaded whole.

import { closeSync, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Block, type BlockFiles } from '../storage/block.js';
import type { BlockSink, BlockWriter } from '../storage/block-writer.js';
import { type BlockMeta, BlockCorruptionError, isULID, newULID } from '../storage/block-format.js';
import type { ByteCache } from '../storage/byte-cache.js';

export const chunkFileName = (n: number) => String(n).padStart(6, '0');

function writeAll(path: string, bytes: Uint8Array, append = false): void {
  const fd = openSync(path, append ? 'a' : 'w');
  try {
    for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

let scratch = new Uint8Array(128 * 1024);

class FileBlockFiles implements BlockFiles {
  private readonly indexFd: number;
  readonly indexSize: number;
  private readonly chunkFds = new Map<number, number>();

  constructor(readonly where: string) {
    this.indexFd = openSync(join(where, 'index'), 'r');
    this.indexSize = fstatSync(this.indexFd).size;
  }

  /**
   * Reads into one reused buffer (a fresh allocation per chunk read fragmented
   * the native heap and kept resident memory high after large queries); the
   * result is valid until the next read, and Block copies what it keeps.
   */
  private read(fd: number, off: number, len: number): Uint8Array {
    if (len > scratch.length) scratch = new Uint8Array(Math.max(len, scratch.length * 2));
    const buf = scratch.subarray(0, len);
    let got = 0;
    while (got < len) {
      const n = readSync(fd, buf, got, len - got, off + got);
      if (n === 0) break;
      got += n;
    }
    return got === len ? buf : buf.subarray(0, got);
  }

  readIndex(off: number, len: number): Uint8Array {
    return this.read(this.indexFd, off, Math.max(0, Math.min(len, this.indexSize - off)));
  }

  readChunkFile(file: number, off: number, len: number): Uint8Array {
    let fd = this.chunkFds.get(file);
    if (fd === undefined) {
      const path = join(this.where, 'chunks', chunkFileName(file));
      if (!existsSync(path)) throw new BlockCorruptionError(`${path}: missing, but the block's index refers to it`);
      this.chunkFds.set(file, (fd = openSync(path, 'r')));
    }
    return this.read(fd, off, len);
  }

  readTombstones(): Uint8Array | null {
    const path = join(this.where, 'tombstones');
    return existsSync(path) ? readFileSync(path) : null;
  }

  writeTombstones(bytes: Uint8Array): void {
    const path = join(this.where, 'tombstones');
    writeAll(`${path}.tmp`, bytes);
    renameSync(`${path}.tmp`, path);
    syncDir(this.where);
  }

  close(): void {
    closeSync(this.indexFd);
    for (const fd of this.chunkFds.values()) closeSync(fd);
    this.chunkFds.clear();
  }
}

/** Writes a block: `fill` adds series to the writer; returns the block's meta, or null when it holds no series. */
export function writeBlockDir(
  dataDir: string,
  writer: (sink: BlockSink) => BlockWriter,
  fill: (w: BlockWriter) => void,
  mint: number,
  maxt: number,
  compaction?: (ulid: string) => BlockMeta['compaction'],
  fromHead = false,
): BlockMeta | null {
  const ulid = newULID();
  const tmp = join(dataDir, `${ulid}.tmp-for-creation`);
  mkdirSync(join(tmp, 'chunks'), { recursive: true });
  try {
    // Each piece is synced as it is written; the rename below publishes the block only once all are.
    const w = writer({ chunkFile: (n, bytes, append) => writeAll(join(tmp, 'chunks', chunkFileName(n)), bytes, append) });
    fill(w);
    if (w.seriesCount === 0) {
      rmSync(tmp, { recursive: true, force: true });
      return null;
    }
    const { index, meta } = w.finish(ulid, mint, maxt, compaction?.(ulid), fromHead);
    writeAll(join(tmp, 'index'), index);
    writeAll(join(tmp, 'meta.json'), new TextEncoder().encode(JSON.stringify(meta, null, '\t') + '\n'));
    syncDir(join(tmp, 'chunks'));
    syncDir(tmp);
    renameSync(tmp, join(dataDir, ulid));
    syncDir(dataDir);
    return meta;
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

export function readBlockMeta(dir: string): BlockMeta {
  const path = join(dir, 'meta.json');
  let meta: BlockMeta;
  try {
    meta = JSON.parse(readFileSync(path, 'utf8')) as BlockMeta;
  } catch (e) {
    throw new BlockCorruptionError(`${path}: ${(e as Error).message}`);
  }
  if (meta.version !== 1 || typeof meta.minTime !== 'number' || typeof meta.maxTime !== 'number' || !meta.stats) {
    throw new BlockCorruptionError(`${path}: not a block meta.json of version 1`);
  }
  return meta;
}

export function openBlockDir(dataDir: string, ulid: string, cache: ByteCache): Block {
  const dir = join(dataDir, ulid);
  const meta = readBlockMeta(dir);
  const files = new FileBlockFiles(dir);
  try {
    return new Block(meta, files, cache);
  } catch (e) {
    files.close();
    throw e;
  }
}

/** Block directory names in dataDir, after removing half-written or half-deleted ones. */
export function listBlockDirs(dataDir: string, readOnly = false, warn: (m: string) => void = () => {}): string[] {
  if (!existsSync(dataDir)) return [];
  const out: string[] = [];
  for (const f of readdirSync(dataDir)) {
    if (/\.tmp-for-(creation|deletion)$/.test(f)) {
      if (!readOnly) {
        warn(`removing ${join(dataDir, f)}, left by an interrupted block write or deletion`);
        rmSync(join(dataDir, f), { recursive: true, force: true });
      }
      continue;
    }
    if (isULID(f) && statSync(join(dataDir, f)).isDirectory()) out.push(f);
  }
  return out.sort();
}

/** Removes a block directory: renamed first, so a crash never leaves half a block that looks whole. */
export function deleteBlockDir(dataDir: string, ulid: string): void {
  const tmp = join(dataDir, `${ulid}.tmp-for-deletion`);
  renameSync(join(dataDir, ulid), tmp);
  syncDir(dataDir);
  rmSync(tmp, { recursive: true, force: true });
}

/** Bytes a block directory holds. */
export function blockDirBytes(dataDir: string, ulid: string): number {
  const dir = join(dataDir, ulid);
  let n = statSync(join(dir, 'index')).size + statSync(join(dir, 'meta.json')).size;
  for (const f of readdirSync(join(dir, 'chunks'))) n += statSync(join(dir, 'chunks', f)).size;
  return n;
}
