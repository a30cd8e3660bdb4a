// Dashboard query speed (`npm run bench -- --only dashboard`): promlet
// served by `promlet serve` in its own process (so the off-thread query path
// is what is measured) beside Debian's Prometheus 2.42 and VictoriaMetrics
// 1.79 (result cache off, no latency offset), all three started here and
// loaded with the same demo-service data (bench/demo-data.ts):
// 1. the six range queries of the query-speed issue at a 15 s step, one at
//    a time: median latency of each, ratios to both peers, geometric means;
// 2. requests per second at 8 and 32 concurrent clients (bounded loops);
// 3. /-/healthy latency while a ~5 s query runs;
// 4. peak resident memory of each server.
// PROMLET_BENCH_DASHBOARD_PARTS=latency,throughput,health (the default: all
// three) runs some of them, e.g. `throughput` alone while working on it.
// Default: 576 series × 6 h. PROMLET_BENCH_DASHBOARD_LARGE=1: 10,080
// series (105 instances) × 24 h at PROMLET_BENCH_DASHBOARD_INTERVAL ms
// (default 60000), where blocks hold most of the data. The inputs and the
// peers' directories are kept between runs (bench/dashboard-data.ts).

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_SERIES_PER_INSTANCE } from './demo-data.js';
import { dashboardData } from './dashboard-data.js';
import { freePort, startPrometheus, type PrometheusPeer } from './prometheus-peer.js';
import { cpuSeconds, peakRssMiB, untilCpuQuiet } from './process-stats.js';
import { INTERVAL } from './data.js';
import { promletArgv } from './promlet-process.js';

const here = dirname(fileURLToPath(import.meta.url));

export const DASHBOARD_QUERIES = [
  'sum by (job) (rate(demo_cpu_usage_seconds_total[5m]))',
  'histogram_quantile(0.99, sum by (le) (rate(demo_api_request_duration_seconds_bucket[5m])))',
  'topk(3, demo_memory_usage_bytes)',
  'demo_cpu_usage_seconds_total / on(instance) group_left demo_num_cpus',
  'avg_over_time(demo_memory_usage_bytes[30m])',
  'count by (method, status) (demo_api_request_duration_seconds_count)',
];

interface Server { name: string; url: string; pid: number; stop(): Promise<void> }

interface Matrix { metric: Record<string, string>; values: [number, string][] }

