// Ingest cost against Debian's Prometheus 2.42, each server its own process
// started here, each comparison run several times (--repeats N) alternating
// which server goes first, medians and spread printed:
// - remote-write receive: 10,000 series × 1 h at 15 s sent as 200 requests of
//   50 series, 4 in flight, to each receiver (promlet with a data directory,
//   so every request is logged before it is acknowledged);
// - scraping: each server alone scrapes the same 50,000-series target every
//   1 s for 30 s (values change on every scrape); CPU seconds per scrape.
// Peak resident memory (VmHWM) of each process beside the figures.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compress } from 'snappyjs';
import { WriteRequest } from '../src/remote/proto.js';
import { startDaemon, startPrometheus, prometheusVersion, type PrometheusPeer } from './prometheus-peer.js';
import { cpuSeconds, peakRssMiB, rssMiB, untilCpuQuiet } from './process-stats.js';
import { promletArgv } from './promlet-process.js';

const here = dirname(fileURLToPath(import.meta.url));

async function startPromlet(args: string[]): Promise<PrometheusPeer> {
  const dir = mkdtempSync(join(tmpdir(), 'promlet-ingest-'));
  const peer = await startDaemon(process.execPath, (port, dataDir) => promletArgv([
    'serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, ...args,
  ]), { dataDir: dir });
  return { ...peer, stop: async () => {
    await peer.stop();
    rmSync(dir, { recursive: true, force: true });
  } };
}

function requests(series: number, points: number, perRequest: number): Uint8Array[] {
  const end = Date.now() - 60_000;
  const start = end - (points - 1) * 15_000;
  const out: Uint8Array[] = [];
  for (let first = 0; first < series; first += perRequest) {
    const timeseries = [];
    for (let s = first; s < Math.min(series, first + perRequest); s++) {
      const samples = [];
      let v = s;
      for (let p = 0; p < points; p++) samples.push({ timestamp: start + p * 15_000, value: (v += (s % 7) + 0.5) });
      timeseries.push({
        labels: [
          { name: '__name__', value: `rw_bench_${s % 100}` }, { name: 'instance', value: `host-${Math.floor(s / 100)}:9100` },
          { name: 'job', value: 'node' }, { name: 'series', value: String(s) },
        ],
        samples,
      });
    }
    out.push(compress(WriteRequest.encode(WriteRequest.fromObject({ timeseries })).finish()));
  }
  return out;
}

async function send(url: string, bodies: Uint8Array[], inFlight: number): Promise<{ seconds: number; failed: string[] }> {
  let next = 0;
  const failed: string[] = [];
  const t0 = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= bodies.length) return;
      const r = await fetch(`${url}/api/v1/write`, {
        method: 'POST', body: bodies[i]! as BodyInit,
        headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' },
      });
      const text = await r.text();
      if (r.status !== 204) failed.push(`${r.status} ${text.slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { seconds: (performance.now() - t0) / 1000, failed };
}

async function count(url: string, query: string): Promise<number> {
  const r = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query })}`);
  const j = (await r.json()) as { data: { result: { value: [number, string] }[] } };
  return Number(j.data.result[0]?.value[1] ?? 0);
}

