// Debian's Prometheus (2.42) as a peer for differential tests: started on
// 127.0.0.1 at a free port with a throwaway data directory.

import { spawn, type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDB, type DB } from '../src/index.js';
import { toOpenMetrics, type SyntheticSeries } from './synthetic.js';

export interface PrometheusPeer {
  url: string;
  dataDir: string;
  /** The daemon's process id (for its CPU time and peak RSS in /proc). */
  pid: number;
  stop(): Promise<void>;
}

export function prometheusVersion(): string {
  return execFileSync('prometheus', ['--version'], { encoding: 'utf8' }).split('\n')[0]!;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts a Prometheus-family daemon on 127.0.0.1 at a free port with a
 * throwaway data directory; resolves once its /-/ready answers.
 */
export async function startDaemon(
  binary: string, args: (port: number, dataDir: string) => string[], opts: { dataDir?: string; port?: number } = {},
): Promise<PrometheusPeer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), `promlet-${binary}-`));
  const port = opts.port ?? await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc: ChildProcess = spawn(binary, args(port, dataDir), { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.on('data', (d) => (log += String(d)));
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) throw new Error(`${binary} exited: ${log.slice(-2000)}`);
    try {
      const r = await fetch(`${url}/-/ready`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
    if (i === 199) throw new Error(`${binary} did not become ready: ${log.slice(-2000)}`);
  }
  return {
    url,
    dataDir,
    pid: proc.pid!,
    stop: async () => {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Starts Prometheus; dataDir may hold blocks to serve (e.g. from promtool create-blocks-from). */
export function startPrometheus(opts: { dataDir?: string; args?: string[]; configFile?: string; port?: number } = {}): Promise<PrometheusPeer> {
  return startDaemon('prometheus', (port, dataDir) => [
    `--config.file=${opts.configFile ?? '/dev/null'}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=127.0.0.1:${port}`,
    '--storage.tsdb.retention.time=100y', ...(opts.args ?? []),
  ], opts);
}

/** The same series in Debian's Prometheus and in a promlet database. */
export interface Peers {
  prom: PrometheusPeer;
  db: DB;
  stop(): Promise<void>;
}

/**
 * Loads series into Prometheus (a block built by promtool
 * create-blocks-from openmetrics) and into a fresh promlet database.
 */
export async function loadPeers(series: SyntheticSeries[]): Promise<Peers> {
  const dir = mkdtempSync(join(tmpdir(), 'promlet-peers-'));
  writeFileSync(join(dir, 'data.om'), toOpenMetrics(series));
  execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'data.om'), join(dir, 'tsdb')], { stdio: 'ignore' });
  const prom = await startPrometheus({ dataDir: join(dir, 'tsdb') });
  const db = await openDB();
  const app = db.appender();
  for (const s of series) s.t.forEach((t, i) => app.append(s.labels, t, s.v[i]!));
  await app.commit();
  return {
    prom,
    db,
    stop: async () => {
      await prom.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
