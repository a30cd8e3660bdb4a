// The engine over stored native histograms: selectors, rate, aggregation,
// quantiles, operators, annotations, and histograms counted against the
// sample limit by size.

import { describe, expect, it } from 'vitest';
import { openDB } from '../../src/storage/db.js';
import { createEngine } from '../../src/promql/engine/engine.js';
import type { FloatHistogram } from '../../src/model/histogram.js';
import { histogramOf } from '../../src/promql/engine/histogram-json.js';

function hist(count: number, buckets: number[], over: Partial<FloatHistogram> = {}): FloatHistogram {
  return {
    counterResetHint: 0, schema: 0, zeroThreshold: 0, zeroCount: 0, count, sum: count,
    positiveSpans: buckets.length ? [{ offset: 0, length: buckets.length }] : [], positiveBuckets: buckets,
    negativeSpans: [], negativeBuckets: [], ...over,
  };
}

async function dbWith(series: { labels: Record<string, string>; samples: [number, FloatHistogram | number][] }[]) {
  const db = await openDB();
  const app = db.appender();
  for (const s of series) {
    for (const [t, v] of s.samples) {
      if (typeof v === 'number') app.append(s.labels, t, v);
      else app.appendHistogram!(s.labels, t, v);
    }
  }
  await app.commit();
  return db;
}

const engineOf = (db: Awaited<ReturnType<typeof openDB>>, maxSamples?: number) =>
  createEngine(db, { features: ['promql-delayed-name-removal'], ...(maxSamples ? { maxSamples } : {}) });

describe('native histograms in the engine', () => {
  it('an instant selector sees the latest sample of either kind', async () => {
    const db = await dbWith([{ labels: { __name__: 'm' }, samples: [[0, hist(1, [1])], [60_000, 5], [120_000, hist(2, [2])]] }]);
    const e = engineOf(db);
    const at = (t: number) => e.instantQuerySync('m', t);
    const r1 = at(60_000);
    expect(r1.resultType === 'vector' && r1.result[0]!.value?.[1]).toBe('5');
    const r2 = at(120_000);
    expect(r2.resultType === 'vector' && r2.result[0]!.histogram).toBeTruthy();
  });

  it('rate of a counter histogram extrapolates like a float counter', async () => {
    const samples: [number, FloatHistogram][] = [];
    for (let i = 1; i <= 6; i++) samples.push([i * 10_000, hist(i * 10, [i * 5, i * 5])]);
    const db = await dbWith([{ labels: { __name__: 'h_seconds' }, samples }]);
    const r = engineOf(db).instantQuerySync('rate(h_seconds[1m])', 60_000);
    if (r.resultType !== 'vector') throw new Error(r.resultType);
    const h = histogramOf(r.result[0]!.histogram![1])!;
    // 50 observations over 50s, extrapolated 10s back to zero: 60 in the 60s range.
    expect(h.count).toBeCloseTo(1, 12);
    expect(h.positiveBuckets).toEqual([0.5, 0.5]);
    expect(h.counterResetHint).toBe(3);
    expect(engineOf(db).instantQuerySync('histogram_count(rate(h_seconds[1m]))', 60_000).result).toEqual([{ metric: {}, value: [60, '1'] }]);
  });

  it('sums histograms of different schemas and warns on a mix with floats', async () => {
    const db = await dbWith([
      { labels: { __name__: 'a', i: '1' }, samples: [[0, hist(2, [1, 1], { schema: 1 })]] },
      { labels: { __name__: 'a', i: '2' }, samples: [[0, hist(3, [3])]] },
      { labels: { __name__: 'b', i: '1' }, samples: [[0, hist(1, [1])]] },
      { labels: { __name__: 'b', i: '2' }, samples: [[0, 7]] },
    ]);
    const e = engineOf(db);
    const r = e.instantQuerySync('sum(a)', 0);
    if (r.resultType !== 'vector') throw new Error(r.resultType);
    const h = histogramOf(r.result[0]!.histogram![1])!;
    // Schema-1 buckets 0 and 1 are (0.7,1] and (1,1.4]: they land in schema-0 buckets 0 and 1.
    expect(h.schema).toBe(0);
    expect(h.count).toBe(5);
    expect(h.positiveBuckets).toEqual([4, 1]);
    const mixed = e.instantQuerySync('sum(b)', 0);
    expect(mixed.result).toEqual([]);
    expect(mixed.warnings).toEqual(['PromQL warning: encountered a mix of histograms and floats for aggregation (1:5)']);
    const ignored = e.instantQuerySync('max(b)', 0);
    expect(ignored.result).toEqual([{ metric: {}, value: [0, '7'] }]);
    expect(ignored.infos).toEqual(['PromQL info: ignored histogram in max aggregation (1:5)']);
  });

  it('answers histogram_quantile and histogram_fraction from the buckets', async () => {
    const db = await dbWith([{ labels: { __name__: 'q' }, samples: [[0, hist(4, [1, 2, 1])]] }]);
    const e = engineOf(db);
    // From the top, rank 2 of 4 is half-way into bucket (1,2]: exponential interpolation gives sqrt(2).
    expect(e.instantQuerySync('histogram_quantile(0.5, q)', 0).result).toEqual([{ metric: {}, value: [0, '1.4142135623730951'] }]);
    expect(e.instantQuerySync('histogram_fraction(0, 2, q)', 0).result).toEqual([{ metric: {}, value: [0, '0.75'] }]);
  });

  it('scales by scalars, adds histograms, and drops incompatible pairs with an info', async () => {
    const db = await dbWith([{ labels: { __name__: 'x' }, samples: [[0, hist(2, [2])]] }]);
    const e = engineOf(db);
    const doubled = e.instantQuerySync('histogram_count(x * 2 + x)', 0);
    expect(doubled.result).toEqual([{ metric: {}, value: [0, '6'] }]);
    const bad = e.instantQuerySync('x + 1', 0);
    expect(bad.result).toEqual([]);
    expect(bad.infos).toEqual(['PromQL info: incompatible sample types encountered for binary operator "+": histogram + float (1:1)']);
  });

  it('counts a histogram against the sample limit by its size', async () => {
    const big = hist(40, new Array(40).fill(1));
    const db = await dbWith([{ labels: { __name__: 'big' }, samples: [[0, big]] }, { labels: { __name__: 'f' }, samples: [[0, 1]] }]);
    // 168 + 8 * (1 span + 40 buckets) bytes: 31 samples' worth.
    expect(() => engineOf(db, 20).instantQuerySync('big', 0)).toThrow(/too many samples/);
    expect(engineOf(db, 20).instantQuerySync('f', 0).result).toHaveLength(1);
    expect(engineOf(db, 40).instantQuerySync('big', 0).result).toHaveLength(1);
  });
});
