// Opt-in persistence for browsers: the same chunk files, index and
// checkpoint records as a Node data directory (see storage/persist-format.ts),
// kept in one IndexedDB object store. There is no log: the database is saved
// by a checkpoint every saveInterval, when the page is hidden, and on save();
// each save is one IndexedDB transaction, so a reload finds the last whole
// save. What was committed after it is lost, as the option's docs say.
// Where OPFS sync access handles exist (a dedicated worker), the head is cut
// into immutable blocks in OPFS as on Node (storage/block-lifecycle.ts), so
// only recent data stays in WebAssembly memory; IndexedDB then holds only
// the head. Elsewhere (a page's main thread) everything stays in memory.

import { openDB, parseRetention, type DB, type DBOptions } from '../storage/db.js';
import { decodeFrames, decodeIndex, encodeFrames } from '../storage/persist-format.js';
import {
  type BlockPolicy, applyBlockTimeRetention, blocksEncoding, compactBlocks, cutHeadBlocks, headCutUpTo, openBlocks, logHeadRetention,
} from '../storage/block-lifecycle.js';
import { OpfsBlockBackend, opfsAvailable } from './opfs-block-backend.js';

export interface PersistentDBOptions extends DBOptions, BlockPolicy {
  /** IndexedDB database name (default "promlet"). */
  name?: string;
  /** Milliseconds between automatic saves (default 5000; 0: only on save() and page hide). */
  saveInterval?: number;
  /** Start empty, deleting what was saved under this name. */
  fresh?: boolean;
  /**
   * Immutable blocks in the origin private file system: "auto" (default) where
   * this context has OPFS sync access handles (a dedicated worker), "opfs"
   * (required: an error elsewhere), "none" (all data in memory).
   */
  blocks?: 'auto' | 'opfs' | 'none';
}

export interface PersistentDB {
  db: DB;
  /** What the last session left: series and chunks loaded (open head chunks included), samples in the loaded open chunks. */
  loaded: { series: number; chunks: number; samples: number; ms: number; blocks: number };
  /** Whether old data is cut into OPFS blocks (false: all of it stays in memory). */
  blocks: boolean;
  /** Saves now; resolves when the transaction is durable. */
  save(): Promise<{ newChunks: number; headSamples: number }>;
  /** Saves and stops saving; the DB must not be used afterwards. */
  close(): Promise<void>;
  /** Deletes everything saved under this name, OPFS blocks included (then the DB must not be used: its blocks are gone). */
  clear(): Promise<void>;
}

const STORE = 'files';
const chunkKey = (n: number) => `chunks/${String(n).padStart(8, '0')}`;

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

function openStore(name: string): Promise<IDBDatabase> {
  const r = indexedDB.open(name, 1);
  r.onupgradeneeded = () => r.result.createObjectStore(STORE);
  return request(r);
}

