// The query API's fast path on node:http (src/node/api-route.ts) answers
// byte for byte what the general path (web Request and Response through
// withWebUI and the API handler) answers: status line, headers (but Date),
// framing and body, for answers, errors, limits, compression, GET and POST,
// under a route prefix and without one. Each request goes as raw bytes over
// a socket to two servers over the same data, one with the fast path and
// one without.

import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerBody, rawExchange } from '../fixtures/raw-http.js';
import { createEngine, openDB, type DB } from '../../src/index.js';
import { createApiHandler, type ApiHandler } from '../../src/api/handler.js';
import { startServer, type RunningServer } from '../../src/node/server.js';
import { GZIP_INLINE_MAX_BYTES, withWebUI } from '../../src/node/web-ui.js';
import { GZIP_PIECE_MIN_BYTES, gzipPieceCount } from '../../src/node/gzip-pieces.js';
import { nodeApiRoutes } from '../../src/node/api-route.js';

const T0 = Date.UTC(2026, 0, 1);
const LIMIT = 4096;
let db: DB;
const servers: RunningServer[] = [];
/** Requests the fast path answered, by server. */
let fastCalls = 0;

async function pair(prefix: string): Promise<{ fast: RunningServer; general: RunningServer }> {
  const api = createApiHandler({
    db, engine: createEngine(db), now: () => T0 + 600_000, maxBodyBytes: LIMIT,
    info: { version: 'test', startTime: new Date(T0), flags: {}, configYaml: () => '' },
  });
  const counted: ApiHandler = Object.assign((req: Request) => api(req), {
    answer: (...a: Parameters<ApiHandler['answer']>) => {
      fastCalls++;
      return api.answer(...a);
    },
  });
  const handler = withWebUI(counted, { engine: createEngine(db), routePrefix: prefix });
  const fast = await startServer({ listen: '127.0.0.1:0', handler, maxBodyBytes: LIMIT, nodeRoutes: nodeApiRoutes(counted, prefix) });
  const general = await startServer({ listen: '127.0.0.1:0', handler, maxBodyBytes: LIMIT });
  servers.push(fast, general);
  return { fast, general };
}


/** The answer as text, with the wall times of `stats` (and so the chunk's length) masked: they differ from run to run. */
function timingsMasked(answer: Buffer): string {
  const text = answer.toString('latin1');
  if (!text.includes('"timings"')) return text;
  return text.replace(/"(\w+Time)":[0-9.e+-]+/g, '"$1":0').replace(/\r\n\r\n[0-9a-f]+\r\n/, '\r\n\r\n(length)\r\n');
}