async function waitReady(url: string, proc: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (proc.exitCode !== null) throw new Error(`exited: ${log().slice(-2000)}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`not ready: ${log().slice(-2000)}`);
}

function daemon(name: string, cmd: string, args: string[], pidOf: (p: ChildProcess) => number = (p) => p.pid!): { proc: ChildProcess; log: () => string; server: (url: string) => Server } {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.on('data', (d) => (log = (log + String(d)).slice(-20_000)));
  return {
    proc,
    log: () => log,
    server: (url) => ({
      name, url, pid: pidOf(proc),
      stop: async () => {
        if (proc.exitCode !== null) return;
        proc.kill('SIGTERM');
        await new Promise((r) => proc.once('exit', r));
      },
    }),
  };
}

/**
 * Query timeout of every server and request: the large variant's range queries cover 24 h at a 15 s step over
 * 10,000 series, which on a loaded machine outlasts the servers' default 2 m (30 s for VictoriaMetrics).
 */
const LARGE = process.env.PROMLET_BENCH_DASHBOARD_LARGE === '1';
const QUERY_TIMEOUT_S = LARGE ? 600 : 120;
// Both servers get the same sample limit, high enough for the health check's fine-grained subquery (Prometheus's default 50 M would refuse it).
const MAX_SAMPLES = 500_000_000;

async function startPromlet(om: string, dir: string): Promise<Server> {
  const script = resolve(here, 'promlet-serve.js');
  const data = join(dir, 'promlet');
  // Imported in every run (not cached): the blocks served are this build's.
  const t0 = performance.now();
  const imp = spawnSync(process.execPath, [script, 'import', om, '--data-dir', data], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (imp.status !== 0) throw new Error(`promlet import: ${imp.stderr.slice(-2000)}`);
  console.log(`promlet import: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const port = await freePort();
  const d = daemon('promlet', process.execPath, promletArgv([
    'serve', '--data-dir', data, '--listen', `127.0.0.1:${port}`, '--retention', '100y', '--query.timeout', `${QUERY_TIMEOUT_S}s`, `--query.max-samples=${MAX_SAMPLES}`,
    // Prometheus has no query memory budget; promlet's default 1 GiB refuses the large variant's
    // histogram_quantile over 7,560 bucket series × 5,636 steps, so that variant gets a larger one.
    ...(LARGE ? ['--query.max-memory=8GB'] : []),
  ]));
  const url = `http://127.0.0.1:${port}`;
  await waitReady(`${url}/-/ready`, d.proc, d.log);
  return d.server(url);
}

async function startVictoria(cached: string, dir: string): Promise<Server> {
  const port = await freePort();
  const data = join(dir, 'vm');
  cpSync(cached, data, { recursive: true });
  const d = daemon('VictoriaMetrics', 'victoria-metrics', [
    '-storageDataPath', data, '-httpListenAddr', `127.0.0.1:${port}`, '-retentionPeriod', '100y', '-loggerLevel', 'ERROR',
    '-search.disableCache', '-search.latencyOffset=0', `-search.maxQueryDuration=${QUERY_TIMEOUT_S}s`,
  ]);
  const url = `http://127.0.0.1:${port}`;
  await waitReady(`${url}/health`, d.proc, d.log);
  return d.server(url);
}

async function startProm(cached: string, dir: string): Promise<PrometheusPeer & { name: string }> {
  const tsdb = join(dir, 'prometheus');
  cpSync(cached, tsdb, { recursive: true });
  return { name: 'Prometheus', ...(await startPrometheus({ dataDir: tsdb, args: [`--query.max-samples=${MAX_SAMPLES}`, `--query.timeout=${QUERY_TIMEOUT_S}s`] })) };
}

async function rangeQuery(base: string, query: string, start: number, end: number, step: number, timeout = `${QUERY_TIMEOUT_S}s`): Promise<Matrix[]> {
  const form = new URLSearchParams({ query, start: String(start / 1000), end: String(end / 1000), step: String(step / 1000), timeout });
  const r = await fetch(`${base}/api/v1/query_range`, { method: 'POST', body: form });
  const text = await r.text();
  if (!r.ok) throw new Error(`${base} ${query}: HTTP ${r.status} ${text.slice(0, 500)}`);
  return (JSON.parse(text) as { data: { result: Matrix[] } }).data.result;
}

/** Series, points, and the largest relative difference from a reference answer (NaN when the series differ). */
function compare(a: Matrix[], ref: Matrix[]): { series: number; points: number; maxRelDiff: number } {
  const key = (m: Matrix) => JSON.stringify(Object.entries(m.metric).sort());
  const byKey = new Map(ref.map((m) => [key(m), m]));
  let points = 0, diff = a.length === ref.length ? 0 : NaN;
  for (const m of a) {
    points += m.values.length;
    const o = byKey.get(key(m));
    if (!o || o.values.length !== m.values.length) {
      diff = NaN;
      continue;
    }
    m.values.forEach(([t, v], i) => {
      const [ot, ov] = o.values[i]!;
      const x = Number(v), y = Number(ov);
      if (t !== ot) diff = NaN;
      else if (x !== y && !(Number.isNaN(x) && Number.isNaN(y))) diff = Math.max(diff, Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y)));
    });
  }
  return { series: a.length, points, maxRelDiff: diff };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
};
const geomean = (xs: number[]) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);

