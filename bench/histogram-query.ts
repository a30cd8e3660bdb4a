// Query latency over native histograms against Debian's Prometheus 2.42
// (--enable-feature=native-histograms), each server its own process started
// here and fed the same remote-write requests: client_golang-like latency
// histograms (schema 3) scraped every 15 s for 2 h. Both answer over HTTP;
// the figures are mean latencies of the same queries measured in one run,
// with each process's peak resident memory beside them.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compress } from 'snappyjs';
import { Bench } from 'tinybench';
import { WriteRequest } from '../src/remote/proto.js';
import { encodeHistogram } from '../src/remote/histogram-proto.js';
import { latencySeries } from './histogram-data.js';
import { startDaemon, startPrometheus, prometheusVersion, type PrometheusPeer } from './prometheus-peer.js';
import { peakRssMiB } from './process-stats.js';
import { promletArgv } from './promlet-process.js';

const here = dirname(fileURLToPath(import.meta.url));
const STEP = 15_000;

async function startPromlet(): Promise<PrometheusPeer> {
  const dir = mkdtempSync(join(tmpdir(), 'promlet-hquery-'));
  const peer = await startDaemon(process.execPath, (port, dataDir) => promletArgv([
    'serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--web.enable-remote-write-receiver',
  ]), { dataDir: dir });
  return { ...peer, stop: async () => {
    await peer.stop();
    rmSync(dir, { recursive: true, force: true });
  } };
}

/** Remote-write bodies in time order: every series' samples of one 10-minute slice per request (heads only take recent samples). */
function requests(series: number, points: number, end: number): Uint8Array[] {
  const start = end - (points - 1) * STEP;
  const data = Array.from({ length: series }, (_, s) => latencySeries(points, 500 + s, true));
  const out: Uint8Array[] = [];
  const perRequest = 40;
  for (let p0 = 0; p0 < points; p0 += perRequest) {
    const timeseries = data.map((hs, s) => ({
      labels: [{ name: '__name__', value: 'request_latency_seconds' }, { name: 'instance', value: `host-${s}:8080` }, { name: 'job', value: 'api' }],
      histograms: hs.slice(p0, p0 + perRequest).map((h, i) => encodeHistogram(start + (p0 + i) * STEP, h)),
    }));
    out.push(compress(WriteRequest.encode(WriteRequest.fromObject({ timeseries })).finish()));
  }
  return out;
}

async function send(url: string, bodies: Uint8Array[]): Promise<void> {
  for (const body of bodies) {
    const r = await fetch(`${url}/api/v1/write`, {
      method: 'POST', body: body as BodyInit,
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' },
    });
    const text = await r.text();
    if (r.status !== 204) throw new Error(`${url} refused a write: ${r.status} ${text.slice(0, 300)}`);
  }
}

async function query(url: string, path: string, params: Record<string, string>): Promise<unknown[]> {
  const r = await fetch(`${url}/api/v1/${path}?${new URLSearchParams(params)}`);
  const j = (await r.json()) as { status: string; error?: string; data: { result: unknown[] } };
  if (j.status !== 'success') throw new Error(`${url} ${params.query}: ${j.error}`);
  return j.data.result;
}

export async function histogramQueryBench(quick: boolean, record: (row: Record<string, unknown>) => void): Promise<void> {
  const SERIES = quick ? 20 : 100;
  const POINTS = 480; // 2 h at 15 s
  const end = Math.floor((Date.now() - 60_000) / STEP) * STEP;
  const bodies = requests(SERIES, POINTS, end);
  const endS = String(end / 1000), startS = String((end - 7_200_000 + 600_000) / 1000);
  const QUERIES: { name: string; path: string; params: Record<string, string> }[] = [
    { name: 'histogram_quantile(0.9, sum(rate(x[5m]))), range 1h50m at 60 s', path: 'query_range', params: { query: 'histogram_quantile(0.9, sum(rate(request_latency_seconds[5m])))', start: startS, end: endS, step: '60' } },
    { name: 'histogram_quantile(0.99, rate(x[5m])), instant', path: 'query', params: { query: 'histogram_quantile(0.99, rate(request_latency_seconds[5m]))', time: endS } },
    { name: 'histogram_count(sum(rate(x[5m]))), range 1h50m at 60 s', path: 'query_range', params: { query: 'histogram_count(sum(rate(request_latency_seconds[5m])))', start: startS, end: endS, step: '60' } },
  ];
  const prom = await startPrometheus({ args: ['--web.enable-remote-write-receiver', '--enable-feature=native-histograms'] });
  const promlet = await startPromlet();
  try {
    await send(prom.url, bodies);
    await send(promlet.url, bodies);
    // The same data on both sides: the count of every observation at the end agrees exactly.
    const total = async (url: string) => JSON.stringify(await query(url, 'query', { query: 'histogram_count(sum(request_latency_seconds))', time: endS }));
    const [a, b] = [await total(prom.url), await total(promlet.url)];
    if (a !== b) throw new Error(`the servers hold different data: Prometheus ${a}, promlet ${b}`);
    console.log(`\n## Native histogram query latency: ${SERIES} latency histograms (schema 3) x ${POINTS} samples at 15 s, over HTTP\n`);
    console.log(`Prometheus: ${prometheusVersion()} with --enable-feature=native-histograms; promlet: serve --data-dir. Both fed the same remote-write requests.`);
    console.log('Mean latency of each query in one run; 2.42 interpolates quantiles linearly inside buckets, 3.x and promlet exponentially.\n');
    console.log('| query | Prometheus ms | promlet ms | promlet / Prometheus |');
    console.log('|---|---:|---:|---:|');
    for (const q of QUERIES) {
      const bench = new Bench({ time: quick ? 500 : 3000, iterations: 5 });
      bench.add('prometheus', async () => void await query(prom.url, q.path, q.params));
      bench.add('promlet', async () => void await query(promlet.url, q.path, q.params));
      await bench.run();
      const ms = (name: string) => {
        const res = bench.tasks.find((t) => t.name === name)!.result;
        return res.state === 'completed' ? res.latency.mean : NaN;
      };
      const row = { query: q.name, prometheusMs: ms('prometheus'), promletMs: ms('promlet') };
      record(row);
      console.log(`| \`${q.name}\` | ${row.prometheusMs.toFixed(2)} | ${row.promletMs.toFixed(2)} | ${(row.promletMs / row.prometheusMs).toFixed(2)} |`);
    }
    const rss = { prometheusPeakRssMiB: peakRssMiB(prom.pid), promletPeakRssMiB: peakRssMiB(promlet.pid) };
    record(rss);
    console.log(`\nPeak RSS: Prometheus ${rss.prometheusPeakRssMiB.toFixed(0)} MiB, promlet ${rss.promletPeakRssMiB.toFixed(0)} MiB.`);
  } finally {
    await prom.stop();
    await promlet.stop();
  }
}
