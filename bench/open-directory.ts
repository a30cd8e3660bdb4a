// Opening a data directory (`npm run bench -- --only open-directory`): the
// time from spawning `promlet serve --data-dir DIR` to its /-/ready answering
// 200 (Prometheus's readiness: storage open, HTTP up), the server's CPU time
// and peak RSS at that moment, and the storage's own opening time from its
// log; beside it, in the same run and alternating with it, the same server
// on an empty directory, Debian's Prometheus on an empty directory, and
// `promlet query --data-dir DIR` (read-only) from start to exit.
//
// DIR is a directory of high-entropy gauges written through openDiskDB by
// the large-directory writer (bench/blocks-writer.ts) until it holds
// PROMLET_BENCH_OPEN_GB (default 1; quick: a small one), or the directory
// PROMLET_BENCH_OPEN_DIR names (one that writer made, kept with
// PROMLET_BENCH_KEEP_LARGE). Each server run opens a fresh copy, so every
// run is a first open, as after the writer closed it.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './prometheus-peer.js';
import { cpuSeconds, peakRssMiB } from './process-stats.js';
import { runWriter } from './blocks.js';
import { dirBytes } from './dir-bytes.js';
import { promletArgv } from './promlet-process.js';

const here = dirname(fileURLToPath(import.meta.url));


interface Start {
  /** Spawn to the first 200 from /-/ready, ms. */
  readyMs: number;
  /** The process's CPU time (all threads) and peak RSS when it first answered ready. */
  cpuMs: number;
  rssMiB: number;
  /** The storage's own opening time, from promlet's log (NaN for others). */
  storageMs: number;
}

