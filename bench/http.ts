// HTTP load on loopback: many concurrent range queries against promlet's
// server and against Debian's Prometheus serving the same synthetic data,
// with throughput and latency percentiles side by side.

import { createEngine } from '../src/index.js';
import { createApiHandler } from '../src/api/handler.js';
import { startServer } from '../src/node/server.js';
import { loadPeers } from './prometheus-peer.js';
import { synthetic } from './synthetic.js';

const START = Date.UTC(2026, 0, 1);

const QUERIES = [
  'sum by (job) (rate(http_requests_total[5m]))',
  'histogram_quantile(0.99, sum by (le) (rate(request_seconds_bucket[5m])))',
  'avg_over_time(temperature_celsius[10m])',
];

interface LoadResult { requests: number; seconds: number; p50: number; p99: number }

async function load(base: string, total: number, concurrency: number, hours: number): Promise<LoadResult> {
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= total) return;
      const q = QUERIES[i % QUERIES.length]!;
      // Different windows per request, so no answer is served from a cache.
      const end = START + (hours * 60 - (i % 30)) * 60_000;
      const form = new URLSearchParams({ query: q, start: String((end - 3600_000) / 1000), end: String(end / 1000), step: '15' });
      const s = performance.now();
      const r = await fetch(`${base}/api/v1/query_range`, { method: 'POST', body: form });
      if (!r.ok) throw new Error(`${base}: HTTP ${r.status} ${await r.text()}`);
      await r.arrayBuffer();
      lat.push(performance.now() - s);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]!;
  return { requests: total, seconds, p50: pct(0.5), p99: pct(0.99) };
}

export async function httpBench(quick: boolean, record: (row: Record<string, unknown>) => void): Promise<void> {
  const hours = quick ? 2 : 6;
  const series = synthetic(START, hours, 3);
  const { prom, db, stop } = await loadPeers(series);
  try {
    const ours = await startServer({
      listen: '127.0.0.1:0',
      handler: createApiHandler({ db, engine: createEngine(db), info: { version: 'bench', startTime: new Date(), flags: {}, configYaml: () => '' } }),
    });
    try {
      const total = quick ? 120 : 600;
      console.log(`\n## HTTP load: ${total} range queries (1 h at 15 s), loopback, ${series.length} series; promlet beside Prometheus 2.42\n`);
      console.log('| concurrency | server | req/s | p50 ms | p99 ms |');
      console.log('|---:|---|---:|---:|---:|');
      for (const concurrency of [1, 8, 32]) {
        await load(ours.url, 12, 4, hours);
        await load(prom.url, 12, 4, hours);
        const a = await load(ours.url, total, concurrency, hours);
        const b = await load(prom.url, total, concurrency, hours);
        for (const [name, r] of [['promlet', a], ['Prometheus', b]] as const) {
          console.log(`| ${concurrency} | ${name} | ${(r.requests / r.seconds).toFixed(1)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} |`);
          record({ concurrency, server: name, rps: r.requests / r.seconds, p50: r.p50, p99: r.p99 });
        }
        console.log(`| ${concurrency} | promlet / Prometheus (req/s) | ${(a.requests / a.seconds / (b.requests / b.seconds)).toFixed(2)} | | |`);
      }
    } finally {
      await ours.close();
    }
  } finally {
    await stop();
  }
}
