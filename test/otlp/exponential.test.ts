// OTLP exponential histograms arrive as native histograms, laid out as
// Prometheus's OTLP receiver lays them out: scale clamped to 8 by merging
// buckets, bucket i as Prometheus bucket i+1, short gaps filled, the
// default zero threshold, delta points as gauge histograms.

import { describe, expect, it } from 'vitest';
import { openDB, Matcher } from '../../src/index.js';
import { OtlpReceiver } from '../../src/otlp/receiver.js';
import { otlpConfig } from '../../src/otlp/config.js';
import { ExportMetricsServiceRequest } from '../../src/otlp/proto.js';
import { CounterResetHint } from '../../src/model/histogram.js';
import { isStaleNaN } from '../../src/model/stale.js';
import { recordingAppendable } from '../support/histogram-appender.js';

const T = 1_700_000_000_000;
const ns = (ms: number) => `${ms}000000`;

const request = (points: unknown[], temporality = 2) => ({
  resourceMetrics: [{
    resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] },
    scopeMetrics: [{ metrics: [{ name: 'latency', unit: 's', exponentialHistogram: { aggregationTemporality: temporality, dataPoints: points } }] }],
  }],
});

async function setup(allowDelta = false) {
  const db = await openDB();
  const rec = recordingAppendable(db);
  const rx = new OtlpReceiver(rec, { config: () => otlpConfig(undefined), now: () => T, allowDelta });
  const post = (body: unknown, protobuf = false) => rx.handle(new Request('http://x/api/v1/otlp/v1/metrics', {
    method: 'POST', headers: { 'content-type': protobuf ? 'application/x-protobuf' : 'application/json' },
    body: protobuf ? ExportMetricsServiceRequest.encode(ExportMetricsServiceRequest.fromObject(body as Record<string, unknown>)).finish() as Uint8Array<ArrayBuffer> : JSON.stringify(body),
  }));
  return { db, rec, post };
}

describe('OTLP exponential histograms', () => {
  it('become native histograms with Prometheus bucket indexes, in JSON and protobuf', async () => {
    for (const protobuf of [false, true]) {
      const { rec, post } = await setup();
      const res = await post(request([{
        timeUnixNano: ns(T), startTimeUnixNano: ns(T - 60_000), count: '8', sum: 12.5, scale: 2, zeroCount: '1',
        positive: { offset: 0, bucketCounts: ['1', '0', '2'] }, negative: { offset: -2, bucketCounts: ['4'] },
        attributes: [{ key: 'route', value: { stringValue: '/x' } }],
      }]), protobuf);
      expect(res.status).toBe(200);
      expect(rec.histograms).toEqual([{
        labels: { __name__: 'latency_seconds', job: 'api', route: '/x' }, t: T,
        h: {
          integer: true, counterResetHint: CounterResetHint.Unknown, schema: 2, zeroThreshold: 1e-128, zeroCount: 1, count: 8, sum: 12.5,
          positiveSpans: [{ offset: 1, length: 3 }], positiveBuckets: [1, 0, 2], negativeSpans: [{ offset: -1, length: 1 }], negativeBuckets: [4],
        },
      }]);
    }
  });

  it('merges buckets of scales above 8 down to schema 8, leaving long empty runs out', async () => {
    const { rec, post } = await setup();
    const counts = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4].map(String);
    expect((await post(request([{ timeUnixNano: ns(T), count: '9', sum: 1, scale: 10, positive: { offset: -5, bucketCounts: counts } }]))).status).toBe(200);
    expect(rec.histograms[0]!.h).toMatchObject({ schema: 8, positiveSpans: [{ offset: -1, length: 2 }, { offset: 3, length: 1 }], positiveBuckets: [1, 4, 4] });
  });

  it('keeps delta points as gauge histograms when delta ingestion is on, and refuses them otherwise', async () => {
    const point = { timeUnixNano: ns(T), count: '1', sum: 1, scale: 0, positive: { offset: 0, bucketCounts: ['1'] } };
    const on = await setup(true);
    expect((await on.post(request([point], 1))).status).toBe(200);
    expect(on.rec.histograms[0]!.h.counterResetHint).toBe(CounterResetHint.Gauge);
    const off = await setup(false);
    expect((await off.post(request([point], 1))).status).toBe(400);
  });

  it('ends the series with a staleness marker for a point without a recorded value', async () => {
    const { db, rec, post } = await setup();
    expect((await post(request([{ timeUnixNano: ns(T), flags: 1, scale: 0 }]))).status).toBe(200);
    expect(rec.histograms).toEqual([]);
    const q = db.querier(0, T);
    const [s] = q.select([new Matcher('=', '__name__', 'latency_seconds')]);
    expect(isStaleNaN(s!.samples(0, T).values[0]!)).toBe(true);
    q.close();
  });
});
