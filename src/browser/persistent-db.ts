// Opt-in persistence for browsers: the same chunk files, index and
// checkpoint records as a Node data directory (see storage/persist-format.ts),
// kept in one IndexedDB object store. There is no log: the database is saved
// by a checkpoint every saveInterval, when the page is hidden, and on save();
// each save is one IndexedDB transaction, so a reload finds the last whole
// save. What was committed after it is lost, as the option's docs say.
// The head is cut into immutable blocks as on Node (storage/block-lifecycle.ts),
// so only recent data stays in WebAssembly memory: in OPFS where sync access
// handles exist (a dedicated worker), else in IndexedDB beside the head (a
// page's main thread), where queries load the chunks they read first.

import { openDB, parseRetention, type DB, type DBOptions } from '../storage/db.js';
import { decodeFrames, decodeIndex, encodeFrames } from '../storage/persist-format.js';
import type { Block } from '../storage/block.js';
import type { Matcher } from '../model/matcher.js';
import {
  type BlockPolicy, applyBlockTimeRetention, blocksEncoding, compactBlocks, compactBlocksLoading, cutHeadBlocks, headCutUpTo, openBlocks, logHeadRetention,
} from '../storage/block-lifecycle.js';
import { wholeBlockRanges } from '../storage/block-prefetch.js';
import { OpfsBlockBackend, opfsAvailable } from './opfs-block-backend.js';
import { IdbBlockBackend } from './idb-block-backend.js';
import { BLOCK_STORE, HEAD_STORE as STORE, done, openStores, request } from './idb.js';

export interface PersistentDBOptions extends DBOptions, BlockPolicy {
  /** IndexedDB database name (default "promlet"). */
  name?: string;
  /** Milliseconds between automatic saves (default 5000; 0: only on save() and page hide). */
  saveInterval?: number;
  /** Start empty, deleting what was saved under this name. */
  fresh?: boolean;
  /**
   * Where immutable blocks live: "auto" (default) in the origin private file
   * system where this context has OPFS sync access handles (a dedicated
   * worker), else in IndexedDB; "opfs" (required: an error elsewhere);
   * "indexeddb"; "none" (all data in memory).
   */
  blocks?: 'auto' | 'opfs' | 'indexeddb' | 'none';
}

export interface PersistentDB {
  db: DB;
  /** What the last session left: series and chunks loaded (open head chunks included), samples in the loaded open chunks. */
  loaded: { series: number; chunks: number; samples: number; ms: number; blocks: number };
  /** Whether old data is cut into blocks (false: all of it stays in memory). */
  blocks: boolean;
  /** Where the blocks are: "opfs", "indexeddb" (queries load the chunks they read), or null (no blocks). */
  blockStore: 'opfs' | 'indexeddb' | null;
  /**
   * Block bytes held in JavaScript memory besides the cache (db.stats().cache):
   * blocks not yet flushed, the resident indexes (IndexedDB only) and chunk
   * pages loaded for queries running now.
   */
  blockMemory(): { pendingBytes: number; residentBytes: number; loadedBytes: number };
  /** What queries and merges loaded from IndexedDB blocks so far (zeros with OPFS or no blocks). */
  blockReads(): { loads: number; pagesFetched: number; bytesFetched: number; pagesInMemory: number; fetchMs: number };
  /**
   * db.deleteSeries where blocks may be in IndexedDB: loads the chunks it
   * counts first, between saves. Durable at the next save. Returns the number of samples deleted.
   */
  deleteSeries(matchers: readonly Matcher[], mint?: number, maxt?: number): Promise<number>;
  /** Saves now; resolves when the transaction is durable. */
  save(): Promise<{ newChunks: number; headSamples: number }>;
  /** Saves and stops saving; the DB must not be used afterwards. */
  close(): Promise<void>;
  /** Deletes everything saved under this name, OPFS blocks included (then the DB must not be used: its blocks are gone). */
  clear(): Promise<void>;
}

const chunkKey = (n: number) => `chunks/${String(n).padStart(8, '0')}`;
/** Merges of blocks kept in IndexedDB hold their parents in memory while written: none spans more than this. */
const IDB_MAX_COMPACTION_RANGE = 24 * 3_600_000;

