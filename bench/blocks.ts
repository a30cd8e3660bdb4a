// Storage that outgrows memory (`npm run bench -- --only blocks`), all
// ratios measured in this run:
// 1. a 6 h realistic file (node_exporter and pushgateway bodies replayed at
//    15 s): import time, peak RSS and disk bytes per sample (whole
//    directory) of `promlet import`, of `promtool tsdb create-blocks-from
//    openmetrics` and of VictoriaMetrics' /api/v1/import/prometheus;
// 2. range-query latency over the same data in blocks and in the head;
// 3. a large directory written through openDiskDB (high-entropy gauges at
//    60 s) and served by `promlet serve`: writer and server peak RSS, and
//    exact answers.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine, openDB } from '../src/index.js';
import { openDiskDB } from '../src/node/disk-db.js';
import { replayExposition, type SeriesData } from './data.js';
import { freePort } from './prometheus-peer.js';
import { promtoolAvailable } from './promtool.js';
import { gaugeValue } from './blocks-data.js';
import { dirBytes } from './dir-bytes.js';
import { promletArgv } from './promlet-process.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = resolve(here, '../src/node/cli.js');


function name(s: SeriesData): string {
  const { __name__: n, ...rest } = s.labels;
  const ls = Object.entries(rest).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`).join(',');
  return `${n}${ls ? `{${ls}}` : ''}`;
}

const fmt = (v: number) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v));

/** OpenMetrics (seconds) for promtool and promlet, text with ms timestamps for VictoriaMetrics; time-major, as scraped. */
function writeInputs(dir: string, series: SeriesData[]): { om: string; prom: string; samples: number } {
  const names = series.map(name);
  const om: string[] = [], prom: string[] = [];
  let samples = 0;
  const n = Math.max(...series.map((s) => s.timestamps.length));
  const seen = new Set<string>();
  for (const [k, s] of series.entries()) {
    const metric = s.labels.__name__!;
    if (!seen.has(metric)) {
      seen.add(metric);
      om.push(`# TYPE ${metric} gauge`);
    }
    void k;
  }
  for (let i = 0; i < n; i++) {
    series.forEach((s, k) => {
      if (i >= s.timestamps.length) return;
      om.push(`${names[k]} ${fmt(s.values[i]!)} ${(s.timestamps[i]! / 1000).toFixed(3)}`);
      prom.push(`${names[k]} ${fmt(s.values[i]!)} ${s.timestamps[i]}`);
      samples++;
    });
  }
  om.push('# EOF', '');
  prom.push('');
  writeFileSync(join(dir, 'data.om'), om.join('\n'));
  writeFileSync(join(dir, 'data.prom'), prom.join('\n'));
  return { om: join(dir, 'data.om'), prom: join(dir, 'data.prom'), samples };
}

/** Runs a command under /usr/bin/time: wall milliseconds and peak RSS (bytes). */
function timed(cmd: string, args: string[]): { ms: number; rss: number } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr.slice(-2000)}`);
  const kb = Number(r.stderr.trim().split('\n').at(-1));
  return { ms, rss: kb * 1024 };
}

const vmHWM = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

async function waitReady(url: string, proc: { exitCode: number | null }, log: () => string, pollMs = 100): Promise<void> {
  for (let i = 0; i < 60_000 / pollMs; i++) {
    if (proc.exitCode !== null) throw new Error(`exited: ${log().slice(-2000)}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(`not ready: ${log().slice(-2000)}`);
}

