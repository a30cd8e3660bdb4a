// The direct remote-write route answers every request exactly as the API
// handler behind the web UI does: three servers over three databases get the
// same requests, one without the route, one with it reading requests in
// its own thread and one reading them in a worker, and their raw answers
// (status, headers but Date, body bytes) must be the same.

import { request } from 'node:http';
import { compress } from 'snappyjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, openDB } from '../../src/index.js';
import { createApiHandler } from '../../src/api/handler.js';
import { startServer, type RunningServer } from '../../src/node/server.js';
import { remoteWriteRoute } from '../../src/node/remote-write-route.js';
import { servePromlet } from '../../src/node/serve.js';
import { withWebUI } from '../../src/node/web-ui.js';
import { WriteRequest } from '../../src/remote/proto.js';
import { encodeV2 } from '../../src/remote/write-v2.js';
import { labelsFrom } from '../../src/model/labels.js';
import { Matcher } from '../../src/model/matcher.js';

const T0 = Date.UTC(2026, 0, 1);
const V1_HEADERS = { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' };
const V2_HEADERS = { 'content-type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '2.0.0' };
const MAX_DECOMPRESSED = 64 * 1024;
const MAX_BODY = 32 * 1024;

interface Raw { status: number; headers: string[]; body: Buffer }

function send(url: string, method: string, headers: Record<string, string>, body?: Uint8Array, chunked = false): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/v1/write`, { method, headers: chunked ? headers : { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const h: string[] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) if (res.rawHeaders[i]!.toLowerCase() !== 'date') h.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
        resolve({ status: res.statusCode!, headers: h, body: Buffer.concat(parts) });
      });
    });
    req.on('error', reject);
    if (body && chunked) {
      // Two pieces with no Content-Length: the route gathers them as the generic path does.
      req.write(body.subarray(0, body.length >> 1));
      req.end(body.subarray(body.length >> 1));
    } else req.end(body);
  });
}

function v1(series: number, from: number, points: number, name = 'rw_route'): Uint8Array {
  const timeseries = [];
  for (let s = 0; s < series; s++) {
    const samples = [];
    for (let p = 0; p < points; p++) samples.push({ timestamp: from + p * 15_000, value: s * 1000 + (from - T0) / 15_000 + p });
    timeseries.push({ labels: [{ name: '__name__', value: name }, { name: 'series', value: String(s) }], samples });
  }
  return compress(WriteRequest.encode(WriteRequest.fromObject({ timeseries })).finish());
}

async function receiver(direct: 'off' | 'in-thread' | 'worker') {
  const db = await openDB();
  const api = createApiHandler({
    db, engine: createEngine(db), remoteWrite: true, remoteWriteMaxDecompressedBytes: MAX_DECOMPRESSED,
    info: { version: 't', startTime: new Date(T0), flags: {}, configYaml: () => '' },
  });
  const server = await startServer({
    listen: '127.0.0.1:0', handler: withWebUI(api, { engine: createEngine(db) }), maxBodyBytes: MAX_BODY,
    directRoutes: direct === 'off' ? undefined : { '/api/v1/write': remoteWriteRoute(db, { maxDecompressedBytes: MAX_DECOMPRESSED, decodeWorker: direct === 'worker' }) },
  });
  return { db, server };
}

let generic: { db: Awaited<ReturnType<typeof openDB>>; server: RunningServer };
let direct: typeof generic;
let worker: typeof generic;

beforeAll(async () => {
  generic = await receiver('off');
  direct = await receiver('in-thread');
  worker = await receiver('worker');
});

afterAll(async () => {
  await generic?.server.close();
  await direct?.server.close();
  await worker?.server.close();
});

/** Sends the same request to the three servers, one after the other, and expects the same raw answer from each. */
async function both(method: string, headers: Record<string, string>, body?: Uint8Array, chunked = false): Promise<Raw> {
  const a = await send(generic.server.url, method, headers, body, chunked);
  const shape = (r: Raw) => ({ status: r.status, headers: r.headers, body: r.body.toString('base64') });
  const b = await send(direct.server.url, method, headers, body, chunked);
  expect(shape(b)).toEqual(shape(a));
  const c = await send(worker.server.url, method, headers, body, chunked);
  expect(shape(c)).toEqual(shape(a));
  return c;
}

function stored(db: typeof generic.db): number {
  const q = db.querier(-Infinity, Infinity);
  try {
    return q.select([new Matcher('=~', '__name__', 'rw_route.*')]).reduce((n, s) => n + s.samples(-Infinity, Infinity).timestamps.length, 0);
  } finally {
    q.close();
  }
}

describe('the direct remote-write route', () => {
  it('answers good and refused 1.0 requests as the generic path', async () => {
    expect((await both('POST', V1_HEADERS, v1(20, T0, 10))).status).toBe(204);
    // The newest samples again are duplicates (accepted), older ones out of order (400 naming the first).
    const again = await both('POST', V1_HEADERS, v1(20, T0 + 9 * 15_000, 1));
    expect([again.status, again.body.toString()]).toEqual([204, '']);
    const late = await both('POST', V1_HEADERS, v1(3, T0 - 60 * 60_000, 2));
    expect(late.status).toBe(400);
    expect(late.body.toString()).toMatch(/^6 samples rejected, first: /);
    expect((await both('POST', V1_HEADERS, v1(20, T0 + 150_000, 5), true)).status).toBe(204);
    expect(stored(direct.db)).toBe(20 * 15);
    expect(stored(direct.db)).toBe(stored(generic.db));
    expect(stored(worker.db)).toBe(stored(generic.db));
  });

  it('answers bad requests with the same status, headers and text', async () => {
    const good = v1(2, T0 + 600_000, 2);
    const bad = await both('POST', V1_HEADERS, Uint8Array.from([0x10, 0xff, 0x01, 0x02]));
    expect([bad.status, bad.body.toString()]).toEqual([400, expect.stringMatching(/^snappy decode error: /)]);
    expect((await both('POST', V1_HEADERS, compress(Uint8Array.from([0x0a, 0x05, 0x0a])))).body.toString()).toMatch(/^protobuf decode error: /);
    expect((await both('POST', { ...V1_HEADERS, 'content-type': 'text/plain' }, good)).status).toBe(415);
    expect((await both('POST', { ...V1_HEADERS, 'content-type': 'application/x-protobuf;proto=nope' }, good)).status).toBe(415);
    expect((await both('POST', { ...V1_HEADERS, 'content-encoding': 'gzip' }, good)).status).toBe(415);
    expect((await both('POST', V1_HEADERS, v1(400, T0, 20))).status).toBe(413);
    const tooBig = await both('POST', V1_HEADERS, new Uint8Array(MAX_BODY + 1));
    expect([tooBig.status, tooBig.headers]).toEqual([413, expect.arrayContaining(['content-type: application/json'])]);
    expect((await both('PUT', V1_HEADERS, good)).status).toBe(405);
    expect((await both('GET', {})).status).toBe(405);
  });

  it('compresses a long error text for a client that accepts it, as the web UI does', async () => {
    const long = `application/x-protobuf;proto=${'x'.repeat(1500)}`;
    const r = await both('POST', { ...V1_HEADERS, 'content-type': long, 'accept-encoding': 'gzip, br' }, v1(1, T0, 1));
    expect(r.status).toBe(415);
    expect(r.headers).toContain('content-encoding: gzip');
    const plain = await both('POST', { ...V1_HEADERS, 'content-type': long }, v1(1, T0, 1));
    expect(plain.headers).not.toContain('content-encoding: gzip');
  });

  it('answers 2.0 requests with the written-count headers', async () => {
    const body = compress(encodeV2([{ labels: labelsFrom({ __name__: 'rw_route_v2', a: 'b' }), ts: Float64Array.of(T0, T0 + 15_000), vs: Float64Array.of(1, 2), sts: null }]));
    const r = await both('POST', V2_HEADERS, body);
    expect(r.status).toBe(204);
    expect(r.headers).toContain('x-prometheus-remote-write-samples-written: 2');
  });
});

describe('promlet serve', () => {
  it('takes remote write on the direct route under a route prefix', async () => {
    const p = await servePromlet({ listen: '127.0.0.1:0', remoteWriteReceiver: true, routePrefix: '/pre', scrapeInterval: '1h' });
    try {
      const r = await send(`${p.url}/pre`, 'POST', V1_HEADERS, v1(4, Date.now() - 60_000, 3, 'rw_route_prefixed'));
      expect(r.status).toBe(204);
      const q = await (await fetch(`${p.url}/pre/api/v1/query?query=${encodeURIComponent('count_over_time(rw_route_prefixed[5m])')}`)).json() as { data: { result: { value: [number, string] }[] } };
      expect(q.data.result.map((x) => x.value[1])).toEqual(['3', '3', '3', '3']);
      // Counted in promlet's own request metrics as the generic path's requests are.
      const metrics = await (await fetch(`${p.url}/pre/metrics`)).text();
      expect(metrics).toMatch(/promlet_http_requests_total\{[^}]*code="204"[^}]*\} 1\n/);
    } finally {
      await p.stop();
    }
  }, 30_000);
});