/** Spawns a server, polls its /-/ready every 5 ms, measures, stops it. */
async function startToReady(cmd: string, args: (port: number) => string[]): Promise<Start> {
  const port = await freePort();
  const t0 = performance.now();
  const proc = spawn(cmd, args(port), { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.on('data', (d) => (log += String(d)));
  try {
    for (let i = 0; i < 12_000; i++) {
      if (proc.exitCode !== null) throw new Error(`${cmd} exited: ${log.slice(-2000)}`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/-/ready`)).status === 200) {
          const readyMs = performance.now() - t0;
          return { readyMs, cpuMs: cpuSeconds(proc.pid!) * 1000, rssMiB: peakRssMiB(proc.pid!), storageMs: Number(/data dir .*, in (\d+) ms/.exec(log)?.[1] ?? NaN) };
        }
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`${cmd} not ready after 60 s: ${log.slice(-2000)}`);
  } finally {
    if (proc.exitCode === null) {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    }
  }
}

const promletServe = (dir: string) => (port: number) => promletArgv(['serve', '--data-dir', dir, '--listen', `127.0.0.1:${port}`, '--retention', '100y']);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const range = (xs: number[], unit: string, digits = 0) => `${median(xs).toFixed(digits)} ${unit} (${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)})`;

function prometheusAvailable(): boolean {
  try {
    execFileSync('prometheus', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function openDirectoryBench(quick: boolean, record: (row: Record<string, unknown>) => void): Promise<void> {
  const runs = Number(process.env.PROMLET_BENCH_OPEN_RUNS ?? (quick ? 2 : 5));
  let source = process.env.PROMLET_BENCH_OPEN_DIR;
  let written: string | null = null;
  if (!source) {
    // The large-directory writer's data: 10,000 gauges at 60 s, days until the directory holds the target size.
    const openGB = Number(process.env.PROMLET_BENCH_OPEN_GB ?? (quick ? 0.02 : 1));
    const series = quick ? 1000 : 10_000;
    const step = 60_000;
    const start = Date.UTC(2026, 0, 1);
    written = source = mkdtempSync(join(tmpdir(), 'promlet-open-'));
    // About 5.2 bytes a sample on disk (random 64-bit values), and some slack for the head and the index.
    const points = Math.ceil((openGB * 1e9 * 1.08) / (5.2 * series));
    console.log(`\n(writing ${series.toLocaleString('en')} gauges × ${(points * step / 86400_000).toFixed(1)} d through openDiskDB for the directory to open)`);
    runWriter(source, series, points, step, start, 0);
  }
  const bytes = dirBytes(source);
  const withPrometheus = prometheusAvailable();
  console.log(`\n## Opening a data directory: ${(bytes / 1e9).toFixed(2)} GB, start to ready (/-/ready answers 200), ${runs} alternating runs, medians (ranges)\n`);
  const full: Start[] = [], empty: Start[] = [], prom: Start[] = [];
  const query: { ms: number; cpuMs: number; rssMiB: number }[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      // A fresh copy each time: the first open after the writer closed the directory.
      const copy = `${source}-copy`;
      rmSync(copy, { recursive: true, force: true });
      cpSync(source, copy, { recursive: true });
      // Written out before the server starts, as the writer's close leaves it: no flush of the copy competes with the open.
      spawnSync('sync');
      try {
        full.push(await startToReady(process.execPath, promletServe(copy)));
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
      const emptyDir = mkdtempSync(join(tmpdir(), 'promlet-empty-'));
      try {
        empty.push(await startToReady(process.execPath, promletServe(emptyDir)));
      } finally {
        rmSync(emptyDir, { recursive: true, force: true });
      }
      if (withPrometheus) {
        const promDir = mkdtempSync(join(tmpdir(), 'promlet-prometheus-'));
        try {
          prom.push(await startToReady('prometheus', (port) => [
            '--config.file=/dev/null', `--storage.tsdb.path=${promDir}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=100y',
          ]));
        } finally {
          rmSync(promDir, { recursive: true, force: true });
        }
      }
      // Read-only: the directory itself, no copy (nothing is written).
      const t0 = performance.now();
      const q = spawnSync('/usr/bin/time', ['-f', '%U %S %M', process.execPath, resolve(here, 'promlet-serve.js'), 'query', 'count(bench_gauge)', '--data-dir', source], { encoding: 'utf8' });
      const ms = performance.now() - t0;
      if (q.status !== 0) throw new Error(`promlet query: ${q.stderr.slice(-2000)}`);
      const [u, sys, kb] = q.stderr.trim().split('\n').at(-1)!.split(' ').map(Number) as [number, number, number];
      query.push({ ms, cpuMs: (u + sys) * 1000, rssMiB: kb / 1024 });
    }
  } finally {
    if (written && !process.env.PROMLET_BENCH_KEEP_LARGE) rmSync(written, { recursive: true, force: true });
    else if (written) console.log(`kept ${written}`);
  }
  const ready = (xs: Start[]) => xs.map((x) => x.readyMs);
  const cpu = (xs: Start[]) => xs.map((x) => x.cpuMs);
  console.log('| start to ready | wall | CPU at ready | peak RSS at ready | vs the empty directory (wall; CPU) |');
  console.log('|---|---:|---:|---:|---:|');
  console.log(`| promlet serve, ${(bytes / 1e9).toFixed(2)} GB (storage opening alone, from its log: ${range(full.map((x) => x.storageMs), 'ms')}) | ${range(ready(full), 'ms')} | ${range(cpu(full), 'ms')} | ${median(full.map((x) => x.rssMiB)).toFixed(0)} MiB | ${(median(ready(full)) / median(ready(empty))).toFixed(2)}; ${(median(cpu(full)) / median(cpu(empty))).toFixed(2)} |`);
  console.log(`| promlet serve, empty directory | ${range(ready(empty), 'ms')} | ${range(cpu(empty), 'ms')} | ${median(empty.map((x) => x.rssMiB)).toFixed(0)} MiB | 1.00; 1.00 |`);
  if (prom.length) console.log(`| Prometheus 2.42, empty directory | ${range(ready(prom), 'ms')} | ${range(cpu(prom), 'ms')} | ${median(prom.map((x) => x.rssMiB)).toFixed(0)} MiB | ${(median(ready(prom)) / median(ready(empty))).toFixed(2)}; ${(median(cpu(prom)) / median(cpu(empty))).toFixed(2)} |`);
  console.log(`| \`promlet query 'count(bench_gauge)' --data-dir\` (read-only), start to exit | ${range(query.map((x) => x.ms), 'ms')} | ${range(query.map((x) => x.cpuMs), 'ms')} (to exit) | ${median(query.map((x) => x.rssMiB)).toFixed(0)} MiB (peak) | |`);
  console.log(`(load average ${readLoad()} at the end; target: the ${(bytes / 1e9).toFixed(2)} GB directory ready in under 2 s)`);
  record({ part: 'openDirectory', bytes, runs, full, empty, prometheus: prom, query });
}

function readLoad(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return '?';
  }
}
