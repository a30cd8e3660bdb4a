// Issue 15's rows 1, 4 and 6 against a real `promlet serve` process: a
// remote-write body that inflates to 64 MiB, pushes with an 80,000-space
// HELP or an 80,000-digit value, 45,000 series under one name, and a gzip
// push bomb. Each is answered cleanly, /-/healthy keeps answering, normal
// ingestion still works, and the process is alive at the end.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compress } from 'snappyjs';
import { freePort } from '../support/prometheus.js';

let proc: ChildProcess;
let url: string;
let log = '';

beforeAll(async () => {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  proc = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../fixtures/ingest/promlet-serve.ts'), 'serve', '--listen', `127.0.0.1:${port}`, '--web.enable-remote-write-receiver'], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d) => (log += String(d)));
  proc.stderr!.on('data', (d) => (log += String(d)));
  for (let i = 0; i < 300; i++) {
    if (proc.exitCode !== null) throw new Error(`promlet exited: ${log}`);
    try {
      if ((await fetch(`${url}/-/healthy`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`promlet did not start: ${log}`);
}, 60_000);

afterAll(async () => {
  proc.kill('SIGTERM');
  await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once('exit', r)));
});

async function send(path: string, body: Uint8Array | string, headers: Record<string, string> = {}) {
  const r = await fetch(`${url}${path}`, { method: path.startsWith('/api') ? 'POST' : 'PUT', body: body as BodyInit, headers });
  return { status: r.status, text: await r.text() };
}

async function healthy(): Promise<number> {
  return (await fetch(`${url}/-/healthy`)).status;
}

async function value(q: string): Promise<string | undefined> {
  const r = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: q })}`);
  const j = (await r.json()) as { data: { result: { value: [number, string] }[] } };
  return j.data.result[0]?.value[1];
}

describe('hostile ingestion against promlet serve', () => {
  it('row 1: remote write inflating to 64 MiB of empty TimeSeries gets 413', async () => {
    const empty = new Uint8Array(64 * 1024 * 1024);
    for (let i = 0; i < empty.length; i += 2) empty[i] = 0x0a;
    const [r, h] = await Promise.all([
      send('/api/v1/write', compress(empty), { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' }),
      healthy(),
    ]);
    expect(r.status).toBe(413);
    expect(r.text).toMatch(/over the limit of 33554432 bytes/);
    expect(h).toBe(200);
  });

  it('row 4: an 80,000-space HELP is stored, an 80,000-digit value refused with its line', async () => {
    expect(await send('/metrics/job/help', `# HELP spaced${' '.repeat(80_000)}\nspaced 1\n`)).toEqual({ status: 200, text: '' });
    const bad = await send('/metrics/job/digits', `ok 1\ndigits ${'9'.repeat(80_000)}z\n`);
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/^line 2: invalid value "9{40}"…/);
    expect(bad.text.length).toBeLessThan(200);
    expect(await healthy()).toBe(200);
    expect(await value('spaced')).toBe('1');
  });

  it('row 6: 45,000 series under one name are stored', async () => {
    const body = Array.from({ length: 45_000 }, (_, i) => `one_name{i="${i}"} ${i}\n`).join('');
    const [r, h] = await Promise.all([send('/metrics/job/many', body), healthy()]);
    expect(r).toEqual({ status: 200, text: '' });
    expect(h).toBe(200);
    expect(await value('count(one_name)')).toBe('45000');
  });

  it('a gzip push inflating past 32 MiB gets 413; a small one is stored', async () => {
    const bomb = gzipSync(Buffer.alloc(100 * 1024 * 1024, 10), { level: 9 });
    const r = await send('/metrics/job/bomb', new Uint8Array(bomb), { 'content-encoding': 'gzip' });
    expect(r.status).toBe(413);
    expect(await send('/metrics/job/zipped', new Uint8Array(gzipSync('zipped_metric 7\n')), { 'content-encoding': 'gzip' })).toEqual({ status: 200, text: '' });
    expect(await value('zipped_metric')).toBe('7');
    expect(proc.exitCode).toBeNull();
  });
});
