// The BlockBackend of a browser without OPFS (a page's main thread, or a
// browser that lacks it): blocks in an IndexedDB object store. IndexedDB
// reads are asynchronous and the block code reads synchronously, so:
//
// - a block's index, meta.json and tombstones are kept whole in memory (the
//   index is what a query plans with, and much smaller than the chunks);
// - chunk files are stored in 16 KiB pages and read only after load() has
//   brought the pages a query or a compaction names into memory, where they
//   stay until it is done (then the database's bounded cache keeps what fits);
//   a synchronous read of a page nobody loaded throws BlockDataNotLoadedError;
// - writes, renames and removals change a mirror of the tree at once (a new
//   block waits in JavaScript memory) and reach IndexedDB at flush(), all in
//   one transaction, so a block is stored whole or not at all.
//
// Keys: "m:<path>" holds every file's size (and, for files other than chunk
// files, its bytes); "p:<path>:<page>" a chunk file's pages.

import type { BlockBackend, RandomAccessFile } from '../storage/block-backend.js';
import { isULID } from '../storage/block-format.js';
import { type BlockLoader, type ByteRange, BlockDataNotLoadedError } from '../storage/block-prefetch.js';
import type { ByteCache } from '../storage/byte-cache.js';
import { BLOCK_STORE, done, request } from './idb.js';

/** Bytes per stored page of a chunk file: small enough that a query loads little it does not read. */
export const IDB_PAGE = 16 * 1024;
const META = 'm:', PAGES = 'p:', HIGH = '\uffff';
const pageKey = (path: string, n: number) => `${PAGES}${path}:${String(n).padStart(8, '0')}`;
const isChunkFile = (p: string) => /(^|\/)chunks\/[^/]+$/.test(p);
const isTemporary = (p: string) => /\.tmp-for-(creation|deletion)(\/|$)/.test(p);
const parentOf = (p: string) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '');
const under = (p: string, dir: string) => p === dir || p.startsWith(`${dir}/`);
/** An ArrayBuffer holding exactly these bytes. */
const own = (b: Uint8Array): ArrayBuffer =>
  (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b.buffer : b.slice().buffer) as ArrayBuffer;

interface FileNode {
  kind: 'file';
  /** Bytes not yet in IndexedDB (a new file). */
  pending: Uint8Array | null;
  /** A stored file other than a chunk file, kept whole. */
  resident: Uint8Array | null;
  /** A stored chunk file: its pages are read once loaded. */
  paged: boolean;
  size: number;
}
type Node = FileNode | { kind: 'dir' };
interface StoredFile { size: number; bytes?: ArrayBuffer }

export class IdbBlockBackend implements BlockBackend, BlockLoader {
  /** Chunk files are stored and loaded in pages of IDB_PAGE bytes: blocks read each chunk where it lies. */
  readonly readsInPages = true;
  private readonly nodes = new Map<string, Node>();
  /** Paths whose stored keys go at the next flush. */
  private removals: string[] = [];
  private flushing: Promise<void> = Promise.resolve();
  /** Pages loaded for running queries and compactions, with how many of them hold each. */
  private readonly held = new Map<string, { bytes: Uint8Array; holders: number }>();
  private cache: ByteCache | null = null;
  private scratch = new Uint8Array(2 * IDB_PAGE);
  /** What load() did so far: calls, pages read from IndexedDB (and their bytes), pages found in memory, and milliseconds waiting for IndexedDB. */
  readonly reads = { loads: 0, pagesFetched: 0, bytesFetched: 0, pagesInMemory: 0, fetchMs: 0 };

  private constructor(readonly root: string, private readonly idb: IDBDatabase) {}

