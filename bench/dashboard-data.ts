// The dashboard benchmark's inputs, made once per set of parameters and
// kept under the temp directory: the OpenMetrics file (which `promlet
// import` reads in every run, so promlet's blocks are always this build's),
// Prometheus's directory from `promtool tsdb create-blocks-from openmetrics`
// and VictoriaMetrics' directory after `/api/v1/import/prometheus`. The
// large variant's 2 GB files took most of a run to write and load; with
// the same parameters, generator and peers a second run starts at once.
// The key hashes the parameters, the generator's compiled code and the
// peers' versions, so a changed generator or peer never reuses stale data.
// PROMLET_BENCH_DASHBOARD_CACHE picks another directory; deleting it is
// always safe.

import { createHash } from 'node:crypto';
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { demoSeries, writeDemoFiles } from './demo-data.js';
import { freePort } from './prometheus-peer.js';

export interface DashboardParams { instances: number; hours: number; interval: number }

export interface DashboardData {
  /** The OpenMetrics file (seconds), for `promlet import`. */
  om: string;
  /** Prometheus's data directory (blocks only): copy it before serving it, Prometheus writes into it. */
  prometheusDir: string;
  /** VictoriaMetrics' data directory: copy it before serving it. */
  victoriaDir: string;
  samples: number;
  firstT: number;
  lastT: number;
}

const peerVersion = (cmd: string, flag: string) => {
  try {
    return execFileSync(cmd, [flag], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0]!;
  } catch (e) {
    return String((e as { stdout?: string }).stdout ?? e).split('\n')[0]!;
  }
};

/** The cache directory for these parameters: what changes the data is in its name. */
export function dashboardCacheDir(p: DashboardParams): string {
  const h = createHash('sha256');
  h.update(JSON.stringify(p));
  // The generator as compiled (a changed generator is a new key, whatever its author remembers to bump).
  for (const f of ['./demo-data.js', './data.js', '../src/model/seeded-random.js']) h.update(readFileSync(fileURLToPath(new URL(f, import.meta.url))));
  h.update(peerVersion('promtool', '--version'));
  h.update(peerVersion('victoria-metrics', '-version'));
  const root = process.env.PROMLET_BENCH_DASHBOARD_CACHE ?? join(tmpdir(), 'promlet-dashboard-cache');
  return join(root, `${p.instances}x${p.hours}h-${p.interval}ms-${h.digest('hex').slice(0, 16)}`);
}

const seconds = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

/** A directory made by `make` in a scratch sibling and renamed into place, so a stopped run never leaves half of one. */
async function once(path: string, what: string, make: (tmp: string) => Promise<void> | void): Promise<void> {
  if (existsSync(path)) return;
  const tmp = mkdtempSync(`${path}.tmp-`);
  const t0 = performance.now();
  try {
    await make(tmp);
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`${what}: ${seconds(t0)}`);
}

async function importIntoVictoria(promText: string, dataDir: string): Promise<void> {
  const port = await freePort();
  const proc = spawn('victoria-metrics', ['-storageDataPath', dataDir, '-httpListenAddr', `127.0.0.1:${port}`, '-retentionPeriod', '100y', '-loggerLevel', 'ERROR'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.on('data', (d) => (log = (log + String(d)).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      if (proc.exitCode !== null || i >= 600) throw new Error(`VictoriaMetrics did not start: ${log.slice(-2000)}`);
      if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const body = Readable.toWeb(createReadStream(promText)) as ReadableStream;
    const r = await fetch(`${url}/api/v1/import/prometheus`, { method: 'POST', body, duplex: 'half' } as RequestInit);
    if (r.status >= 300) throw new Error(`VictoriaMetrics import: ${r.status} ${await r.text()}`);
    await fetch(`${url}/internal/force_flush`);
  } finally {
    // A clean stop writes what it holds in memory to disk, so the directory serves the whole import.
    if (proc.exitCode === null) {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    }
  }
}

/** The benchmark's inputs for these parameters, made now if no earlier run left them. */
export async function dashboardData(p: DashboardParams): Promise<DashboardData> {
  const dir = dashboardCacheDir(p);
  mkdirSync(dir, { recursive: true });
  const om = join(dir, 'data.om'), prom = join(dir, 'data.prom'), inputs = join(dir, 'inputs.json');
  const prometheusDir = join(dir, 'prometheus'), victoriaDir = join(dir, 'victoria-metrics');
  const reused = existsSync(inputs) && existsSync(prometheusDir) && existsSync(victoriaDir);
  console.log(`\nDashboard data: ${reused ? 'reused from' : 'made in'} ${dir}`);
  if (!existsSync(inputs)) {
    const t0 = performance.now();
    const series = demoSeries(p.instances, p.hours, p.interval);
    const firstT = Math.min(...series.map((s) => s.timestamps[0]!));
    const lastT = Math.max(...series.map((s) => s.timestamps[s.timestamps.length - 1]!));
    const samples = writeDemoFiles(series, om, prom);
    writeFileSync(inputs, JSON.stringify({ samples, firstT, lastT }));
    console.log(`input files (${samples.toLocaleString('en')} samples): ${seconds(t0)}`);
  }
  const { samples, firstT, lastT } = JSON.parse(readFileSync(inputs, 'utf8')) as { samples: number; firstT: number; lastT: number };
  await once(prometheusDir, 'promtool tsdb create-blocks-from openmetrics', (tmp) => {
    execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', om, tmp], { stdio: 'ignore' });
  });
  await once(victoriaDir, 'VictoriaMetrics import', async (tmp) => {
    if (!existsSync(prom)) throw new Error(`${prom} is gone: delete ${dir} to make the inputs again`);
    await importIntoVictoria(prom, tmp);
  });
  // VictoriaMetrics' text is read only by its import: 2 GB less on disk in the large variant.
  rmSync(prom, { force: true });
  return { om, prometheusDir, victoriaDir, samples, firstT, lastT };
}
