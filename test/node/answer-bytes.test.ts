// Answers from query workers travel as bytes (transferred, joined as views,
// copied once into the body). Every answer shape must reach the client as
// the in-process engine's bytes: one worker and queries cut over three,
// through the Node fast path (api-route.ts) and the Request/Response path,
// GET/HEAD/POST, with gzip (inline and on zlib's pool) and without.

import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerBody, rawExchange } from '../fixtures/raw-http.js';
import { createEngine, openDB, type DB, type Engine } from '../../src/index.js';
import { createApiHandler } from '../../src/api/handler.js';
import { startServer, type RunningServer } from '../../src/node/server.js';
import { withWebUI } from '../../src/node/web-ui.js';
import { nodeApiRoutes } from '../../src/node/api-route.js';
import { SCRATCH_KEEP_MAX_BYTES } from '../../src/node/answer-scratch.js';
import { createOffThreadEngine } from '../../src/node/offthread-engine.js';
import { latencySeries } from '../fixtures/histograms.js';

const T0 = Date.UTC(2026, 0, 1);
const WIDE_SERIES = 400;
let db: DB;
const servers: RunningServer[] = [];
const engines: ReturnType<typeof createOffThreadEngine>[] = [];
const info = { version: 'test', startTime: new Date(T0), flags: {}, configYaml: () => '' };
const OPTS = { features: ['promql-experimental-functions'] as const };

async function server(engine: Engine, fast: boolean): Promise<RunningServer> {
  const api = createApiHandler({ db, engine, now: () => T0 + 600_000, info });
  const handler = withWebUI(api, { engine: createEngine(db, OPTS), routePrefix: '' });
  const s = await startServer({ listen: '127.0.0.1:0', handler, nodeRoutes: fast ? nodeApiRoutes(api, '') : undefined });
  servers.push(s);
  return s;
}

