// Runs on a page's main thread of headless Chromium (bundled by
// chromium.test.ts), where there is no OPFS sync access handle, so
// openPersistentDB keeps blocks in IndexedDB. ?step=fill fills 36 hours
// hour by hour, saving after each (as a long-lived tab does), noting memory
// as retention grows, then answers queries. ?step=check (after a reload)
// answers them again from the stored blocks, then from a plain in-memory
// database of the same samples: the reference.

import { openDB, openPersistentDB, createEngine, Matcher, type DB } from '../../src/index.js';

declare global {
  interface Window { __idbBlocks?: unknown }
}

const H = 3_600_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % (2 * H));
const STEP = 60_000, HOURS = 36, SERIES = 500;
const CACHE = 1024 * 1024;
const value = (s: number, i: number) => (s % 3 === 0 ? i * (s + 1) : Math.round(Math.sin(i / 7 + s) * 1000) / 8 + (i % 13));

async function fillHour(db: DB, h: number): Promise<void> {
  for (let m = 0; m < 60; m += 15) {
    const app = db.appender();
    for (let j = h * 60 + m; j < h * 60 + m + 15; j++) {
      for (let s = 0; s < SERIES; s++) app.append({ __name__: 'tab_metric', s: String(s), kind: s % 3 === 0 ? 'counter' : 'gauge' }, T0 + j * STEP, value(s, j));
    }
    await app.commit();
  }
}

const END = T0 + HOURS * H;
const QUERIES: [string, number][] = [
  [`sum(count_over_time(tab_metric[${HOURS}h]))`, END],
  [`avg(avg_over_time(tab_metric{kind="gauge"}[${HOURS}h]))`, END],
  ['tab_metric{s="3"}', T0 + 45 * 60_000],
  ['sum by (kind) (rate(tab_metric[10m]))', T0 + 7 * H + 90 * 60_000],
  ['max_over_time(tab_metric{s=~"1.."}[3h])', T0 + 20 * H],
  ['tab_metric{s="42"} offset 30h', END - STEP],
  [`tab_metric{s="9"} @ ${(T0 + 5 * H) / 1000}`, END],
];

const shown = (r: { resultType: string; result: unknown; warnings?: unknown; infos?: unknown }) =>
  JSON.stringify({ resultType: r.resultType, result: r.result, warnings: r.warnings, infos: r.infos });

async function answers(db: DB): Promise<string[]> {
  const engine = createEngine(db);
  const out: string[] = [];
  for (const [q, at] of QUERIES) out.push(shown(await engine.instantQuery(q, at)));
  out.push(shown(await engine.rangeQuery('sum(tab_metric{kind="counter"})', T0, END - STEP, 2 * H)));
  return out;
}