/** --repeats N from the command line: how many times each comparison runs, alternating which server goes first. */
function repeats(fallback: number): number {
  const i = process.argv.indexOf('--repeats');
  const n = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** "median (min–max)" of a list, with `digits` decimals. */
function spread(xs: number[], digits: number, suffix = ''): string {
  const f = (x: number) => x.toFixed(digits) + suffix;
  return `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;
}

interface ReceiveRun { samplesPerSecond: number; seconds: number; cpuSeconds: number; startRssMiB: number; peakRssMiB: number; stored: number; failed: number }

async function receiveOnce(server: 'prometheus' | 'promlet', bodies: Uint8Array[]): Promise<ReceiveRun> {
  const peer = server === 'prometheus'
    ? await startPrometheus({ args: ['--web.enable-remote-write-receiver'] })
    : await startPromlet(['--web.enable-remote-write-receiver']);
  try {
    // Work a server does after it answers (promlet's query workers load the engine in the
    // background, about half a CPU second) is its start-up's, not the remote writes' measured next.
    await untilCpuQuiet(peer.pid, 1, 15_000);
    const startRss = rssMiB(peer.pid);
    const cpu0 = cpuSeconds(peer.pid);
    const { seconds, failed } = await send(peer.url, bodies, 4);
    const cpu = cpuSeconds(peer.pid) - cpu0;
    // Read before the check query below, whose own memory is not the receiver's.
    const peak = peakRssMiB(peer.pid);
    const stored = await count(peer.url, `count(count_over_time({__name__=~"rw_bench_.*"}[2h]))`);
    if (failed.length > 0) console.log(`${server}: ${failed.length} requests failed, first: ${failed[0]}`);
    return { samplesPerSecond: 0, seconds, cpuSeconds: cpu, startRssMiB: startRss, peakRssMiB: peak, stored, failed: failed.length };
  } finally {
    await peer.stop();
  }
}

export async function remoteWriteReceiveBench(quick: boolean, record: (row: Record<string, unknown>) => void): Promise<void> {
  const series = quick ? 1_000 : 10_000, points = 240, perRequest = 50;
  const runs = repeats(quick ? 2 : 5);
  const bodies = requests(series, points, perRequest);
  const samples = series * points;
  console.log(`\n## Remote-write receive: ${series.toLocaleString('en')} series × 1 h at 15 s (${samples.toLocaleString('en')} samples) in ${bodies.length} requests of ${perRequest} series, 4 in flight; ${runs} runs each, alternating which server goes first\n`);
  console.log(`Prometheus: ${prometheusVersion()} with --web.enable-remote-write-receiver; promlet: serve --data-dir (logged before acknowledged). Each run is a fresh process, measured once it is ready and its CPU time has stopped growing (start-up done).\n`);
  const by: Record<'prometheus' | 'promlet', ReceiveRun[]> = { prometheus: [], promlet: [] };
  const ratios: number[] = [], cpuRatios: number[] = [];
  console.log('| run | server | samples/s | CPU s | samples per CPU s | RSS at start MiB | peak RSS MiB | series stored | failed requests |');
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|');
  for (let run = 0; run < runs; run++) {
    const order = run % 2 === 0 ? (['prometheus', 'promlet'] as const) : (['promlet', 'prometheus'] as const);
    for (const server of order) {
      const r = await receiveOnce(server, bodies);
      r.samplesPerSecond = samples / r.seconds;
      by[server].push(r);
      record({ server, run, ...r, samplesPerCpuSecond: samples / r.cpuSeconds });
      console.log(`| ${run + 1} | ${server} | ${(r.samplesPerSecond / 1e6).toFixed(2)} M | ${r.cpuSeconds.toFixed(2)} | ${(samples / r.cpuSeconds / 1e6).toFixed(2)} M | ${r.startRssMiB.toFixed(0)} | ${r.peakRssMiB.toFixed(0)} | ${r.stored} | ${r.failed} |`);
    }
    const p = by.prometheus[run]!, l = by.promlet[run]!;
    ratios.push(l.samplesPerSecond / p.samplesPerSecond);
    cpuRatios.push(p.cpuSeconds / l.cpuSeconds);
  }
  // Wall-clock throughput depends on how many cores each server gets; samples per CPU second does not.
  console.log(`\nMedians over ${runs} runs (min–max):\n`);
  console.log('| server | samples/s | CPU s | RSS at start MiB | peak RSS MiB |');
  console.log('|---|---:|---:|---:|---:|');
  for (const server of ['prometheus', 'promlet'] as const) {
    const rs = by[server];
    console.log(`| ${server} | ${spread(rs.map((r) => r.samplesPerSecond / 1e6), 2, ' M')} | ${spread(rs.map((r) => r.cpuSeconds), 2)} | ${spread(rs.map((r) => r.startRssMiB), 0)} | ${spread(rs.map((r) => r.peakRssMiB), 0)} |`);
  }
  console.log(`\npromlet / Prometheus, per run: throughput ${spread(ratios, 2, '×')}; samples per CPU second ${spread(cpuRatios, 2, '×')}`);
  record({ summary: true, runs, throughputRatioMedian: median(ratios), throughputRatioMin: Math.min(...ratios), throughputRatioMax: Math.max(...ratios), cpuRatioMedian: median(cpuRatios) });
}

/** A target of `series` series whose values change on every request; scrapes counted per scraper. */
async function startTarget(series: number): Promise<{ url: string; scrapes: Map<string, number>; close(): Promise<void> }> {
  const prefixes: string[] = [];
  const families = Math.ceil(series / 100);
  for (let f = 0; f < families; f++) {
    prefixes.push(`# HELP bench_family_${f}_total A benchmark counter.\n# TYPE bench_family_${f}_total counter\n`);
  }
  const lines: string[] = [];
  for (let s = 0; s < series; s++) lines.push(`bench_family_${Math.floor(s / 100)}_total{instance_id="i-${String(s).padStart(6, '0')}",zone="zone-${s % 5}",kind="k${s % 13}"} `);
  let round = 0;
  const scrapes = new Map<string, number>();
  const server = createServer((req: IncomingMessage, res) => {
    const who = String(req.headers['user-agent'] ?? '').split('/')[0]!;
    scrapes.set(who, (scrapes.get(who) ?? 0) + 1);
    round++;
    const parts: string[] = [];
    for (let s = 0; s < series; s++) {
      if (s % 100 === 0) parts.push(prefixes[s / 100]!);
      parts.push(lines[s]!, String(s * 1000 + round * 1.5), '\n');
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(parts.join(''));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    scrapes,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

interface ScrapeRun { scrapes: number; cpuSeconds: number; cpuPerScrapeMs: number; startRssMiB: number; peakRssMiB: number }

/** One server alone scraping the target for `window` s after a warm-up: CPU per scrape and peak RSS. */
async function scrapeOnce(server: 'prometheus' | 'promlet', config: string, target: { scrapes: Map<string, number>; url: string }, window: number): Promise<ScrapeRun> {
  const ua = server === 'prometheus' ? 'Prometheus' : 'promlet';
  const peer = server === 'prometheus' ? await startPrometheus({ configFile: config }) : await startPromlet(['--config', config]);
  try {
    const startRss = rssMiB(peer.pid);
    // First scrapes create the series; the window measures steady state.
    await new Promise((r) => setTimeout(r, 5000));
    const cpu0 = cpuSeconds(peer.pid), n0 = target.scrapes.get(ua) ?? 0;
    await new Promise((r) => setTimeout(r, window * 1000));
    const cpu = cpuSeconds(peer.pid) - cpu0;
    const scrapes = (target.scrapes.get(ua) ?? 0) - n0;
    const peak = peakRssMiB(peer.pid);
    if (server === 'promlet') {
      const stored = await count(peer.url, 'count(bench_family_0_total)');
      if (stored !== 100) console.log(`promlet stored ${stored} series of bench_family_0_total, want 100`);
    }
    return { scrapes, cpuSeconds: cpu, cpuPerScrapeMs: (cpu / scrapes) * 1000, startRssMiB: startRss, peakRssMiB: peak };
  } finally {
    await peer.stop();
  }
}

export async function scrapeCpuBench(quick: boolean, record: (row: Record<string, unknown>) => void): Promise<void> {
  const series = quick ? 10_000 : 50_000;
  const window = quick ? 10 : 30;
  const runs = repeats(quick ? 1 : 3);
  const target = await startTarget(series);
  const dir = mkdtempSync(join(tmpdir(), 'promlet-scrape-bench-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: bench\n    static_configs:\n      - targets: ['${target.url}']\n`);
  console.log(`\n## Scraping: a ${series.toLocaleString('en')}-series target every 1 s for ${window} s (values change every scrape), each server alone, ${runs} runs each alternating which goes first\n`);
  const by: Record<'prometheus' | 'promlet', ScrapeRun[]> = { prometheus: [], promlet: [] };
  const ratios: number[] = [];
  try {
    console.log(`| run | server | scrapes in ${window} s | CPU s | CPU ms per scrape | RSS at start MiB | peak RSS MiB |`);
    console.log('|---:|---|---:|---:|---:|---:|---:|');
    for (let run = 0; run < runs; run++) {
      const order = run % 2 === 0 ? (['prometheus', 'promlet'] as const) : (['promlet', 'prometheus'] as const);
      for (const server of order) {
        const r = await scrapeOnce(server, config, target, window);
        by[server].push(r);
        record({ server, run, series, ...r });
        console.log(`| ${run + 1} | ${server} | ${r.scrapes} | ${r.cpuSeconds.toFixed(2)} | ${r.cpuPerScrapeMs.toFixed(1)} | ${r.startRssMiB.toFixed(0)} | ${r.peakRssMiB.toFixed(0)} |`);
      }
      ratios.push(by.promlet[run]!.cpuPerScrapeMs / by.prometheus[run]!.cpuPerScrapeMs);
    }
    console.log(`\nMedians over ${runs} runs (min–max):\n`);
    console.log(`| server | scrapes in ${window} s | CPU ms per scrape | RSS at start MiB | peak RSS MiB |`);
    console.log('|---|---:|---:|---:|---:|');
    for (const server of ['prometheus', 'promlet'] as const) {
      const rs = by[server];
      console.log(`| ${server} | ${spread(rs.map((r) => r.scrapes), 0)} | ${spread(rs.map((r) => r.cpuPerScrapeMs), 1)} | ${spread(rs.map((r) => r.startRssMiB), 0)} | ${spread(rs.map((r) => r.peakRssMiB), 0)} |`);
    }
    const rss = by.promlet.map((r, i) => r.peakRssMiB / by.prometheus[i]!.peakRssMiB);
    console.log(`\npromlet / Prometheus, per run: CPU per scrape ${spread(ratios, 2, '×')}; peak RSS ${spread(rss, 2, '×')}`);
    record({ summary: true, runs, series, cpuRatioMedian: median(ratios), cpuRatioMin: Math.min(...ratios), cpuRatioMax: Math.max(...ratios), rssRatioMedian: median(rss) });
  } finally {
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
