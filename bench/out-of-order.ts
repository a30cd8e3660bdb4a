// Out-of-order samples: remote-write requests carrying one late sample per
// series (inside storage.tsdb.out_of_order_time_window) against the same
// requests of in-order samples, sent to promlet and to Debian's Prometheus
// with the same window over loopback HTTP. promlet re-encodes a series' head
// chunks for each commit with late samples (docs/STORAGE.md); Prometheus
// appends them to a separate out-of-order chunk. Peak resident memory of
// this process (which runs promlet) and of Prometheus beside each.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compress } from 'snappyjs';
import { servePromlet } from '../src/node/serve.js';
import { WriteRequest } from '../src/remote/proto.js';
import { startPrometheus } from './prometheus-peer.js';
import { peakRssMiB } from './process-stats.js';

const STEP = 15_000;

function body(series: number, ts: (s: number) => number): Uint8Array {
  return compress(WriteRequest.encode(WriteRequest.fromObject({
    timeseries: Array.from({ length: series }, (_, s) => ({
      labels: [{ name: '__name__', value: 'ooo_bench' }, { name: 'series', value: String(s) }],
      samples: [{ value: s + ts(s) / 1e9, timestamp: ts(s) }],
    })),
  })).finish());
}

async function send(url: string, b: Uint8Array): Promise<void> {
  const r = await fetch(`${url}/api/v1/write`, { method: 'POST', body: b as BodyInit, headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' } });
  if (r.status !== 204) throw new Error(`${url}: ${r.status} ${await r.text()}`);
}

async function timed(url: string, bodies: Uint8Array[]): Promise<number> {
  const t0 = performance.now();
  for (const b of bodies) await send(url, b);
  return (performance.now() - t0) / bodies.length;
}

export async function outOfOrderBench(quick: boolean, record: (row: Record<string, unknown>) => void): Promise<void> {
  const series = quick ? 100 : 500;
  const points = quick ? 240 : 720; // 1 h or 3 h at 15 s already in the head
  const requests = quick ? 50 : 200;
  const dir = mkdtempSync(join(tmpdir(), 'promlet-ooo-bench-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, 'storage:\n  tsdb:\n    out_of_order_time_window: 4h\n');
  const t0 = Math.floor(Date.now() / STEP) * STEP - (points + requests + 10) * STEP;
  const prom = await startPrometheus({ configFile: config, args: ['--web.enable-remote-write-receiver'] });
  const ours = await servePromlet({ listen: '127.0.0.1:0', remoteWriteReceiver: true, configFile: config, scrapeInterval: '1h' });
  try {
    const fill = Array.from({ length: points }, (_, i) => body(series, () => t0 + i * STEP));
    for (const b of fill) {
      await send(prom.url, b);
      await send(ours.url, b);
    }
    // Late: 7 s after a stored sample, spread over the head; in order: the next timestamps.
    const late = Array.from({ length: requests }, (_, r) => body(series, (s) => t0 + ((r * 37 + s * 11) % points) * STEP + 7_000));
    const next = Array.from({ length: requests }, (_, r) => body(series, () => t0 + (points + r) * STEP));
    const row = {
      series, headSamplesPerSeries: points, requests,
      promletInOrderMs: await timed(ours.url, next),
      promletLateMs: await timed(ours.url, late),
      prometheusInOrderMs: 0, prometheusLateMs: 0,
      promletPeakRssMiB: 0, prometheusPeakRssMiB: 0,
    };
    row.prometheusInOrderMs = await timed(prom.url, next);
    row.prometheusLateMs = await timed(prom.url, late);
    row.promletPeakRssMiB = process.resourceUsage().maxRSS / 1024;
    row.prometheusPeakRssMiB = peakRssMiB(prom.pid);
    record(row);
    console.log(`\n## Out-of-order samples (${series} series, ${points} samples each in the head, ${requests} requests of one sample per series)\n`);
    console.log('| | in order ms/request | late ms/request | late / in order | peak RSS |');
    console.log('|---|---:|---:|---:|---:|');
    console.log(`| promlet | ${row.promletInOrderMs.toFixed(2)} | ${row.promletLateMs.toFixed(2)} | ${(row.promletLateMs / row.promletInOrderMs).toFixed(2)} | ${row.promletPeakRssMiB.toFixed(0)} MiB |`);
    console.log(`| Prometheus ${''}| ${row.prometheusInOrderMs.toFixed(2)} | ${row.prometheusLateMs.toFixed(2)} | ${(row.prometheusLateMs / row.prometheusInOrderMs).toFixed(2)} | ${row.prometheusPeakRssMiB.toFixed(0)} MiB |`);
    console.log(`| promlet / Prometheus | ${(row.promletInOrderMs / row.prometheusInOrderMs).toFixed(2)} | ${(row.promletLateMs / row.prometheusLateMs).toFixed(2)} | | |`);
  } finally {
    await ours.stop();
    await prom.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