  /** Reads the tree of what `idb`'s block store holds (sizes, and every file but the chunk files). */
  static async open(idb: IDBDatabase, name: string, warn: (m: string) => void = () => {}): Promise<IdbBlockBackend> {
    const b = new IdbBlockBackend(`IndexedDB ${name}/blocks`, idb);
    const store = idb.transaction(BLOCK_STORE, 'readonly').objectStore(BLOCK_STORE);
    const range = IDBKeyRange.bound(META, META + HIGH);
    const [keys, values] = await Promise.all([request(store.getAllKeys(range)), request(store.getAll(range))]);
    keys.forEach((k, i) => {
      const path = (k as string).slice(META.length);
      const f = values[i] as StoredFile;
      b.mkdirs(parentOf(path));
      b.nodes.set(path, { kind: 'file', pending: null, resident: f.bytes ? new Uint8Array(f.bytes) : null, paged: !f.bytes, size: f.size });
    });
    // A flush is one transaction, so a block lacks meta.json only if something else wrote the store.
    for (const top of b.list('')) {
      if (isULID(top) && b.isDir(top) && !b.exists(`${top}/meta.json`)) {
        warn(`removing ${b.root}/${top}: a block directory without meta.json`);
        b.remove(top);
      }
    }
    if (b.removals.length > 0) await b.flush();
    return b;
  }

  /** Loaded pages also go to `cache` (the database's), so later queries find them there. */
  useCache(cache: ByteCache): void {
    this.cache = cache;
  }

  private file(p: string): FileNode {
    const n = this.nodes.get(p);
    if (!n || n.kind !== 'file') throw new Error(`${this.root}/${p}: no such file`);
    return n;
  }

  list(dir: string): string[] {
    const out: string[] = [];
    for (const p of this.nodes.keys()) if (parentOf(p) === dir && p !== dir) out.push(dir === '' ? p : p.slice(dir.length + 1));
    return out;
  }

  isDir(p: string): boolean { return this.nodes.get(p)?.kind === 'dir'; }
  exists(p: string): boolean { return this.nodes.has(p); }
  size(p: string): number { return this.file(p).size; }

  readFile(p: string): Uint8Array | null {
    const n = this.nodes.get(p);
    if (!n || n.kind !== 'file') return null;
    return this.bytes(p, n, 0, n.size).slice();
  }

  /** `len` bytes from `off` (fewer at the end); a view valid until the next read. */
  private bytes(p: string, n: FileNode, off: number, len: number): Uint8Array {
    len = Math.max(0, Math.min(len, n.size - off));
    if (n.pending) return n.pending.subarray(off, off + len);
    if (n.resident) return n.resident.subarray(off, off + len);
    if (len === 0) return new Uint8Array(0);
    const first = Math.floor(off / IDB_PAGE), last = Math.floor((off + len - 1) / IDB_PAGE);
    const page = (i: number) => {
      const k = pageKey(p, i);
      const b = this.held.get(k)?.bytes ?? this.cache?.peek(k);
      if (!b) throw new BlockDataNotLoadedError(this.root, p, off, len);
      return b;
    };
    if (first === last) return page(first).subarray(off - first * IDB_PAGE, off - first * IDB_PAGE + len);
    if (this.scratch.length < len) this.scratch = new Uint8Array(Math.max(len, 2 * this.scratch.length));
    const out = this.scratch.subarray(0, len);
    for (let i = first, at = 0; i <= last; i++) {
      const b = page(i);
      const from = i === first ? off - first * IDB_PAGE : 0;
      const m = Math.min(b.length - from, len - at);
      out.set(b.subarray(from, from + m), at);
      at += m;
    }
    return out;
  }

  open(p: string): RandomAccessFile {
    // Holds the node, not the path: a flush swaps its pending bytes for stored pages underneath.
    const n = this.file(p);
    return {
      size: n.size,
      read: (off: number, len: number) => this.bytes(p, n, off, len),
      close() {},
    };
  }

  mkdirs(p: string): void {
    for (let at = p; at !== '' && !this.nodes.has(at); at = parentOf(at)) this.nodes.set(at, { kind: 'dir' });
  }

