// Ways in: the same samples sent to promlet as OTLP/HTTP protobuf and as
// remote write 1.0 (both over loopback HTTP, one request per timestamp), to
// Debian's Prometheus by remote write as the peer, and statsd lines over TCP
// against appending the same number of samples directly (the storage floor).
// Peak resident memory of this process (which runs promlet) beside each.

import { createConnection } from 'node:net';
import { compress } from 'snappyjs';
import { servePromlet } from '../src/node/serve.js';
import { startStatsd } from '../src/node/statsd-listener.js';
import { openDB } from '../src/storage/db.js';
import { ExportMetricsServiceRequest } from '../src/otlp/proto.js';
import { WriteRequest } from '../src/remote/proto.js';
import { startPrometheus, freePort } from './prometheus-peer.js';
import { ExemplarStore } from '../src/storage/exemplars.js';
import { labelsFrom } from '../src/model/labels.js';

const peakRssMiB = () => process.resourceUsage().maxRSS / 1024;

function otlpBody(series: number, t: number): Uint8Array {
  return ExportMetricsServiceRequest.encode(ExportMetricsServiceRequest.fromObject({
    resourceMetrics: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bench' } }] },
      scopeMetrics: [{
        metrics: [{
          name: 'intake_bench', gauge: {
            dataPoints: Array.from({ length: series }, (_, s) => ({ timeUnixNano: `${t}000000`, asDouble: s + t / 1e9, attributes: [{ key: 'series', value: { stringValue: String(s) } }] })),
          },
        }],
      }],
    }],
  })).finish();
}

function remoteWriteBody(series: number, t: number): Uint8Array {
  return compress(WriteRequest.encode(WriteRequest.fromObject({
    timeseries: Array.from({ length: series }, (_, s) => ({
      labels: [{ name: '__name__', value: 'intake_bench_rw' }, { name: 'job', value: 'bench' }, { name: 'series', value: String(s) }],
      samples: [{ value: s + t / 1e9, timestamp: t }],
    })),
  })).finish());
}

async function post(url: string, bodies: Uint8Array[], headers: Record<string, string>): Promise<number> {
  const t0 = performance.now();
  for (const body of bodies) {
    const r = await fetch(url, { method: 'POST', headers, body: new Uint8Array(body) });
    if (r.status >= 300) throw new Error(`${url}: ${r.status} ${await r.text()}`);
    await r.arrayBuffer();
  }
  return performance.now() - t0;
}

