// Native histograms out through the HTTP API against Debian's Prometheus
// 2.42, each server its own process started here: both scrape their own
// copy of one protobuf target (the k-th scrape of either gets the same
// histograms), then answer the same query_range for the histogram series
// and the same instant query; figures are each server's median latency for
// the whole HTTP answer (evaluation and JSON), its size, the ratio, and each
// process's peak resident memory (VmHWM). A second table is the cost of
// the JSON alone in this process: histogram results against float results
// of the same number of points.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs/light.js';
import { MetricFamily, MetricType, PROTO_DELIMITED } from '../src/api/federate-proto.js';
import { CounterResetHint, type FloatHistogram } from '../src/model/histogram.js';
import { histogramJSON } from '../src/promql/engine/histogram-json.js';
import { jsonFloat } from '../src/promql/engine/engine.js';
import { startDaemon, startPrometheus, prometheusVersion, type PrometheusPeer } from './prometheus-peer.js';
import { peakRssMiB } from './process-stats.js';
import { promletArgv } from './promlet-process.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Bucket counts of series s at scrape k: a schema-3 latency histogram that grows by one batch a scrape. */
function counts(s: number, k: number): number[] {
  return Array.from({ length: 40 }, (_, b) => (k + 1) * Math.round(20 * Math.exp(-(((b - 15 - (s % 10)) / 6) ** 2))));
}

/** One scrape's body: a histogram family of `series` series, integer counts as client_golang writes them. */
function body(series: number, k: number): Uint8Array {
  const w = protobuf.Writer.create();
  const metric = [];
  for (let s = 0; s < series; s++) {
    const c = counts(s, k);
    const n = c.reduce((a, x) => a + x, 0);
    metric.push({
      label: [{ name: 'series', value: String(s) }],
      histogram: {
        sampleCount: n, sampleSum: n * 0.37, schema: 3, zeroThreshold: 2.938735877055719e-39, zeroCount: 0,
        positiveSpan: [{ offset: -10, length: c.length }], positiveDelta: c.map((x, i) => x - (i ? c[i - 1]! : 0)),
      },
    });
  }
  MetricFamily.encodeDelimited(MetricFamily.fromObject({ name: 'bench_latency_seconds', type: MetricType.HISTOGRAM, metric }), w);
  return w.finish();
}

async function target(series: number): Promise<Server> {
  let k = 0;
  const srv = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': PROTO_DELIMITED });
    res.end(body(series, k++));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return srv;
}

const config = (port: number, nativeKey: boolean) => `global: { scrape_interval: 1s, scrape_timeout: 1s }
scrape_configs:
  - job_name: bench
${nativeKey ? '    scrape_native_histograms: true\n' : ''}    static_configs: [{ targets: ['127.0.0.1:${port}'] }]
`;

async function timed(url: string, rounds: number): Promise<{ ms: number; bytes: number; series: number; points: number }> {
  const times: number[] = [];
  let bytes = 0, series = 0, points = 0;
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    const r = await fetch(url);
    const text = await r.text();
    times.push(performance.now() - t0);
    bytes = text.length;
    const j = JSON.parse(text) as { status: string; data: { result: { histograms?: unknown[]; histogram?: unknown }[] } };
    if (j.status !== 'success') throw new Error(`${url}: ${text.slice(0, 200)}`);
    series = j.data.result.length;
    points = j.data.result.reduce((n, s) => n + (s.histograms?.length ?? (s.histogram ? 1 : 0)), 0);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)]!, bytes, series, points };
}

