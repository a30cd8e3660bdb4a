// The remote-write 1.0 receiver: snappy + protobuf WriteRequest in, samples
// stored; bad samples answered with 400 without losing the rest.

import { describe, expect, it } from 'vitest';
import protobuf from 'protobufjs/light.js';
import { compress } from 'snappyjs';
import { openDB, createEngine } from '../../src/index.js';
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
  return { post, engine };
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
});