  writeFile(p: string, bytes: Uint8Array, append = false): void {
    this.mkdirs(parentOf(p));
    const n = this.nodes.get(p);
    let next = bytes.slice();
    if (append && n?.kind === 'file') {
      const before = this.bytes(p, n, 0, n.size);
      next = new Uint8Array(before.length + bytes.length);
      next.set(before);
      next.set(bytes, before.length);
    }
    // Stored keys of the file it replaces go first, in the flush's transaction.
    if (n?.kind === 'file' && !n.pending) this.removals.push(p);
    this.nodes.set(p, { kind: 'file', pending: next, resident: null, paged: false, size: next.length });
  }

  /** Durability comes at flush(). */
  syncDir(): void {}

  rename(from: string, to: string): void {
    // A flush is one transaction: a deletion needs no renamed stage to be whole.
    if (to.endsWith('.tmp-for-deletion')) return this.remove(from);
    for (const [p, n] of [...this.nodes]) {
      if (!under(p, from)) continue;
      if (n.kind === 'file' && n.paged) throw new Error(`${this.root}/${p}: a stored chunk file cannot be renamed`);
      if (n.kind === 'file' && n.resident) {
        n.pending = n.resident;
        n.resident = null;
      }
      this.nodes.delete(p);
      this.nodes.set(to + p.slice(from.length), n);
    }
    if (this.nodes.get(to)?.kind === 'file') this.removals.push(to);
    this.removals.push(from);
  }

  remove(p: string): void {
    for (const q of [...this.nodes.keys()]) if (under(q, p)) this.nodes.delete(q);
    this.cache?.dropPrefix(`${PAGES}${p}/`);
    this.cache?.dropPrefix(`${PAGES}${p}:`);
    this.removals.push(p);
  }