/** Keys and value bytes of the chunk pages in the IndexedDB block store. */
async function storedPages(name: string): Promise<{ pages: number; bytes: number }> {
  const idb = await new Promise<IDBDatabase>((resolve, reject) => {
    const r = indexedDB.open(name);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  const values = await new Promise<ArrayBuffer[]>((resolve, reject) => {
    const r = idb.transaction('blocks', 'readonly').objectStore('blocks').getAll(IDBKeyRange.bound('p:', 'p:\uffff'));
    r.onsuccess = () => resolve(r.result as ArrayBuffer[]);
    r.onerror = () => reject(r.error);
  });
  idb.close();
  return { pages: values.length, bytes: values.reduce((n, v) => n + v.byteLength, 0) };
}

/** The block ULIDs the IndexedDB block store holds files or pages of. */
async function storedBlocks(name: string): Promise<string[]> {
  const idb = await new Promise<IDBDatabase>((resolve, reject) => {
    const r = indexedDB.open(name);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  const keys = await new Promise<string[]>((resolve, reject) => {
    const r = idb.transaction('blocks', 'readonly').objectStore('blocks').getAllKeys();
    r.onsuccess = () => resolve(r.result as string[]);
    r.onerror = () => reject(r.error);
  });
  idb.close();
  return [...new Set(keys.map((k) => k.slice(2).split('/')[0]!))].sort();
}

/** 30 hours of 50 series with a 12 h retention: blocks past it go, from IndexedDB too. */
async function retention() {
  const name = 'idb-retention-test';
  const p = await openPersistentDB({ name, fresh: true, saveInterval: 0, retention: '12h' });
  const fill = async (h: number) => {
    const app = p.db.appender();
    for (let j = h * 60; j < h * 60 + 60; j++) for (let s = 0; s < 50; s++) app.append({ __name__: 'kept', s: String(s) }, T0 + j * STEP, j);
    await app.commit();
  };
  for (let h = 0; h < 30; h++) {
    await fill(h);
    await p.save();
  }
  const blocks = p.db.blockList().map((b) => ({ ulid: b.ulid, minTime: b.minTime, maxTime: b.maxTime }));
  const oldest = await createEngine(p.db).instantQuery('min(min_over_time(timestamp(kept)[30h:1m]))', T0 + 30 * H - STEP);
  await p.close();
  return { blocks, stored: await storedBlocks(name), oldest: oldest.resultType === 'vector' ? Number(oldest.result[0]?.value?.[1]) * 1000 : null };
}

async function run(step: string) {
  if (step === 'retention') return retention();
  const name = 'idb-blocks-test';
  if (step === 'reopen') {
    // After the deletion: its tombstones were saved, and the save's compaction wrote the block again without the samples.
    const p = await openPersistentDB({ name, saveInterval: 0, cacheSize: CACHE });
    const engine = createEngine(p.db);
    const left = await engine.instantQuery(`sum(count_over_time(tab_metric{s="3"}[${HOURS}h]))`, END);
    const all = await engine.instantQuery(`sum(count_over_time(tab_metric[${HOURS}h]))`, END);
    const tombstones = p.db.blockList().reduce((n, b) => n + b.tombstones.size, 0);
    await p.close();
    return { left: shown(left), all: shown(all), tombstones };
  }
  if (step === 'fill') {
    const p = await openPersistentDB({ name, fresh: true, saveInterval: 0, cacheSize: CACHE });
    const byHour: { wasm: number; headSamples: number; blocks: number; cache: number; pending: number; resident: number }[] = [];
    for (let h = 0; h < HOURS; h++) {
      await fillHour(p.db, h);
      await p.save();
      const s = p.db.stats(), m = p.blockMemory();
      byHour.push({ wasm: s.wasmMemoryBytes, headSamples: s.head.samples, blocks: s.blocks.length, cache: s.cache.bytes, pending: m.pendingBytes, resident: m.residentBytes });
    }
    const got = await answers(p.db);
    const s = p.db.stats();
    const after = { cache: s.cache.bytes, capacity: s.cache.capacity, misses: s.cache.misses, memory: p.blockMemory(), wasm: s.wasmMemoryBytes, samples: s.samples };
    const result = { blockStore: p.blockStore, byHour, got, after, reads: p.blockReads(), stored: await storedPages(name) };
    await p.close();
    return result;
  }
  const p = await openPersistentDB({ name, saveInterval: 0, cacheSize: CACHE });
  const opened = { blocks: p.loaded.blocks, wasm: p.db.stats().wasmMemoryBytes, memory: p.blockMemory(), samples: p.db.stats().samples };
  const got = await answers(p.db);
  const afterQueries = { memory: p.blockMemory(), cache: p.db.stats().cache.bytes, wasm: p.db.stats().wasmMemoryBytes };
  // delete_series over blocks and head: tombstones in the blocks, counted from their loaded chunks.
  const deleted = await p.deleteSeries([new Matcher('=', 's', '3')], T0 + H, T0 + 30 * H);
  const engine = createEngine(p.db);
  const left = await engine.instantQuery(`sum(count_over_time(tab_metric{s="3"}[${HOURS}h]))`, END);
  const series = await engine.instantQuery(`count(count_over_time(tab_metric[${HOURS}h]))`, END);
  const afterDelete = { deleted, left: shown(left), series: shown(series) };
  await p.close();
  const reference = await openDB();
  for (let h = 0; h < HOURS; h++) await fillHour(reference, h);
  const expected = await answers(reference);
  return { blockStore: p.blockStore, opened, got, afterQueries, afterDelete, expected, referenceHeadSamples: reference.stats().head.samples };
}

run(new URLSearchParams(location.search).get('step') ?? 'fill').then(
  (r) => (window.__idbBlocks = r),
  (e) => (window.__idbBlocks = { error: String((e as Error).stack ?? e) }),
);
