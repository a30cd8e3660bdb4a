// Blocks as directories of a BlockBackend, as Prometheus keeps them:
//   <ULID>/meta.json, <ULID>/index, <ULID>/chunks/000001 ...
// A block is written under <ULID>.tmp-for-creation, every file synced, then
// renamed into place (the commit point); deleting renames it to
// <ULID>.tmp-for-deletion first. Leftovers of either are removed at start.
// Reads are positional: nothing is mapped or loaded whole.

import { Block, type BlockFiles } from './block.js';
import type { BlockSink, BlockWriter } from './block-writer.js';
import { type BlockMeta, BlockCorruptionError, isULID, newULID } from './block-format.js';
import type { ByteCache } from './byte-cache.js';
import { type AsyncBlockWrites, type AsyncFileWriter, type BlockBackend, type RandomAccessFile, joinPath } from './block-backend.js';

export const chunkFileName = (n: number) => String(n).padStart(6, '0');

class BackendBlockFiles implements BlockFiles {
  private readonly indexFile: RandomAccessFile;
  readonly indexSize: number;
  private readonly chunkFiles = new Map<number, RandomAccessFile>();
  readonly where: string;

  readonly exactChunkReads: boolean;

  constructor(private readonly backend: BlockBackend, private readonly dir: string) {
    this.where = joinPath(backend.root, dir);
    this.exactChunkReads = backend.readsInPages === true;
    this.indexFile = backend.open(joinPath(dir, 'index'));
    this.indexSize = this.indexFile.size;
  }

  readIndex(off: number, len: number): Uint8Array {
    return this.indexFile.read(off, Math.max(0, Math.min(len, this.indexSize - off)));
  }

  readChunkFile(file: number, off: number, len: number): Uint8Array {
    let f = this.chunkFiles.get(file);
    if (f === undefined) {
      const path = joinPath(this.dir, 'chunks', chunkFileName(file));
      if (!this.backend.exists(path)) throw new BlockCorruptionError(`${joinPath(this.backend.root, path)}: missing, but the block's index refers to it`);
      this.chunkFiles.set(file, (f = this.backend.open(path)));
    }
    return f.read(off, len);
  }

  readTombstones(): Uint8Array | null {
    return this.backend.readFile(joinPath(this.dir, 'tombstones'));
  }

  writeTombstones(bytes: Uint8Array): void {
    const path = joinPath(this.dir, 'tombstones');
    this.backend.writeFile(`${path}.tmp`, bytes);
    this.backend.rename(`${path}.tmp`, path);
    this.backend.syncDir(this.dir);
  }

  close(): void {
    this.indexFile.close();
    for (const f of this.chunkFiles.values()) f.close();
    this.chunkFiles.clear();
  }
}

/** Writes a block: `fill` adds series to the writer; returns the block's meta, or null when it holds no series. */
export function writeBlock(
  backend: BlockBackend,
  writer: (sink: BlockSink) => BlockWriter,
  fill: (w: BlockWriter) => void,
  mint: number,
  maxt: number,
  compaction?: (ulid: string) => BlockMeta['compaction'],
  fromHead = false,
): BlockMeta | null {
  const b = startBlock(backend, writer);
  try {
    fill(b.w);
    return b.publish(mint, maxt, compaction, fromHead);
  } catch (e) {
    b.discard();
    throw e;
  }
}

/** A block being written (see startBlock). */
export interface BlockInProgress {
  w: BlockWriter;
  /** Syncs and renames the block into place; null (and nothing left behind) when it holds no series. */
  publish(mint: number, maxt: number, compaction?: (ulid: string) => BlockMeta['compaction'], fromHead?: boolean): BlockMeta | null;
  /** publish, with the backend's asynchronous writes where it has them (see BlockBackend.writes). */
  publishAsync(mint: number, maxt: number, compaction?: (ulid: string) => BlockMeta['compaction'], fromHead?: boolean): Promise<BlockMeta | null>;
  /** Settles once the chunk bytes queued for writing are down to a bound (null: they are). */
  backlog(): Promise<void> | null;
  discard(): void;
}

