// Pushes that used to stall the server (issue 15, row 6): 45,000 series
// under one metric name are grouped in one pass; gzip-compressed pushes are
// accepted as the Pushgateway accepts them, and refused cleanly once they
// inflate past the decompressed-size limit.

import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { openDB, createEngine } from '../../src/index.js';
import { createApiHandler } from '../../src/api/handler.js';
import { PushStore } from '../../src/push/store.js';
import { readPushBody } from '../../src/push/body.js';

const T0 = Date.UTC(2026, 0, 1);

async function setup() {
  const db = await openDB();
  const engine = createEngine(db);
  const handler = createApiHandler({ db, engine, push: new PushStore(db), now: () => T0, info: { version: 't', startTime: new Date(T0), flags: {}, configYaml: () => '' } });
  const send = async (path: string, body: Uint8Array | string, headers: Record<string, string> = {}) => {
    const res = await handler(new Request(`http://localhost${path}`, { method: 'PUT', body: body as BodyInit, headers }));
    return { status: res.status, text: await res.text() };
  };
  return { send, engine };
}

const oneName = (n: number) => Array.from({ length: n }, (_, i) => `big{i="${i}"} ${i}\n`).join('');

describe('push limits', () => {
  it('groups 45,000 series under one name in one pass', async () => {
    const { send, engine } = await setup();
    const timed = async (n: number) => {
      const t0 = performance.now();
      expect(await send(`/metrics/job/j${n}`, oneName(n))).toEqual({ status: 200, text: '' });
      return performance.now() - t0;
    };
    await timed(1000); // warm-up
    // The fastest of three pushes of each size, taken in turn: other load on the machine only ever adds time.
    let small = Infinity, large = Infinity;
    for (let i = 0; i < 3; i++) {
      small = Math.min(small, await timed(4_500));
      large = Math.min(large, await timed(45_000));
    }
    expect(engine.instantQuerySync('count(big{job="j45000"})', T0).result).toMatchObject([{ value: [T0 / 1000, '45000'] }]);
    // Ten times the series is about ten times the work; copying the name's array per line made it a hundred.
    expect(large).toBeLessThan(40 * small + 200);
  });

  it('takes gzip-compressed pushes', async () => {
    const { send, engine } = await setup();
    const r = await send('/metrics/job/z', new Uint8Array(gzipSync('zipped 42\n')), { 'content-encoding': 'gzip' });
    expect(r).toEqual({ status: 200, text: '' });
    expect(engine.instantQuerySync('zipped', T0).result).toEqual([{ metric: { __name__: 'zipped', job: 'z' }, value: [T0 / 1000, '42'] }]);
    expect((await send('/metrics/job/z', 'x 1\n', { 'content-encoding': 'br' })).status).toBe(415);
    const bad = await send('/metrics/job/z', new Uint8Array([1, 2, 3]), { 'content-encoding': 'gzip' });
    expect(bad.status).toBe(400);
  });

  it('refuses a gzip push that inflates past the limit, without inflating it all', async () => {
    const { send } = await setup();
    // 200 MiB of newlines: about 200 KB of gzip.
    const bomb = new Uint8Array(gzipSync(Buffer.alloc(200 * 1024 * 1024, 10), { level: 9 }));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const r = await send('/metrics/job/bomb', bomb, { 'content-encoding': 'gzip' });
    expect(r.status).toBe(413);
    expect(r.text).toMatch(/decompressed push body larger than 33554432 bytes/);
    const small = new Request('http://localhost/', { method: 'PUT', body: new Uint8Array(gzipSync('a 1\n'.repeat(100))), headers: { 'content-encoding': 'gzip' } });
    await expect(readPushBody(small, 100)).rejects.toThrow(/larger than 100 bytes/);
  });
});
