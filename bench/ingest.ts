// Ingest cost against Debian's Prometheus 2.42, each server its own process
// started here, figures from one run:
// - remote-write receive: 10,000 series × 1 h at 15 s sent as 200 requests of
//   50 series, 4 in flight, to each receiver (promlet with a data directory,
//   so every request is logged before it is acknowledged);
// - scraping: both servers scrape the same 50,000-series target every 1 s for
//   30 s (values change on every scrape); CPU seconds per scrape of each.
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
import { cpuSeconds, peakRssMiB } from './process-stats.js';

const here = dirname(fileURLToPath(import.meta.url));

async function startPromlet(args: string[]): Promise<PrometheusPeer> {
  const dir = mkdtempSync(join(tmpdir(), 'promlet-ingest-'));
  const peer = await startDaemon(process.execPath, (port, dataDir) => [
    join(here, 'promlet-serve.js'), 'serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, ...args,
  ], { dataDir: dir });
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

export async function remoteWriteReceiveBench(quick: boolean, record: (row: Record<string, unknown>) => void): Promise<void> {
  const series = quick ? 1_000 : 10_000, points = 240, perRequest = 50;
  const bodies = requests(series, points, perRequest);
  const samples = series * points;
  console.log(`\n## Remote-write receive: ${series.toLocaleString('en')} series × 1 h at 15 s (${samples.toLocaleString('en')} samples) in ${bodies.length} requests of ${perRequest} series, 4 in flight\n`);
  console.log(`Prometheus: ${prometheusVersion()} with --web.enable-remote-write-receiver; promlet: serve --data-dir (logged before acknowledged).\n`);
  const rows: { server: string; samplesPerSecond: number; cpuSeconds: number; peakRssMiB: number; stored: number; failed: number }[] = [];
  for (const [server, start] of [
    ['prometheus', () => startPrometheus({ args: ['--web.enable-remote-write-receiver'] })],
    ['promlet', () => startPromlet(['--web.enable-remote-write-receiver'])],
  ] as const) {
    const peer = await start();
    try {
      const cpu0 = cpuSeconds(peer.pid);
      const { seconds, failed } = await send(peer.url, bodies, 4);
      const cpu = cpuSeconds(peer.pid) - cpu0;
      const stored = await count(peer.url, `count(count_over_time({__name__=~"rw_bench_.*"}[2h]))`);
      const row = { server, samplesPerSecond: samples / seconds, seconds, cpuSeconds: cpu, peakRssMiB: peakRssMiB(peer.pid), stored, failed: failed.length };
      if (failed.length > 0) console.log(`${server}: ${failed.length} requests failed, first: ${failed[0]}`);
      rows.push(row);
    } finally {
      await peer.stop();
    }
  }
  const prom = rows[0]!;
  // Wall-clock throughput depends on how many cores each server gets; samples per CPU second does not.
  console.log('| server | samples/s | ratio to Prometheus | CPU s | samples per CPU s | ratio to Prometheus | peak RSS MiB | series stored | failed requests |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const ratio = r.samplesPerSecond / prom.samplesPerSecond;
    const perCpu = samples / r.cpuSeconds;
    const cpuRatio = perCpu / (samples / prom.cpuSeconds);
    record({ ...r, ratio, samplesPerCpuSecond: perCpu, cpuRatio });
    console.log(`| ${r.server} | ${(r.samplesPerSecond / 1e6).toFixed(2)} M | ${ratio.toFixed(2)}× | ${r.cpuSeconds.toFixed(2)} | ${(perCpu / 1e6).toFixed(2)} M | ${cpuRatio.toFixed(2)}× | ${r.peakRssMiB.toFixed(0)} | ${r.stored} | ${r.failed} |`);
  }
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

export async function scrapeCpuBench(quick: boolean, record: (row: Record<string, unknown>) => void): Promise<void> {
  const series = quick ? 10_000 : 50_000;
  const window = quick ? 10 : 30;
  const target = await startTarget(series);
  const dir = mkdtempSync(join(tmpdir(), 'promlet-scrape-bench-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: bench\n    static_configs:\n      - targets: ['${target.url}']\n`);
  console.log(`\n## Scraping: a ${series.toLocaleString('en')}-series target every 1 s for ${window} s, both servers at once (values change every scrape)\n`);
  const peers: [string, string, PrometheusPeer][] = [];
  try {
    peers.push(['prometheus', 'Prometheus', await startPrometheus({ configFile: config })]);
    peers.push(['promlet', 'promlet', await startPromlet(['--config', config])]);
    // First scrapes create the series; the window measures steady state.
    await new Promise((r) => setTimeout(r, 5000));
    const before = peers.map(([, ua, p]) => ({ cpu: cpuSeconds(p.pid), scrapes: target.scrapes.get(ua) ?? 0 }));
    await new Promise((r) => setTimeout(r, window * 1000));
    const rows = peers.map(([server, ua, p], i) => {
      const cpu = cpuSeconds(p.pid) - before[i]!.cpu;
      const scrapes = (target.scrapes.get(ua) ?? 0) - before[i]!.scrapes;
      return { server, scrapes, cpuSeconds: cpu, cpuPerScrapeMs: (cpu / scrapes) * 1000, peakRssMiB: peakRssMiB(p.pid) };
    });
    const prom = rows[0]!;
    const [promlet] = rows.slice(1);
    const stored = await count(peers[1]![2].url, 'count(bench_family_0_total)');
    console.log(`| server | scrapes in ${window} s | CPU s | CPU ms per scrape | ratio to Prometheus | peak RSS MiB |`);
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const r of rows) {
      const ratio = r.cpuPerScrapeMs / prom.cpuPerScrapeMs;
      record({ ...r, series, ratio });
      console.log(`| ${r.server} | ${r.scrapes} | ${r.cpuSeconds.toFixed(2)} | ${r.cpuPerScrapeMs.toFixed(1)} | ${ratio.toFixed(2)}× | ${r.peakRssMiB.toFixed(0)} |`);
    }
    if (promlet && stored !== 100) console.log(`promlet stored ${stored} series of bench_family_0_total, want 100`);
  } finally {
    for (const [, , p] of peers) await p.stop();
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