const mask = (s: string) => s.replace(/"(\w+Time)":[0-9.e+-]+/g, '"$1":0');
function norm(b: Buffer): string {
  const head = b.subarray(0, b.indexOf('\r\n\r\n')).toString('latin1').replace(/content-length: \d+/i, 'content-length: N').replace(/transfer-encoding: chunked\r\n?/i, '');
  let body = answerBody(b);
  if (/content-encoding: gzip/i.test(head)) body = gunzipSync(body);
  return head.replace(/\r\ncontent-length: N/i, '') + '\n' + mask(body.toString('utf8'));
}
function get(target: string, headers: Record<string, string> = {}, method = 'GET'): string {
  return `${method} ${target} HTTP/1.1\r\nHost: promlet\r\nConnection: close\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}

/**
 * Each target, GET, HEAD and POST, gzipped and not, answered by every one of `others` as by `ref`;
 * `seen` is shown each reference answer. Returns how many answers were compared.
 */
async function expectReferenceBytes(
  ref: RunningServer, others: RunningServer[], targets: string[], seen?: (raw: Buffer, method: string, hdr: Record<string, string>) => void,
): Promise<number> {
  let compared = 0;
  for (const target of targets) {
    for (const hdr of [{}, { 'Accept-Encoding': 'gzip' }] as Record<string, string>[]) {
      for (const method of ['GET', 'HEAD', 'POST']) {
        const req = get(target, hdr, method);
        const raw = await rawExchange(ref, req);
        seen?.(raw, method, hdr);
        const want = norm(raw);
        for (const [i, o] of others.entries()) {
          expect(norm(await rawExchange(o, req)), `server ${i} ${method} ${JSON.stringify(hdr)} ${target}`).toBe(want);
          compared++;
        }
      }
    }
  }
  return compared;
}

beforeAll(async () => {
  db = await openDB();
  const hs = latencySeries(121);
  for (let i = 0; i < 120; i++) {
    const app = db.appender();
    const t = T0 + i * 5_000;
    for (const [k, v] of [['a', 'plain'], ['é', 'ü😀"\\\u2028'], ['x', '\u0000\u001f<>&'], ['y', 'ＡＢＣ'.repeat(50)]] as const) {
      app.append({ __name__: 'm', [k]: v, n: String(i % 3) }, t, i * 1.5 + (k === 'a' ? 0.1 : 0));
    }
    app.appendHistogram!({ __name__: 'lat', 'ç': '中文' }, t, hs[i]!);
    // Enough series for a range answer longer than the fast path's kept buffers (SCRATCH_KEEP_MAX_BYTES).
    for (let k = 0; k < WIDE_SERIES; k++) app.append({ __name__: 'wide', k: String(k), 'ü': 'ＡＢＣ'.repeat(k % 4) }, t, k === 7 ? i / 3 : i * k + 0.25);
    await app.commit();
  }
});
afterAll(async () => {
  for (const s of servers) await s.close();
  for (const e of engines) await e.close();
});

const s = (ms: number) => String(ms / 1000);
const T = s(T0 + 500_000);
const RQ = (q: string, step = '5', extra = '') => `/api/v1/query_range?query=${encodeURIComponent(q)}&start=${s(T0)}&end=${s(T0 + 595_000)}&step=${step}${extra}`;
const IQ = (q: string, extra = '') => `/api/v1/query?query=${encodeURIComponent(q)}&time=${T}${extra}`;
const TARGETS = [
  IQ('m'), IQ('m', '&limit=2'), IQ('m', '&limit=100'), IQ('m', '&stats=all'), IQ('lat'), IQ('nothing'), IQ('scalar(sum(m))'), IQ('"str"'),
  IQ('m[1m]'), IQ('lat[30s]'), IQ('rate(m[1m])'), IQ('histogram_quantile(0.9, lat)'), IQ('m / on() group_left vector(0)'),
  RQ('m'), RQ('m', '1'), RQ('m', '1', '&limit=3'), RQ('lat', '1'), RQ('rate(m[1m])', '1'), RQ('nothing'), RQ('scalar(sum(m))'),
  RQ('histogram_quantile(0.9, rate(lat[1m]))', '1'), RQ('lat', '1', '&stats=all'), RQ('m > 100', '1'),
  RQ('m or lat', '1'), RQ('sum by (n) (m)', '1'),
  IQ('m{a="plain"}', '&format=json'), IQ('m', '&explain=1'),
];

describe('answers as bytes from query workers', () => {
  it('reach the client as the in-process engine\'s bytes, whole and split, on both paths, gzipped and not', async () => {
    const ref = await server(createEngine(db, OPTS), false);
    const one = createOffThreadEngine(db, OPTS, { workers: 1 });
    const split = createOffThreadEngine(db, OPTS, { workers: 3, splitMinSteps: 2, splitMinMs: 0, splitWhen: () => true });
    engines.push(one, split);
    const others = [await server(one, true), await server(one, false), await server(split, true), await server(split, false)];
    const compared = await expectReferenceBytes(ref, others, TARGETS);
    expect(compared).toBe(TARGETS.length * 2 * 3 * others.length);
    // The split server's range queries were really cut and joined.
    expect(split.queriesJoined).toBeGreaterThan(10);
  });

  it('longer than any kept buffer, reach the client as their pieces (gzipped from them, or not), the in-process engine\'s bytes', async () => {
    const ref = await server(createEngine(db, OPTS), false);
    const one = createOffThreadEngine(db, OPTS, { workers: 1 });
    const split = createOffThreadEngine(db, OPTS, { workers: 2, splitMinSteps: 2, splitMinMs: 0, splitWhen: () => true });
    engines.push(one, split);
    const fast = [await server(one, true), await server(split, true)];
    let long = 0;
    await expectReferenceBytes(ref, fast, [RQ('wide', '1'), RQ('wide * 2', '1')], (raw, method, hdr) => {
      if (method === 'GET' && !hdr['Accept-Encoding']) long += answerBody(raw).length > SCRATCH_KEEP_MAX_BYTES ? 1 : 0;
    });
    expect(long).toBe(2);
    expect(split.queriesJoined).toBeGreaterThanOrEqual(2);
  });

  it('keep their own bytes when many are written at once (the fast path joins them into reused buffers)', async () => {
    const ref = await server(createEngine(db, OPTS), false);
    const one = createOffThreadEngine(db, OPTS, { workers: 2 });
    const split = createOffThreadEngine(db, OPTS, { workers: 3, splitMinSteps: 2, splitMinMs: 0, splitWhen: () => true });
    engines.push(one, split);
    const fast = [await server(one, true), await server(split, true)];
    const reqs = TARGETS.flatMap((t) => [get(t), get(t, { 'Accept-Encoding': 'gzip' }), get(t, {}, 'POST')]);
    const want = new Map<string, string>();
    for (const r of reqs) want.set(r, norm(await rawExchange(ref, r)));
    for (let round = 0; round < 3; round++) {
      for (const [i, o] of fast.entries()) {
        // Every request in flight at once, in an order that changes by round, each answer checked against its own.
        const order = reqs.map((r, k) => ({ r, k: (k * 7 + round * 13) % reqs.length })).sort((a, b) => a.k - b.k).map((x) => x.r);
        const got = await Promise.all(order.map((r) => rawExchange(o, r)));
        order.forEach((r, k) => expect(norm(got[k]!), `server ${i} round ${round} ${r.split('\r\n')[0]}`).toBe(want.get(r)));
      }
    }
  });
});