/** Chunk bytes a background block write may have queued before its writer waits for the disk. */
const QUEUED_BYTES = 16 * 1024 * 1024;

/**
 * A block being written under `<ULID>.tmp-for-creation`: fill `w` (in as
 * many steps as the caller likes), then publish (synced, renamed into
 * place) or discard it. With `background`, on a backend with asynchronous
 * writes, its files are written and synced off the caller's thread.
 */
export function startBlock(backend: BlockBackend, writer: (sink: BlockSink) => BlockWriter, background = false): BlockInProgress {
  const ulid = newULID();
  const tmp = `${ulid}.tmp-for-creation`;
  backend.mkdirs(joinPath(tmp, 'chunks'));
  const writes = background ? backend.writes : undefined;
  const files = writes ? new QueuedChunkFiles(writes, joinPath(tmp, 'chunks')) : null;
  const discard = () => {
    if (!files) return backend.remove(tmp);
    // Writes still queued go first; a leftover (a crash meanwhile) is removed at the next start.
    void files.abandon().then(() => writes!.remove(tmp)).catch(() => {});
  };
  let w: BlockWriter;
  try {
    w = writer(files ?? { chunkFile: (n, bytes, append) => backend.writeFile(joinPath(tmp, 'chunks', chunkFileName(n)), bytes, append) });
  } catch (e) {
    discard();
    throw e;
  }
  const metaBytes = (meta: BlockMeta) => new TextEncoder().encode(JSON.stringify(meta, null, '\t') + '\n');
  const publishSync: BlockInProgress['publish'] = (mint, maxt, compaction, fromHead = false) => {
    if (files) throw new Error('BUG: a block written in the background is published with publishAsync');
    if (w.seriesCount === 0) {
      discard();
      return null;
    }
    const { index, meta } = w.finish(ulid, mint, maxt, compaction?.(ulid), fromHead);
    backend.writeFile(joinPath(tmp, 'index'), index);
    backend.writeFile(joinPath(tmp, 'meta.json'), metaBytes(meta));
    backend.syncDir(joinPath(tmp, 'chunks'));
    backend.syncDir(tmp);
    // The rename publishes the block only once every piece is durable.
    backend.rename(tmp, ulid);
    backend.syncDir('');
    return meta;
  };
  return {
    w,
    discard,
    backlog: () => files?.backlog() ?? null,
    publish: publishSync,
    publishAsync: async (mint, maxt, compaction, fromHead = false) => {
      if (!files || !writes) return publishSync(mint, maxt, compaction, fromHead);
      if (w.seriesCount === 0) {
        discard();
        return null;
      }
      // The index is built in slices too: for a block of many series it is hundreds of milliseconds of work.
      const { index, meta } = await sliced(w.finishSteps(ulid, mint, maxt, compaction?.(ulid), fromHead));
      await files.close();
      await writes.writeFile(joinPath(tmp, 'index'), index);
      await writes.writeFile(joinPath(tmp, 'meta.json'), metaBytes(meta));
      await writes.syncDir(joinPath(tmp, 'chunks'));
      await writes.syncDir(tmp);
      await writes.rename(tmp, ulid);
      await writes.syncDir('');
      return meta;
    },
  };
}

/** Runs `steps` to its end, letting other work run (a timer's turn) after each 10 ms of it. */
async function sliced<T>(steps: Generator<void, T>, sliceMs = 10): Promise<T> {
  let t = performance.now();
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (performance.now() - t < sliceMs) continue;
    await new Promise((resolve) => setTimeout(resolve, 0));
    t = performance.now();
  }
}

/** A block's chunk files written through a backend's asynchronous writes, one file open at a time. */
class QueuedChunkFiles implements BlockSink {
  private current: { n: number; f: AsyncFileWriter } | null = null;
  private readonly closing: Promise<void>[] = [];

  constructor(private readonly writes: AsyncBlockWrites, private readonly dir: string) {}

