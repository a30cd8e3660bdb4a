// The series-by-series aggregation (src/promql/engine/aggregate-columnar.ts)
// against itself at one step: a range query's value at every step must be,
// string for string, the instant query's at that step. The data has gaps,
// NaN, infinities and sums that overflow (avg's switch to an incremental
// mean), and 700 groups over 400 steps, so the grid is walked in more than
// one block of steps.

import { beforeAll, describe, expect, it } from 'vitest';
import { openDB, createEngine, type DB, type Engine } from '../../../src/index.js';

const T0 = Date.UTC(2026, 0, 1);
const STEP = 15_000;
const STEPS = 400;
const SERIES = 700;

function value(i: number, k: number): number | null {
  if (i % 11 === 0 && k >= 100 && k < 130) return null; // a gap longer than the lookback
  // Group g=0 overflows (avg turns to an incremental mean), g=1 holds infinities, g=2 NaN at some steps.
  if (i % 7 === 0 && i % 13 === 0) return 1e308;
  if (i === 8) return k % 2 ? Infinity : -Infinity;
  if (i % 7 === 2 && i % 17 === 0 && k % 3 === 0) return NaN;
  return ((i * 7919 + k * 104729) % 1000) / 7 - 50;
}

async function fixture(): Promise<DB> {
  const db = await openDB();
  for (let k = 0; k < STEPS; k++) {
    const app = db.appender();
    for (let i = 0; i < SERIES; i++) {
      const v = value(i, k);
      if (v !== null) app.append({ __name__: 'm', i: String(i), g: String(i % 7) }, T0 + k * STEP + 1, v);
    }
    await app.commit();
  }
  return db;
}

type Matrix = { metric: Record<string, string>; values: [number, string][] }[];
type Vector = { metric: Record<string, string>; value: [number, string] }[];
const key = (m: Record<string, string>) => JSON.stringify(Object.entries(m).sort());

describe('series-by-series aggregation', () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = createEngine(await fixture());
  });

  const ops = ['sum', 'avg', 'count', 'min', 'max', 'group', 'stddev', 'stdvar'];
  for (const op of ops) {
    for (const grouping of ['by (g)', 'by (i)', '']) {
      const q = `${op} ${grouping} (m)`;
      it(`${q}: every step of the range query equals the instant query there`, () => {
        const start = T0 + STEP, end = T0 + STEPS * STEP;
        const range = engine.rangeQuerySync(q, start, end, STEP).result as Matrix;
        const byKey = new Map(range.map((s) => [key(s.metric), new Map(s.values.map(([t, v]) => [t, v]))]));
        // Every 19th step, and the steps around the first block boundary (262144 cells / 700 groups = 374).
        const ks = [...Array.from({ length: Math.floor(STEPS / 19) }, (_, j) => j * 19), 372, 373, 374, 375];
        let compared = 0;
        for (const k of ks) {
          const t = start + k * STEP;
          const inst = engine.instantQuerySync(q, t).result as Vector;
          const seen = new Set<string>();
          for (const s of inst) {
            seen.add(key(s.metric));
            expect(byKey.get(key(s.metric))?.get(t / 1000), `${q} at step ${k} ${key(s.metric)}`).toBe(s.value[1]);
            compared++;
          }
          for (const [k2, vals] of byKey) if (!seen.has(k2)) expect(vals.has(t / 1000), `${q}: ${k2} only in the range result at step ${k}`).toBe(false);
        }
        expect(compared).toBeGreaterThanOrEqual(ks.length);
      });
    }
  }

  it('checks values that are not all alike (the data is not degenerate)', () => {
    const r = engine.instantQuerySync('avg by (g) (m)', T0 + 50 * STEP).result as Vector;
    const distinct = new Set(r.map((s) => s.value[1]));
    expect(distinct.size).toBeGreaterThan(3);
    expect(distinct.has('+Inf') || distinct.has('-Inf') || distinct.has('NaN')).toBe(true);
  });
});
