// otlp.convert_histograms_to_nhcb: OTLP explicit-bucket histograms arrive as
// native histograms with custom buckets, laid out as Prometheus's OTLP
// receiver lays them out, instead of _bucket/_count/_sum series.

import { describe, expect, it } from 'vitest';
import { openDB, createEngine } from '../../src/index.js';
import { OtlpReceiver } from '../../src/otlp/receiver.js';
import { otlpConfig } from '../../src/otlp/config.js';
import { CounterResetHint, CUSTOM_BUCKETS_SCHEMA } from '../../src/model/histogram.js';
import { isStaleNaN } from '../../src/model/stale.js';
import { recordingAppendable } from '../support/histogram-appender.js';

const T = 1_700_000_000_000;
const ns = (ms: number) => `${ms}000000`;

const request = (points: unknown[], temporality = 2) => ({
  resourceMetrics: [{
    resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] },
    scopeMetrics: [{ metrics: [{ name: 'latency', unit: 's', histogram: { aggregationTemporality: temporality, dataPoints: points } }] }],
  }],
});

async function setup(convert: boolean, record = true) {
  const db = await openDB();
  const rec = recordingAppendable(db);
  const rx = new OtlpReceiver(record ? rec : db, { config: () => otlpConfig({ convert_histograms_to_nhcb: convert }), now: () => T });
  const post = (body: unknown) => rx.handle(new Request('http://x/api/v1/otlp/v1/metrics', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  }));
  return { db, rec, post };
}

describe('OTLP explicit-bucket histograms with convert_histograms_to_nhcb', () => {
  it('become one custom-bucket histogram per point, leading empty buckets skipped and short gaps kept', async () => {
    const { rec, post } = await setup(true);
    const res = await post(request([{
      timeUnixNano: ns(T), count: '5', sum: 2.5, explicitBounds: [0.1, 0.5, 1], bucketCounts: ['0', '2', '0', '3'],
      attributes: [{ key: 'route', value: { stringValue: '/x' } }],
    }]));
    expect(res.status).toBe(200);
    expect(rec.histograms).toEqual([{
      labels: { __name__: 'latency_seconds', job: 'api', route: '/x' }, t: T,
      h: {
        integer: true, counterResetHint: CounterResetHint.Unknown, schema: CUSTOM_BUCKETS_SCHEMA, zeroThreshold: 0, zeroCount: 0, count: 5, sum: 2.5,
        positiveSpans: [{ offset: 1, length: 3 }], positiveBuckets: [2, 0, 3], negativeSpans: [], negativeBuckets: [], customValues: [0.1, 0.5, 1],
      },
    }]);
  });

  it('answers histogram_quantile like the classic series the same points give without it', async () => {
    const points = [0, 60_000].map((d, i) => ({
      timeUnixNano: ns(T + d), startTimeUnixNano: ns(T - 60_000), count: String(10 + i * 10), sum: 3 + i,
      explicitBounds: [0.1, 0.5, 1, 5], bucketCounts: [String(1 + i), '0', String(6 + i * 6), '0', String(3 + i * 3)],
    }));
    const answers: number[] = [];
    for (const convert of [true, false]) {
      const { db, post } = await setup(convert, false);
      expect((await post(request(points))).status).toBe(200);
      const q = convert ? 'histogram_quantile(0.75, latency_seconds)' : 'histogram_quantile(0.75, latency_seconds_bucket)';
      const r = createEngine(db).instantQuerySync(q, T + 60_000).result as { value: [number, string] }[];
      answers.push(Number(r[0]!.value[1]));
    }
    expect(answers[0]).toBeGreaterThan(0.5);
    expect(answers[0]).toBeCloseTo(answers[1]!, 12);
  });

  it('keeps the classic series when the option is off, and stores a stale marker for a point with no recorded value', async () => {
    const off = await setup(false);
    await off.post(request([{ timeUnixNano: ns(T), count: '1', sum: 1, explicitBounds: [1], bucketCounts: ['1', '0'] }]));
    expect(off.rec.histograms).toEqual([]);
    const on = await setup(true);
    await on.post(request([{ timeUnixNano: ns(T), count: '1', sum: 1, explicitBounds: [1], bucketCounts: ['1', '0'], flags: 1 }]));
    expect(on.rec.histograms).toEqual([]);
    const r = on.db.querier(T - 1, T + 1);
    const series = r.select([]);
    expect(series.map((s) => s.labels.find((l) => l.name === '__name__')!.value)).toContain('latency_seconds');
    const s = series.find((x) => x.labels.some((l) => l.name === '__name__' && l.value === 'latency_seconds'))!;
    expect(isStaleNaN(s.samples(T - 1, T + 1).values[0]!)).toBe(true);
    r.close();
  });
});
