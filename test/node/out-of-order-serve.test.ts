// Out-of-order samples through `promlet serve` as its own process: taken by
// remote write within storage.tsdb.out_of_order_time_window, counted on
// /metrics, kept across SIGKILL and restart, refused once a reload closes
// the window; `promlet check config` validates the key.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/node/cli.js';
import { freePort } from '../support/prometheus.js';
import { remoteWrite } from '../support/remote-write.js';

const dir = mkdtempSync(join(tmpdir(), 'promlet-ooo-serve-'));
const config = join(dir, 'prometheus.yml');
const dataDir = join(dir, 'data');
let proc: ChildProcess | null = null;
let url = '';

async function start(): Promise<void> {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  let log = '';
  const p = spawn(process.execPath, [
    '--import', 'tsx', join(import.meta.dirname, '../fixtures/ingest/promlet-serve.ts'), 'serve', '--listen', `127.0.0.1:${port}`,
    '--web.enable-remote-write-receiver', '--config.file', config, '--storage.tsdb.path', dataDir,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc = p;
  p.stdout!.on('data', (d) => (log += String(d)));
  p.stderr!.on('data', (d) => (log += String(d)));
  for (let i = 0; i < 300; i++) {
    if (p.exitCode !== null) throw new Error(`promlet exited: ${log}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`promlet did not start: ${log}`);
}

async function kill(): Promise<void> {
  const p = proc!;
  proc = null;
  p.kill('SIGKILL');
  if (p.exitCode === null && p.signalCode === null) await new Promise((r) => p.once('exit', r));
}

afterAll(async () => {
  if (proc) await kill();
  rmSync(dir, { recursive: true, force: true });
});

const MIN = 60_000;
const T0 = Math.floor(Date.now() / MIN) * MIN - 30 * MIN;
const S = { __name__: 'ooo_serve', job: 'j' };

async function samples(): Promise<[number, string][]> {
  const r = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: 'ooo_serve[1h]', time: String(Date.now() / 1000) })}`);
  const j = (await r.json()) as { data: { result: { values: [number, string][] }[] } };
  return j.data.result[0]?.values ?? [];
}

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = new RegExp(`^${name}\\{type="float"\\} (\\S+)$`, 'm').exec(text);
  if (!m) throw new Error(`${name} not on /metrics`);
  return Number(m[1]);
}

describe('out-of-order samples in promlet serve', () => {
  it('are taken within the window, survive SIGKILL, and are refused after a reload closes the window', async () => {
    writeFileSync(config, 'storage:\n  tsdb:\n    out_of_order_time_window: 1h\n');
    await start();
    expect((await remoteWrite(url, [{ labels: S, samples: [[T0, 0], [T0 + 20 * MIN, 20]] }])).status).toBe(204);
    const appendedBefore = await metric('prometheus_tsdb_head_out_of_order_samples_appended_total');
    expect((await remoteWrite(url, [{ labels: S, samples: [[T0 + 10 * MIN, 10], [T0 + 5 * MIN, 5]] }])).status).toBe(204);
    const want: [number, string][] = [[T0 / 1000, '0'], [(T0 + 5 * MIN) / 1000, '5'], [(T0 + 10 * MIN) / 1000, '10'], [(T0 + 20 * MIN) / 1000, '20']];
    expect(await samples()).toEqual(want);
    expect(await metric('prometheus_tsdb_head_out_of_order_samples_appended_total')).toBeGreaterThanOrEqual(appendedBefore + 2);

    // Acknowledged means logged: a killed process replays them.
    await kill();
    await start();
    expect(await samples()).toEqual(want);

    // A reload without the key closes the window: Prometheus's "out of order sample", a 400.
    writeFileSync(config, 'global:\n  scrape_interval: 15s\n');
    expect((await fetch(`${url}/-/reload`, { method: 'POST' })).status).toBe(200);
    // (The counter also counts promlet's own refused samples, so only its growth is ours.)
    const refusedBefore = await metric('prometheus_tsdb_out_of_order_samples_total');
    const refused = await remoteWrite(url, [{ labels: S, samples: [[T0 + 15 * MIN, 15]] }]);
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(/out of order sample/);
    expect(await metric('prometheus_tsdb_out_of_order_samples_total')).toBeGreaterThanOrEqual(refusedBefore + 1);
    expect(await samples()).toEqual(want);
    // A reload with a bad window is refused and changes nothing.
    writeFileSync(config, 'storage:\n  tsdb:\n    out_of_order_time_window: soon\n');
    const bad = await fetch(`${url}/-/reload`, { method: 'POST' });
    expect(bad.status).toBe(500);
    expect(await bad.text()).toMatch(/storage\.tsdb\.out_of_order_time_window: not a valid duration string: "soon"/);
    expect((await remoteWrite(url, [{ labels: S, samples: [[T0 + 16 * MIN, 16]] }])).status).toBe(400);
    await kill();
  }, 60_000);

  it('promlet check config validates storage.tsdb.out_of_order_time_window', async () => {
    let err = '';
    const io = { out: () => {}, err: (s: string) => void (err += s) };
    const good = join(dir, 'good.yml');
    writeFileSync(good, 'storage:\n  tsdb:\n    out_of_order_time_window: 30m\n');
    expect(await runCli(['check', 'config', good], io)).toBe(0);
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, 'storage:\n  tsdb:\n    out_of_order_time_window: -5m\n');
    expect(await runCli(['check', 'config', bad], io)).toBe(1);
    expect(err).toMatch(/storage\.tsdb\.out_of_order_time_window: not a valid duration string: "-5m"/);
  });
});