async function victoriaImport(file: string, expect: number, at: number): Promise<{ ms: number; bytes: number; rss: number } | null> {
  try {
    execFileSync('victoria-metrics', ['-version'], { stdio: 'ignore' });
  } catch {
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), 'promlet-vm-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn('victoria-metrics', ['-storageDataPath', dir, '-httpListenAddr', `127.0.0.1:${port}`, '-retentionPeriod', '100y', '-loggerLevel', 'ERROR'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr.on('data', (d) => (log += String(d)));
  try {
    await waitReady(`${url}/health`, proc, () => log);
    const body = readFileSync(file);
    const t0 = performance.now();
    const r = await fetch(`${url}/api/v1/import/prometheus`, { method: 'POST', body });
    if (r.status >= 300) throw new Error(`VictoriaMetrics import: ${r.status} ${await r.text()}`);
    await fetch(`${url}/internal/force_flush`);
    const ms = performance.now() - t0;
    // Background merges settle the parts; give them a moment, bounded, then measure.
    await new Promise((r) => setTimeout(r, 2000));
    await fetch(`${url}/internal/force_flush`);
    const bytes = dirBytes(dir);
    // Check it holds every sample: bytes of a partial import would flatter it.
    const q = await (await fetch(`${url}/api/v1/query?query=${encodeURIComponent('sum(count_over_time({__name__=~".+"}[1y]))')}&time=${at / 1000}`)).json() as { data: { result: { value: [number, string] }[] } };
    const stored = Number(q.data.result[0]?.value[1] ?? 0);
    if (stored !== expect) throw new Error(`VictoriaMetrics holds ${stored} samples after the import, want ${expect}`);
    return { ms, bytes, rss: vmHWM(proc.pid!) };
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function realisticFile(corpus: string, quick: boolean, record: (row: Record<string, unknown>) => void): Promise<{ dir: string; series: SeriesData[] }> {
  const hours = quick ? 2 : 6;
  const series = ['node_exporter-1.5.0.txt', 'pushgateway-1.5.1.txt']
    .flatMap((f, i) => replayExposition(readFileSync(join(corpus, 'exposition', f), 'utf8'), hours, 11 + i))
    // The replay keeps exposition order; series must be unique for every tool.
    .filter((s, i, all) => all.findIndex((o) => name(o) === name(s)) === i);
  const dir = mkdtempSync(join(tmpdir(), 'promlet-blocks-bench-'));
  const { om, prom, samples } = writeInputs(dir, series);
  console.log(`\n## Import of a ${hours} h realistic file (${series.length} series of node_exporter and pushgateway bodies at 15 s, ${samples.toLocaleString('en')} samples)\n`);
  console.log('Whole directories counted (chunks, index, meta). promtool and promlet: 2 h blocks as written by the import, process start to exit, median of 3 alternating runs (peak RSS: the largest); VictoriaMetrics: POST and force_flush to a running server, directory after its merges.\n');
  console.log('| tool | import ms | vs promtool | bytes/sample | vs promtool | peak RSS MB |');
  console.log('|---|---:|---:|---:|---:|---:|');
  const rows: { tool: string; ms: number; bytes: number; rss: number }[] = [];
  // Median time of a few runs each, alternating (a shared machine is noisy), largest peak RSS; the last run's directory is kept.
  const runs = 3;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const promtoolRuns: { ms: number; rss: number }[] = [], promletRuns: { ms: number; rss: number }[] = [];
  const out = join(dir, 'promtool'), data = join(dir, 'promlet');
  for (let i = 0; i < runs; i++) {
    if (promtoolAvailable()) {
      rmSync(out, { recursive: true, force: true });
      promtoolRuns.push(timed('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', om, out]));
    }
    rmSync(data, { recursive: true, force: true });
    promletRuns.push(timed(process.execPath, ['--input-type=module', '-e',
      `import { runCli } from ${JSON.stringify(cli)}; process.exitCode = await runCli(['import', ${JSON.stringify(om)}, '--data-dir', ${JSON.stringify(data)}, '--retention', '0s'], { out: () => {}, err: (s) => process.stderr.write(s) });`]));
  }
  if (promtoolRuns.length > 0) rows.push({ tool: 'promtool create-blocks-from', ms: median(promtoolRuns.map((r) => r.ms)), bytes: dirBytes(out), rss: Math.max(...promtoolRuns.map((r) => r.rss)) });
  rows.push({ tool: 'promlet import', ms: median(promletRuns.map((r) => r.ms)), bytes: dirBytes(data), rss: Math.max(...promletRuns.map((r) => r.rss)) });
  const vm = await victoriaImport(prom, samples, Math.max(...series.map((s) => s.timestamps[s.timestamps.length - 1]!)) + 1000);
  if (vm) rows.push({ tool: 'VictoriaMetrics /api/v1/import/prometheus', ...vm });
  const base = rows.find((r) => r.tool.startsWith('promtool'));
  for (const r of rows) {
    const bps = r.bytes / samples;
    const row = { tool: r.tool, series: series.length, samples, importMs: r.ms, bytesPerSample: bps, peakRssBytes: r.rss, timeVsPromtool: base ? r.ms / base.ms : null, bytesVsPromtool: base ? r.bytes / base.bytes : null };
    record(row);
    console.log(`| ${r.tool} | ${r.ms.toFixed(0)} | ${base ? (r.ms / base.ms).toFixed(2) : 'n/a'} | ${bps.toFixed(3)} | ${base ? (r.bytes / base.bytes).toFixed(2) : 'n/a'} | ${(r.rss / 2 ** 20).toFixed(0)} |`);
  }
  return { dir, series };
}

// A 2 ms query is still being compiled by V8 after a few runs; the head's
// read code is already hot from the appends, the block path's is not, so
// few warm-ups measured the compiler (1.9× at 3 warm-ups, 0.8× at 200). Both
// sides get the same warm-ups: steady state is what a server sees.
const WARM_UPS = 30, RUNS = 21;

async function rangeQueries(dir: string, series: SeriesData[], record: (row: Record<string, unknown>) => void): Promise<void> {
  const head = await openDB();
  for (const s of series) {
    const app = head.appender();
    s.timestamps.forEach((t, i) => app.append(s.labels, t, s.values[i]!));
    await app.commit();
  }
  const disk = await openDiskDB(join(dir, 'promlet'), { readOnly: true, cacheSize: 64 * 2 ** 20 });
  const start = Math.min(...series.map((s) => s.timestamps[0]!));
  const end = Math.max(...series.map((s) => s.timestamps[s.timestamps.length - 1]!));
  console.log(`\n## Range queries over the same data: ${disk.db.blockList().length} blocks vs the head (60 s step over ${((end - start) / 3600e3).toFixed(1)} h, median of ${RUNS} runs after ${WARM_UPS} warm-ups)\n`);
  console.log('| query | points | head ms | blocks ms | blocks / head |');
  console.log('|---|---:|---:|---:|---:|');
  const queries = [
    'sum by (cpu) (rate(node_cpu_seconds_total[5m]))',
    '{__name__=~"node_.+"}',
    'max_over_time(node_memory_MemAvailable_bytes[30m])',
  ];
  for (const q of queries) {
    const median = (db: Parameters<typeof createEngine>[0]) => {
      const engine = createEngine(db, { maxSamples: 1e9 });
      const times: number[] = [];
      let answer = '';
      let points = 0;
      for (let i = 0; i < WARM_UPS + RUNS; i++) {
        const t0 = performance.now();
        const r = engine.rangeQuerySync(q, start, end, 60_000); // numbers are milliseconds
        if (i >= WARM_UPS) times.push(performance.now() - t0);
        answer = JSON.stringify(r.result);
        points = (r.result as { values?: unknown[] }[]).reduce((n, x) => n + (x.values?.length ?? 0), 0);
      }
      times.sort((a, b) => a - b);
      return { ms: times[times.length >> 1]!, answer, points };
    };
    const h = median(head), b = median(disk.db);
    if (h.answer !== b.answer) throw new Error(`${q}: blocks and head answer differently`);
    if (h.points === 0) throw new Error(`${q}: no points; the benchmark data does not fit the query`);
    record({ query: q, points: h.points, headMs: h.ms, blocksMs: b.ms, ratio: b.ms / h.ms });
    console.log(`| \`${q}\` | ${h.points} | ${h.ms.toFixed(1)} | ${b.ms.toFixed(1)} | ${(b.ms / h.ms).toFixed(2)} |`);
  }
  await disk.close();
  await head.close();
}

/** Runs the writer child over points [first, points) of the large directory; its time, peak RSS and longest pauses. */
export function runWriter(dir: string, series: number, points: number, step: number, start: number, first: number) {
  const writer = spawnSync(process.execPath, [resolve(here, 'blocks-writer.js'), dir, String(series), String(points), String(step), String(start), String(first)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (writer.status !== 0) throw new Error(`writer: ${writer.stderr.slice(-2000)}`);
  return JSON.parse(writer.stdout.trim().split('\n').at(-1)!) as { ms: number; maxRSS: number; maxCommitMs: number; maxCommitSyncMs: number; maxStallMs: number; maxBetweenMs: number; memory: unknown; heldCommits: number; heldMs: number };
}

/** Starts `promlet serve` on dir; resolves once /-/ready answers, with the time from spawn to ready. */
async function serveDir(dir: string): Promise<{ url: string; openMs: number; storageMs: number; proc: ReturnType<typeof spawn>; stop: () => Promise<void>; memory: () => unknown }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  // A script, not `-e`: the server's query workers inherit the process's flags, and `--input-type` stops them starting.
  const proc = spawn(process.execPath, promletArgv(['serve', '--data-dir', dir, '--listen', `127.0.0.1:${port}`, '--retention', '100y']), { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PROMLET_BENCH_MEMORY_PROBE: '1' } });
  let log = '';
  proc.stderr!.on('data', (d) => (log += String(d)));
  const stop = async () => {
    if (proc.exitCode !== null) return;
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
  };
  try {
    await waitReady(`${url}/-/ready`, proc, () => log, 20);
  } catch (e) {
    await stop();
    throw e;
  }
  // The server's own account of opening the directory (blocks, head, log), without the process start.
  const storageMs = Number(/data dir .*, in (\d+) ms/.exec(log)?.[1] ?? NaN);
  // Where the server's memory went (bench/memory-probe.ts), printed as it stops.
  const memory = () => JSON.parse(/memory-probe (.*)/.exec(log)?.[1] ?? 'null') as unknown;
  return { url, openMs: performance.now() - t0, storageMs, proc, stop, memory };
}

const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;

/**
 * The issue's figure is 10,000 × 10 d; the default full run writes 2 d to stay within a few minutes.
 * PROMLET_BENCH_LARGE_DAYS and PROMLET_BENCH_LARGE_SERIES set the scale. With PROMLET_BENCH_OPEN_GB
 * (default 1 in a full run, 0 in a quick one) the directory is then written on until it holds that
 * many GB, and the server's start to ready is measured again on it.
 */
export async function largeDirectory(quick: boolean, record: (row: Record<string, unknown>) => void): Promise<void> {
  const series = Number(process.env.PROMLET_BENCH_LARGE_SERIES ?? (quick ? 1000 : 10_000));
  const days = Number(process.env.PROMLET_BENCH_LARGE_DAYS ?? (quick ? 1 : 2));
  const openGB = Number(process.env.PROMLET_BENCH_OPEN_GB ?? (quick ? 0 : 1));
  if (!(series >= 1 && days > 0 && openGB >= 0)) throw new Error('PROMLET_BENCH_LARGE_SERIES must be ≥ 1, PROMLET_BENCH_LARGE_DAYS > 0, PROMLET_BENCH_OPEN_GB ≥ 0');
  const step = 60_000;
  const points = Math.round((days * 86400_000) / step);
  const start = Date.UTC(2026, 0, 1);
  // PROMLET_BENCH_LARGE_DIR: serve a directory an earlier run kept (PROMLET_BENCH_KEEP_LARGE) instead of writing one.
  const kept = process.env.PROMLET_BENCH_LARGE_DIR;
  const dir = kept ?? mkdtempSync(join(tmpdir(), 'promlet-large-'));
  console.log(`\n## A large directory: ${series.toLocaleString('en')} high-entropy gauges × ${days} d at 60 s (${(series * points).toLocaleString('en')} samples; the issue's figure is 10,000 × 10 d), written through openDiskDB, served by promlet serve\n`);
  try {
    const w = kept ? { ms: NaN, maxRSS: NaN, maxCommitMs: NaN, maxCommitSyncMs: NaN, maxStallMs: NaN, maxBetweenMs: NaN, memory: null, heldCommits: NaN, heldMs: NaN } : runWriter(dir, series, points, step, start, 0);
    const bytes = dirBytes(dir);
    console.log(`writer: ${(w.ms / 1000).toFixed(1)} s, peak RSS ${mb(w.maxRSS)}, ${(bytes / 2 ** 20).toFixed(0)} MiB on disk`);
    console.log(`writer memory (MB; headHours, headChunks: largest seen): ${JSON.stringify(w.memory)}`);

    // The server writes its own metrics at the real now into what it serves: it serves a copy, so the writer can go on with this one.
    const served = `${dir}-served`;
    cpSync(dir, served, { recursive: true });
    const server = await serveDir(served);
    let rss: number, wholeMs: number, exactCount: boolean, exactSamples = true, rangeMs: number, exactRange: boolean;
    try {
      const end = start + (points - 1) * step;
      const get = async (path: string) => {
        const r = (await (await fetch(`${server.url}${path}`)).json()) as { status: string; error?: string; data: { result: { metric: Record<string, string>; value: [number, string]; values: [number, string][] }[] } };
        if (r.status !== 'success') throw new Error(`${path}: ${r.error}`);
        return r.data.result;
      };
      const query = (q: string, time: number) => get(`/api/v1/query?query=${encodeURIComponent(q)}&time=${time / 1000}`);
      // The whole range in one query: every sample is counted, none is held.
      const q0 = performance.now();
      const total = await query(`sum(count_over_time(bench_gauge[${points}m]))`, end);
      wholeMs = performance.now() - q0;
      exactCount = Number(total[0]?.value[1]) === series * points;
      // A range query over the whole range, a day a step: each day's samples counted, (t-1d, t] tiling it.
      const r0 = performance.now();
      const perDay = await get(`/api/v1/query_range?query=${encodeURIComponent('sum(count_over_time(bench_gauge[1d]))')}&start=${(end - (Math.ceil(days) - 1) * 86400_000) / 1000}&end=${end / 1000}&step=86400`);
      rangeMs = performance.now() - r0;
      exactRange = (perDay[0]?.values ?? []).reduce((n, [, v]) => n + Number(v), 0) === series * points;
      for (const [s, p] of [[0, 0], [17, points >> 1], [series - 1, points - 1], [series >> 1, 1234 % points]] as const) {
        const r = await query(`bench_gauge{s="${s}"}`, start + p * step);
        if (Number(r[0]?.value[1]) !== gaugeValue(s, p)) exactSamples = false;
      }
      rss = vmHWM(server.proc.pid!);
    } finally {
      await server.stop();
      rmSync(served, { recursive: true, force: true });
    }
    const serverMemory = server.memory();
    console.log(`server memory (MB, main thread; the rest of the resident set is the query workers and code): ${JSON.stringify(serverMemory)}`);

    console.log('| measure | value | target |');
    console.log('|---|---:|---:|');
    console.log(`| on disk | ${(bytes / 2 ** 20).toFixed(0)} MiB (${(bytes / (series * points)).toFixed(2)} bytes/sample) | |`);
    console.log(`| writer: time | ${(w.ms / 1000).toFixed(1)} s | |`);
    console.log(`| writer: peak RSS | ${mb(w.maxRSS)} | ≤ 400 MB |`);
    console.log(`| writer: longest commit (its synchronous part; with any back-pressure wait); longest event-loop stall | ${w.maxCommitSyncMs.toFixed(0)} ms; ${w.maxCommitMs.toFixed(0)} ms; ${w.maxStallMs.toFixed(0)} ms | |`);
    console.log(`| writer: longest wait for its next turn between commits (maintenance, checkpoints, I/O callbacks, GC) | ${w.maxBetweenMs.toFixed(0)} ms | |`);
    console.log(`| writer: commits held back for a cut (head past 3 block ranges); their wait in all | ${w.heldCommits}; ${w.heldMs.toFixed(0)} ms | |`);
    console.log(`| server: start to ready | ${server.openMs.toFixed(0)} ms | |`);
    console.log(`| server: \`sum(count_over_time(bench_gauge[${points}m]))\` (whole range, one query) | ${wholeMs.toFixed(0)} ms, ${exactCount ? 'exact' : 'WRONG'} | exact |`);
    console.log(`| server: \`sum(count_over_time(bench_gauge[1d]))\`, range query a day a step | ${rangeMs.toFixed(0)} ms, ${exactRange ? 'exact' : 'WRONG'} | exact |`);
    console.log(`| server: single samples | ${exactSamples ? 'exact' : 'WRONG'} | exact |`);
    console.log(`| server: peak RSS after those queries | ${mb(rss)} | ≤ 400 MB (aim 250 MB) |`);
    // Opening a directory of at least openGB: the same one, written on (more days of the same series).
    let open: { bytes: number; ms: number; storageMs: number; emptyMs: number; days: number; rss: number } | null = null;
    if (openGB > 0) {
      let upTo = points;
      const perPoint = bytes / points;
      if (bytes < openGB * 1e9) {
        upTo = points + Math.ceil((openGB * 1e9 - bytes) / perPoint * 1.05);
        runWriter(dir, series, upTo, step, start, points);
      }
      const again = await serveDir(dir);
      const openRss = vmHWM(again.proc.pid!);
      await again.stop();
      // The same server on an empty directory, in the same run: what starting the process costs on this machine now.
      const emptyDir = mkdtempSync(join(tmpdir(), 'promlet-empty-'));
      const empty = await serveDir(emptyDir);
      await empty.stop();
      rmSync(emptyDir, { recursive: true, force: true });
      open = { bytes: dirBytes(dir), ms: again.openMs, storageMs: again.storageMs, emptyMs: empty.openMs, days: (upTo * step) / 86400_000, rss: openRss };
    }

    record({
      series, days, samples: series * points, diskBytes: bytes, bytesPerSample: bytes / (series * points), writerMs: w.ms, writerPeakRss: w.maxRSS,
      writerMaxCommitMs: w.maxCommitMs, writerMaxCommitSyncMs: w.maxCommitSyncMs, writerMaxStallMs: w.maxStallMs, writerMaxBetweenMs: w.maxBetweenMs, writerHeldCommits: w.heldCommits, writerHeldMs: w.heldMs, writerMemory: w.memory, serverPeakRss: rss, serverMemory, openMs: server.openMs, wholeRangeQueryMs: wholeMs, rangeQueryMs: rangeMs,
      exactCount, exactRange, exactSamples, open,
    });
    if (open) {
      console.log(`| opening ${(open.bytes / 1e9).toFixed(2)} GB (${open.days.toFixed(1)} d): start to ready, peak RSS at ready | ${open.ms.toFixed(0)} ms, ${mb(open.rss)} | < 2 s |`);
      console.log(`| the same: opening the storage alone (the server's log); an empty directory's start to ready | ${open.storageMs} ms; ${open.emptyMs.toFixed(0)} ms | |`);
    }
  } finally {
    if (process.env.PROMLET_BENCH_KEEP_LARGE || kept) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/** The import part alone (`--only import`). */
export async function importBench(corpus: string, quick: boolean, record: (row: Record<string, unknown>) => void): Promise<void> {
  const { dir } = await realisticFile(corpus, quick, (row) => record({ part: 'import', ...row }));
  rmSync(dir, { recursive: true, force: true });
}

export async function blocksBench(corpus: string, quick: boolean, record: (row: Record<string, unknown>) => void): Promise<void> {
  const { dir, series } = await realisticFile(corpus, quick, (row) => record({ part: 'import', ...row }));
  try {
    await rangeQueries(dir, series, (row) => record({ part: 'rangeQuery', ...row }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await largeDirectory(quick, (row) => record({ part: 'largeDirectory', ...row }));
}
