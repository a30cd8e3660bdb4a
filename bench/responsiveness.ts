// Whether the server keeps answering while a costly query runs, and what
// evaluating API queries in worker threads costs: promlet with queries
// off-thread (as `promlet serve` runs) beside promlet evaluating on the event
// loop (the baseline, as before) and Debian's Prometheus on the same data.
// For each: /-/healthy latency while a label_replace-heavy query runs, and
// the latency of ordinary range queries one at a time. Peak RSS of this
// process (which holds both promlet servers and their workers) is printed.

import { createEngine, type Engine } from '../src/index.js';
import { createApiHandler } from '../src/api/handler.js';
import { startServer } from '../src/node/server.js';
import { createOffThreadEngine } from '../src/node/offthread-engine.js';
import { loadPeers } from './prometheus-peer.js';
import { synthetic } from './synthetic.js';

const START = Date.UTC(2026, 0, 1);
const ORDINARY = [
  'sum by (job) (rate(http_requests_total[5m]))',
  'histogram_quantile(0.99, sum by (le) (rate(request_seconds_bucket[5m])))',
  'avg_over_time(temperature_celsius[10m])',
];

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
};

async function healthDuringHeavy(base: string, heavy: string, at: number): Promise<{ health: number[]; heavyMs: number; status: number }> {
  const t0 = performance.now();
  let done = false;
  const q = fetch(`${base}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: heavy, time: String(at / 1000), timeout: '20s' }) })
    .then(async (r) => {
      await r.arrayBuffer();
      return r.status;
    })
    .finally(() => (done = true));
  const health: number[] = [];
  for (let i = 0; i < 400 && !done; i++) {
    const s = performance.now();
    await (await fetch(`${base}/-/healthy`)).arrayBuffer();
    health.push(performance.now() - s);
    await new Promise((r) => setTimeout(r, 20));
  }
  const status = await q;
  return { health, heavyMs: performance.now() - t0, status };
}

async function ordinary(base: string, hours: number, n: number): Promise<number[]> {
  const lat: number[] = [];
  for (let i = 0; i < n; i++) {
    const end = START + (hours * 60 - (i % 30)) * 60_000;
    const form = new URLSearchParams({ query: ORDINARY[i % ORDINARY.length]!, start: String((end - 3600_000) / 1000), end: String(end / 1000), step: '15' });
    const s = performance.now();
    const r = await fetch(`${base}/api/v1/query_range`, { method: 'POST', body: form });
    if (!r.ok) throw new Error(`${base}: HTTP ${r.status} ${await r.text()}`);
    await r.arrayBuffer();
    lat.push(performance.now() - s);
  }
  return lat;
}

export async function responsivenessBench(quick: boolean, record: (row: Record<string, unknown>) => void): Promise<void> {
  const hours = quick ? 2 : 6;
  const series = synthetic(START, hours, 3);
  const { prom, db, stop } = await loadPeers(series);
  const at = START + hours * 3600_000;
  // As long as the label value limit allows for the longest metric name here.
  const reps = 40_000;
  const heavy = `count(label_replace({__name__=~".+"}, "x", "${'$1'.repeat(reps)}", "__name__", "(.*)"))`;
  const info = { version: 'bench', startTime: new Date(), flags: {}, configYaml: () => '' };
  const offThread = createOffThreadEngine(db, { timeout: '20s' });
  const servers: { name: string; url: string; close: () => Promise<void> }[] = [];
  for (const [name, engine] of [['promlet, off-thread', offThread], ['promlet, event loop (baseline)', createEngine(db, { timeout: '20s' })]] as [string, Engine][]) {
    const s = await startServer({ listen: '127.0.0.1:0', handler: createApiHandler({ db, engine, info }) });
    servers.push({ name, url: s.url, close: s.close });
  }
  servers.push({ name: 'Prometheus 2.42', url: prom.url, close: async () => {} });
  try {
    const n = quick ? 30 : 120;
    console.log(`\n## Responsiveness: /-/healthy while count(label_replace(all ${series.length} series, "$1"×${reps})) runs; ${n} ordinary range queries one at a time\n`);
    console.log('| server | heavy query ms (status) | /-/healthy answers | p50 ms | max ms | ordinary p50 ms | ordinary p99 ms |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    const rows: Record<string, { p50: number }> = {};
    for (const s of servers) {
      await ordinary(s.url, hours, 6);
      const h = await healthDuringHeavy(s.url, heavy, at);
      const o = await ordinary(s.url, hours, n);
      const row = {
        server: s.name, heavyMs: h.heavyMs, heavyStatus: h.status, healthAnswers: h.health.length,
        healthP50: pct(h.health, 0.5), healthMax: Math.max(...h.health), p50: pct(o, 0.5), p99: pct(o, 0.99),
      };
      rows[s.name] = row;
      record(row);
      console.log(`| ${s.name} | ${h.heavyMs.toFixed(0)} (${h.status}) | ${h.health.length} | ${row.healthP50.toFixed(1)} | ${row.healthMax.toFixed(1)} | ${row.p50.toFixed(1)} | ${row.p99.toFixed(1)} |`);
    }
    const ratio = rows['promlet, off-thread']!.p50 / rows['promlet, event loop (baseline)']!.p50;
    const vsProm = rows['promlet, off-thread']!.p50 / rows['Prometheus 2.42']!.p50;
    console.log(`\nordinary query p50: off-thread / event loop ${ratio.toFixed(2)}×, off-thread / Prometheus ${vsProm.toFixed(2)}×; peak RSS of this process ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
    record({ offThreadOverEventLoop: ratio, offThreadOverPrometheus: vsProm, peakRssMiB: process.resourceUsage().maxRSS / 1024 });
  } finally {
    for (const s of servers) await s.close();
    await offThread.close();
    await stop();
  }
}
