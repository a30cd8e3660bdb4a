// `promlet serve` started as users start it, through bin/promlet.mjs (the
// build in dist/): which node flags the server runs with, and that stopping
// signals reach it once whichever process they are sent to.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SMALL_MACHINE_CORES } from '../../src/node/node-flags.js';

const BIN = fileURLToPath(new URL('../../bin/promlet.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'promlet-bin-'));
const started: ChildProcess[] = [];

afterAll(() => {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
/** Processes whose parent is pid, from every process's stat line (the kernel's own children list is not built everywhere). */
const children = (pid: number) => readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((d) => {
  try {
    return Number(readFileSync(`/proc/${d}/stat`, 'utf8').split(') ').at(-1)!.split(' ')[1]) === pid;
  } catch {
    return false; // ended meanwhile
  }
}).map(Number);
const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));

type Served = { proc: ChildProcess; url: string; out: () => string; exit: Promise<{ code: number | null; signal: string | null }> };

/** Starts the bin's server on a port of its choosing, in a process group of its own (a terminal's Ctrl-C reaches the group). */
async function serve(name: string, gc: string | undefined): Promise<Served> {
  const env = { ...process.env };
  delete env.PROMLET_SINGLE_THREADED_GC;
  if (gc !== undefined) env.PROMLET_SINGLE_THREADED_GC = gc;
  const proc = spawn(process.execPath, [BIN, 'serve', '--listen', '127.0.0.1:0', '--storage.tsdb.path', join(dir, name)], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(proc);
  let out = '';
  proc.stdout!.on('data', (d) => (out += String(d)));
  proc.stderr!.on('data', (d) => (out += String(d)));
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  for (let i = 0; i < 300; i++) {
    const url = /serving .* at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out)?.[1];
    if (url && (await fetch(`${url}/-/ready`)).ok) return { proc, url, out: () => out, exit };
    if (proc.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`promlet serve did not start: ${out}`);
}

describe('promlet serve through the bin', () => {
  it('runs the server with V8 collecting on one thread when told to, in a second node process', async () => {
    const s = await serve('on', '1');
    const [server, ...more] = children(s.proc.pid!);
    expect(more).toEqual([]);
    expect(cmdline(server!)).toContain('--single-threaded-gc');
    expect(cmdline(server!)).toContain('serve');
    expect(cmdline(s.proc.pid!)).not.toContain('--single-threaded-gc');
    // `kill PID` reaches the first process only: the server still stops as on SIGTERM, once.
    s.proc.kill('SIGTERM');
    expect(await s.exit).toEqual({ code: 0, signal: null });
    expect(s.out().match(/received SIGTERM, stopping/g)).toHaveLength(1);
    expect(s.out()).toContain('promlet: stopped');
    expect(alive(server!)).toBe(false);
  });

  it('decides by the number of cores when not told', async () => {
    const s = await serve('auto', undefined);
    const server = children(s.proc.pid!)[0] ?? s.proc.pid!;
    expect(cmdline(server).includes('--single-threaded-gc')).toBe(availableParallelism() <= SMALL_MACHINE_CORES);
    s.proc.kill('SIGTERM');
    expect(await s.exit).toEqual({ code: 0, signal: null });
  });

  it('runs in the one process without the flag when switched off', async () => {
    const s = await serve('off', '0');
    expect(children(s.proc.pid!)).toEqual([]);
    expect(cmdline(s.proc.pid!)).not.toContain('--single-threaded-gc');
    expect((await fetch(`${s.url}/-/healthy`)).ok).toBe(true);
    s.proc.kill('SIGTERM');
    expect(await s.exit).toEqual({ code: 0, signal: null });
    expect(s.out()).toContain('received SIGTERM, stopping');
  });

  it('stops once on a Ctrl-C that reaches both processes', async () => {
    const s = await serve('ctrl-c', '1');
    expect(children(s.proc.pid!)).toHaveLength(1);
    process.kill(-s.proc.pid!, 'SIGINT');
    expect(await s.exit).toEqual({ code: 0, signal: null });
    expect(s.out().match(/received SIGINT, stopping/g)).toHaveLength(1);
    expect(s.out()).toContain('promlet: stopped');
  });

  it('stops the server when the first process is killed outright', async () => {
    const s = await serve('kill', '1');
    const [server] = children(s.proc.pid!);
    expect(server).toBeDefined();
    s.proc.kill('SIGKILL');
    await s.exit;
    for (let i = 0; i < 300 && alive(server!); i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive(server!)).toBe(false);
  });

  it('passes on the server exit status', () => {
    // A usage error comes from the relaunched server.
    const r = spawnSync(process.execPath, [BIN, 'serve', '--query.max-memory', 'lots'], { encoding: 'utf8', env: { ...process.env, PROMLET_SINGLE_THREADED_GC: '1' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--query.max-memory: want a size such as 512MB, got "lots"');
  });

  it('runs other commands in place', () => {
    const r = spawnSync(process.execPath, [BIN, 'format', 'sum(rate(x[5m]))by(job)'], { encoding: 'utf8', env: { ...process.env, PROMLET_SINGLE_THREADED_GC: '1' } });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('sum by (job) (rate(x[5m]))');
  });
});