async function load(base: string, total: number, concurrency: number, lastT: number): Promise<{ rps: number; p50: number; p99: number }> {
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  const client = async () => {
    for (;;) {
      const i = next++;
      if (i >= total) return;
      // A dashboard's last hour, ending at a different minute per request.
      const end = Math.floor(lastT / 60_000) * 60_000 - (i % 30) * 60_000;
      const s = performance.now();
      await rangeQuery(base, DASHBOARD_QUERIES[i % DASHBOARD_QUERIES.length]!, end - 3600_000, end, 15_000);
      lat.push(performance.now() - s);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return { rps: total / ((performance.now() - t0) / 1000), p50: pct(lat, 0.5), p99: pct(lat, 0.99) };
}

async function instant(base: string, query: string, at: number): Promise<{ ms: number; status: number }> {
  const s = performance.now();
  const r = await fetch(`${base}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query, time: String(at / 1000), timeout: `${QUERY_TIMEOUT_S}s` }) });
  const text = await r.text();
  // A refused heavy query would make the health check measure nothing: say why it was refused.
  if (!r.ok) console.log(`${base} ${query}: HTTP ${r.status} ${text.slice(0, 300)}`);
  return { ms: performance.now() - s, status: r.status };
}

async function healthWhile(base: string, query: string, at: number): Promise<{ heavyMs: number; status: number; health: number[] }> {
  let done = false;
  const heavy = instant(base, query, at).finally(() => (done = true));
  const health: number[] = [];
  for (let i = 0; i < 2000 && !done; i++) {
    const s = performance.now();
    await (await fetch(`${base}/-/healthy`)).arrayBuffer();
    health.push(performance.now() - s);
    await new Promise((r) => setTimeout(r, 20));
  }
  const h = await heavy;
  return { heavyMs: h.ms, status: h.status, health };
}

export async function dashboardBench(quick: boolean, record: (row: Record<string, unknown>) => void): Promise<void> {
  const parts = new Set((process.env.PROMLET_BENCH_DASHBOARD_PARTS ?? 'latency,throughput,health').split(',').map((p) => p.trim()));
  const instances = LARGE ? Math.ceil(10_000 / DEMO_SERIES_PER_INSTANCE) : 6;
  const hours = LARGE ? 24 : quick ? 2 : 6;
  const interval = LARGE ? Number(process.env.PROMLET_BENCH_DASHBOARD_INTERVAL ?? 60_000) : INTERVAL;
  const dir = mkdtempSync(join(tmpdir(), 'promlet-dashboard-'));
  const servers: Server[] = [];
  try {
    const { om, prometheusDir, victoriaDir, samples, firstT, lastT } = await dashboardData({ instances, hours, interval });
    const count = instances * DEMO_SERIES_PER_INSTANCE;
    const promlet = await startPromlet(om, dir);
    servers.push(promlet);
    const prom = await startProm(prometheusDir, dir);
    servers.push(prom);
    const vm = await startVictoria(victoriaDir, dir);
    servers.push(vm);
    // promlet compacts the imported blocks after start, and the others settle too: measure after that.
    for (const s of servers) await untilCpuQuiet(s.pid, 2, 120_000);

    // The whole span at a 15 s step, on the 15 s grid, past the first 30 minutes (so every window is full).
    const end = Math.floor(lastT / 15_000) * 15_000;
    const start = Math.ceil((firstT + 1800_000) / 15_000) * 15_000;
    // The large variant's queries take seconds each on every server: fewer runs keep the whole under about 15 minutes.
    // With 3 runs after 1 warm-up its geometric mean moved from 0.91 to 1.10 between runs of one build: a server's
    // second run of a text still ran colder code, and one run more or less cut over the cores moved a median of 3;
    // 5 after 2 (about two minutes more) move less.
    // The small ones take milliseconds: 31 runs (about 20 s in all) give medians that move less from run to run
    // on a shared machine than 11 did.
    const runs = Number(process.env.PROMLET_BENCH_DASHBOARD_RUNS ?? (quick ? 5 : LARGE ? 5 : 31)), warm = quick ? 1 : LARGE ? 2 : 4;
    console.log(`\n## Dashboard queries: ${count.toLocaleString('en')} series × ${hours} h at ${interval / 1000} s (${samples.toLocaleString('en')} samples); promlet serve beside Prometheus 2.42 and VictoriaMetrics 1.79\n`);
    if (parts.has('latency')) {
      console.log(`Range queries over ${((end - start) / 3600e3).toFixed(1)} h at a 15 s step over HTTP, one at a time, median of ${runs} after ${warm} warm-ups (servers interleaved).`);
      console.log('"= Prometheus": largest relative difference of promlet\'s answer from Prometheus\'s (same series and points, else "differs").\n');
      console.log('CPU: each server\'s own CPU time per query (/proc, 10 ms ticks summed over the runs), less disturbed by other load on the machine than wall time.\n');
      console.log('| query | series × points | promlet ms | Prometheus ms | VictoriaMetrics ms | promlet / VM | promlet / Prometheus | CPU ms promlet / Prom / VM | CPU promlet / VM | CPU promlet / Prom | = Prometheus |');
      console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    }
    const vsVm: number[] = [], vsProm: number[] = [], cpuVsVm: number[] = [], cpuVsProm: number[] = [];
    for (const q of parts.has('latency') ? DASHBOARD_QUERIES : []) {
      const answers = new Map<string, Matrix[]>();
      const times = new Map<string, number[]>(servers.map((s) => [s.name, []]));
      // CPU seconds each server spent on the measured runs (from /proc): on a shared, loaded machine
      // wall time also measures the neighbours, CPU time much less so.
      const cpu = new Map<string, number>(servers.map((s) => [s.name, 0]));
      for (let i = 0; i < warm + runs; i++) {
        for (const s of servers) {
          const c0 = cpuSeconds(s.pid);
          const t0 = performance.now();
          const a = await rangeQuery(s.url, q, start, end, 15_000);
          if (i >= warm) {
            times.get(s.name)!.push(performance.now() - t0);
            cpu.set(s.name, cpu.get(s.name)! + cpuSeconds(s.pid) - c0);
          } else answers.set(s.name, a);
        }
      }
      const ms = (name: string) => median(times.get(name)!);
      const cpuMs = (name: string) => (cpu.get(name)! * 1000) / runs;
      const c = compare(answers.get('promlet')!, answers.get('Prometheus')!);
      if (c.points === 0) throw new Error(`${q}: no points; the benchmark data does not fit the query`);
      const row = {
        query: q, series: c.series, points: c.points, promletMs: ms('promlet'), prometheusMs: ms('Prometheus'), victoriaMs: ms('VictoriaMetrics'),
        promletCpuMs: cpuMs('promlet'), prometheusCpuMs: cpuMs('Prometheus'), victoriaCpuMs: cpuMs('VictoriaMetrics'), maxRelDiffFromPrometheus: c.maxRelDiff,
      };
      vsVm.push(row.promletMs / row.victoriaMs);
      vsProm.push(row.promletMs / row.prometheusMs);
      cpuVsVm.push(row.promletCpuMs / row.victoriaCpuMs);
      cpuVsProm.push(row.promletCpuMs / row.prometheusCpuMs);
      record({ part: 'latency', large: LARGE, ...row });
      console.log(`| \`${q}\` | ${c.series} × ${Math.round(c.points / Math.max(1, c.series))} | ${row.promletMs.toFixed(1)} | ${row.prometheusMs.toFixed(1)} | ${row.victoriaMs.toFixed(1)} | ${vsVm.at(-1)!.toFixed(2)} | ${vsProm.at(-1)!.toFixed(2)} | ${row.promletCpuMs.toFixed(0)} / ${row.prometheusCpuMs.toFixed(0)} / ${row.victoriaCpuMs.toFixed(0)} | ${cpuVsVm.at(-1)!.toFixed(2)} | ${cpuVsProm.at(-1)!.toFixed(2)} | ${Number.isNaN(c.maxRelDiff) ? 'differs' : c.maxRelDiff.toExponential(1)} |`);
    }
    if (vsVm.length) console.log(`| geometric mean | | | | | **${geomean(vsVm).toFixed(2)}** | **${geomean(vsProm).toFixed(2)}** | | **${geomean(cpuVsVm).toFixed(2)}** | **${geomean(cpuVsProm).toFixed(2)}** | |`);
    if (vsVm.length) record({ part: 'latency', large: LARGE, geomeanVsVictoria: geomean(vsVm), geomeanVsPrometheus: geomean(vsProm), cpuGeomeanVsVictoria: geomean(cpuVsVm), cpuGeomeanVsPrometheus: geomean(cpuVsProm) });

    const total = quick || LARGE ? 96 : 384;
    if (parts.has('throughput')) {
      console.log(`\n### Throughput: ${total} range queries (the six in turn, the last hour at 15 s, ending at a different minute each); the round with each server's median req/s of ${quick || LARGE ? 1 : 3}, servers taking turns\n`);
      console.log('| clients | server | req/s | p50 ms | p99 ms | promlet / server (req/s) |');
      console.log('|---:|---|---:|---:|---:|---:|');
    }
    // Each server's req/s is the median of several rounds, the servers taking turns within each round: one
    // server measured once gets whatever else the machine was doing then, and a shared machine swung single
    // rounds' ratios from 1.0 to 1.55.
    const rounds = quick || LARGE ? 1 : 3;
    for (const clients of parts.has('throughput') ? [8, 32] : []) {
      const runs = new Map<string, Awaited<ReturnType<typeof load>>[]>();
      for (let round = 0; round < rounds; round++) {
        for (const s of servers) {
          await load(s.url, LARGE ? 6 : 12, 4, lastT);
          runs.set(s.name, [...(runs.get(s.name) ?? []), await load(s.url, total, clients, lastT)]);
        }
      }
      const res = new Map([...runs].map(([name, rs]) => [name, [...rs].sort((a, b) => a.rps - b.rps)[rs.length >> 1]!]));
      const ours = res.get('promlet')!.rps;
      for (const [name, r] of res) {
        record({ part: 'throughput', large: LARGE, clients, server: name, ...r });
        console.log(`| ${clients} | ${name} | ${r.rps.toFixed(1)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${name === 'promlet' ? '' : (ours / r.rps).toFixed(2)} |`);
      }
    }

    // A subquery whose resolution is chosen on each server so it takes about 5 s there. quantile_over_time
    // over 30 m windows of the bucket series (most of the data) costs CPU at every step, and its sum folds each series as it is
    // computed, so it holds little: over 18 series promlet needed a resolution of 5 ms (3.9 million steps,
    // most of the query memory budget) to run 5 s. One resolution for both no longer works: promlet keeps
    // each window sorted as it moves where Prometheus sorts every window, so a resolution that takes 5 s on
    // promlet takes minutes on Prometheus.
    // The health check's heavy query is the run's largest; the dashboard's own peak is read before it.
    const beforeHealth = new Map(servers.map((s) => [s.name, peakRssMiB(s.pid)] as const));
    const heavy = (res: number) => `count_over_time(sum(quantile_over_time(0.9, demo_api_request_duration_seconds_bucket[30m]))[${Math.floor((end - start) / 60_000)}m:${res}ms])`;
    const resolutionFor = async (url: string): Promise<number> => {
      let res = 60_000;
      // Time grows slower than the steps at coarse resolutions (a fixed cost per query), so the
      // estimate is refined until a run lands between 3.5 and 7 s. A resolution so fine that
      // promlet's query memory budget (--query.max-memory) refuses it would time a refusal: back off
      // to one it answers.
      // The one used is the last that was answered: never one only estimated, nor one just refused.
      let answered = res, refused = 0;
      for (let i = 0; i < 10; i++) {
        const h = await instant(url, heavy(res), end);
        if (process.env.PROMLET_BENCH_VERBOSE) console.log(`health resolution ${res} ms: ${h.ms.toFixed(0)} ms (${h.status})`);
        if (h.status !== 200) {
          refused = Math.max(refused, res);
          res *= 2;
          continue;
        }
        answered = res;
        if (h.ms >= 3500 && h.ms <= 7000) break;
        const next = Math.max(1, refused + 1, Math.round((res * Math.max(h.ms, 1)) / 5000));
        if (next === res) break;
        res = next;
      }
      return answered;
    };
    if (parts.has('health')) {
      console.log('\n### /-/healthy every 20 ms while `' + heavy(0).replace(':0ms', ':Rms') + '` runs (R chosen on each server for ~5 s)\n');
      console.log('| server | R ms | heavy query ms (status) | /-/healthy answers | p50 ms | p99 ms | max ms |');
      console.log('|---|---:|---:|---:|---:|---:|---:|');
    }
    for (const s of parts.has('health') ? [promlet, prom] : []) {
      const res = await resolutionFor(s.url);
      const h = await healthWhile(s.url, heavy(res), end);
      const row = { server: s.name, resolutionMs: res, heavyMs: h.heavyMs, status: h.status, answers: h.health.length, p50: pct(h.health, 0.5), p99: pct(h.health, 0.99), max: Math.max(...h.health) };
      record({ part: 'health', large: LARGE, ...row });
      console.log(`| ${s.name} | ${res} | ${h.heavyMs.toFixed(0)} (${h.status}) | ${row.answers} | ${row.p50.toFixed(1)} | ${row.p99.toFixed(1)} | ${row.max.toFixed(1)} |`);
    }

    console.log('\n| server | peak RSS MiB: latency and throughput | peak RSS MiB: whole run |');
    console.log('|---|---:|---:|');
    for (const s of servers) {
      const rss = peakRssMiB(s.pid), before = beforeHealth.get(s.name) ?? rss;
      record({ part: 'rss', large: LARGE, server: s.name, peakRssMiB: rss, peakRssBeforeHealthMiB: before });
      console.log(`| ${s.name} | ${before.toFixed(0)} | ${rss.toFixed(0)} |`);
    }
  } finally {
    for (const s of servers) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
