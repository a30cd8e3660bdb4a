// Range queries whose range functions run the whole-series kernels
// (src/promql/engine/range-kernels.ts) against an engine with
// `columnar: false`, which keeps the per-window path: the same answers
// string for string (Go's shortest float form, so bit for bit, -0
// included), the same warnings and infos, the same sample statistics and
// the same errors at the sample limit. The data holds counters with resets,
// gaps longer than the ranges, staleness markers, NaN, ±Inf and -0; the
// queries take offsets either way, subqueries, a φ that changes between
// steps, and steps smaller and larger than the range.

import { beforeAll, describe, expect, it } from 'vitest';
import { openDB, createEngine, type DB, type Engine } from '../../../src/index.js';
import { STALE_NAN } from '../../../src/model/stale.js';
import { seededRandom } from '../../../src/model/seeded-random.js';

const T0 = Date.UTC(2026, 0, 1);
const HOURS = 3;

async function fixture(): Promise<DB> {
  const db = await openDB();
  const rnd = seededRandom(17);
  for (let i = 0; i < 8; i++) {
    const app = db.appender();
    const c = { __name__: 'c_total', i: String(i), k: String(i % 2) };
    const g = { __name__: 'g', i: String(i), k: String(i % 2) };
    let t = T0 + Math.floor(rnd() * 20_000), counter = rnd() * 100;
    let gapUntil = 0, staleUntil = 0;
    while (t < T0 + HOURS * 3_600_000) {
      const r = rnd();
      if (t >= gapUntil && r < 0.004) gapUntil = t + 600_000 + Math.floor(rnd() * 1_800_000);
      if (t >= gapUntil) {
        if (t >= staleUntil && r > 0.997) {
          app.append(c, t, STALE_NAN);
          app.append(g, t, STALE_NAN);
          staleUntil = t + 120_000 + Math.floor(rnd() * 600_000);
        } else if (t >= staleUntil) {
          counter = r < 0.02 ? rnd() * 5 : counter + (rnd() < 0.3 ? 0 : rnd() * 1000 / 3);
          app.append(c, t, i === 5 && r < 0.05 ? NaN : counter);
          const x = rnd();
          const gv = x < 0.03 ? NaN : x < 0.05 ? (x < 0.04 ? Infinity : -Infinity) : x < 0.08 ? -0 : x < 0.1 ? 0 : i % 3 === 0 ? Math.floor(rnd() * 3) : (rnd() - 0.4) * 10 ** (i % 4);
          app.append(g, t, gv);
        }
      }
      t += 5_000 + Math.floor(rnd() * 20_000);
    }
    await app.commit();
  }
  return db;
}

const FUNCTIONS_OF_GAUGES = [
  'sum_over_time', 'avg_over_time', 'count_over_time', 'min_over_time', 'max_over_time', 'last_over_time', 'first_over_time',
  'present_over_time', 'stdvar_over_time', 'stddev_over_time', 'ts_of_last_over_time', 'ts_of_first_over_time',
  'ts_of_min_over_time', 'ts_of_max_over_time', 'changes', 'delta', 'idelta', 'deriv',
];

