// Native histograms through the API handler from storage: /api/v1/query
// answers `histogram`, /api/v1/query_range `histograms`, beside `values`
// for a series that switches from floats to histograms.

import { describe, expect, it } from 'vitest';
import { openDB } from '../../src/index.js';
import { createApiHandler } from '../../src/api/handler.js';
import { createEngine } from '../../src/promql/engine/engine.js';
import { CounterResetHint, type FloatHistogram } from '../../src/model/histogram.js';

const T = Date.UTC(2026, 0, 1, 12);
const hist = (n: number): FloatHistogram => ({
  counterResetHint: CounterResetHint.Unknown, schema: 0, zeroThreshold: 0.001, zeroCount: 1, count: 1 + 2 * n, sum: 3 * n,
  positiveSpans: [{ offset: 1, length: 1 }], positiveBuckets: [n], negativeSpans: [{ offset: 0, length: 1 }], negativeBuckets: [n],
});

async function api() {
  const db = await openDB();
  const app = db.appender();
  for (let i = 0; i < 3; i++) app.appendHistogram!({ __name__: 'latency', job: 'a' }, T + i * 60_000, hist(i + 1));
  app.append({ __name__: 'latency', job: 'b' }, T, 5);
  app.appendHistogram!({ __name__: 'latency', job: 'b' }, T + 60_000, hist(1));
  await app.commit();
  const handler = createApiHandler({ db, engine: createEngine(db), now: () => T, info: { version: 't', startTime: new Date(T), flags: {}, configYaml: () => '' } });
  return async (path: string) => (await (await handler(new Request(`http://x${path}`))).json()) as { status: string; data: { resultType: string; result: unknown[] } };
}

describe('histogram query results', () => {
  it('answers an instant query with histogram elements', async () => {
    const r = await (await api())(`/api/v1/query?query=latency&time=${(T + 120_000) / 1000}`);
    expect(r.data).toEqual({
      resultType: 'vector',
      result: [
        { metric: { __name__: 'latency', job: 'a' }, histogram: [(T + 120_000) / 1000, { count: '7', sum: '9', buckets: [[1, '-1', '-0.5', '3'], [3, '-0.001', '0.001', '1'], [0, '1', '2', '3']] }] },
        { metric: { __name__: 'latency', job: 'b' }, histogram: [(T + 120_000) / 1000, { count: '3', sum: '3', buckets: [[1, '-1', '-0.5', '1'], [3, '-0.001', '0.001', '1'], [0, '1', '2', '1']] }] },
      ],
    });
  });

  it('answers a range query with values and histograms of each series', async () => {
    const r = await (await api())(`/api/v1/query_range?query=latency&start=${T / 1000}&end=${(T + 60_000) / 1000}&step=60`);
    const [a, b] = r.data.result as { metric: Record<string, string>; values?: unknown[]; histograms?: [number, { count: string }][] }[];
    expect(Object.keys(a!)).toEqual(['metric', 'histograms']);
    expect(a!.histograms!.map(([t, h]) => [t, h.count])).toEqual([[T / 1000, '3'], [T / 1000 + 60, '5']]);
    expect(b!.values).toEqual([[T / 1000, '5']]);
    expect(b!.histograms!.map(([t, h]) => [t, h.count])).toEqual([[T / 1000 + 60, '3']]);
  });
});