function get(target: string, headers: Record<string, string> = {}, method = 'GET'): string {
  return `${method} ${target} HTTP/1.1\r\nHost: promlet\r\nConnection: close\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}

function post(target: string, body: string | Buffer, headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' }): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body) : body;
  return Buffer.concat([Buffer.from(get(target, { ...headers, 'Content-Length': String(b.length) }, 'POST')), b]);
}


const form = (p: Record<string, string>) => new URLSearchParams(p).toString();
const s = (ms: number) => String(ms / 1000);

/** Requests to the fast path's routes at `base` (a route prefix or ''), with whether the fast path takes them. */
function requests(base: string): [string, string | Buffer, boolean][] {
  const q = `${base}/api/v1/query`, qr = `${base}/api/v1/query_range`;
  const range = { query: 'sum by (job) (rate(http_requests_total[5m]))', start: s(T0 + 300_000), end: s(T0 + 600_000), step: '15' };
  return [
    ['instant GET', get(`${q}?query=http_requests_total&time=${s(T0 + 300_000)}`), true],
    ['instant GET, time defaulting to now', get(`${q}?query=up`), true],
    ['range GET', get(`${qr}?${form(range)}`), true],
    ['range POST', post(qr, form(range)), true],
    ['range POST, parameters in the query string and the body', post(`${qr}?query=http_requests_total`, form({ start: range.start, end: range.end, step: '30s' })), true],
    ['gzip: a long answer compressed', get(`${qr}?${form(range)}`, { 'Accept-Encoding': 'gzip, deflate' }), true],
    ['gzip for a client that takes brotli', post(qr, form(range)).toString().replace('Connection: close', 'Connection: close\r\nAccept-Encoding: br'), true],
    ['gzip: a short answer sent as it is', get(`${q}?query=vector(1)&time=1`, { 'Accept-Encoding': 'gzip' }), true],
    // About 190 KB of text, compressed on zlib's pool rather than inline.
    ['gzip: an answer past the inline size', get(`${qr}?${form({ ...range, query: 'http_requests_total', step: '0.5' })}`, { 'Accept-Encoding': 'gzip' }), true],
    ['stats', get(`${q}?query=vector(1)&time=1&stats=all`), true],
    ['limit', get(`${q}?query=http_requests_total&time=${s(T0 + 300_000)}&limit=1`), true],
    ['bad limit', get(`${q}?query=up&limit=-1`), true],
    ['parse error', get(`${q}?query=sum(`), true],
    ['parse error in a form body', post(q, form({ query: 'rate(x[5m]' })), true],
    ['no start', get(`${qr}?query=up&end=1&step=1`), true],
    ['bad step', get(`${qr}?query=up&start=1&end=2&step=-1`), true],
    ['end before start', get(`${qr}?query=up&start=2&end=1&step=1`), true],
    ['too many points', get(`${qr}?query=up&start=0&end=100000&step=1`), true],
    ['bad time', get(`${q}?query=up&time=yesterday`), true],
    ['bad timeout', get(`${q}?query=up&timeout=soon`), true],
    ['range query of a matrix', get(`${qr}?query=up[5m]&start=1&end=2&step=1`), true],
    ['execution error', get(`${q}?query=${encodeURIComponent('http_requests_total + on() http_requests_total')}&time=${s(T0 + 300_000)}`), true],
    ['quotes, brackets and escapes in the query string', get(`${q}?query=http_requests_total{job="api"}&time=${s(T0 + 300_000)}`), true],
    ['plus and percent-escapes', get(`${q}?query=vector(1)+%2B+vector(2)&time=1`), true],
    ['a malformed percent-escape', get(`${q}?query=vector(1)%zz&time=1`), true],
    ['body over the limit', post(qr, form({ query: 'x'.repeat(LIMIT) })), true],
    ['body not form-encoded: its parameters ignored', post(`${q}?time=1`, '{"query":"up"}', { 'Content-Type': 'application/json' }), true],
    ['form body with a byte order mark', post(`${q}?time=1`, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('query=vector(3)')])), true],
    ['form body in UTF-8', post(q, form({ query: 'label_replace(vector(1), "x", "é✓", "", "")', time: '1' })), true],
    ['form body with invalid UTF-8', post(`${q}?time=1`, Buffer.from([0x71, 0x75, 0x65, 0x72, 0x79, 0x3d, 0xff, 0xfe])), true],
    ['empty form body', post(q, ''), true],
    ['series', get(`${base}/api/v1/series?match[]=http_requests_total{job="api"}&start=${s(T0)}&end=${s(T0 + 600_000)}`), true],
    ['series POST with a limit', post(`${base}/api/v1/series`, form({ 'match[]': 'http_requests_total', limit: '3' })), true],
    ['series without match[]', get(`${base}/api/v1/series`), true],
    ['series with a bad selector', get(`${base}/api/v1/series?match[]=sum(x)`), true],
    ['labels', get(`${base}/api/v1/labels`, { 'Accept-Encoding': 'gzip' }), true],
    ['labels of a selection', post(`${base}/api/v1/labels`, form({ 'match[]': '{job="web"}' })), true],
    ['label values', get(`${base}/api/v1/label/instance/values?match[]=http_requests_total{job="web"}`), true],
    ['label values of an escaped name', get(`${base}/api/v1/label/U__j_6f_b/values`), true],
    ['label values with a percent-escape in the name', get(`${base}/api/v1/label/j%6Fb/values`), true],
    ['label values with a malformed escape in the name', get(`${base}/api/v1/label/j%zzb/values`), true],
    // The general path only: targets the URL parser rewrites, and methods other than GET and POST.
    ['label values of a dot segment', get(`${base}/api/v1/label/%2e%2E/values`), false],
    ['label values of a name with braces', get(`${base}/api/v1/label/{job}/values`), false],
    ['a fragment in the target', get(`${q}?query=vector(1)&time=1#frag`), false],
    ['a backslash in the query string', get(`${q}?query=vector(1)\\&time=1`), false],
    ['bytes outside ASCII in the target', `GET ${q}?query=vector(1)&time=1&x=\u00e9 HTTP/1.1\r\nHost: promlet\r\nConnection: close\r\n\r\n`, false],
    ['HEAD', get(`${q}?query=vector(1)&time=1`, {}, 'HEAD'), false],
    ['PUT', get(`${q}?query=vector(1)&time=1`, {}, 'PUT'), false],
    ['DELETE', get(`${q}?query=vector(1)&time=1`, {}, 'DELETE'), false],
  ];
}