export async function intakeBench(quick: boolean, record: (row: Record<string, unknown>) => void): Promise<void> {
  const series = quick ? 200 : 2000;
  const points = quick ? 20 : 60;
  const samples = series * points;
  const t0 = Date.now() - points * 15_000;
  const times = Array.from({ length: points }, (_, p) => t0 + p * 15_000);
  console.log(`\n## Ways in: ${samples.toLocaleString('en')} samples (${series} series × ${points} timestamps, one request per timestamp)\n`);
  console.log('| path | time | samples/s | ratio to promlet remote write | peak RSS (this process) |');
  console.log('|---|---:|---:|---:|---:|');
  const rows: { path: string; ms: number; rss: number | null }[] = [];

  const s = await servePromlet({ listen: '127.0.0.1:0', otlpReceiver: true, remoteWriteReceiver: true, scrapeInterval: '1h' });
  try {
    const otlp = times.map((t) => otlpBody(series, t));
    rows.push({ path: 'promlet OTLP protobuf', ms: await post(`${s.url}/api/v1/otlp/v1/metrics`, otlp, { 'content-type': 'application/x-protobuf' }), rss: peakRssMiB() });
    const rw = times.map((t) => remoteWriteBody(series, t));
    rows.push({
      path: 'promlet remote write', rss: peakRssMiB(),
      ms: await post(`${s.url}/api/v1/write`, rw, { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' }),
    });
  } finally {
    await s.stop();
  }

  try {
    const prom = await startPrometheus({ args: ['--web.enable-remote-write-receiver'] });
    try {
      const rw = times.map((t) => remoteWriteBody(series, t));
      const ms = await post(`${prom.url}/api/v1/write`, rw, { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' });
      rows.push({ path: 'Prometheus 2.42 remote write (peer)', ms, rss: null });
    } finally {
      await prom.stop();
    }
  } catch (e) {
    console.error(`Prometheus peer not run: ${(e as Error).message}`);
  }

  const base = rows.find((r) => r.path === 'promlet remote write')!.ms;
  for (const r of rows) {
    record({ path: r.path, samples, ms: r.ms, samplesPerSecond: samples / (r.ms / 1000), ratio: r.ms / base, peakRssMiB: r.rss });
    console.log(`| ${r.path} | ${r.ms.toFixed(0)} ms | ${Math.round(samples / (r.ms / 1000)).toLocaleString('en')} | ${(r.ms / base).toFixed(2)} | ${r.rss === null ? 'n/a (other process)' : `${r.rss.toFixed(0)} MiB`} |`);
  }

  // statsd: lines over TCP into the receiver, then recorded, against appending the same samples directly.
  const lines = quick ? 50_000 : 300_000;
  const names = 1000;
  const db = await openDB();
  const port = await freePort();
  const rx = await startStatsd(db, { tcp: `127.0.0.1:${port}`, recordInterval: 3_600_000 });
  const text = Array.from({ length: lines }, (_, i) => `bench.counter.${i % names}:1|c|#env:bench`).join('\n') + '\n';
  const s0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const conn = createConnection(port, '127.0.0.1', () => conn.end(text));
    conn.on('close', () => resolve());
    conn.on('error', reject);
  });
  while ((rx.metrics().find((f) => f.name === 'promlet_statsd_lines_total')!.samples[0]!.value) < lines) await new Promise((r) => setTimeout(r, 5));
  await rx.record();
  const statsdMs = performance.now() - s0;
  const statsdRss = peakRssMiB();
  await rx.stop();
  const direct = await openDB();
  const d0 = performance.now();
  const app = direct.appender();
  const refs: number[] = [];
  for (let i = 0; i < lines; i++) {
    const k = i % names;
    // One sample per line, at distinct timestamps, so every append is stored.
    refs[k] = refs[k] === undefined ? app.append({ __name__: 'bench_counter', env: 'bench', n: String(k) }, 1 + Math.floor(i / names), i) : app.append(refs[k]!, 1 + Math.floor(i / names), i);
  }
  await app.commit();
  const directMs = performance.now() - d0;
  record({ path: 'statsd over TCP', lines, ms: statsdMs, linesPerSecond: lines / (statsdMs / 1000), directAppendMs: directMs, ratio: statsdMs / directMs, peakRssMiB: statsdRss });
  console.log(`\n| statsd (${lines.toLocaleString('en')} lines, ${names} series, over TCP) | time | lines/s | ratio to appending as many samples directly | peak RSS |`);
  console.log('|---|---:|---:|---:|---:|');
  console.log(`| promlet statsd receiver | ${statsdMs.toFixed(0)} ms | ${Math.round(lines / (statsdMs / 1000)).toLocaleString('en')} | ${(statsdMs / directMs).toFixed(2)} | ${statsdRss.toFixed(0)} MiB |`);

  // The exemplar store at its default size: adds per second and heap per exemplar once full.
  const gc = (globalThis as { gc?: () => void }).gc;
  const cap = 100_000;
  const seriesLabels = Array.from({ length: 1000 }, (_, i) => labelsFrom({ __name__: 'http_request_duration_seconds_bucket', le: String(i % 10), instance: `host-${i}` }));
  const exemplars = Array.from({ length: 2 * cap }, (_, i) => ({ labels: labelsFrom({ trace_id: (i * 2654435761 >>> 0).toString(16).padStart(32, '0') }), value: i % 100, timestamp: 1_700_000_000_000 + i }));
  gc?.();
  const h0 = process.memoryUsage().heapUsed;
  const store = new ExemplarStore(cap);
  const e0 = performance.now();
  for (let i = 0; i < exemplars.length; i++) store.add(seriesLabels[i % 1000]!, exemplars[i]!);
  const exMs = performance.now() - e0;
  gc?.();
  const perExemplar = (process.memoryUsage().heapUsed - h0) / store.size;
  record({ path: 'exemplar store', exemplars: exemplars.length, capacity: cap, ms: exMs, addsPerSecond: exemplars.length / (exMs / 1000), heapBytesPerExemplar: gc ? perExemplar : null });
  console.log(`\n| exemplar store (capacity ${cap.toLocaleString('en')}, ${exemplars.length.toLocaleString('en')} adds over 1,000 series) | adds/s | heap per stored exemplar |`);
  console.log('|---|---:|---:|');
  console.log(`| promlet | ${Math.round(exemplars.length / (exMs / 1000)).toLocaleString('en')} | ${gc ? `${perExemplar.toFixed(0)} B (entry and index; the label sets are the caller's)` : 'n/a (run with --expose-gc)'} |`);
}