/** Opens a database whose data survives page reloads in this browser's IndexedDB. */
export async function openPersistentDB(opts: PersistentDBOptions = {}): Promise<PersistentDB> {
  if (typeof indexedDB === 'undefined') throw new Error('openPersistentDB needs IndexedDB (a browser); in Node use openDiskDB from promlet/node');
  const t0 = performance.now();
  const name = opts.name ?? 'promlet';
  const useBlocks = opts.blocks === 'opfs' || ((opts.blocks ?? 'auto') === 'auto' && opfsAvailable());
  if (useBlocks && !opfsAvailable()) throw new Error('openPersistentDB blocks: "opfs" needs OPFS sync access handles, which only a dedicated worker has');
  const warn = (m: string) => console.warn(`promlet: ${m}`);
  const idb = await openStore(name);
  if (opts.fresh) {
    const tx = idb.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).clear();
    await done(tx);
  }
  const read = idb.transaction(STORE, 'readonly').objectStore(STORE);
  const keys = (await request(read.getAllKeys())) as string[];
  const files = new Map<string, Uint8Array>();
  for (const k of keys) files.set(k, new Uint8Array((await request(read.get(k))) as ArrayBuffer));

  // Blocks live in OPFS directory "promlet-<name>"; IndexedDB keeps the head beside them.
  const backend = useBlocks ? await OpfsBlockBackend.open(`promlet-${name}`, warn) : null;
  if (backend && opts.fresh) await backend.clear();
  const db = await openDB({ ...opts, encoding: (backend && blocksEncoding(backend, false, warn)) || opts.encoding });
  logHeadRetention(db, parseRetention(opts.retention), warn);
  const loaded = { series: 0, chunks: 0, samples: 0, ms: 0, blocks: 0 };
  if (backend) db.setBlocks(openBlocks(backend, db, false, warn));
  loaded.blocks = db.blockList().length;
  // What blocks cut from the head hold is not the head's any more (a save of the head may not have followed the cut).
  const cutUpTo = headCutUpTo(db);
  db.setHeadMinValidTime(cutUpTo);
  const indexBytes = files.get('index');
  if (indexBytes) {
    const ix = decodeIndex(indexBytes, `IndexedDB ${name}/index`);
    const where = (n: number) => `IndexedDB ${name}/${chunkKey(n)}`;
    db.loadPersisted(ix, (n) => {
      const f = files.get(chunkKey(n));
      if (!f) throw new Error(`${where(n)}: missing, but the index refers to it`);
      return f;
    }, where);
    const ckpt = files.get('checkpoint');
    // Open head chunks come back encoded; a checkpoint of an older version holds their samples as records instead.
    const replayed = ckpt ? db.replayWal(decodeFrames(ckpt, `IndexedDB ${name}/checkpoint`)).samples : 0;
    loaded.samples = replayed + ix.series.reduce((n, s) => n + (s.open?.samples ?? 0), 0);
    loaded.series = ix.series.length;
    loaded.chunks = ix.series.reduce((n, s) => n + s.chunks.length + (s.open ? 1 : 0), 0);
  }
  if (cutUpTo > -Infinity) db.truncateHead(cutUpTo);
  loaded.ms = performance.now() - t0;
  const retentionMs = parseRetention(opts.retention);
  let nextFile = 1 + Math.max(0, ...keys.filter((k) => k.startsWith('chunks/')).map((k) => Number(k.slice(7))));
  let saving: Promise<unknown> = Promise.resolve();

  const saveNow = async () => {
    // Blocks are durable in OPFS before the head that no longer holds their data is saved.
    if (backend && !db.hasOpenQueriers()) {
      cutHeadBlocks(backend, db, opts);
      compactBlocks(backend, db, retentionMs, opts);
      applyBlockTimeRetention(backend, db, retentionMs, warn);
    }
    await backend?.flush();
    const fileNo = nextFile;
    const cp = db.checkpoint(fileNo, 0);
    const tx = idb.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    if (cp.chunkFile) store.put(cp.chunkFile.buffer, chunkKey(fileNo));
    store.put(encodeFrames(cp.records).buffer, 'checkpoint');
    store.put(cp.index.buffer, 'index');
    // Chunk files whose chunks all fell out of retention go in the same transaction.
    const stored = (await request(store.getAllKeys())) as string[];
    for (const k of stored) if (k.startsWith('chunks/') && !cp.fileMaxT.has(Number(k.slice(7))) && k !== chunkKey(fileNo)) store.delete(k);
    await done(tx);
    if (cp.chunkFile) nextFile++;
    cp.markPersisted();
    return { newChunks: cp.newChunks, headSamples: cp.headSamples };
  };
  // Saves run one after another: each checkpoint builds on the one before.
  const save = () => {
    const next = saving.then(saveNow, saveNow);
    saving = next.catch(() => {});
    return next;
  };

  const interval = opts.saveInterval ?? 5000;
  const timer = interval > 0 ? setInterval(() => void save().catch(() => {}), interval) : null;
  const onHide = () => {
    if (document.visibilityState === 'hidden') void save().catch(() => {});
  };
  if (typeof document !== 'undefined') document.addEventListener('visibilitychange', onHide);

  return {
    db, loaded, save, blocks: backend !== null,
    close: async () => {
      if (timer) clearInterval(timer);
      if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', onHide);
      await save();
      idb.close();
      await db.close();
      backend?.close();
    },
    clear: async () => {
      const tx = idb.transaction(STORE, 'readwrite');
      tx.objectStore(STORE).clear();
      await done(tx);
      await backend?.clear();
    },
  };
}