const QUERIES = [
  ...['rate', 'increase', 'irate', 'resets', 'changes', 'delta'].flatMap((f) => [`${f}(c_total[5m])`, `${f}(c_total[40s])`]),
  ...FUNCTIONS_OF_GAUGES.flatMap((f) => [`${f}(g[2m])`, `${f}(g[20s])`, `${f}(g[30m] offset 7m)`]),
  'quantile_over_time(0.9, g[30m])',
  'quantile_over_time(0.5, g[1m] offset -3m)',
  'quantile_over_time(0, c_total[10m])',
  'quantile_over_time(1, g[15s])',
  'quantile_over_time(1.5, g[5m])',
  'quantile_over_time(scalar(count(g > 0)) / 10 - 0.2, g[10m])',
  'absent_over_time(g{i="3"}[1m])',
  'predict_linear(g[10m], 3600)',
  'predict_linear(c_total[5m] offset 2m, scalar(count(g > 0)) * 60 - 120)',
  'rate(c_total[5m] offset 1h)',
  'increase(c_total[10m] offset -5m)',
  'sum by (k) (rate(c_total[5m]))',
  'max_over_time(rate(c_total[1m])[10m:30s])',
  'quantile_over_time(0.5, g[30m:1m])',
  'count_over_time(sum(quantile_over_time(0.9, g[30m]))[20m:45s])',
  'sum_over_time(g[5m] @ 1767229200)',
  'last_over_time(g[10m] anchored)',
  'rate(c_total[5m] smoothed)',
  'rate(c_total[5m] @ 1767229200)',
  'increase(c_total[2m] @ 1767232800 offset 1m)',
  'delta(g[5m] @ 1767229200)',
  'sum by (k) (increase(c_total[5m] offset 1m))',
  'sum by (k) (delta(g[2m]))',
  'sum without (i) (rate(c_total[40s] offset -2m))',
  // At the 5 s step, finer than the scrapes: the streamed sum's runs of steps (counter-sum-runs.ts).
  'sum by (k) (rate(c_total[1m]))',
  'sum(increase(c_total[20s] offset 3m))',
  // With @ the kernels are off (range-call.ts): held to the per-window path all the same.
  'sum by (k) (rate(c_total[5m] @ 1767229200))',
];

type Answer = { data?: unknown; warnings?: string[]; infos?: string[]; samples?: unknown; error?: string };

function answer(engine: Engine, q: string, start: number, end: number, step: number): Answer {
  try {
    const r = engine.rangeQuerySync(q, start, end, step);
    return { data: r.result, warnings: r.warnings, infos: r.infos, samples: r.stats.samples };
  } catch (err) {
    return { error: String(err) };
  }
}

describe('range functions over whole series', () => {
  let db: DB;
  beforeAll(async () => {
    db = await fixture();
  });

  const opts = (more: object) => ({ features: ['promql-experimental-functions' as const], ...more });
  for (const wasmReductions of ['auto', false] as const) {
    it(`answer as the per-window path does (wasmReductions: ${wasmReductions})`, () => {
      const kernels = createEngine(db, opts({ wasmReductions }));
      const perWindow = createEngine(db, opts({ wasmReductions, columnar: false }));
      let values = 0;
      for (const q of QUERIES) {
        for (const step of [5_000, 15_000, 60_000, 600_000]) {
          const start = T0 + 7 * 60_000 + 1_234, end = Math.min(T0 + HOURS * 3_600_000 + 600_000, start + 600 * step);
          const want = answer(perWindow, q, start, end, step);
          expect(answer(kernels, q, start, end, step), `${q} at a ${step / 1000} s step`).toEqual(want);
          for (const s of (want.data ?? []) as { values?: unknown[] }[]) values += s.values?.length ?? 0;
        }
      }
      expect(values).toBeGreaterThan(200_000);
    });
  }

  it('stop at the sample limit with the per-window path\'s error, or not at all', () => {
    let stopped = 0, passed = 0;
    for (const maxSamples of [10, 40, 80, 200, 1_000, 5_000]) {
      for (const maxMemoryBytes of [2_000, 1e9]) {
        const kernels = createEngine(db, opts({ maxSamples, maxMemoryBytes, wasmReductions: false }));
        const perWindow = createEngine(db, opts({ maxSamples, maxMemoryBytes, wasmReductions: false, columnar: false }));
        for (const q of ['rate(c_total[5m])', 'sum_over_time(g[30m])', 'quantile_over_time(0.5, g[1h])', 'changes(g[2m])']) {
          const start = T0 + 3_600_000, end = start + 600_000;
          const want = answer(perWindow, q, start, end, 60_000);
          expect(answer(kernels, q, start, end, 60_000), `${q} under ${maxSamples} samples, ${maxMemoryBytes} bytes`).toEqual(want);
          if (want.error) stopped++;
          else passed++;
        }
      }
    }
    expect(stopped).toBeGreaterThan(5);
    expect(passed).toBeGreaterThan(5);
  });
});
