// OTLP points older than their series' newest go through the appender like
// any others: taken within storage.tsdb.out_of_order_time_window, refused
// with Prometheus's reason outside it.

import { describe, expect, it } from 'vitest';
import { openDB, Matcher } from '../../src/index.js';
import { OtlpReceiver } from '../../src/otlp/receiver.js';
import { otlpConfig } from '../../src/otlp/config.js';

const T = 1_700_000_000_000;
const ns = (ms: number) => `${ms}000000`;

const gauge = (t: number, v: number) => ({
  resourceMetrics: [{
    resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] },
    scopeMetrics: [{ metrics: [{ name: 'temp', gauge: { dataPoints: [{ timeUnixNano: ns(t), asDouble: v }] } }] }],
  }],
});

describe('OTLP out-of-order points', () => {
  it('are stored within the window and refused with "too old sample" outside it', async () => {
    const db = await openDB({ outOfOrderTimeWindow: '10m' });
    const rx = new OtlpReceiver(db, { config: () => otlpConfig(undefined), now: () => T });
    const post = (body: unknown) => rx.handle(new Request('http://x/api/v1/otlp/v1/metrics', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
    expect((await post(gauge(T, 2))).status).toBe(200);
    expect((await post(gauge(T - 60_000, 1))).status).toBe(200);
    const late = await post(gauge(T - 3_600_000, 0));
    expect(late.status).toBe(400);
    expect(await late.text()).toMatch(/too old sample/);
    const q = db.querier(0, Number.MAX_SAFE_INTEGER);
    const [s] = q.select([new Matcher('=', '__name__', 'temp')]);
    const { timestamps, values } = s!.samples(0, Number.MAX_SAFE_INTEGER);
    q.close();
    expect([...timestamps]).toEqual([T - 60_000, T]);
    expect([...values]).toEqual([1, 2]);
    expect(db.stats().outOfOrderAppendedSamples).toBeGreaterThanOrEqual(1);
  });
});
