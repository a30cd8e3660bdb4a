// `promlet serve` started as users start it, through bin/promlet.mjs (the
// build in dist/): which node flags the server runs with, and that stopping
// signals reach it once whichever process they are sent to.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SMALL_MACHINE_CORES } from '../../src/node/node-flags.js';

const BIN = fileURLToPath(new URL('../../bin/promlet.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'promlet-bin-'));
const started: ChildProcess[] = [];

afterAll(() => {
  // Each started process leads a group of its own, which holds the relaunched server too.
  for (const p of started) {
    try {
      process.kill(-p.pid!, 'SIGKILL');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
  }
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
const alive = (pid: number) => {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false; // reaped
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits until pid has taken signal (it is no longer pending), and a little more for node to run its listener. */
async function untilDelivered(pid: number, signal: NodeJS.Signals): Promise<void> {
  const bit = 1n << BigInt(constants.signals[signal] - 1);
  const pending = () => {
    try {
      return [...readFileSync(`/proc/${pid}/status`, 'utf8').matchAll(/^(?:SigPnd|ShdPnd):\s*([0-9a-f]+)$/gm)].some((m) => (BigInt(`0x${m[1]}`) & bit) !== 0n);
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 1200 && pending(); i++) await sleep(10);
  await sleep(300);
}
/** Waits (generously: the machine may be loaded) for pid to end; true once it has. */
async function ended(pid: number): Promise<boolean> {
  for (let i = 0; i < 1200 && alive(pid); i++) await sleep(50);
  return !alive(pid);
}

type Served = { proc: ChildProcess; url: string; out: () => string; exit: Promise<{ code: number | null; signal: string | null }> };

/** The bin's server on a port of its choosing, started in a process group of its own (a terminal's Ctrl-C reaches the group). */
function start(name: string, gc: string | undefined, extra: string[] = []): Omit<Served, 'url'> {
  const env = { ...process.env };
  delete env.PROMLET_SINGLE_THREADED_GC;
  delete env.PROMLET_MEMORY_REDUCER;
  delete env.NODE_OPTIONS;
  if (gc !== undefined) env.PROMLET_SINGLE_THREADED_GC = gc;
  const proc = spawn(process.execPath, [BIN, 'serve', '--listen', '127.0.0.1:0', '--storage.tsdb.path', join(dir, name), ...extra], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(proc);
  let out = '';
  proc.stdout!.on('data', (d) => (out += String(d)));
  proc.stderr!.on('data', (d) => (out += String(d)));
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) => proc.once('exit', (code, signal) => resolve({ code, signal })));
  return { proc, out: () => out, exit };
}

/** Starts the bin's server and waits until it is ready. */
async function serve(name: string, gc: string | undefined, extra: string[] = []): Promise<Served> {
  const { proc, out, exit } = start(name, gc, extra);
  for (let i = 0; i < 600; i++) {
    const url = /serving .* at (http:\/\/127\.0\.0\.1:\d+)\//.exec(out())?.[1];
    if (url && (await fetch(`${url}/-/ready`)).ok) return { proc, url, out, exit };
    if (proc.exitCode !== null) break;
    await sleep(100);
  }
  throw new Error(`promlet serve did not start: ${out()}`);
}

describe('promlet serve through the bin', () => {
  it('runs the server with V8 collecting on one thread when told to, in a second node process', async () => {
    const s = await serve('on', '1');
    const [server, ...more] = children(s.proc.pid!);
    expect(more).toEqual([]);
    expect(cmdline(server!)).toContain('--single-threaded-gc');
    // V8's memory reducer is kept unless PROMLET_MEMORY_REDUCER=0 (node-flags.ts says why).
    expect(cmdline(server!)).not.toContain('--no-memory-reducer');
    expect(cmdline(server!)).toContain('serve');
    expect(cmdline(s.proc.pid!)).not.toContain('--single-threaded-gc');
    // `kill PID` reaches the first process only: the server still stops as on SIGTERM, once.
    s.proc.kill('SIGTERM');
    expect(await s.exit, s.out()).toEqual({ code: 0, signal: null });
    expect(s.out().match(/received SIGTERM, stopping/g)).toHaveLength(1);
    expect(s.out()).toContain('promlet: stopped');
    expect(alive(server!)).toBe(false);
  });

  it('decides by the number of cores when not told', async () => {
    const s = await serve('auto', undefined);
    const server = children(s.proc.pid!)[0] ?? s.proc.pid!;
    expect(cmdline(server).includes('--single-threaded-gc')).toBe(availableParallelism() <= SMALL_MACHINE_CORES);
    s.proc.kill('SIGTERM');
    expect(await s.exit, s.out()).toEqual({ code: 0, signal: null });
  });

  it('runs in the one process without the flag when switched off', async () => {
    const s = await serve('off', '0');
    expect(children(s.proc.pid!)).toEqual([]);
    expect(cmdline(s.proc.pid!)).not.toContain('--single-threaded-gc');
    expect((await fetch(`${s.url}/-/healthy`)).ok).toBe(true);
    s.proc.kill('SIGTERM');
    expect(await s.exit, s.out()).toEqual({ code: 0, signal: null });
    expect(s.out()).toContain('received SIGTERM, stopping');
  });

  it('stops once on a Ctrl-C that reaches both processes', async () => {
    const s = await serve('ctrl-c', '1');
    expect(children(s.proc.pid!)).toHaveLength(1);
    process.kill(-s.proc.pid!, 'SIGINT');
    expect(await s.exit, s.out()).toEqual({ code: 0, signal: null });
    expect(s.out().match(/received SIGINT, stopping/g)).toHaveLength(1);
    expect(s.out()).toContain('promlet: stopped');
  });

  it('stops the server when the first process is killed outright', async () => {
    const s = await serve('kill', '1');
    const [server] = children(s.proc.pid!);
    expect(server).toBeDefined();
    s.proc.kill('SIGKILL');
    await s.exit;
    expect(await ended(server!)).toBe(true);
    expect(s.out().match(/received SIGTERM, stopping/g)).toHaveLength(1);
    expect(s.out()).toContain('promlet: stopped');
  });

  it('stops the server when the first process is killed outright while the server starts', async () => {
    // Node closes the server's channel while its modules load when the first process dies then.
    for (const delay of [0, 20, 80, 250]) {
      const s = start(`kill-early-${delay}`, '1');
      let server: number | undefined;
      for (let i = 0; i < 1200 && server === undefined; i++) {
        server = children(s.proc.pid!)[0];
        if (server === undefined) await sleep(5);
      }
      expect(server, s.out()).toBeDefined();
      await sleep(delay);
      s.proc.kill('SIGKILL');
      await s.exit;
      expect(await ended(server!), `${delay} ms: ${s.out()}`).toBe(true);
      // Ended by a stop, not by node's default for the signal (a pipe closing, say).
      for (let i = 0; i < 100 && !s.out().includes('promlet: stopped'); i++) await sleep(50);
      expect(s.out(), `${delay} ms`).toContain('promlet: stopped');
    }
  });

  it('kills the server on a second stopping signal to the first process', async () => {
    const s = await serve('twice', '1');
    const [server] = children(s.proc.pid!);
    // Held still, the server stands for one whose stop waits on a rule evaluation or write: the second signal must not wait for it.
    process.kill(server!, 'SIGSTOP');
    s.proc.kill('SIGTERM');
    await untilDelivered(s.proc.pid!, 'SIGTERM');
    s.proc.kill('SIGTERM');
    await untilDelivered(s.proc.pid!, 'SIGTERM');
    const gone = await ended(server!);
    if (!gone) process.kill(server!, 'SIGCONT');
    expect(await s.exit, s.out()).toEqual({ code: null, signal: 'SIGKILL' });
    expect(gone).toBe(true);
  });

  it('reloads the config file on SIGHUP to either process, as Prometheus does, and keeps a bad one out', async () => {
    const config = join(dir, 'hup.yml');
    writeFileSync(config, 'global:\n  scrape_interval: 1m\n');
    const s = await serve('hup', '1', ['--config.file', config]);
    const [server] = children(s.proc.pid!);
    const status = async () => {
      const yaml = ((await (await fetch(`${s.url}/api/v1/status/config`)).json()) as { data: { yaml: string } }).data.yaml;
      const info = ((await (await fetch(`${s.url}/api/v1/status/runtimeinfo`)).json()) as { data: { reloadConfigSuccess: boolean } }).data;
      const metric = /^prometheus_config_last_reload_successful (\d)$/m.exec(await (await fetch(`${s.url}/metrics`)).text())?.[1];
      return { yaml, ok: info.reloadConfigSuccess, metric };
    };
    const until = async (want: RegExp) => {
      for (let i = 0; i < 600 && !want.test(s.out()); i++) await sleep(50);
      expect(s.out()).toMatch(want);
    };
    writeFileSync(config, 'global:\n  scrape_interval: 30s\n');
    s.proc.kill('SIGHUP');
    await until(/reloaded the configuration/);
    expect(await status()).toEqual({ yaml: 'global:\n  scrape_interval: 30s\n', ok: true, metric: '1' });
    writeFileSync(config, 'global:\n  scrape_interval: soon\n');
    process.kill(server!, 'SIGHUP');
    await until(/reloading the configuration failed, the running one is kept: .*soon/);
    expect(await status()).toEqual({ yaml: 'global:\n  scrape_interval: 30s\n', ok: false, metric: '0' });
    expect(alive(server!)).toBe(true);
    expect(s.out()).not.toContain('stopping');
    s.proc.kill('SIGTERM');
    expect(await s.exit, s.out()).toEqual({ code: 0, signal: null });
  });

  it('ends the first process by the signal that ended the server', async () => {
    const s = await serve('crash', '1');
    const [server] = children(s.proc.pid!);
    process.kill(server!, 'SIGUSR2');
    expect(await s.exit, s.out()).toEqual({ code: null, signal: 'SIGUSR2' });
  });

  it('answers queries with the same bytes with the flag as without', async () => {
    // Two hours at 15 s of counters, gauges and histogram buckets with irregular values, imported into two directories.
    const T0 = 1_767_225_600, lines: string[] = ['# TYPE req counter', '# TYPE mem gauge', '# TYPE lat_bucket counter'];
    let x = 12345;
    const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const counters = new Map<string, number>();
    for (let t = 0; t < 480; t++) {
      const ts = (T0 + t * 15 + next() * 0.5).toFixed(3);
      for (let i = 0; i < 6; i++) {
        const req = `req_total{job="j",instance="i${i}"}`;
        counters.set(req, (t % 97 === 13 && i === 2 ? 0 : counters.get(req) ?? 0) + next() * 10);
        lines.push(`${req} ${counters.get(req)} ${ts}`, `mem{job="j",instance="i${i}"} ${next() * 1e9} ${ts}`);
        let cum = counters.get(`lat${i}`) ?? 0;
        for (const le of ['0.1', '0.5', '1', '+Inf']) {
          const k = `lat${i}_${le}`;
          cum = Math.max(cum, (counters.get(k) ?? 0) + Math.floor(next() * 20));
          counters.set(k, cum);
          lines.push(`lat_bucket{job="j",instance="i${i}",le="${le}"} ${cum} ${ts}`);
        }
      }
    }
    writeFileSync(join(dir, 'data.om'), `${lines.join('\n')}\n# EOF\n`);
    for (const name of ['same-on', 'same-off']) {
      const r = spawnSync(process.execPath, [BIN, 'import', join(dir, 'data.om'), '--data-dir', join(dir, name)], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    const on = await serve('same-on', '1');
    const off = await serve('same-off', '0');
    expect(children(on.proc.pid!)).toHaveLength(1);
    expect(children(off.proc.pid!)).toEqual([]);
    const queries = [
      'sum by (job) (rate(req_total[5m]))',
      'histogram_quantile(0.99, sum by (le) (rate(lat_bucket[5m])))',
      'topk(3, mem)',
      'avg_over_time(mem[30m])',
      'req_total / on(instance) group_left mem',
      'count by (instance) (lat_bucket)',
    ];
    for (const query of queries) {
      const form = { query, start: String(T0 + 600), end: String(T0 + 7000), step: '15' };
      const [a = '', b] = await Promise.all([on, off].map(async (s) => (await fetch(`${s.url}/api/v1/query_range`, { method: 'POST', body: new URLSearchParams(form) })).text()));
      expect(JSON.parse(a).data.result.length, query).toBeGreaterThan(0);
      expect(a.length).toBeGreaterThan(1000);
      expect(a === b, query).toBe(true);
    }
    for (const s of [on, off]) s.proc.kill('SIGTERM');
    await Promise.all([on.exit, off.exit]);
  });

  it('passes on the server exit status', () => {
    // A usage error comes from the relaunched server.
    // A module run first in each node notes its flags: the server's node is the second, with the collector's flag.
    const note = join(dir, 'note.mjs'), noted = join(dir, 'noted.txt');
    writeFileSync(note, "import { appendFileSync } from 'node:fs';\nappendFileSync(process.env.PROMLET_TEST_NOTE, JSON.stringify(process.execArgv) + '\\n');\n");
    const env: NodeJS.ProcessEnv = { ...process.env, PROMLET_SINGLE_THREADED_GC: '1', PROMLET_TEST_NOTE: noted };
    delete env.NODE_OPTIONS;
    const r = spawnSync(process.execPath, ['--import', note, BIN, 'serve', '--query.max-memory', 'lots'], { encoding: 'utf8', env });
    const nodes = readFileSync(noted, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
    expect(nodes).toHaveLength(2);
    expect(nodes[0]).not.toContain('--single-threaded-gc');
    expect(nodes[1]).toContain('--single-threaded-gc');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--query.max-memory: want a size such as 512MB, got "lots"');
  });

  it('runs other commands in place', () => {
    const r = spawnSync(process.execPath, [BIN, 'format', 'sum(rate(x[5m]))by(job)'], { encoding: 'utf8', env: { ...process.env, PROMLET_SINGLE_THREADED_GC: '1' } });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('sum by (job) (rate(x[5m]))');
  });
});
