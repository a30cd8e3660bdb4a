// The BlockBackend of a data directory: files read with positional readSync
// into one reused buffer, every write fsynced, directories synced after
// renames, as Prometheus's tsdb does on disk.

import { closeSync, existsSync, fstatSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { BlockBackend, RandomAccessFile } from '../storage/block-backend.js';
import { asyncBlockWrites } from './async-block-writes.js';

export function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function writeAll(path: string, bytes: Uint8Array, append: boolean): void {
  const fd = openSync(path, append ? 'a' : 'w');
  try {
    for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads go into one reused buffer (a fresh allocation per chunk read
 * fragmented the native heap and kept resident memory high after large
 * queries); a result is valid until the next read, and Block copies what it keeps.
 */
let scratch = new Uint8Array(128 * 1024);

class PositionalFile implements RandomAccessFile {
  private readonly fd: number;
  readonly size: number;

  constructor(path: string) {
    this.fd = openSync(path, 'r');
    this.size = fstatSync(this.fd).size;
  }

  read(off: number, len: number): Uint8Array {
    if (len > scratch.length) scratch = new Uint8Array(Math.max(len, scratch.length * 2));
    const buf = scratch.subarray(0, len);
    let got = 0;
    while (got < len) {
      const n = readSync(this.fd, buf, got, len - got, off + got);
      if (n === 0) break;
      got += n;
    }
    return got === len ? buf : buf.subarray(0, got);
  }

  close(): void {
    closeSync(this.fd);
  }
}

export function nodeBlockBackend(dataDir: string): BlockBackend {
  const at = (p: string) => (p === '' ? dataDir : join(dataDir, p));
  return {
    root: dataDir,
    list: (dir) => (existsSync(at(dir)) ? readdirSync(at(dir)) : []),
    isDir: (p) => existsSync(at(p)) && statSync(at(p)).isDirectory(),
    exists: (p) => existsSync(at(p)),
    size: (p) => statSync(at(p)).size,
    readFile: (p) => (existsSync(at(p)) ? readFileSync(at(p)) : null),
    open: (p) => new PositionalFile(at(p)),
    mkdirs: (p) => void mkdirSync(at(p), { recursive: true }),
    writeFile: (p, bytes, append = false) => writeAll(at(p), bytes, append),
    syncDir: (p) => syncDir(at(p)),
    rename: (from, to) => renameSync(at(from), at(to)),
    remove: (p) => rmSync(at(p), { recursive: true, force: true }),
    writes: asyncBlockWrites(at),
  };
}