beforeAll(async () => {
  db = await openDB();
  const app = db.appender();
  for (let i = 0; i <= 40; i++) {
    for (const [job, k] of [['api', 10], ['web', 2]] as const) {
      for (let n = 0; n < 4; n++) app.append({ __name__: 'http_requests_total', job, instance: `i${n}` }, T0 + i * 15_000, i * k + n);
    }
  }
  await app.commit();
});

afterAll(async () => {
  for (const s of servers) await s.close();
});

describe('the query API on node:http directly', () => {
  for (const prefix of ['', '/prom']) {
    it(`answers byte for byte as the general path${prefix ? ' under a route prefix' : ''}`, async () => {
      const { fast, general } = await pair(prefix);
      for (const [what, req, taken] of requests(prefix)) {
        const before = fastCalls;
        const a = await rawExchange(fast, req);
        const viaFast = fastCalls - before;
        const b = await rawExchange(general, req);
        expect(fastCalls - before - viaFast, what).toBe(0);
        expect([what, timingsMasked(a)]).toEqual([what, timingsMasked(b)]);
        // Requests over the body limit never reach the handler.
        expect([what, viaFast]).toEqual([what, taken && !what.startsWith('body over') ? 1 : 0]);
      }
    });
  }

  it('sends gzip a client can read, and the same answer to a client that takes none, on either side of the inline size', async () => {
    const { fast } = await pair('');
    const sizes: number[] = [];
    for (const step of ['15', '0.5', '0.15']) {
      const target = `/api/v1/query_range?${form({ query: 'http_requests_total', start: s(T0), end: s(T0 + 600_000), step })}`;
      const plain = await rawExchange(fast, get(target));
      const zipped = await rawExchange(fast, get(target, { 'Accept-Encoding': 'gzip' }));
      expect(zipped.toString('latin1')).toMatch(/content-encoding: gzip\r\n/i);
      expect(zipped.toString('latin1')).toMatch(/vary: accept-encoding\r\n/i);
      const text = gunzipSync(answerBody(zipped)).toString();
      expect(text).toBe(answerBody(plain).toString());
      expect(JSON.parse(text).data.result).toHaveLength(8);
      sizes.push(text.length);
      // One level-1 stream (gzipSync's bytes) unless the text was cut in pieces on this machine's cores.
      expect([step, answerBody(zipped).equals(gzipSync(Buffer.from(text), { level: 1 }))]).toEqual([step, gzipPieceCount(text.length) === 1]);
    }
    // Compressed inline (the first) and on zlib's pool (the others; the last in pieces where there are cores for them).
    expect(sizes.map((n) => n <= GZIP_INLINE_MAX_BYTES)).toEqual([true, false, false]);
    expect(sizes[2]).toBeGreaterThanOrEqual(2 * GZIP_PIECE_MIN_BYTES);
    expect(sizes[0]).toBeGreaterThan(1024);
  });

  it('leaves other routes to the general path', async () => {
    const { fast } = await pair('/prom');
    const before = fastCalls;
    for (const target of ['/api/v1/labels', '/prom/api/v1/status/buildinfo', '/prom/metrics', '/api/v1/query?query=up', '/prom/api/v1/query/', '/prom/api/v1/queryx', '/prom//api/v1/query', '/promx/api/v1/label/job/values', '/prom/api/v1/label/job/values/']) await rawExchange(fast, get(target));
    expect(fastCalls).toBe(before);
  });

  it('takes no route under a prefix the URL parser would rewrite', () => {
    const api = Object.assign(async () => new Response(), { answer: async () => ({ status: 200, body: '' }) }) as ApiHandler;
    const req = (url: string, method = 'GET') => ({ url, method }) as import('node:http').IncomingMessage;
    expect(nodeApiRoutes(api, '/a/b')(req('/a/b/api/v1/query?query=up'), '/a/b/api/v1/query')).toBeTypeOf('function');
    for (const prefix of ['/a/./b', '/a/../b', '/a%20b', '/a b', '/é']) {
      const path = `${prefix}/api/v1/query`;
      expect([prefix, nodeApiRoutes(api, prefix)(req(path), path)]).toEqual([prefix, undefined]);
    }
  });
});
