// Number literals over a range query's steps as one column (evaluator.ts,
// literalColumns) against the step-by-step path that builds a vector per
// step: the same answers, text byte for byte, the same sample statistics,
// and the same max-samples errors at the edge of the limit.

import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type DB } from '../../../src/index.js';
import { STEP, STEPS, T0, columnarDifferential, columnarFixture, rangeAnswer } from '../../fixtures/columnar-data.js';

// Scalar-valued: their instant answers are scalars, which the instant comparison does not read.
const SCALARS = ['1', '-0', 'NaN', '-Inf', '0x10', '1 + 2', '-(3)', 'time() + 1', 'scalar(g) * 3'];

const VECTORS = [
  '2 * g',
  'g > 0.5',
  '0.5 < bool g',
  'topk(2, g)',
  'bottomk(3, g)',
  'quantile(0.3, g)',
  'quantile by (grp) (-0.5, g)',
  'histogram_quantile(0.9, sum by (le) (label_replace(abs(g), "le", "$1", "i", "(.*)")))',
  'clamp(g, -1, 1)',
  'round(g, 0.1)',
  'vector(1)',
  'sum(g) / 0',
  'count_values("x", g * 0 + 1)',
  'max_over_time((g + 1)[2m:30s])',
  'label_replace(vector(4), "a", "b", "", "")',
];

const QUERIES = [...SCALARS, ...VECTORS];

columnarDifferential('number literals as columns', VECTORS);

describe('number literals as columns: text and limits', () => {
  let db: DB;
  beforeAll(async () => {
    db = await columnarFixture();
  });
  const start = T0 + 10 * STEP, end = T0 + (STEPS - 1) * STEP;

  it('answers scalar-valued queries as the step-by-step path does', () => {
    for (const features of [[], ['promql-delayed-name-removal' as const]]) {
      const columnar = createEngine(db, { features }), steps = createEngine(db, { features, columnar: false });
      for (const q of SCALARS) {
        const want = rangeAnswer(steps, q, start, end);
        expect(want.error, q).toBeUndefined();
        expect(rangeAnswer(columnar, q, start, end), q).toEqual(want);
      }
    }
  });

  it('writes the same answer text, byte for byte, as the step-by-step path', () => {
    const columnar = createEngine(db), steps = createEngine(db, { columnar: false });
    for (const q of QUERIES) {
      const a = columnar.rangeQueryTextSync(q, start, end, STEP);
      const b = steps.rangeQueryTextSync(q, start, end, STEP);
      expect(a.resultJSON, q).toBe(b.resultJSON);
      expect(a.result.stats.samples, q).toEqual(b.result.stats.samples);
    }
  });

  it('keeps -0 and NaN as the literal gives them', () => {
    const r = createEngine(db).rangeQuerySync('-0', start, start + 2 * STEP, STEP).result as { values: [number, string][] }[];
    expect(r[0]!.values.map((v) => v[1])).toEqual(['-0', '-0', '-0']);
    const n = createEngine(db).rangeQuerySync('NaN', start, start + STEP, STEP).result as { values: [number, string][] }[];
    expect(n[0]!.values.map((v) => v[1])).toEqual(['NaN', 'NaN']);
  });

  it('counts a literal\'s samples as the step-by-step path does, at the edge of the limit', () => {
    for (const q of ['1', 'topk(2, g)', '2 * g']) {
      const peak = createEngine(db, { columnar: false }).rangeQuerySync(q, start, end, STEP).stats.samples.peakSamples;
      for (const maxSamples of [peak, peak - 1, STEPS - 20, STEPS - 10]) {
        const want = rangeAnswer(createEngine(db, { maxSamples, columnar: false }), q, start, end);
        expect(rangeAnswer(createEngine(db, { maxSamples }), q, start, end), `${q} with ${maxSamples}`).toEqual(want);
        if (maxSamples === peak) expect(want.error).toBeUndefined();
        if (maxSamples === peak - 1) expect(want.error).toMatch(/too many samples|query processing would load too many samples/);
      }
    }
  });
});