/** Opens a database whose data survives page reloads in this browser's IndexedDB. */
export async function openPersistentDB(opts: PersistentDBOptions = {}): Promise<PersistentDB> {
  if (typeof indexedDB === 'undefined') throw new Error('openPersistentDB needs IndexedDB (a browser); in Node use openDiskDB from promlet/node');
  const t0 = performance.now();
  const name = opts.name ?? 'promlet';
  const mode = opts.blocks ?? 'auto';
  if (!['auto', 'opfs', 'indexeddb', 'none'].includes(mode)) throw new Error(`openPersistentDB blocks: ${JSON.stringify(mode)} is not one of "auto", "opfs", "indexeddb", "none"`);
  const store: 'opfs' | 'indexeddb' | null = mode === 'none' ? null : mode === 'auto' ? (opfsAvailable() ? 'opfs' : 'indexeddb') : mode;
  if (store === 'opfs' && !opfsAvailable()) throw new Error('openPersistentDB blocks: "opfs" needs OPFS sync access handles, which only a dedicated worker has');
  const warn = (m: string) => console.warn(`promlet: ${m}`);
  const idb = await openStores(name);
  if (opts.fresh) {
    const tx = idb.transaction([STORE, BLOCK_STORE], 'readwrite');
    tx.objectStore(STORE).clear();
    tx.objectStore(BLOCK_STORE).clear();
    await done(tx);
  }
  const read = idb.transaction(STORE, 'readonly').objectStore(STORE);
  const keys = (await request(read.getAllKeys())) as string[];
  const files = new Map<string, Uint8Array>();
  for (const k of keys) files.set(k, new Uint8Array((await request(read.get(k))) as ArrayBuffer));

  // Blocks live in OPFS directory "promlet-<name>", or in IndexedDB's block store; IndexedDB keeps the head beside them.
  const opfs = store === 'opfs' ? await OpfsBlockBackend.open(`promlet-${name}`, warn) : null;
  if (opfs && opts.fresh) await opfs.clear();
  const inIdb = store === 'indexeddb' ? await IdbBlockBackend.open(idb, name, warn) : null;
  const backend = opfs ?? inIdb;
  const db = await openDB({ ...opts, encoding: (backend && blocksEncoding(backend, false, warn)) || opts.encoding });
  if (inIdb) {
    inIdb.useCache(db.cache);
    db.setBlockLoader(inIdb);
  }
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
      if (inIdb) {
        // Blocks cut just now go to IndexedDB before merges load their parents from there.
        await inIdb.flush();
        const load = (blocks: readonly Block[]) => inIdb.load(blocks.flatMap((b) => wholeBlockRanges(b, (p) => inIdb.size(p), (d) => inIdb.list(d))));
        await compactBlocksLoading(inIdb, db, retentionMs, opts, load, IDB_MAX_COMPACTION_RANGE);
      } else {
        compactBlocks(backend, db, retentionMs, opts);
      }
      if (!db.hasOpenQueriers()) applyBlockTimeRetention(backend, db, retentionMs, warn);
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
    db, loaded, save, blocks: backend !== null, blockStore: store,
    deleteSeries: (matchers, mint = -Infinity, maxt = Infinity) => {
      // Between saves, so no cut or merge changes the blocks while their chunks load.
      const run = () => db.prefetched(() => [{ matchers, start: mint, end: maxt }], () => db.deleteSeries(matchers, mint, maxt));
      const next = saving.then(run, run);
      saving = next.catch(() => {});
      return next;
    },
    blockReads: () => ({ ...(inIdb?.reads ?? { loads: 0, pagesFetched: 0, bytesFetched: 0, pagesInMemory: 0, fetchMs: 0 }) }),
    blockMemory: () => inIdb?.memory() ?? { pendingBytes: opfs?.pendingBytes ?? 0, residentBytes: 0, loadedBytes: 0 },
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
      await opfs?.clear();
      await inIdb?.clear();
    },
  };
}