  /**
   * Loads the pages holding `ranges` of stored chunk files and keeps them
   * readable until the returned function is called. Pages of files removed
   * meanwhile are skipped (a read of them then throws, and the query plans again).
   */
  async load(ranges: readonly ByteRange[]): Promise<() => void> {
    const want = new Set<string>();
    for (const r of ranges) {
      const n = this.nodes.get(r.path);
      if (!n || n.kind !== 'file' || !n.paged || n.pending || r.len <= 0) continue;
      const end = Math.min(r.off + r.len, n.size);
      for (let i = Math.floor(r.off / IDB_PAGE); i * IDB_PAGE < end; i++) want.add(pageKey(r.path, i));
    }
    const mine: string[] = [];
    const hold = (k: string, bytes: Uint8Array) => {
      const h = this.held.get(k);
      if (h) h.holders++;
      else this.held.set(k, { bytes, holders: 1 });
      mine.push(k);
    };
    const missing: string[] = [];
    for (const k of want) {
      const b = this.held.get(k)?.bytes ?? this.cache?.peek(k);
      if (b) hold(k, b);
      else missing.push(k);
    }
    this.reads.loads++;
    this.reads.pagesInMemory += want.size - missing.length;
    if (missing.length > 0) {
      const t0 = performance.now();
      const store = this.idb.transaction(BLOCK_STORE, 'readonly').objectStore(BLOCK_STORE);
      const reads: Promise<[IDBValidKey[], unknown[]]>[] = [];
      // Consecutive pages of a file come in one request.
      missing.sort();
      for (let i = 0; i < missing.length;) {
        let j = i + 1;
        while (j < missing.length && follows(missing[j - 1]!, missing[j]!)) j++;
        const range = IDBKeyRange.bound(missing[i]!, missing[j - 1]!);
        reads.push(Promise.all([request(store.getAllKeys(range)), request(store.getAll(range))]));
        i = j;
      }
      for (const [keys, values] of await Promise.all(reads)) {
        keys.forEach((k, i) => {
          const bytes = new Uint8Array(values[i] as ArrayBuffer);
          hold(k as string, bytes);
          this.cache?.put(k as string, bytes);
          this.reads.pagesFetched++;
          this.reads.bytesFetched += bytes.length;
        });
      }
      this.reads.fetchMs += performance.now() - t0;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const k of mine) {
        const h = this.held.get(k)!;
        if (--h.holders === 0) this.held.delete(k);
      }
    };
  }

  /** Bytes in JavaScript memory: new blocks not yet flushed, indexes and other whole files, pages loaded for running reads. */
  memory(): { pendingBytes: number; residentBytes: number; loadedBytes: number } {
    let pendingBytes = 0, residentBytes = 0, loadedBytes = 0;
    for (const n of this.nodes.values()) {
      if (n.kind !== 'file') continue;
      if (n.pending) pendingBytes += n.pending.length;
      if (n.resident) residentBytes += n.resident.length;
    }
    for (const h of this.held.values()) loadedBytes += h.bytes.length;
    return { pendingBytes, residentBytes, loadedBytes };
  }

  /** Makes every change so far durable in IndexedDB; flushes run one after another. */
  flush(): Promise<void> {
    const next = this.flushing.then(() => this.flushNow());
    this.flushing = next.catch(() => {});
    return next;
  }

  private async flushNow(): Promise<void> {
    const removals = this.removals;
    this.removals = [];
    const pending = [...this.nodes]
      .filter((e): e is [string, FileNode] => e[1].kind === 'file' && e[1].pending !== null && !isTemporary(e[0]))
      .map(([p, n]) => [p, n, n.pending!] as const);
    if (removals.length === 0 && pending.length === 0) return;
    const tx = this.idb.transaction(BLOCK_STORE, 'readwrite');
    const store = tx.objectStore(BLOCK_STORE);
    // Requests run in order: removals first, so a file written again after its removal stays.
    for (const p of removals) {
      store.delete(META + p);
      store.delete(IDBKeyRange.bound(`${META}${p}/`, `${META}${p}/${HIGH}`));
      store.delete(IDBKeyRange.bound(`${PAGES}${p}:`, `${PAGES}${p}:${HIGH}`));
      store.delete(IDBKeyRange.bound(`${PAGES}${p}/`, `${PAGES}${p}/${HIGH}`));
    }
    for (const [p, , bytes] of pending) {
      if (!isChunkFile(p)) {
        store.put({ size: bytes.length, bytes: own(bytes) } satisfies StoredFile, META + p);
        continue;
      }
      store.put({ size: bytes.length } satisfies StoredFile, META + p);
      for (let i = 0; i * IDB_PAGE < bytes.length; i++) store.put(bytes.slice(i * IDB_PAGE, (i + 1) * IDB_PAGE).buffer, pageKey(p, i));
    }
    try {
      await done(tx);
    } catch (e) {
      // Nothing of this flush is stored: the next one tries the same again.
      this.removals = [...removals, ...this.removals];
      throw e;
    }
    for (const [p, n, bytes] of pending) {
      // Replaced or removed while the transaction ran: the next flush settles it.
      if (this.nodes.get(p) !== n || n.pending !== bytes) continue;
      n.pending = null;
      if (isChunkFile(p)) n.paged = true;
      else n.resident = bytes;
    }
  }

  /** Nothing to let go: the IndexedDB connection is its opener's. */
  close(): void {}

  /** Removes every stored block (the backend holds nothing afterwards). */
  async clear(): Promise<void> {
    await this.flushing;
    this.nodes.clear();
    this.removals = [];
    this.held.clear();
    this.cache?.dropPrefix(PAGES);
    const tx = this.idb.transaction(BLOCK_STORE, 'readwrite');
    tx.objectStore(BLOCK_STORE).clear();
    await done(tx);
  }
}

/** Whether page key `b` is the page after `a` of the same file. */
function follows(a: string, b: string): boolean {
  const i = a.lastIndexOf(':'), j = b.lastIndexOf(':');
  return i === j && a.slice(0, i) === b.slice(0, j) && Number(b.slice(j + 1)) === Number(a.slice(i + 1)) + 1;
}
