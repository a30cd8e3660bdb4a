// Remote write 2.0: the receiver behind /api/v1/write (symbols, start
// timestamps, partial writes, invalid native histograms refused and counted, the
// written-count headers, Content-Type negotiation), and the sender, promlet
// to promlet, and against a 1.0-only receiver.

import { compress } from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { openDB, createEngine } from '../../src/index.js';
import { createApiHandler } from '../../src/api/handler.js';
import { Matcher } from '../../src/model/matcher.js';
import { remoteWriteConfigs } from '../../src/remote/config.js';
import { QueueManager } from '../../src/remote/queue-manager.js';
import { encodeV2 } from '../../src/remote/write-v2.js';
import { WriteV2Request } from '../../src/remote/write-v2-proto.js';
import { remoteWriteMessage } from '../../src/remote/write-v2-handler.js';
import { labelsFrom } from '../../src/model/labels.js';
import { STALE_NAN } from '../../src/model/stale.js';
import { ExemplarStore, attachExemplarStore, exemplarStoreOf } from '../../src/storage/exemplars.js';

const T0 = Date.UTC(2026, 0, 1);
const V2 = 'application/x-protobuf;proto=io.prometheus.write.v2.Request';

async function setup() {
  const db = await openDB();
  attachExemplarStore(db, new ExemplarStore(100));
  const handler = createApiHandler({ db, engine: createEngine(db), remoteWrite: true, info: { version: 't', startTime: new Date(T0), flags: {}, configYaml: () => '' } });
  const post = (body: Uint8Array, contentType = V2) => handler(new Request('http://localhost/api/v1/write', {
    method: 'POST', body: compress(body) as BodyInit,
    headers: { 'content-type': contentType, 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '2.0.0' },
  }));
  const read = (name: string) => {
    const q = db.querier(-Infinity, Infinity);
    const out = q.select([new Matcher('=', '__name__', name)]).map((s) => ({ labels: s.labels, ...s.samples(-Infinity, Infinity) }));
    q.close();
    return out;
  };
  return { db, post, read, handler };
}

const written = (r: Response) => ['samples', 'histograms', 'exemplars'].map((k) => r.headers.get(`x-prometheus-remote-write-${k}-written`));

describe('remote write 2.0 receiver', () => {
  it('stores samples from interned symbols, with start timestamps, and reports what it wrote', async () => {
    const { post, read } = await setup();
    const body = WriteV2Request.encode(WriteV2Request.fromObject({
      symbols: ['', '__name__', 'http_requests_total', 'job', 'api', 'other', 'Requests.', 'seconds'],
      timeseries: [
        { labels_refs: [1, 2, 3, 4], samples: [{ value: 1, timestamp: T0, start_timestamp: T0 - 60_000 }, { value: 5, timestamp: T0 + 15_000, start_timestamp: T0 - 60_000 }], metadata: { type: 1, help_ref: 6, unit_ref: 0 } },
        { labels_refs: [1, 2, 3, 5], samples: [{ value: 2, timestamp: T0 }] },
      ],
    })).finish();
    const r = await post(body);
    expect(r.status).toBe(204);
    expect(written(r)).toEqual(['3', '0', '0']);
    const got = read('http_requests_total');
    expect(got.map((s) => s.labels)).toEqual([labelsFrom({ __name__: 'http_requests_total', job: 'api' }), labelsFrom({ __name__: 'http_requests_total', job: 'other' })]);
    expect([...got[0]!.values]).toEqual([1, 5]);
    expect([...got[0]!.startTimestamps!]).toEqual([T0 - 60_000, T0 - 60_000]);
  });

  it('writes the good part of a bad request, answers 400 saying what was wrong, and refuses an invalid native histogram', async () => {
    const { db, post, read } = await setup();
    const body = WriteV2Request.encode(WriteV2Request.fromObject({
      symbols: ['', '__name__', 'm', 'job', 'a', 'trace_id', 'abc'],
      timeseries: [
        { labels_refs: [1, 2, 3, 4], samples: [{ value: 1, timestamp: T0 }], histograms: [new Uint8Array([0x08, 0x01])], exemplars: [{ labels_refs: [5, 6], value: 0.5, timestamp: T0 }, { labels_refs: [5, 6], value: 0.7, timestamp: T0 - 1 }] },
        { labels_refs: [1, 2, 3, 99], samples: [{ value: 2, timestamp: T0 }] },
        { labels_refs: [3, 4], samples: [{ value: 3, timestamp: T0 }] },
      ],
    })).finish();
    const r = await post(body);
    expect(r.status).toBe(400);
    // The second exemplar is out of order: dropped, without failing the request.
    expect(written(r)).toEqual(['1', '0', '1']);
    const text = await r.text();
    // count_int 1 with no buckets: the storage's validation refuses it.
    expect(text).toContain('0 observations found in buckets, but the Count field is 1');
    expect(text).toContain('parsing labels for series [1,2,3,99]: series: labels_refs 3,99 outside the 7 symbols');
    expect(text).not.toContain('exemplar');
    expect(text).toContain('parsing labels for series [3,4]: invalid metric name or labels, got {job="a"}');
    expect(read('m').map((s) => [...s.values])).toEqual([[1]]);
    const [ex] = exemplarStoreOf(db)!.select(-Infinity, Infinity, [[new Matcher('=', '__name__', 'm')]]);
    expect(ex!.exemplars.map((e) => e.value)).toEqual([0.5]);
  });

  it('negotiates the message from the Content-Type as Prometheus 3 does', () => {
    expect(remoteWriteMessage(null)).toBe('prometheus.WriteRequest');
    expect(remoteWriteMessage('application/x-protobuf')).toBe('prometheus.WriteRequest');
    expect(remoteWriteMessage('application/x-protobuf;proto=prometheus.WriteRequest')).toBe('prometheus.WriteRequest');
    expect(remoteWriteMessage('application/x-protobuf; proto=io.prometheus.write.v2.Request')).toBe('io.prometheus.write.v2.Request');
    expect(remoteWriteMessage('application/x-protobuf;proto=foo')).toEqual({ error: 'unknown type for remote write protobuf message foo, supported: prometheus.WriteRequest, io.prometheus.write.v2.Request' });
    expect(remoteWriteMessage('text/plain')).toHaveProperty('error');
  });

  it('encodes each string once in symbols, the empty string first', () => {
    const body = encodeV2([
      { labels: labelsFrom({ __name__: 'a', job: 'x' }), ts: Float64Array.of(1), vs: Float64Array.of(2), sts: null },
      { labels: labelsFrom({ __name__: 'a', job: 'y' }), ts: Float64Array.of(1), vs: Float64Array.of(2), sts: Float64Array.of(0) },
    ]);
    const m = WriteV2Request.toObject(WriteV2Request.decode(body)) as { symbols: string[]; timeseries: { labels_refs: number[] }[] };
    expect(m.symbols).toEqual(['', '__name__', 'a', 'job', 'x', 'y']);
    expect(m.timeseries.map((t) => t.labels_refs)).toEqual([[1, 2, 3, 4], [1, 2, 3, 5]]);
  });
});

