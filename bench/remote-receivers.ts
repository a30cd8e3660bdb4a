// Remote write throughput beside Prometheus's and VictoriaMetrics'
// receivers, in one run:
//  - receiving: the same snappy requests (remote write 1.0, and 2.0 for
//    promlet) posted to a `promlet serve` child process, Debian's Prometheus
//    and victoria-metrics, four in flight; samples/s until the last answer,
//    and each receiver's peak resident memory (VmHWM);
//  - sending: promlet's queue (log -> shards -> HTTP) delivering the same
//    samples to each of those receivers, in 1.0 and 2.0;
//  - remote read: promlet's /api/v1/read against Prometheus's, over the
//    same samples, in SAMPLES and STREAMED_XOR_CHUNKS.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compress } from 'snappyjs';
import { openDiskDB } from '../src/node/disk-db.js';
import { startRemoteWrite } from '../src/node/remote-write.js';
import { remoteWriteConfigs } from '../src/remote/config.js';
import { WriteRequest } from '../src/remote/proto.js';
import { ReadRequest } from '../src/remote/read-proto.js';
import { encodeV2 } from '../src/remote/write-v2.js';
import { V2_CONTENT_TYPE } from '../src/remote/write-v2-proto.js';
import { labelsFrom } from '../src/model/labels.js';
import { freePort, startDaemon, startPrometheus, type PrometheusPeer } from './prometheus-peer.js';
import { promletArgv } from './promlet-process.js';

const peakRss = (pid: number): number => {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
};
const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;

async function startPromletReceiver(): Promise<PrometheusPeer> {
  const port = await freePort();
  const proc: ChildProcess = spawn(process.execPath, promletArgv(['serve', '--listen', `127.0.0.1:${port}`, '--web.enable-remote-write-receiver']), { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.on('data', (d) => (log += String(d)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null || i === 200) throw new Error(`promlet receiver did not start: ${log.slice(-2000)}`);
    if (await fetch(`${url}/-/ready`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url, dataDir: '', pid: proc.pid!,
    stop: async () => {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    },
  };
}

interface Receiver {
  name: string;
  peer: PrometheusPeer;
  v2: boolean;
}

/** Requests of `perRequest` samples: `series` series, consecutive points, as a scraper's sender batches them. */
function requests(series: number, points: number, perRequest: number, t0: number, v2: boolean): Uint8Array[] {
  const out: Uint8Array[] = [];
  const seriesPerRequest = Math.max(1, Math.floor(perRequest / points));
  for (let s0 = 0; s0 < series; s0 += seriesPerRequest) {
    const batch = [];
    for (let s = s0; s < Math.min(series, s0 + seriesPerRequest); s++) {
      const ts = new Float64Array(points), vs = new Float64Array(points);
      for (let p = 0; p < points; p++) {
        ts[p] = t0 + p * 15_000;
        vs[p] = p * 3 + s;
      }
      batch.push({ labels: labelsFrom({ __name__: 'rw_bench', job: 'bench', series: String(s) }), ts, vs, sts: null });
    }
    out.push(compress(v2 ? encodeV2(batch) : WriteRequest.encode(WriteRequest.fromObject({
      timeseries: batch.map((b) => ({ labels: b.labels, samples: [...b.ts].map((t, i) => ({ timestamp: t, value: b.vs[i]! })) })),
    })).finish()));
  }
  return out;
}

async function post(url: string, bodies: Uint8Array[], v2: boolean, inFlight = 4): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      const r = await fetch(`${url}/api/v1/write`, {
        method: 'POST', body: body as BodyInit,
        headers: { 'content-type': v2 ? V2_CONTENT_TYPE : 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': v2 ? '2.0.0' : '0.1.0' },
      });
      if (r.status >= 300) throw new Error(`${url}: ${r.status} ${await r.text()}`);
      await r.arrayBuffer();
    }
  }));
  return performance.now() - t0;
}

