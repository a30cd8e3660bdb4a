// Query latency for dashboard-style queries over 10,000 series x 6 h at
// 15 s: the engine over the WASM storage (window reductions computed while
// decoding) beside the same engine over a plain-TypeScript decode path.

import { Bench } from 'tinybench';
import { createEngine, openDB } from '../src/index.js';
import { ReferenceStore } from './reference/store.js';
import { rng, START, INTERVAL } from './data.js';

const QUERIES = [
  'sum by (job) (rate(http_requests_total[5m]))',
  'histogram_quantile(0.99, sum by (le) (rate(request_seconds_bucket[5m])))',
  'topk(5, rate(http_requests_total[5m]))',
  'sum by (job, instance) (rate(http_requests_total[5m])) / on(job, instance) group_left memory_bytes',
];

interface Row { query: string; kind: string; wasmMs: number; tsMs: number; samples: number }

export async function queryBench(quick: boolean, record: (row: Record<string, unknown>) => void): Promise<void> {
  const points = quick ? 240 : 1440;
  const db = await openDB();
  const ref = new ReferenceStore();
  const r = rng(42);
  const les = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'];
  const series: { labels: Record<string, string>; values: Float64Array }[] = [];
  for (let j = 0; j < 10; j++) {
    for (let i = 0; i < 200; i++) {
      for (const code of ['200', '500']) {
        let c = r() * 1000;
        series.push({ labels: { __name__: 'http_requests_total', job: `job-${j}`, instance: `i-${i}`, code }, values: Float64Array.from({ length: points }, () => (c += Math.floor(r() * 10))) });
      }
    }
    for (let i = 0; i < 50; i++) {
      let total = 0;
      const cum = les.map(() => 0);
      const rows = les.map(() => new Float64Array(points));
      for (let p = 0; p < points; p++) {
        total += Math.floor(r() * 20);
        les.forEach((_, k) => { cum[k] = Math.max(cum[k]!, Math.floor(total * Math.min(1, (k + 1) / les.length + r() * 0.05))); rows[k]![p] = k === les.length - 1 ? total : Math.min(cum[k]!, total); });
      }
      les.forEach((le, k) => series.push({ labels: { __name__: 'request_seconds_bucket', job: `job-${j}`, instance: `i-${i}`, le }, values: rows[k]! }));
    }
    for (let i = 0; i < 100; i++) {
      series.push({ labels: { __name__: 'memory_bytes', job: `job-${j}`, instance: `i-${i}` }, values: Float64Array.from({ length: points }, () => 1e9 + Math.floor(r() * 1e6)) });
    }
  }
  const times = Array.from({ length: points }, (_, p) => START + p * INTERVAL);
  for (let p = 0; p < points; p++) {
    const app = db.appender();
    for (const s of series) app.append(s.labels, times[p]!, s.values[p]!);
    await app.commit();
  }
  for (const s of series) ref.add(s.labels, times, s.values);
  const end = times[points - 1]!;
  const wasm = createEngine(db);
  const plain = createEngine(ref, { wasmReductions: false });

  console.log(`\n## Query latency: ${series.length} series x ${points} samples at 15 s; WASM read path vs plain-TypeScript decode\n`);
  console.log('Instant queries at the last sample; range queries over the last hour at a 30 s step. "Samples" counts the');
  console.log('stored samples the query reads (measured on the TypeScript path, where every sample is handed out).\n');
  console.log('| query | kind | WASM ms | TS ms | TS / WASM | Msamples/s (WASM) |');
  console.log('|---|---|---:|---:|---:|---:|');
  const rows: Row[] = [];
  for (const q of QUERIES) {
    for (const kind of ['instant', 'range'] as const) {
      const run = (e: typeof wasm) => (kind === 'instant' ? e.instantQuerySync(q, end) : e.rangeQuerySync(q, end - 3600_000, end, 30_000));
      // Same answer from both paths before timing them.
      if (JSON.stringify(run(wasm).result) !== JSON.stringify(run(plain).result)) throw new Error(`paths disagree on ${q}`);
      ref.samplesRead = 0;
      run(plain);
      const samples = ref.samplesRead;
      const bench = new Bench({ time: quick ? 200 : 1000, iterations: 3 });
      bench.add('wasm', () => void run(wasm)).add('ts', () => void run(plain));
      await bench.run();
      const ms = (name: string) => {
        const res = bench.tasks.find((t) => t.name === name)!.result;
        return res.state === 'completed' ? res.latency.mean : NaN;
      };
      const row = { query: q, kind, wasmMs: ms('wasm'), tsMs: ms('ts'), samples };
      rows.push(row);
      record(row);
      console.log(`| \`${q}\` | ${kind} | ${row.wasmMs.toFixed(2)} | ${row.tsMs.toFixed(2)} | ${(row.tsMs / row.wasmMs).toFixed(2)} | ${(samples / row.wasmMs / 1000).toFixed(1)} |`);
    }
  }
  await db.close();
}