const config = (url: string, extra: Record<string, unknown> = {}) => remoteWriteConfigs({
  remote_write: [{ url, protobuf_message: 'io.prometheus.write.v2.Request', queue_config: { batch_send_deadline: '20ms', min_backoff: '5ms', max_backoff: '20ms' }, ...extra }],
})[0]!;

async function settle(q: QueueManager, want: number) {
  for (let i = 0; i < 400 && q.stats.samplesSent + q.stats.samplesFailed < want; i++) await new Promise((r) => setTimeout(r, 10));
}

describe('remote write 2.0 sender', () => {
  it('delivers samples, staleness markers and start timestamps to a promlet receiver', async () => {
    const { handler, read } = await setup();
    const seen: string[] = [];
    const q = new QueueManager(config('http://promlet/api/v1/write'), { dc: 'eu' }, async (url, init) => {
      const h = new Headers(init.headers);
      seen.push(`${h.get('content-type')} ${h.get('x-prometheus-remote-write-version')}`);
      return handler(new Request(url, init));
    });
    q.setSeries(1, labelsFrom({ __name__: 'c', job: 'a' }));
    const vs = Float64Array.of(1, 2, STALE_NAN);
    await q.append(Uint32Array.of(1, 1, 1), Float64Array.of(T0, T0 + 1000, T0 + 2000), vs, Float64Array.of(T0 - 5000, T0 - 5000, 0));
    await settle(q, 3);
    await q.stop();
    expect(q.stats.samplesSent).toBe(3);
    expect(q.stats.samplesFailed).toBe(0);
    expect(seen[0]).toBe('application/x-protobuf;proto=io.prometheus.write.v2.Request 2.0.0');
    const [s] = read('c');
    expect(s!.labels).toEqual(labelsFrom({ __name__: 'c', dc: 'eu', job: 'a' }));
    expect(new BigUint64Array(s!.values.slice().buffer)[2]).toBe(0x7ff0000000000002n);
    expect([...s!.startTimestamps!]).toEqual([T0 - 5000, T0 - 5000, 0]);
  });

  it('counts samples as failed when a receiver does not confirm them (a 1.0-only receiver)', async () => {
    const q = new QueueManager(config('http://old/api/v1/write'), {}, async () => new Response(null, { status: 204 }));
    q.setSeries(1, labelsFrom({ __name__: 'c' }));
    await q.append(Uint32Array.of(1, 1), Float64Array.of(T0, T0 + 1000), Float64Array.of(1, 2));
    await settle(q, 2);
    await q.stop();
    expect(q.stats).toMatchObject({ samplesSent: 0, samplesFailed: 2 });
    expect(q.stats.lastError).toMatch(/no X-Prometheus-Remote-Write-Samples-Written header: assuming failure/);
  });

  it('refuses an unknown protobuf_message in the configuration', () => {
    expect(() => config('http://x/', { protobuf_message: 'v3' })).toThrow(/unknown remote write protobuf message "v3", supported: prometheus.WriteRequest, io.prometheus.write.v2.Request/);
  });
});
