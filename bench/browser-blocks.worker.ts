// Runs in a dedicated worker of headless Chromium for bench/browser-blocks.ts:
// fills a persistent database hour by hour (saving after each, as a tab's
// periodic saves would), then answers whole-range queries. ?blocks=opfs cuts
// the head into OPFS blocks; ?blocks=indexeddb into IndexedDB blocks (what a
// page without OPFS gets); ?blocks=none keeps everything in WASM memory.

import { openPersistentDB, createEngine } from '../src/index.js';

const q = new URLSearchParams(self.location.search);
const mode = q.get('blocks') as 'opfs' | 'indexeddb' | 'none';
const SERIES = Number(q.get('series')), HOURS = Number(q.get('hours'));
const STEP = 60_000, T0 = 1_700_000_000_000 - (1_700_000_000_000 % 7_200_000);

async function run() {
  const p = await openPersistentDB({ name: `bench-${mode}`, fresh: true, saveInterval: 0, blocks: mode });
  let state = 1;
  const wasmByHour: number[] = [];
  const t0 = performance.now();
  for (let h = 0; h < HOURS; h++) {
    for (let m = 0; m < 60; m += 10) {
      const app = p.db.appender();
      for (let j = m; j < m + 10; j++) {
        const t = T0 + (h * 60 + j) * STEP;
        for (let s = 0; s < SERIES; s++) {
          state = (state * 1103515245 + 12345) & 0x7fffffff;
          app.append({ __name__: 'bench_gauge', instance: `host-${s}` }, t, state / 1e6);
        }
      }
      await app.commit();
    }
    await p.save();
    wasmByHour.push(p.db.stats().wasmMemoryBytes);
  }
  const fillMs = performance.now() - t0;
  const wasmAfterFillBytes = p.db.stats().wasmMemoryBytes;
  // The benchmark reads the tab's peak RSS of the fill before the queries add theirs.
  postMessage({ filled: true });
  await new Promise((resolve) => (self.onmessage = resolve));
  const engine = createEngine(p.db);
  const readsBefore = p.blockReads();
  const end = T0 + HOURS * 3_600_000;
  const t1 = performance.now();
  const count = await engine.instantQuery(`sum(count_over_time(bench_gauge[${HOURS}h]))`, end);
  const avg = await engine.instantQuery(`avg(avg_over_time(bench_gauge[${HOURS}h]))`, end);
  const queryMs = performance.now() - t1;
  const s = p.db.stats();
  const held = p.blockMemory();
  const readsAfter = p.blockReads();
  const value = (r: typeof count) => (r.resultType === 'vector' ? r.result[0]?.value?.[1] ?? null : null);
  const out = {
    mode, blocks: s.blocks.length, wasmMemoryBytes: s.wasmMemoryBytes, wasmAfterFillBytes, wasmByHour, headSamples: s.head.samples, samples: s.samples,
    cacheBytes: s.cache.bytes, indexBytes: held.residentBytes, queryFetchMs: readsAfter.fetchMs - readsBefore.fetchMs, queryFetchBytes: readsAfter.bytesFetched - readsBefore.bytesFetched, loadedBytes: held.loadedBytes, fillMs, queryMs, count: value(count), avg: value(avg),
  };
  await p.clear();
  await p.close();
  return out;
}

run().then((r) => postMessage(r), (e) => postMessage({ error: String((e as Error).stack ?? e) }));
