import { compress, uncompress } from 'snappyjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDB, type DB } from '../../src/storage/db.js';
import { createRemoteReadHandler } from '../../src/remote/read-handler.js';
import { readFrames } from '../../src/remote/chunked-frames.js';
import { ChunkedReadResponse, ReadRequest, ReadResponse, type PbChunkedSeries, type PbTimeSeries, toNum } from '../../src/remote/read-proto.js';
import { decodeXorChunk } from '../../src/remote/xor-chunk.js';

let db: DB;
const STALE = new Float64Array(new BigUint64Array([0x7ff0000000000002n]).buffer)[0]!;

beforeAll(async () => {
  db = await openDB();
  const app = db.appender();
  for (let i = 0; i < 500; i++) {
    app.append({ __name__: 'a', job: 'x' }, i * 1000, i);
    app.append({ __name__: 'a', job: 'y', site: 'own' }, i * 1000, -i);
  }
  app.append({ __name__: 'a', job: 'x' }, 500_000, STALE);
  await app.commit();
});

type Q = { start: number; end: number; matchers: { type: number; name: string; value: string }[] };
const request = (queries: Q[], accepted?: number[]) =>
  new Request('http://x/api/v1/read', {
    method: 'POST',
    body: compress(ReadRequest.encode(ReadRequest.fromObject({
      queries: queries.map((q) => ({ start_timestamp_ms: q.start, end_timestamp_ms: q.end, matchers: q.matchers })),
      accepted_response_types: accepted,
    })).finish()) as BodyInit,
  });
const nameIs = (v: string) => ({ type: 0, name: '__name__', value: v });

// Element by element: a plain number array would quiet the staleness marker's signaling NaN.
function valuesOf(ps: { value?: number }[]): Float64Array {
  const out = new Float64Array(ps.length);
  ps.forEach((p, i) => (out[i] = p.value ?? 0));
  return out;
}

async function samples(res: Response) {
  expect(res.headers.get('content-type')).toBe('application/x-protobuf');
  expect(res.headers.get('content-encoding')).toBe('snappy');
  const m = ReadResponse.toObject(ReadResponse.decode(uncompress(new Uint8Array(await res.arrayBuffer()))), { defaults: false }) as { results?: { timeseries?: PbTimeSeries[] }[] };
  return (m.results ?? []).map((r) => (r.timeseries ?? []).map((s) => ({
    labels: Object.fromEntries((s.labels ?? []).map((l) => [l.name, l.value])),
    t: (s.samples ?? []).map((p) => toNum(p.timestamp)),
    v: valuesOf(s.samples ?? []),
  })));
}