function jsonCost(quick: boolean, record: (row: Record<string, unknown>) => void): void {
  const n = quick ? 20_000 : 100_000;
  const hs: FloatHistogram[] = Array.from({ length: 64 }, (_, k) => {
    const c = counts(k, k);
    return {
      counterResetHint: CounterResetHint.NotCounterReset, schema: 3, zeroThreshold: 2.938735877055719e-39, zeroCount: 0,
      count: c.reduce((a, x) => a + x, 0), sum: 12.5 * k, positiveSpans: [{ offset: -10, length: c.length }], positiveBuckets: c, negativeSpans: [], negativeBuckets: [],
    };
  });
  const run = (f: (i: number) => unknown) => {
    const t0 = performance.now();
    let bytes = 0;
    const batch: unknown[] = [];
    for (let i = 0; i < n; i++) {
      batch.push([i / 1000, f(i)]);
      if (batch.length === 1000) {
        bytes += JSON.stringify(batch).length;
        batch.length = 0;
      }
    }
    return { ms: performance.now() - t0, bytes };
  };
  const floats = run((i) => jsonFloat(i * 0.37));
  const hists = run((i) => histogramJSON(hs[i % hs.length]!));
  console.log(`\n## Result JSON in this process: ${n.toLocaleString('en')} points (histograms: schema 3, 40 buckets)\n`);
  console.log('| points as | µs per point | bytes per point | vs floats |');
  console.log('|---|---:|---:|---:|');
  for (const [name, r] of [['floats', floats], ['histograms', hists]] as const) {
    console.log(`| ${name} | ${((r.ms * 1000) / n).toFixed(2)} | ${(r.bytes / n).toFixed(0)} | ${(r.ms / floats.ms).toFixed(1)}x |`);
    record({ kind: 'json', points: name, usPerPoint: (r.ms * 1000) / n, bytesPerPoint: r.bytes / n });
  }
}

export async function histogramOutputBench(quick: boolean, record: (row: Record<string, unknown>) => void): Promise<void> {
  jsonCost(quick, record);
  const series = quick ? 20 : 100;
  const seconds = quick ? 15 : 40;
  const [forProm, forPromlet] = await Promise.all([target(series), target(series)]);
  const dir = mkdtempSync(join(tmpdir(), 'promlet-hist-out-bench-'));
  writeFileSync(join(dir, 'prometheus.yml'), config((forProm.address() as AddressInfo).port, false));
  writeFileSync(join(dir, 'promlet.yml'), config((forPromlet.address() as AddressInfo).port, true));
  let prom: PrometheusPeer | undefined, promlet: PrometheusPeer | undefined;
  try {
    prom = await startPrometheus({ configFile: join(dir, 'prometheus.yml'), args: ['--enable-feature=native-histograms'] });
    promlet = await startDaemon(process.execPath, (port, dataDir) => promletArgv([
      'serve', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, '--config', join(dir, 'promlet.yml'),
    ]), { dataDir: mkdtempSync(join(dir, 'data-')) });
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const end = Math.floor(Date.now() / 1000) - 1;
    const start = end - seconds + 5;
    const rounds = quick ? 5 : 15;
    const queries = [
      { name: `query_range ${seconds - 5}s at 1s`, path: `/api/v1/query_range?${new URLSearchParams({ query: 'bench_latency_seconds', start: String(start), end: String(end), step: '1' })}` },
      { name: 'instant query', path: `/api/v1/query?${new URLSearchParams({ query: 'bench_latency_seconds', time: String(end) })}` },
    ];
    console.log(`\n## Histogram results over HTTP: ${series} series, schema 3, 40 buckets, scraped every 1 s for ${seconds} s (${prometheusVersion()})\n`);
    console.log('| request | histogram points | promlet ms | Prometheus ms | promlet / Prometheus | promlet bytes | Prometheus bytes |');
    console.log('|---|---:|---:|---:|---:|---:|---:|');
    for (const q of queries) {
      const a = await timed(`${promlet.url}${q.path}`, rounds);
      const b = await timed(`${prom.url}${q.path}`, rounds);
      console.log(`| ${q.name} | ${a.points} / ${b.points} | ${a.ms.toFixed(1)} | ${b.ms.toFixed(1)} | ${(a.ms / b.ms).toFixed(2)} | ${a.bytes} | ${b.bytes} |`);
      record({ kind: 'http', request: q.name, points: a.points, peerPoints: b.points, promletMs: a.ms, prometheusMs: b.ms, ratio: a.ms / b.ms, promletBytes: a.bytes, prometheusBytes: b.bytes });
    }
    const rss = { promlet: peakRssMiB(promlet.pid), prometheus: peakRssMiB(prom.pid) };
    console.log(`\npeak RSS: promlet ${rss.promlet.toFixed(0)} MiB, Prometheus ${rss.prometheus.toFixed(0)} MiB`);
    record({ kind: 'rss', promletMiB: rss.promlet, prometheusMiB: rss.prometheus });
  } finally {
    await promlet?.stop();
    await prom?.stop();
    forProm.close();
    forPromlet.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
