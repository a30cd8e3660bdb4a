// wasmReductions 'auto' (the default): the storage's window reductions only
// where each sample falls in at most one window, the same answers either way.

import { beforeAll, describe, expect, it } from 'vitest';
import { openDB, createEngine, type DB } from '../../../src/index.js';
import type { Querier, Queryable, Series } from '../../../src/storage/interfaces.js';
import { seededRandom as rng } from '../../../src/model/seeded-random.js';

const T0 = Date.UTC(2026, 0, 1);
let db: DB;

beforeAll(async () => {
  db = await openDB();
  const app = db.appender();
  const r = rng(3);
  for (let s = 0; s < 6; s++) {
    let v = 0;
    for (let i = 0; i < 480; i++) {
      v = r() < 0.01 ? r() : v + r() * 5;
      app.append({ __name__: 'c_total', s: String(s) }, T0 + i * 15_000 + Math.floor(r() * 4000), v);
    }
  }
  await app.commit();
});

/** The database, counting the reduceWindows calls its series answer. */
function counting(): { q: Queryable; calls: () => number } {
  let calls = 0;
  const wrapSeries = (s: Series): Series => Object.assign(Object.create(s) as Series, {
    reduceWindows: (...a: Parameters<Series['reduceWindows']>) => {
      calls++;
      return s.reduceWindows(...a);
    },
  });
  return {
    q: {
      querier: (mint, maxt): Querier => {
        const inner = db.querier(mint, maxt);
        return { ...inner, select: (...a) => inner.select(...a).map(wrapSeries), labelNames: inner.labelNames.bind(inner), labelValues: inner.labelValues.bind(inner), close: inner.close.bind(inner) };
      },
    },
    calls: () => calls,
  };
}

describe("wasmReductions 'auto'", () => {
  const cases: { q: string; step: number | null; reduces: boolean }[] = [
    { q: 'sum(rate(c_total[5m]))', step: 15_000, reduces: false },
    { q: 'max_over_time(c_total[1m])', step: 30_000, reduces: false },
    { q: 'max_over_time(c_total[1m])', step: 60_000, reduces: true },
    { q: 'count_over_time(c_total[10m])', step: 600_000, reduces: true },
    { q: 'sum(count_over_time(c_total[2h]))', step: null, reduces: true },
    { q: 'rate(c_total[30m])', step: null, reduces: true },
  ];
  for (const { q, step, reduces } of cases) {
    it(`${reduces ? 'reduces' : 'reads samples'}: ${q} ${step === null ? 'instant' : `step ${step / 1000} s`}`, () => {
      const c = counting();
      const run = (e: ReturnType<typeof createEngine>) => (step === null ? e.instantQuerySync(q, T0 + 7200_000) : e.rangeQuerySync(q, T0 + 1800_000, T0 + 7200_000, step));
      const auto = run(createEngine(c.q));
      expect(c.calls() > 0).toBe(reduces);
      const forced = run(createEngine(db, { wasmReductions: true }));
      const never = run(createEngine(db, { wasmReductions: false }));
      expect(auto.result).toEqual(never.result);
      expect(forced.result).toEqual(never.result);
      expect(auto.stats.samples.totalQueryableSamples).toBe(never.stats.samples.totalQueryableSamples);
    });
  }
});
