// Aggregations folded as their input is computed (src/promql/engine/
// aggregate-stream.ts) against the step-by-step engine (`columnar: false`):
// the same answers string for string (so the same bits), the same warnings,
// infos, sample statistics and errors, over random data with NaN, ±Inf,
// staleness markers, gaps, counter resets, magnitudes that make the Kahan
// terms matter, many series in few and in many groups, `by` and `without`,
// nested aggregations, selectors, range functions over selectors and
// subqueries, WebAssembly window reductions, native histograms mixed in
// (the held path takes over) and names that collide once dropped. Then the
// memory budget: a streamed aggregation is charged groups × steps, whatever
// the number of input series, while max-samples counts what Prometheus
// counts.

import { beforeAll, describe, expect, it } from 'vitest';
import { openDB, createEngine, QueryMemoryError, type DB, type Engine } from '../../../src/index.js';
import type { Feature } from '../../../src/promql/engine/engine.js';
import { STALE_NAN } from '../../../src/model/stale.js';
import { seededRandom } from '../../../src/model/seeded-random.js';
import { floatHistogram } from '../../fixtures/histograms.js';
import { rangeAnswer } from '../../fixtures/columnar-data.js';

const T0 = Date.UTC(2026, 0, 1);
const STEP = 15_000;
const STEPS = 200;
const SERIES = 120;
const LES = ['0.05', '0.1', '0.5', '1', '5', '+Inf'];

function gaugeValue(r: () => number, i: number): number | null {
  const x = r();
  if (x < 0.02) return null; // a missed scrape
  if (x < 0.03) return NaN;
  if (x < 0.035) return r() < 0.5 ? Infinity : -Infinity;
  // Magnitudes far apart in some series: the compensation terms change the sums' last bits.
  if (i % 9 === 0) return (r() - 0.5) * 1e16;
  if (i % 9 === 1) return r() * 1e-3;
  return Math.round((r() - 0.3) * 1e6) / 100;
}

async function fixture(series: number, seed: number): Promise<DB> {
  const db = await openDB();
  const r = seededRandom(seed);
  const counters = new Float64Array(series);
  const buckets = new Float64Array(series * LES.length);
  for (let k = 0; k < STEPS; k++) {
    const app = db.appender();
    const t = T0 + k * STEP + 1 + Math.floor(r() * 3000);
    for (let i = 0; i < series; i++) {
      const labels = { __name__: 'm', i: String(i), g: String(i % 5), h: `h${i % 7}` };
      if (i % 17 === 3 && k >= 80 && k < 110) continue; // a gap longer than the lookback
      if (i % 23 === 4 && k === 120) app.append(labels, t, STALE_NAN);
      else if (!(i % 23 === 4 && k > 120 && k < 140)) {
        const v = gaugeValue(r, i);
        if (v !== null) app.append(labels, t, v);
      }
      counters[i]! += Math.floor(r() * 100);
      if (r() < 0.01) counters[i] = Math.floor(r() * 10); // a restart
      if (!(i % 13 === 5 && k < 50)) app.append({ __name__: 'c_total', i: String(i), g: String(i % 5), h: `h${i % 7}` }, t, counters[i]!);
      if (i < series / 4) {
        let acc = 0;
        for (const [b, le] of LES.entries()) {
          buckets[i * LES.length + b]! += Math.floor(r() * 10 * (b + 1));
          acc = Math.max(acc, buckets[i * LES.length + b]!);
          app.append({ __name__: 'lat_bucket', i: String(i), g: String(i % 3), le }, t, acc);
        }
      }
    }
    // c2_total{i="0"...}: the labels of c_total{i="0"...} once names are dropped, for some steps only.
    if (k >= 150 && k < 160) app.append({ __name__: 'c2_total', i: '0', g: '0', h: 'h0' }, t, k);
    // A series of native histograms beside floats of the same name.
    if (k >= 60 && k < 90) app.appendHistogram!({ __name__: 'mixed', i: '0' }, t, floatHistogram(1 + k / 100));
    else app.append({ __name__: 'mixed', i: '0' }, t, k);
    app.append({ __name__: 'mixed', i: '1' }, t, 2 * k);
    await app.commit();
  }
  return db;
}

const OPS = ['sum', 'avg', 'count', 'min', 'max', 'group', 'stddev', 'stdvar'];
const INPUTS = [
  'm',
  'm offset 2m',
  'rate(c_total[2m])',
  'increase(c_total[5m])',
  'avg_over_time(m[3m])',
  'max_over_time(m[1m])',
  'last_over_time(m[2m])',
  'irate(c_total[1m])',
  'deriv(m[3m])',
  'quantile_over_time(0.3, m[2m])',
  'rate(c_total[10s])', // range ≤ step: the window reductions' points
  'max_over_time(m[4m:30s])', // a subquery's columns as the range
  '(rate(c_total[2m]))',
];
const GROUPINGS = ['', 'by (g)', 'without (i)', 'by (i)', 'by (g, h)', 'without (g, h)'];

