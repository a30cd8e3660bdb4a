// Maintenance under constant query load: `promlet serve --data-dir` takes
// remote writes of 500 gauges over 24 h of data (as a backfill, so many
// block ranges are cut and merged in a few minutes) while three clients keep
// a long query each running back to back and two more ask short range
// queries. Printed: how long /-/healthy (asked every 20 ms), the remote
// writes and the server's event loop were held up, how many blocks were cut
// and how large the head grew, with the server's CPU time and peak RSS.
// Run it on two builds to compare them (no peer takes writes 24 h old).

import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compress } from 'snappyjs';
import { WriteRequest } from '../src/remote/proto.js';
import { freePort } from './prometheus-peer.js';
import { cpuSeconds, peakRssMiB } from './process-stats.js';
import { isULID } from '../src/storage/block-format.js';
import { promletArgv } from './promlet-process.js';

const H = 3600_000;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
};

function procStat(pid: number): { cpuMs: number; peakRss: number } {
  return { cpuMs: cpuSeconds(pid) * 1000, peakRss: peakRssMiB(pid) * 2 ** 20 };
}

export async function maintenanceLoadBench(quick: boolean, record: (row: Record<string, unknown>) => void): Promise<void> {
  const SERIES = Number(process.env.PROMLET_BENCH_MAINT_SERIES ?? 500);
  const HOURS = Number(process.env.PROMLET_BENCH_MAINT_HOURS ?? (quick ? 12 : 24));
  const STEP = 30_000, BATCH = 10 * 60_000;
  const dir = mkdtempSync(join(tmpdir(), 'promlet-maint-load-'));
  const config = join(dir, 'prometheus.yml');
  // A scrape job without targets: promlet would otherwise scrape itself into the head, at "now".
  writeFileSync(config, 'scrape_configs:\n  - job_name: none\n    static_configs: []\n');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn(process.execPath, promletArgv(['serve', '--storage.tsdb.path', join(dir, 'data'), '--listen', `127.0.0.1:${port}`,
    '--config.file', config, '--web.enable-remote-write-receiver']), { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, PROMLET_BENCH_LOOP_DELAY: '1' } });
  let log = '';
  proc.stderr!.on('data', (d) => (log += String(d)));
  try {
    for (let i = 0; ; i++) {
      if (proc.exitCode !== null || i === 600) throw new Error(`promlet did not start: ${log}`);
      if (await fetch(`${url}/-/ready`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const cpu0 = procStat(proc.pid!).cpuMs;
    const T0 = Math.floor((Date.now() - (HOURS + 2) * H) / (2 * H)) * 2 * H, END = T0 + HOURS * H;
    let committed = -Infinity, writing = true, answered = 0, maxHeadChunks = 0;
    const writes: number[] = [], health: number[] = [];
    const t0 = performance.now();
    const writer = (async () => {
      try {
        for (let from = T0; from < END; from += BATCH) {
          const body = compress(WriteRequest.encode(WriteRequest.fromObject({
            timeseries: Array.from({ length: SERIES }, (_, s) => ({
              labels: [{ name: '__name__', value: 'bench_gauge' }, { name: 'instance', value: `host-${s % 100}` }, { name: 's', value: String(s) }],
              samples: Array.from({ length: BATCH / STEP }, (_, i) => ({ timestamp: from + i * STEP, value: Math.sin((from + i * STEP) / 7e5 + s) * 100 })),
            })),
          })).finish());
          const s = performance.now();
          const r = await fetch(`${url}/api/v1/write`, {
            method: 'POST', body: body as BodyInit,
            headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' },
          });
          const text = await r.text();
          if (r.status !== 204) throw new Error(`remote write: HTTP ${r.status} ${text}`);
          writes.push(performance.now() - s);
          committed = from + BATCH - STEP;
        }
      } finally {
        writing = false;
      }
    })();
    const ask = async (query: string, range: boolean) => {
      const end = committed;
      const params = new URLSearchParams(range ? { query, start: String((end - 6 * H) / 1000), end: String(end / 1000), step: '60' } : { query, time: String(end / 1000) });
      const r = await fetch(`${url}/api/v1/${range ? 'query_range' : 'query'}?${params}`);
      await r.arrayBuffer();
      if (!r.ok) throw new Error(`${query}: HTTP ${r.status}`);
      answered++;
    };
    const untilData = async () => {
      while (committed < T0 && writing) await new Promise((r) => setTimeout(r, 5));
    };
    const long = async (k: number) => {
      await untilData();
      const s = performance.now();
      await ask('sum by (instance) (count_over_time(bench_gauge[6h:30s]))', false);
      await new Promise((r) => setTimeout(r, ((performance.now() - s) * k) / 3));
      while (writing) await ask('sum by (instance) (count_over_time(bench_gauge[6h:30s]))', false);
    };
    const SHORT = ['sum(rate(bench_gauge[5m]))', 'max_over_time(bench_gauge{instance="host-7"}[30m])', 'count(bench_gauge)'];
    const short = async (k: number) => {
      await untilData();
      for (let i = k; writing; i += 2) await ask(SHORT[i % SHORT.length]!, true);
    };
    const pinger = async () => {
      while (writing) {
        const s = performance.now();
        await (await fetch(`${url}/-/healthy`)).arrayBuffer();
        health.push(performance.now() - s);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const monitor = async () => {
      while (writing) {
        const text = await (await fetch(`${url}/metrics`)).text();
        maxHeadChunks = Math.max(maxHeadChunks, Number(/^prometheus_tsdb_head_chunks (\S+)$/m.exec(text)?.[1] ?? 0));
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    await Promise.all([writer, long(0), long(1), long(2), short(0), short(1), pinger(), monitor()]);
    const wallMs = performance.now() - t0;
    const { cpuMs, peakRss } = procStat(proc.pid!);
    const blocks = readdirSync(join(dir, 'data')).filter(isULID).length;
    const headMin = Number(/^prometheus_tsdb_head_min_time (\S+)$/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1]);
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    const loop = JSON.parse(/loop-delay (.*)/.exec(log)?.[1] ?? 'null') as { maxMs: number; p99Ms: number } | null;
    const row = {
      series: SERIES, hours: HOURS, samples: SERIES * HOURS * 120, wallMs, cpuMs: cpuMs - cpu0, peakRss, answered, blocks, maxHeadChunks,
      headHoursAtEnd: (END - STEP - headMin) / H,
      healthMaxMs: Math.max(...health), healthP99Ms: pct(health, 0.99), writeMaxMs: Math.max(...writes), writeP99Ms: pct(writes, 0.99),
      loopMaxMs: loop?.maxMs ?? NaN, loopP99Ms: loop?.p99Ms ?? NaN, load: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    };
    console.log(`\n### maintenance under constant query load (${SERIES} gauges × ${HOURS} h at 30 s by remote write, 5 clients querying back to back)\n`);
    console.log('| measure | value |\n|---|---:|');
    console.log(`| wall time; server CPU; server peak RSS | ${(wallMs / 1000).toFixed(1)} s; ${(row.cpuMs / 1000).toFixed(1)} s; ${(peakRss / 2 ** 20).toFixed(0)} MiB |`);
    console.log(`| queries answered meanwhile | ${answered} |`);
    console.log(`| blocks on disk at the end; head chunks at most; head span at the end | ${blocks}; ${maxHeadChunks}; ${row.headHoursAtEnd.toFixed(1)} h |`);
    console.log(`| /-/healthy every 20 ms: longest; p99 | ${row.healthMaxMs.toFixed(0)} ms; ${row.healthP99Ms.toFixed(0)} ms |`);
    console.log(`| remote write of ${SERIES * 20} samples: longest; p99 | ${row.writeMaxMs.toFixed(0)} ms; ${row.writeP99Ms.toFixed(0)} ms |`);
    console.log(`| server event loop delay (monitorEventLoopDelay): longest; p99 | ${row.loopMaxMs.toFixed(0)} ms; ${row.loopP99Ms.toFixed(0)} ms |`);
    console.log(`| load average | ${row.load} |`);
    record(row);
  } finally {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}
