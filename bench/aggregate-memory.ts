// Peak memory and time of one aggregation over many series in one process
// (docs/QUERY-SPEED.md "Streamed aggregation"): the large dashboard
// variant's histogram_quantile (105 demo instances × 24 h at 60 s: 7,560
// bucket series) over 23.5 h at a 15 s step, with the engine of `--root`
// (a checkout with `npm run build` done; this one by default), so a base
// build and a change can be run one after the other. Only the bucket
// series are loaded, into an in-memory database: the query's own memory is
// what is measured. The resident high-water mark is reset once the data is
// in (/proc/self/clear_refs), so `queryPeakRssMiB` is the query's peak.
// Prints one JSON line.
//
//   node --expose-gc --import tsx bench/aggregate-memory.ts --root /tmp/base-checkout

import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoSeries } from './demo-data.js';
import { arg } from './cli-arg.js';
import { peakRssMiB, rssMiB } from './process-stats.js';

const here = dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  const root = resolve(arg('--root') ?? join(here, '..'));
  const query = arg('--query') ?? 'histogram_quantile(0.99, sum by (le) (rate(demo_api_request_duration_seconds_bucket[5m])))';
  const maxMemory = Number(arg('--max-memory') ?? 8 * 1024 ** 3);
  const { openDB, createEngine } = await import(join(root, 'dist/src/index.js'));
  const db = await openDB();
  let series = demoSeries(105, 24, 60_000).filter((s) => s.labels['__name__'] === 'demo_api_request_duration_seconds_bucket');
  const count = series.length;
  let firstT = Infinity, lastT = -Infinity;
  for (const s of series) {
    firstT = Math.min(firstT, s.timestamps[0]!);
    lastT = Math.max(lastT, s.timestamps[s.timestamps.length - 1]!);
  }
  // Appended a time slice at a time (series by series per slice), as scrapes would.
  const n = series[0]!.timestamps.length;
  for (let i0 = 0; i0 < n; i0 += 60) {
    const app = db.appender();
    for (const s of series) for (let i = i0; i < Math.min(n, i0 + 60); i++) app.append(s.labels, s.timestamps[i]!, s.values[i]!);
    await app.commit();
  }
  series = [];
  globalThis.gc?.();
  const engine = createEngine(db, { wasmReductions: false, maxMemoryBytes: maxMemory, timeout: '30m' });
  const end = Math.floor(lastT / 15_000) * 15_000;
  const start = Math.ceil((firstT + 1800_000) / 15_000) * 15_000;
  const rssBefore = rssMiB(process.pid);
  writeFileSync('/proc/self/clear_refs', '5');
  const t0 = performance.now(), c0 = process.cpuUsage();
  let error: string | undefined;
  let resultSeries = 0;
  try {
    resultSeries = engine.rangeQuerySync(query, start, end, 15_000).result.length;
  } catch (err) {
    error = String(err);
  }
  const c = process.cpuUsage(c0);
  console.log(JSON.stringify({
    root, query, inputSeries: count, steps: Math.floor((end - start) / 15_000) + 1, resultSeries, error,
    wallMs: Math.round(performance.now() - t0), cpuMs: Math.round((c.user + c.system) / 1000),
    rssBeforeMiB: Math.round(rssBefore), queryPeakRssMiB: Math.round(peakRssMiB(process.pid)),
  }));
}

await main();
