// The remote-write 1.0 receiver: snappy + protobuf WriteRequest in, samples
// stored; bad samples answered with 400 without losing the rest.

import { describe, expect, it } from 'vitest';
import protobuf from 'protobufjs/light.js';
import { compress } from 'snappyjs';
import { openDB, createEngine, Matcher } from '../../src/index.js';
import { handleRemoteWrite } from '../../src/remote/write-handler.js';
import { createApiHandler } from '../../src/api/handler.js';

const T0 = Date.UTC(2026, 0, 1);

const root = protobuf.Root.fromJSON({
  nested: {
    WriteRequest: { fields: { timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 } } },
    TimeSeries: { fields: { labels: { rule: 'repeated', type: 'Label', id: 1 }, samples: { rule: 'repeated', type: 'Sample', id: 2 } } },
    Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
    Sample: { fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } } },
  },
});
const WriteRequest = root.lookupType('WriteRequest');

function encode(series: { labels: Record<string, string>; samples: [number, number][] }[]): Uint8Array {
  const msg = WriteRequest.fromObject({
    timeseries: series.map((s) => ({
      labels: Object.entries(s.labels).map(([name, value]) => ({ name, value })),
      samples: s.samples.map(([timestamp, value]) => ({ timestamp, value })),
    })),
  });
  return compress(WriteRequest.encode(msg).finish());
}

async function setup(remoteWrite = true) {
  const db = await openDB();
  const engine = createEngine(db);
  const handler = createApiHandler({ db, engine, remoteWrite, info: { version: 't', startTime: new Date(T0), flags: {}, configYaml: () => '' } });
  const post = async (body: Uint8Array, contentType = 'application/x-protobuf') => {
    const res = await handler(new Request('http://localhost/api/v1/write', {
      method: 'POST', body: new Uint8Array(body), headers: { 'content-type': contentType, 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' },
    }));
    return { status: res.status, text: await res.text() };
  };
  return { post, engine, db };
}

describe('remote write receiver', () => {
  it('stores the samples of a WriteRequest and answers 204', async () => {
    const { post, engine } = await setup();
    const r = await post(encode([
      { labels: { __name__: 'up', job: 'a', instance: 'x' }, samples: [[T0, 1], [T0 + 15_000, 0]] },
      { labels: { __name__: 'temp', job: 'a' }, samples: [[T0 + 15_000, 21.5]] },
    ]));
    expect(r).toEqual({ status: 204, text: '' });
    expect(engine.instantQuerySync('up', T0 + 15_000).result).toEqual([{ metric: { __name__: 'up', job: 'a', instance: 'x' }, value: [(T0 + 15_000) / 1000, '0'] }]);
    expect(engine.instantQuerySync('temp', T0 + 15_000).result).toHaveLength(1);
  });

  it('keeps the valid samples of a batch with out-of-order ones, and answers 400', async () => {
    const { post, engine } = await setup();
    await post(encode([{ labels: { __name__: 'c', job: 'a' }, samples: [[T0 + 60_000, 5]] }]));
    const r = await post(encode([
      { labels: { __name__: 'c', job: 'a' }, samples: [[T0, 1]] },
      { labels: { __name__: 'd', job: 'a' }, samples: [[T0, 7]] },
    ]));
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/^1 samples rejected, first: /);
    expect(engine.instantQuerySync('d', T0).result).toHaveLength(1);
  });

  it('refuses unknown protobuf messages, bad snappy, and is off unless enabled', async () => {
    const { post } = await setup();
    expect((await post(encode([]), 'application/x-protobuf;proto=io.prometheus.write.v3.Request')).status).toBe(415);
    expect((await post(encode([]), 'application/json')).status).toBe(415);
    expect((await post(new Uint8Array([1, 2, 3, 4, 5]))).status).toBe(400);
    const off = await setup(false);
    expect((await off.post(encode([]))).status).toBe(404);
  });

  it('keeps appending a series by its cached ref, and again by labels once its ref is gone', async () => {
    const { post, engine, db } = await setup();
    const labels = { __name__: 'cached', job: 'a' };
    expect((await post(encode([{ labels, samples: [[T0, 1]] }]))).status).toBe(204);
    expect((await post(encode([{ labels, samples: [[T0 + 15_000, 2], [T0 + 30_000, 3]] }]))).status).toBe(204);
    expect(engine.instantQuerySync('count_over_time(cached[1m])', T0 + 30_000).result).toMatchObject([{ value: [(T0 + 30_000) / 1000, '3'] }]);
    // Deleting every sample removes the series, so the cached ref points nowhere.
    db.deleteSeries([new Matcher('=', '__name__', 'cached')]);
    expect(engine.instantQuerySync('cached', T0 + 30_000).result).toEqual([]);
    expect((await post(encode([{ labels, samples: [[T0 + 45_000, 4]] }]))).status).toBe(204);
    expect(engine.instantQuerySync('cached', T0 + 45_000).result).toEqual([{ metric: labels, value: [(T0 + 45_000) / 1000, '4'] }]);
  });

  it('refuses a body that inflates past the decompressed-size limit before inflating it', async () => {
    const { post, engine, db } = await setup();
    // 64 MiB of empty TimeSeries: a few MB of snappy (row 1 of issue 15's table).
    const empty = new Uint8Array(64 * 1024 * 1024);
    for (let i = 0; i < empty.length; i += 2) empty[i] = 0x0a;
    const bomb = compress(empty);
    const r = await post(bomb);
    expect(r.status).toBe(413);
    expect(r.text).toMatch(/decompressed size 67108864 bytes is over the limit of 33554432 bytes/);
    // With the limit raised, the same body is read without an object per series: answered, nothing stored.
    const raised = await handleRemoteWrite(db, bomb, new Headers({ 'content-encoding': 'snappy' }), { maxDecompressedBytes: 128 * 1024 * 1024 });
    expect(raised).toMatchObject({ status: 204, appended: 0, rejected: 0 });
    expect((await post(encode([{ labels: { __name__: 'after', job: 'a' }, samples: [[T0, 1]] }]))).status).toBe(204);
    expect(engine.instantQuerySync('after', T0).result).toHaveLength(1);
  });

  it('answers a truncated WriteRequest with 400 and stores nothing of it', async () => {
    const { post, engine } = await setup();
    const full = WriteRequest.encode(WriteRequest.fromObject({ timeseries: [
      { labels: [{ name: '__name__', value: 'first' }], samples: [{ timestamp: T0, value: 1 }] },
      { labels: [{ name: '__name__', value: 'second' }], samples: [{ timestamp: T0, value: 2 }] },
    ] })).finish();
    const r = await post(compress(full.subarray(0, full.length - 3)));
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/^protobuf decode error: .* at byte \d+/);
    expect(engine.instantQuerySync('first', T0).result).toEqual([]);
  });
});