describe('remote read handler', () => {
  const handler = () => createRemoteReadHandler(db, { externalLabels: () => ({ site: 'eu', zone: 'z1' }) });

  it('answers SAMPLES by default, with external labels added unless the series has them', async () => {
    const [r] = await samples(await handler()(request([{ start: 10_000, end: 12_000, matchers: [nameIs('a')] }])));
    expect(r!.map((s) => s.labels)).toEqual([
      { __name__: 'a', job: 'x', site: 'eu', zone: 'z1' },
      { __name__: 'a', job: 'y', site: 'own', zone: 'z1' },
    ]);
    expect(r![0]!.t).toEqual([10_000, 11_000, 12_000]);
    expect([...r![1]!.v]).toEqual([-10, -11, -12]);
  });

  it('keeps the staleness marker bit for bit', async () => {
    const [r] = await samples(await handler()(request([{ start: 500_000, end: 500_000, matchers: [nameIs('a'), { type: 0, name: 'job', value: 'x' }] }])));
    expect(new BigUint64Array(r![0]!.v.buffer)[0]).toBe(0x7ff0000000000002n);
  });

  it('lets an equality matcher on an external label match series without it', async () => {
    const [r, none] = await samples(await handler()(request([
      { start: 0, end: 1000, matchers: [nameIs('a'), { type: 0, name: 'zone', value: 'z1' }] },
      { start: 0, end: 1000, matchers: [nameIs('a'), { type: 0, name: 'zone', value: 'z2' }] },
    ])));
    expect(r!.length).toBe(2);
    expect(none).toEqual([]);
  });

  it('refuses a query past the sample limit with 400', async () => {
    const h = createRemoteReadHandler(db, { sampleLimit: 100 });
    const res = await h(request([{ start: 0, end: 1_000_000, matchers: [nameIs('a')] }]));
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('exceeded sample limit (100)\n');
  });

  it('streams XOR chunks when the client accepts them first, one series a frame, split at max-bytes-in-frame', async () => {
    const h = createRemoteReadHandler(db, { maxBytesInFrame: 300, externalLabels: () => ({ site: 'eu' }) });
    const res = await h(request([{ start: 0, end: 600_000, matchers: [nameIs('a')] }, { start: 0, end: 0, matchers: [nameIs('none')] }], [1, 0]));
    expect(res.headers.get('content-type')).toBe('application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse');
    const frames = [...readFrames(new Uint8Array(await res.arrayBuffer()), 1e6)].map((f) =>
      ChunkedReadResponse.toObject(ChunkedReadResponse.decode(f), { defaults: false }) as { chunked_series: PbChunkedSeries[]; query_index?: unknown });
    expect(frames.length).toBeGreaterThan(2);
    const bySeries = new Map<string, { t: number[]; v: number[] }>();
    for (const f of frames) {
      expect(f.chunked_series.length).toBe(1);
      expect(toNum(f.query_index)).toBe(0);
      const cs = f.chunked_series[0]!;
      const key = JSON.stringify(cs.labels);
      const acc = bySeries.get(key) ?? { t: [], v: [] };
      bySeries.set(key, acc);
      for (const c of cs.chunks ?? []) {
        expect(c.type).toBe(1);
        const d = decodeXorChunk(c.data!);
        expect(d.timestamps.length).toBeLessThanOrEqual(120);
        expect([toNum(c.min_time_ms), toNum(c.max_time_ms)]).toEqual([d.timestamps[0], d.timestamps[d.timestamps.length - 1]]);
        acc.t.push(...d.timestamps);
        acc.v.push(...d.values);
      }
    }
    expect([...bySeries.keys()]).toEqual([
      JSON.stringify([{ name: '__name__', value: 'a' }, { name: 'job', value: 'x' }, { name: 'site', value: 'eu' }]),
      JSON.stringify([{ name: '__name__', value: 'a' }, { name: 'job', value: 'y' }, { name: 'site', value: 'own' }]),
    ]);
    const y = [...bySeries.values()][1]!;
    expect(y.t).toEqual(Array.from({ length: 500 }, (_, i) => i * 1000));
    expect(y.v).toEqual(Array.from({ length: 500 }, (_, i) => -i));
  });

  it('says which response types it supports, and what is wrong with a bad body', async () => {
    const res = await handler()(request([], [7]));
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/server does not support any of the requested response types: \[7\]/);
    const bad = await handler()(new Request('http://x/api/v1/read', { method: 'POST', body: 'not snappy' }));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/^decoding the read request: /);
    const bre = await handler()(request([{ start: 0, end: 1, matchers: [{ type: 2, name: 'job', value: '(' }] }]));
    expect(bre.status).toBe(400);
    expect(await bre.text()).toMatch(/^invalid matcher: /);
  });

  it('serves at most concurrent-limit requests at once; the others wait for a slot', async () => {
    let opened = 0;
    const counting = { querier: (mint: number, maxt: number) => (opened++, db.querier(mint, maxt)) };
    const h = createRemoteReadHandler(counting, { concurrentLimit: 1 });
    // The first request's body arrives slowly and holds the only slot until it is complete.
    const body = new Uint8Array(await request([{ start: 0, end: 1000, matchers: [nameIs('a')] }]).arrayBuffer());
    let finish!: () => void;
    const slow = new Request('http://x/api/v1/read', {
      method: 'POST',
      body: new ReadableStream({ start: (c) => void (finish = () => { c.enqueue(body); c.close(); }) }),
      duplex: 'half',
    } as RequestInit);
    const first = h(slow);
    const second = h(request([{ start: 0, end: 1000, matchers: [nameIs('a')] }]));
    await new Promise((r) => setTimeout(r, 50));
    expect(opened).toBe(0);
    finish();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    expect(opened).toBe(2);
  });
});