async function sendThrough(url: string, v2: boolean, series: number, points: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'promlet-rw-send-'));
  try {
    const disk = await openDiskDB(dir, { checkpointInterval: 0 });
    const [cfg] = remoteWriteConfigs({ remote_write: [{
      url: `${url}/api/v1/write`, protobuf_message: v2 ? 'io.prometheus.write.v2.Request' : 'prometheus.WriteRequest',
      queue_config: { min_shards: 4, max_shards: 4, batch_send_deadline: '50ms' },
    }] });
    const rw = startRemoteWrite([cfg!], {}, disk.db, disk);
    const t0 = performance.now();
    const start = Date.now() - points * 15_000;
    const refs: number[] = [];
    for (let p = 0; p < points; p++) {
      const app = disk.db.appender();
      for (let s = 0; s < series; s++) {
        refs[s] = p === 0 ? app.append({ __name__: `rw_send_bench_v${v2 ? 2 : 1}`, series: String(s) }, start + p * 15_000, p) : app.append(refs[s]!, start + p * 15_000, p);
      }
      await app.commit();
    }
    const q = rw.queues[0]!;
    while (q.stats.samplesSent + q.stats.samplesFailed < series * points) await new Promise((r) => setTimeout(r, 5));
    const ms = performance.now() - t0;
    if (q.stats.samplesFailed > 0) throw new Error(`${url}: ${q.stats.samplesFailed} samples failed: ${q.stats.lastError}`);
    await rw.stop();
    await disk.close();
    return ms;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function remoteReceiversBench(quick: boolean, record: (row: Record<string, unknown>) => void): Promise<void> {
  const series = quick ? 1000 : 10_000;
  const points = 100;
  const samples = series * points;
  console.log(`\n## Remote write receivers and sender: ${samples.toLocaleString('en')} samples (${series} series × ${points}), 2,000 a request, 4 in flight\n`);
  const P = points * 15_000;
  const t0 = Date.now() - 3 * P - 60_000;
  // Three passes over the same series: the first creates them (cold), the next ones append to them (warm).
  const cold = requests(series, points, 2000, t0, false);
  const warm = requests(series, points, 2000, t0 + P, false);
  const warmV2 = requests(series, points, 2000, t0 + 2 * P, true);
  const receivers: Receiver[] = [];
  try {
    receivers.push({ name: 'promlet', peer: await startPromletReceiver(), v2: true });
    receivers.push({ name: 'Prometheus 2.42', peer: await startPrometheus({ args: ['--web.enable-remote-write-receiver'] }), v2: false });
    receivers.push({ name: 'VictoriaMetrics', peer: await startDaemon('victoria-metrics', (p, d) => [`-httpListenAddr=127.0.0.1:${p}`, `-storageDataPath=${d}`]), v2: false });
    const rows: { receiver: string; pass: string; receiveSps: number; rss: number }[] = [];
    const sends: { receiver: string; protocol: string; sendSps: number }[] = [];
    for (const r of receivers) {
      const passes: [string, Uint8Array[], boolean][] = [['new series, 1.0', cold, false], ['existing series, 1.0', warm, false]];
      if (r.v2) passes.push(['existing series, 2.0', warmV2, true]);
      for (const [pass, bodies, isV2] of passes) {
        const ms = await post(r.peer.url, bodies, isV2);
        const row = { receiver: r.name, pass, receiveSps: samples / (ms / 1000), rss: peakRss(r.peer.pid) };
        rows.push(row);
        record({ ...row, samples });
      }
      for (const protocol of r.v2 ? ['1.0', '2.0'] : ['1.0']) {
        const ms = await sendThrough(r.peer.url, protocol === '2.0', series, points);
        sends.push({ receiver: r.name, protocol, sendSps: samples / (ms / 1000) });
        record({ receiver: r.name, protocol, sendSps: samples / (ms / 1000), samples });
      }
    }
    const peer = (name: string, pass: string) => rows.find((x) => x.receiver === name && x.pass === pass.replace('2.0', '1.0'))!.receiveSps;
    console.log('| receiver | samples | received samples/s | × Prometheus | × VictoriaMetrics | peak RSS after |');
    console.log('|---|---|---:|---:|---:|---:|');
    for (const r of rows) {
      console.log(`| ${r.receiver} | ${r.pass} | ${Math.round(r.receiveSps).toLocaleString('en')} | ${(r.receiveSps / peer('Prometheus 2.42', r.pass)).toFixed(2)} | ${(r.receiveSps / peer('VictoriaMetrics', r.pass)).toFixed(2)} | ${mb(r.rss)} |`);
    }
    // Remote read of what both promlet and Prometheus now hold: the first two passes, every series.
    const reads: { server: string; type: string; sps: number }[] = [];
    for (const r of receivers.slice(0, 2)) {
      for (const [type, accepted] of [['SAMPLES', [0]], ['STREAMED_XOR_CHUNKS', [1, 0]]] as const) {
        const body = compress(ReadRequest.encode(ReadRequest.fromObject({
          queries: [{ start_timestamp_ms: t0, end_timestamp_ms: t0 + 2 * P - 1, matchers: [{ type: 0, name: '__name__', value: 'rw_bench' }] }],
          accepted_response_types: [...accepted],
        })).finish());
        const times: number[] = [];
        for (let i = 0; i < 3; i++) {
          const a = performance.now();
          const res = await fetch(`${r.peer.url}/api/v1/read`, { method: 'POST', body: body as BodyInit, headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' } });
          const n = (await res.arrayBuffer()).byteLength;
          if (res.status !== 200 || n === 0) throw new Error(`${r.name} remote read: ${res.status}`);
          times.push(performance.now() - a);
        }
        const sps = (2 * samples) / (Math.min(...times) / 1000);
        reads.push({ server: r.name, type, sps });
        record({ server: r.name, readType: type, readSps: sps, samples: 2 * samples });
      }
    }
    console.log(`\n| remote read of ${(2 * samples).toLocaleString('en')} samples from | response | samples/s (best of 3) | × Prometheus |`);
    console.log('|---|---|---:|---:|');
    for (const x of reads) {
      const prom = reads.find((y) => y.server === 'Prometheus 2.42' && y.type === x.type)!.sps;
      console.log(`| ${x.server} | ${x.type} | ${Math.round(x.sps).toLocaleString('en')} | ${(x.sps / prom).toFixed(2)} |`);
    }
    console.log('\n| promlet sender (4 shards, from its log) to | protocol | samples/s | × to Prometheus |');
    console.log('|---|---|---:|---:|');
    const toProm = sends.find((x) => x.receiver === 'Prometheus 2.42')!.sendSps;
    for (const x of sends) console.log(`| ${x.receiver} | ${x.protocol} | ${Math.round(x.sendSps).toLocaleString('en')} | ${(x.sendSps / toProm).toFixed(2)} |`);
    console.log(`\nbench process (the sender) peak RSS: ${mb(process.resourceUsage().maxRSS * 1024)}`);
  } finally {
    for (const r of receivers) await r.peer.stop();
  }
}
