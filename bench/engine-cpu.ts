// The in-process engine's CPU time per query on the dashboard benchmark's
// data (docs/QUERY-SPEED.md "Engine CPU per query"): the six dashboard range
// queries and a few heavier on the nodes they lead to (topk, label_replace,
// and/or/unless, instant-vector functions), over 5.5 h at a 15 s step, with
// `wasmReductions: false` as the server's query workers run it; median of
// `--runs` runs after `--warm` warm-ups, process.cpuUsage (user + system).
//
// `--root DIR` measures another build (a checkout with `npm run build` done:
// its dist/ is imported), so a base commit and a change can be run
// alternately over the same directory: `--data DIR` reuses a `promlet import`
// directory, made there first when it does not exist. `--answer` adds the
// result's JSON text, as a query worker writes it. Prints one JSON line:
// { root, queries: { [query]: { cpuMs, runsMs } }, peakRssMiB }.
//
//   npx tsx bench/engine-cpu.ts --data /tmp/dash --root /tmp/base-checkout

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoSeries, writeDemoFiles } from './demo-data.js';
import { DASHBOARD_QUERIES } from './dashboard.js';
import { arg } from './cli-arg.js';
import { peakRssMiB } from './process-stats.js';

const here = dirname(fileURLToPath(import.meta.url));

const EXTRA_QUERIES = [
  'topk(5, rate(demo_cpu_usage_seconds_total[5m]))',
  'bottomk by (instance) (2, demo_memory_usage_bytes)',
  'label_replace(rate(demo_cpu_usage_seconds_total[5m]), "host", "$1", "instance", "(.*):.*")',
  'sum by (host) (label_replace(demo_memory_usage_bytes, "host", "$1", "instance", "(.*):.*"))',
  'demo_memory_usage_bytes > 3e9 or demo_memory_usage_bytes < 1e9',
  'round(clamp_min(demo_memory_usage_bytes / 1e6, 100))',
  'quantile by (type) (0.9, demo_memory_usage_bytes)',
  'count_values("cpus", demo_num_cpus)',
  'quantile_over_time(0.9, demo_memory_usage_bytes[30m])',
  'max_over_time(demo_memory_usage_bytes[30m])',
  'increase(demo_api_request_duration_seconds_count[1h])',
  // The dashboard benchmark's health-check query: windows of one subquery step apart.
  'count_over_time(sum(quantile_over_time(0.9, demo_memory_usage_bytes[30m]))[329m:915ms])',
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function main(): Promise<void> {
  const root = resolve(arg('--root') ?? join(here, '..'));
  const runs = Number(arg('--runs') ?? 25), warm = Number(arg('--warm') ?? 5);
  const only = arg('--only');
  const series = demoSeries(6, 6);
  const firstT = Math.min(...series.map((s) => s.timestamps[0]!));
  const lastT = Math.max(...series.map((s) => s.timestamps[s.timestamps.length - 1]!));
  const data = arg('--data') ?? join(tmpdir(), 'promlet-engine-cpu');
  if (!existsSync(data)) {
    const dir = mkdtempSync(join(tmpdir(), 'promlet-engine-cpu-src-'));
    try {
      writeDemoFiles(series, join(dir, 'data.om'), join(dir, 'data.prom'));
      const cli = join(root, 'bin', 'promlet.mjs');
      const r = spawnSync(process.execPath, [cli, 'import', join(dir, 'data.om'), '--data-dir', data], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`promlet import: ${r.stderr}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  series.length = 0;
  const { openDiskDB } = await import(join(root, 'dist/src/node/disk-db.js'));
  const { createEngine } = await import(join(root, 'dist/src/index.js'));
  const db = await openDiskDB(data, { readOnly: true });
  const engine = createEngine(db.db ?? db, { wasmReductions: false });
  const end = Math.floor(lastT / 15_000) * 15_000;
  const start = Math.ceil((firstT + 1800_000) / 15_000) * 15_000;
  // --answer: the query and its result's JSON text, as a query worker sends it: written from the
  // columns where the build can (rangeQueryTextSync), else JSON.stringify of the result's objects.
  const withText = process.argv.includes('--answer');
  const answer = (q: string) => {
    if (!withText) return engine.rangeQuerySync(q, start, end, 15_000);
    if (engine.rangeQueryTextSync) return engine.rangeQueryTextSync(q, start, end, 15_000).resultJSON;
    return JSON.stringify(engine.rangeQuerySync(q, start, end, 15_000).result);
  };
  const out: Record<string, { cpuMs: number; runsMs: number[] }> = {};
  for (const q of [...DASHBOARD_QUERIES, ...EXTRA_QUERIES]) {
    if (only && !q.includes(only)) continue;
    const times: number[] = [];
    for (let i = 0; i < warm + runs; i++) {
      const c0 = process.cpuUsage();
      answer(q);
      const c = process.cpuUsage(c0);
      if (i >= warm) times.push((c.user + c.system) / 1000);
    }
    out[q] = { cpuMs: median(times), runsMs: times };
  }
  await db.close?.();
  console.log(JSON.stringify({ root, queries: out, peakRssMiB: peakRssMiB(process.pid) }));
}

await main();
