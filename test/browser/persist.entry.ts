// Runs in headless Chromium (bundled by chromium.test.ts): opens an
// IndexedDB-backed database, and on the first visit fills and saves it; on a
// reload it reports what came back, through PromQL.

import { openPersistentDB, createEngine, Matcher } from '../../src/index.js';
import { latencySeries } from '../../bench/histogram-data.js';

declare global {
  interface Window {
    __persist?: {
      loaded: { series: number; chunks: number; samples: number }; sum: string | null; count: string | null; saved?: { newChunks: number; headSamples: number };
      /** Native histograms of a database of their own: how many came back, and a digest of their fields. */
      hist?: { n: number; digest: string };
    };
  }
}

async function run(): Promise<NonNullable<Window['__persist']>> {
  const p = await openPersistentDB({ name: 'persist-test', saveInterval: 0 });
  let saved: { newChunks: number; headSamples: number } | undefined;
  if (p.loaded.series === 0) {
    // 3 series × 2000 samples: enough to close chunks, and an open head chunk each.
    for (let i = 0; i < 2000; i++) {
      const app = p.db.appender();
      for (let s = 0; s < 3; s++) app.append({ __name__: 'page_requests_total', s: String(s) }, 1_700_000_000_000 + i * 15_000, i * (s + 1) + (i % 7) / 4);
      await app.commit();
    }
    saved = await p.save();
  }
  const engine = createEngine(p.db);
  const at = 1_700_000_000_000 + 1999 * 15_000;
  const sum = await engine.instantQuery('sum(page_requests_total)', at);
  const count = await engine.instantQuery('sum(count_over_time(page_requests_total[1d]))', at);
  const value = (r: typeof sum) => (r.resultType === 'vector' && r.result[0] ? r.result[0].value?.[1] ?? null : null);
  return { loaded: p.loaded, sum: value(sum), count: value(count), saved, hist: await histograms() };
}

async function histograms(): Promise<{ n: number; digest: string }> {
  const p = await openPersistentDB({ name: 'persist-hist', saveInterval: 0 });
  // A histogram-only series is in the checkpoint's records, not the index loaded.series counts.
  if (p.db.stats().series === 0) {
    const hs = latencySeries(500, 9);
    for (let i = 0; i < 500; i++) {
      const app = p.db.appender();
      app.appendHistogram!({ __name__: 'page_latency' }, 1_700_000_000_000 + i * 15_000, hs[i]!);
      await app.commit();
    }
    await p.save();
  }
  const q = p.db.querier(-Infinity, Infinity);
  const [s] = q.select([new Matcher('=', '__name__', 'page_latency')]);
  const b = s?.samples(-Infinity, Infinity).histograms;
  q.close();
  if (!b) return { n: 0, digest: '' };
  const digest = b.histograms.map((h, i) => `${b.timestamps[i]}:${h.count}:${h.sum}:${h.positiveBuckets.join(',')}`).join(';');
  return { n: b.timestamps.length, digest: String(digest.length) + ':' + digest.slice(-200) };
}

run().then((r) => (window.__persist = r), (e) => (window.__persist = { loaded: { series: -1, chunks: 0, samples: 0 }, sum: String(e), count: null }));