const queries: string[] = [];
for (const [n, op] of OPS.entries()) {
  for (const [j, input] of INPUTS.entries()) queries.push(`${op} ${GROUPINGS[(n + j) % GROUPINGS.length]} (${input})`);
}
queries.push(
  'sum(sum by (g) (rate(c_total[2m])))',
  'max by (g) (min without (i) (m))',
  'avg without (h) (sum without (i) (avg_over_time(m[2m])))',
  'histogram_quantile(0.9, sum by (le) (rate(lat_bucket[5m])))',
  'histogram_quantile(0.5, sum by (g, le) (rate(lat_bucket[2m])))',
  'sum by (g) (rate(c_total[2m])) / on (g) count by (g) (m)',
  'sum(rate({__name__=~"c_total|c2_total"}[2m]))', // names collide once dropped: an error in both
  'sum by (__name__) ({__name__=~"c_total|c2_total"})',
  'sum(rate(mixed[2m]))', // native histograms: the held path
  'avg(mixed)',
  'count(last_over_time(mixed[1m]))',
  'sum(absent_over_time(nothing[1m]))',
  'sum by (g) (m @ 1767226000)',
  'sum(rate(c_total[2m] @ 1767227000))',
  'sum by (g) (timestamp(m))',
  'sum(label_replace(rate(c_total[2m]), "g", "x", "", ""))',
  'max_over_time(sum by (g) (rate(c_total[2m]))[10m:1m])', // streamed inside a subquery's own grid
  '-sum by (h) (m)',
  'sum by (g) (m) + on (g) group by (g) (rate(c_total[1m] offset 3m))',
  'avg(avg by (g) (m) > 0)',
  'stddev without (i) ({__name__=~"m|c_total"})',
  // A streamed sum by one label finds a group by that label's value: series without the label share one group.
  'sum by (le) (rate({__name__=~"lat_bucket|c_total"}[2m]))',
  'sum by (g) (increase({__name__=~"lat_bucket|c_total|c2_total"}[3m]))',
  'sum by (h) (rate({__name__=~"lat_bucket|c_total"}[1m]))',
);

describe('streamed aggregation against the step-by-step engine', () => {
  let db: DB;
  const engines: Record<string, { streamed: Engine; steps: Engine }> = {};
  beforeAll(async () => {
    db = await fixture(SERIES, 17);
    const pair = (features: Feature[]) => ({ streamed: createEngine(db, { features }), steps: createEngine(db, { features, columnar: false }) });
    engines['default'] = pair(['promql-experimental-functions']);
    engines['delayed name removal'] = pair(['promql-experimental-functions', 'promql-delayed-name-removal']);
  }, 120_000);

  for (const mode of ['default', 'delayed name removal']) {
    it(`${mode}: ${queries.length} queries answer as the step-by-step path does`, () => {
      const { streamed, steps } = engines[mode]!;
      let answered = 0;
      for (const q of queries) {
        for (const [start, end] of [[T0 + 5 * STEP, T0 + (STEPS - 1) * STEP], [T0 + 30 * STEP, T0 + 140 * STEP]] as const) {
          const want = rangeAnswer(steps, q, start, end);
          expect(rangeAnswer(streamed, q, start, end), `${q} over [${start}, ${end}]`).toEqual(want);
          if (want.error === undefined) answered++;
        }
      }
      // Nearly all answer: the comparison is not of two errors.
      expect(answered).toBeGreaterThan(queries.length * 2 - 6);
    }, 300_000);
  }

  it('compares values that differ in their last bits between orders of addition (the data is not degenerate)', () => {
    const r = engines['default']!.steps.rangeQuerySync('sum by (g) (m)', T0 + 5 * STEP, T0 + 100 * STEP, STEP).result as { values: [number, string][] }[];
    const values = r.flatMap((s) => s.values.map((v) => v[1]));
    expect(new Set(values).size).toBeGreaterThan(100);
    expect(values).toContain('NaN');
    expect(values.some((v) => v === '+Inf' || v === '-Inf')).toBe(true);
  });

  it('fails on max-samples exactly where the step-by-step path does', () => {
    const q = 'sum by (g) (rate(c_total[2m]))';
    const start = T0 + 5 * STEP, end = T0 + (STEPS - 1) * STEP;
    const peak = createEngine(db, { columnar: false }).rangeQuerySync(q, start, end, STEP).stats.samples.peakSamples;
    expect(peak).toBeGreaterThan(SERIES * 100);
    for (const maxSamples of [peak, peak - 1]) {
      const want = rangeAnswer(createEngine(db, { maxSamples, columnar: false }), q, start, end);
      expect(rangeAnswer(createEngine(db, { maxSamples }), q, start, end)).toEqual(want);
      expect(want.error === undefined).toBe(maxSamples === peak);
    }
  });
});

describe('streamed aggregation and the memory budget', () => {
  const groupsTimesSteps = 5 * STEPS;
  // Output samples (16 bytes), a sum's or avg's cells (at most 35 bytes) and one column buffer (9 bytes a step).
  const budget = groupsTimesSteps * (16 + 35) + 9 * STEPS + 4096;

  for (const series of [100, 800]) {
    it(`fits ${series} input series into a budget of groups × steps`, async () => {
      const db = await fixture(series, series);
      const start = T0, end = T0 + (STEPS - 1) * STEP;
      // The held input alone is far over the budget.
      expect(series * STEPS * 16).toBeGreaterThan(budget * 3);
      for (const q of ['sum by (g) (rate(c_total[2m]))', 'avg by (g) (m)', 'stddev by (g) (avg_over_time(m[2m]))']) {
        const want = createEngine(db, { columnar: false }).rangeQuerySync(q, start, end, STEP).result;
        expect(createEngine(db, { maxMemoryBytes: budget }).rangeQuerySync(q, start, end, STEP).result, q).toEqual(want);
        // The same input held (a binary operation needs all of it) is refused under that budget.
        expect(() => createEngine(db, { maxMemoryBytes: budget }).rangeQuerySync(q.replace(/\((\w+\(.*\)|m)\)$/, '($1 * 1)'), start, end, STEP), q).toThrow(QueryMemoryError);
      }
    }, 120_000);
  }
});
