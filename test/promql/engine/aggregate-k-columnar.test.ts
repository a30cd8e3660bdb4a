// topk, bottomk, limitk, limit_ratio, quantile and count_values over columns
// (src/promql/engine/aggregate-k-columnar.ts, count-values-columnar.ts)
// against the step-by-step path
// (an engine with `columnar: false`: the same answer, annotations, sample
// statistics and errors) and against instant queries at single steps. The
// data holds ties (the heap's choice among equals must be the same), NaN,
// ±Inf, gaps, a staleness marker and native histograms mixed in.

import { beforeAll, describe, expect, it } from 'vitest';
import { type EnginePair, STEP, STEPS, T0, columnarEngines, compareWithInstant, rangeAnswer } from '../../fixtures/columnar-data.js';
import { openDB } from '../../../src/index.js';
import { createEngine } from '../../../src/promql/engine/engine.js';
import { seededRandom } from '../../../src/model/seeded-random.js';
import { STALE_NAN } from '../../../src/model/stale.js';

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

// topk-columnar.ts: bottomk compares negated values, groups are marked fresh
// per step by a stamp and k is read per step from its column. Values drawn
// from a small set with -0 beside 0, NaN and ±Inf make ties at nearly every
// step; the answers are compared as text with the step-by-step path's
// (`-0` and `0` differ there), and the order of the series with them.
describe('topk and bottomk over ties, NaN, -0 and a k that varies per step', () => {
  const VALUES = [0, -0, 1, 1, 2, -1, NaN, Infinity, -Infinity, 0.5];
  // k per step: below 1 (no output), fractions (truncated), and more than the series.
  const KS = [3, 1, 0, 2, -1, 0.5, 1.9, 40, 5, 1e3];
  const SERIES = 14;
  let engines: { columnar: ReturnType<typeof createEngine>; steps: ReturnType<typeof createEngine> };
  const start = T0 + 10 * STEP, end = T0 + (STEPS - 1) * STEP;

  beforeAll(async () => {
    const db = await openDB();
    const rnd = seededRandom(23);
    for (let k = 0; k < STEPS; k++) {
      const app = db.appender();
      const t = T0 + k * STEP;
      for (let i = 0; i < SERIES; i++) {
        const labels = { __name__: 'v', i: String(i), grp: String(i % 3) };
        const r = rnd();
        if (r < 0.08) continue; // absent at this step (the last value stays in the lookback)
        if (i === 9 && k % 40 === 20) app.append(labels, t, STALE_NAN);
        else app.append(labels, t, VALUES[Math.floor(rnd() * VALUES.length)]!);
      }
      app.append({ __name__: 'kk' }, t, KS[k % KS.length]!);
      app.append({ __name__: 'kz' }, t, k % 20 < 10 ? 0 : 2);
      await app.commit();
    }
    engines = { columnar: createEngine(db), steps: createEngine(db, { columnar: false }) };
  });

  const queries = [
    'topk(3, v)', 'bottomk(3, v)', 'topk(1, v)', 'bottomk(1, v)', 'topk(20, v)', 'bottomk(13, v)',
    'topk by (grp) (2, v)', 'bottomk by (grp) (2, v)', 'topk without (i) (1, v)',
    'topk(scalar(kk), v)', 'bottomk(scalar(kk), v)', 'topk by (grp) (scalar(kk), v)', 'bottomk by (grp) (scalar(kk), v)',
    'topk(scalar(kz), v)', 'bottomk(scalar(kz), v)', 'bottomk(2, -v)', 'topk(4, v * -1)', 'bottomk(0, v)',
  ];
  for (const q of queries) {
    it(`${q}: the step-by-step path's text and series order`, () => {
      const want = engines.steps.rangeQueryTextSync(q, start, end, STEP);
      const got = engines.columnar.rangeQueryTextSync(q, start, end, STEP);
      expect(got.resultJSON ?? JSON.stringify(got.result.result)).toBe(want.resultJSON ?? JSON.stringify(want.result.result));
      expect(got.result.stats.samples).toEqual(want.result.stats.samples);
    });
  }

  // A range answer shows a step's order only where it first emits a series: short ranges from every step show each step's.
  it('orders each step\'s winners as the step-by-step path does (two-step ranges and instant queries from every step)', () => {
    for (const q of ['topk(3, v)', 'bottomk(4, v)', 'topk by (grp) (2, v)', 'bottomk(scalar(kk), v)', 'topk(9, v)']) {
      for (let t = start; t < end; t += STEP) {
        const want = engines.steps.rangeQueryTextSync(q, t, t + STEP, STEP);
        const got = engines.columnar.rangeQueryTextSync(q, t, t + STEP, STEP);
        expect(got.resultJSON ?? JSON.stringify(got.result.result), `${q} at ${t}`).toBe(want.resultJSON ?? JSON.stringify(want.result.result));
        expect(engines.columnar.instantQuerySync(q, t).result, `${q} at ${t}`).toEqual(engines.steps.instantQuerySync(q, t).result);
      }
    }
  });

  it('has ties of -0 with 0 and NaN among the winners (the data is not degenerate)', () => {
    const text = JSON.stringify(engines.steps.rangeQuerySync('bottomk(13, v)', start, end, STEP).result);
    expect(text).toContain('"-0"');
    expect(text).toContain('"NaN"');
    const k = engines.steps.rangeQuerySync('topk(scalar(kk), v)', start, end, STEP).result as { values: unknown[] }[];
    // Steps with k below 1 answer nothing, so no series has every step.
    expect(Math.max(...k.map((s) => s.values.length))).toBeLessThan(end / STEP - start / STEP);
  });

  it('every 5th step of the range query equals the instant query there', () => {
    for (const q of ['topk(3, v)', 'bottomk by (grp) (2, v)', 'bottomk(scalar(kk), v)']) {
      expect(compareWithInstant(engines.columnar, q, start, end, 5)).toBeGreaterThan(20);
    }
  });
});
