// The ingestion size limits as `promlet serve` flags: each one set low on a
// real process moves the point where requests get 413, and the flags page
// shows the values in effect.

import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compress } from 'snappyjs';
import { freePort } from '../support/prometheus.js';
import { ingestLimitFlags, ingestLimitFlagValues } from '../../src/node/ingest-limit-flags.js';
import { UsageError } from '../../src/node/args.js';
import { WriteRequest } from '../../src/remote/proto.js';
import { scrapeConfigs } from '../../src/scrape/targets.js';

let proc: ChildProcess;
let url: string;
let log = '';

beforeAll(async () => {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  proc = spawn(process.execPath, [
    '--import', 'tsx', join(import.meta.dirname, '../fixtures/ingest/promlet-serve.ts'), 'serve', '--listen', `127.0.0.1:${port}`,
    '--web.enable-remote-write-receiver', '--web.enable-otlp-receiver',
    '--web.max-request-body-size', '256KiB', '--web.remote-write-receiver.max-decompressed-size=1MiB',
    '--web.push.max-decompressed-size', '64KiB', '--web.otlp-receiver.max-decompressed-size', '64KiB',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
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

/** Requests sent and not yet answered in full, named for the report of a test that fails. */
const pending = new Set<string>();

async function send(path: string, body: Uint8Array | string, headers: Record<string, string> = {}, method = 'POST') {
  const what = `${method} ${path} (${body.length} bytes${headers['content-encoding'] ? `, ${headers['content-encoding']}` : ''})`;
  pending.add(what);
  const r = await fetch(`${url}${path}`, { method, body: body as BodyInit, headers });
  const answer = { status: r.status, text: await r.text() };
  pending.delete(what);
  return answer;
}

// A request that never gets its answer fails on the test's timeout; this says which one, and whether the
// server still answers others.
afterEach(async (ctx) => {
  if (ctx.task.result?.state !== 'fail') return;
  const health = await fetch(`${url}/-/healthy`, { signal: AbortSignal.timeout(10_000) }).then((r) => String(r.status), (e: Error) => e.message);
  console.error(`unanswered: ${[...pending].join('; ') || 'none'}; /-/healthy: ${health}; server log:\n${log}`);
  pending.clear();
});

const RW = { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' };

function writeRequest(series: number, name = 'limit_flag_metric'): Uint8Array {
  const timeseries = Array.from({ length: series }, (_, i) => ({
    labels: [{ name: '__name__', value: name }, { name: 'i', value: String(i).padStart(40, '0') }],
    samples: [{ timestamp: Date.now() - 1000, value: i }],
  }));
  return WriteRequest.encode(WriteRequest.fromObject({ timeseries })).finish();
}

describe('ingestion limit flags on promlet serve', () => {
  it('remote write: a request inflating past the flag gets 413, one below it is stored', async () => {
    const big = writeRequest(20_000);
    expect(big.length).toBeGreaterThan(1024 * 1024);
    const r = await send('/api/v1/write', compress(big), RW);
    expect(r.status).toBe(413);
    expect(r.text).toMatch(/over the limit of 1048576 bytes/);
    expect((await send('/api/v1/write', compress(writeRequest(10)), RW)).status).toBe(204);
  });

  it('request bodies past --web.max-request-body-size get 413', async () => {
    const r = await send('/metrics/job/big', `x ${'1'.repeat(300 * 1024)}\n`, {}, 'PUT');
    expect(r.status).toBe(413);
  });

  it('a gzip push inflating past its flag gets 413; a smaller one is stored', async () => {
    const body = Array.from({ length: 5000 }, (_, i) => `pushed_limit_metric{i="${i}"} ${i}\n`).join('');
    expect(body.length).toBeGreaterThan(64 * 1024);
    expect((await send('/metrics/job/zipped', new Uint8Array(gzipSync(body)), { 'content-encoding': 'gzip' }, 'PUT')).status).toBe(413);
    expect(await send('/metrics/job/zipped', new Uint8Array(gzipSync('pushed_limit_metric 1\n')), { 'content-encoding': 'gzip' }, 'PUT')).toEqual({ status: 200, text: '' });
  });

  it('an OTLP request inflating past its flag gets 413', async () => {
    const json = JSON.stringify({ resourceMetrics: [], padding: ' '.repeat(100 * 1024) });
    const r = await send('/api/v1/otlp/v1/metrics', new Uint8Array(gzipSync(json)), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(r.status).toBe(413);
  });

  it('/api/v1/status/flags shows the limits in effect', async () => {
    const j = (await (await fetch(`${url}/api/v1/status/flags`)).json()) as { data: Record<string, string> };
    expect(j.data['web.max-request-body-size']).toBe('262144');
    expect(j.data['web.remote-write-receiver.max-decompressed-size']).toBe('1048576');
    expect(j.data['web.push.max-decompressed-size']).toBe('65536');
    expect(j.data['web.otlp-receiver.max-decompressed-size']).toBe('65536');
    expect(j.data['web.read-timeout']).toBe('5m');
  });
});

describe('ingestLimitFlags', () => {
  it('reads sizes and refuses what is not one', () => {
    expect(ingestLimitFlags(['--web.push.max-decompressed-size', '2MB'])).toEqual({ pushMaxDecompressedBytes: 2 * 1024 * 1024 });
    expect(() => ingestLimitFlags(['--web.max-request-body-size', 'lots'])).toThrow(UsageError);
    expect(() => ingestLimitFlags(['--web.max-request-body-size', '0'])).toThrow(/want a size above 0/);
  });

  it('shows the defaults when no flag is given', () => {
    expect(ingestLimitFlagValues({})).toEqual({
      'web.max-request-body-size': String(4 * 1024 * 1024),
      'web.remote-write-receiver.max-decompressed-size': String(32 * 1024 * 1024),
      'web.push.max-decompressed-size': String(32 * 1024 * 1024),
      'web.otlp-receiver.max-decompressed-size': String(32 * 1024 * 1024),
    });
  });
});

describe('scrape limits under global', () => {
  it('a job without its own limits takes global body_size_limit, sample_limit and label_limit', () => {
    const [inherits, own] = scrapeConfigs({
      global: { body_size_limit: '10MB', sample_limit: 500, label_limit: 20 },
      scrape_configs: [{ job_name: 'a' }, { job_name: 'b', body_size_limit: '1KB', sample_limit: 5, label_limit: 3 }],
    });
    expect([inherits!.bodySizeLimit, inherits!.sampleLimit, inherits!.labelLimit]).toEqual([10 * 1024 * 1024, 500, 20]);
    expect([own!.bodySizeLimit, own!.sampleLimit, own!.labelLimit]).toEqual([1024, 5, 3]);
  });
});
