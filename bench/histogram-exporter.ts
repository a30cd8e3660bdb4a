// The deterministic client_golang exporter of test/fixtures/histogram-exporter (for tests and benchmarks),
// built offline (Debian's golang-go and golang-github-prometheus-client-golang-dev,
// GO111MODULE=off) into a temporary directory and started on a free port.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// npm scripts (tests, benchmarks) run at the repository's root.
const SOURCE = join(process.cwd(), 'test', 'fixtures', 'histogram-exporter');

/** Builds the exporter; returns the binary's path and a cleanup. */
export function buildHistogramExporter(): { binary: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'promlet-hist-exporter-'));
  const binary = join(dir, 'exporter');
  execFileSync('go', ['build', '-o', binary, '.'], {
    cwd: SOURCE, stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, GO111MODULE: 'off', GOPATH: `${dir}/gopath:/usr/share/gocode`, GOCACHE: join(dir, 'cache'), GOFLAGS: '' },
  });
  return { binary, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface RunningExporter {
  /** host:port */
  address: string;
  stop(): Promise<void>;
}

/** Starts one instance on 127.0.0.1 at a port the system picks; resolves with its address. */
export function startHistogramExporter(binary: string): Promise<RunningExporter> {
  return new Promise((resolve, reject) => {
    const proc: ChildProcess = spawn(binary, ['127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    proc.stderr!.on('data', (d) => (err += String(d)));
    proc.once('exit', (code) => reject(new Error(`exporter exited with ${code}: ${err}`)));
    proc.stdout!.on('data', (d) => {
      out += String(d);
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      resolve({
        address: out.slice(0, nl).trim(),
        stop: async () => {
          if (proc.exitCode !== null) return;
          proc.kill('SIGTERM');
          await new Promise((r) => proc.once('exit', r));
        },
      });
    });
  });
}