  chunkFile(n: number, bytes: Uint8Array, append: boolean): void {
    if (!append || this.current?.n !== n) {
      this.closeCurrent();
      this.current = { n, f: this.writes.create(joinPath(this.dir, chunkFileName(n))) };
    }
    // The writer reuses its buffer once this returns.
    this.current.f.write(bytes.slice());
  }

  backlog(): Promise<void> | null {
    const f = this.current?.f;
    return f && f.queuedBytes > QUEUED_BYTES ? f.written() : null;
  }

  private closeCurrent(): void {
    if (!this.current) return;
    const done = this.current.f.syncAndClose();
    // Awaited in close(); a failure must not go unhandled before then.
    done.catch(() => {});
    this.closing.push(done);
    this.current = null;
  }

  /** Every file written, synced and closed; rejects with the first failure. */
  async close(): Promise<void> {
    this.closeCurrent();
    await Promise.all(this.closing);
  }

  /** Settles (never rejects) once nothing is being written any more. */
  async abandon(): Promise<void> {
    await this.close().catch(() => {});
  }
}

export function readMeta(backend: BlockBackend, ulid: string): BlockMeta {
  const path = joinPath(ulid, 'meta.json');
  const where = joinPath(backend.root, path);
  let meta: BlockMeta;
  try {
    const bytes = backend.readFile(path);
    if (!bytes) throw new Error('missing');
    meta = JSON.parse(new TextDecoder().decode(bytes)) as BlockMeta;
  } catch (e) {
    throw new BlockCorruptionError(`${where}: ${(e as Error).message}`);
  }
  if (meta.version !== 1 || typeof meta.minTime !== 'number' || typeof meta.maxTime !== 'number' || !meta.stats) {
    throw new BlockCorruptionError(`${where}: not a block meta.json of version 1`);
  }
  return meta;
}

export function openBlock(backend: BlockBackend, ulid: string, cache: ByteCache): Block {
  const meta = readMeta(backend, ulid);
  const files = new BackendBlockFiles(backend, ulid);
  try {
    return new Block(meta, files, cache);
  } catch (e) {
    files.close();
    throw e;
  }
}

/** Block names, after removing half-written or half-deleted ones (unless read-only). */
export function listBlocks(backend: BlockBackend, readOnly = false, warn: (m: string) => void = () => {}): string[] {
  const out: string[] = [];
  for (const f of backend.list('')) {
    if (/\.tmp-for-(creation|deletion)$/.test(f)) {
      if (!readOnly) {
        warn(`removing ${joinPath(backend.root, f)}, left by an interrupted block write or deletion`);
        backend.remove(f);
      }
      continue;
    }
    if (isULID(f) && backend.isDir(f)) out.push(f);
  }
  return out.sort();
}

/** Removes a block: renamed first, so a crash never leaves half a block that looks whole. */
export function deleteBlock(backend: BlockBackend, ulid: string): void {
  const tmp = `${ulid}.tmp-for-deletion`;
  backend.rename(ulid, tmp);
  backend.syncDir('');
  backend.remove(tmp);
}

/**
 * deleteBlock with the sync and the removal off the caller's thread where the
 * backend can: the rename happens now (no later listing finds the block), a
 * failure after it only leaves a `.tmp-for-deletion` the next start removes.
 */
export function deleteBlockInBackground(backend: BlockBackend, ulid: string, warn: (m: string) => void): void {
  const writes = backend.writes;
  if (!writes) return deleteBlock(backend, ulid);
  const tmp = `${ulid}.tmp-for-deletion`;
  backend.rename(ulid, tmp);
  writes.syncDir('').then(() => writes.remove(tmp)).catch((e: Error) =>
    warn(`removing block ${joinPath(backend.root, tmp)} failed (it is removed at the next start): ${e.message}`));
}

/** Bytes a block holds. */
export function blockBytes(backend: BlockBackend, ulid: string): number {
  let n = backend.size(joinPath(ulid, 'index')) + backend.size(joinPath(ulid, 'meta.json'));
  for (const f of backend.list(joinPath(ulid, 'chunks'))) n += backend.size(joinPath(ulid, 'chunks', f));
  return n;
}
