// topk, bottomk, limitk, limit_ratio, quantile and count_values over columns
// (src/promql/engine/aggregate-k-columnar.ts, count-values-columnar.ts)
// against the step-by-step path
// (an engine with `columnar: false`: the same answer, annotations, sample
// statistics and errors) and against instant queries at single steps. The
// data holds ties (the heap's choice among equals must be the same), NaN,
// ±Inf, gaps, a staleness marker and native histograms mixed in.

import { beforeAll, describe, expect, it } from 'vitest';
import { type EnginePair, STEP, STEPS, T0, columnarEngines, compareWithInstant, rangeAnswer } from '../../fixtures/columnar-data.js';

const QUERIES = [
  'topk(3, g)',
  'topk by (grp) (2, g)',
  'topk(1, g)',
  'topk(5, g == 1)',
  'bottomk(2, g)',
  'bottomk without (i, host) (1, g)',
  'topk(scalar(count(g)) - 9, g)',
  'topk(1000, rate(c_total[1m]))',
  'bottomk(1, mixed)',
  'topk(2, mixed)',
  'limitk(2, g)',
  'limitk by (grp) (1, g)',
  'limitk(1, mixed)',
  'limit_ratio(0.5, g)',
  'limit_ratio(-0.4, g)',
  'limit_ratio by (grp) (0.9, g)',
  'quantile(0.5, g)',
  'quantile by (grp) (0.9, g)',
  'quantile(scalar(count(g)) / 20, g)',
  'quantile(0.2, mixed)',
  'sum(topk by (grp) (1, g))',
  'count_values("v", g)',
  'count_values by (grp) ("v", g)',
  'count_values without (i, host) ("v", round(g / 20))',
  'count_values("i", g)',
  'count_values("v", mixed)',
  'sum(count_values("v", g))',
];

describe('k aggregations and quantile over columns', () => {
  let engines: Record<string, EnginePair>;
  beforeAll(async () => {
    engines = await columnarEngines();
  });
  const start = T0 + 10 * STEP, end = T0 + (STEPS - 1) * STEP;

  for (const mode of ['default', 'delayed name removal']) {
    for (const q of QUERIES) {
      it(`${mode}: ${q} answers as the step-by-step path does`, () => {
        const { columnar, steps } = engines[mode]!;
        const want = rangeAnswer(steps, q, start, end);
        expect(want.error).toBeUndefined();
        expect(rangeAnswer(columnar, q, start, end)).toEqual(want);
      });
    }
  }

  for (const q of QUERIES) {
    it(`${q}: every 7th step of the range query equals the instant query there`, () => {
      expect(compareWithInstant(engines['default']!.columnar, q, start, end, 7)).toBeGreaterThan(10);
    });
  }

  it('answers nothing for k below 1 or a ratio of 0, and the parameter errors of the step-by-step path', () => {
    const { columnar, steps } = engines['default']!;
    for (const q of ['topk(0, g)', 'limit_ratio(0, g)', 'topk(scalar(vector(NaN)), g)', 'limit_ratio(NaN, g)', 'topk(1e30, g)']) {
      expect(rangeAnswer(columnar, q, start, end)).toEqual(rangeAnswer(steps, q, start, end));
    }
    expect(rangeAnswer(columnar, 'topk(0, g)', start, end).data).toEqual([]);
    expect(rangeAnswer(columnar, 'topk(1e30, g)', start, end).error).toMatch(/overflows int64/);
  });

  it('picks among ties as the step-by-step path does (the data has them)', () => {
    const r = engines['default']!.columnar.instantQuerySync('count(count_values("v", g) > 1)', T0 + 50 * STEP).result as unknown[];
    expect(r.length).toBe(1);
    const top = rangeAnswer(engines['default']!.columnar, 'topk(2, g == 2)', start, end);
    expect((top.data as unknown[]).length).toBeGreaterThan(0);
  });
});
