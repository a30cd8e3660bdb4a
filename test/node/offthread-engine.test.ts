// Queries evaluated in a worker reading storage through the main thread
// give the in-process engine's answers (selectors with offsets, @, ranges,
// subqueries, info() joins); what the worker holds is held to the memory
// budget, while a reduction over more samples than the budget answers; an
// abort ends the worker's query.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDB, createEngine, QueryCanceledError, QueryMemoryError, type DB } from '../../src/index.js';
import { createOffThreadEngine } from '../../src/node/offthread-engine.js';
import { STALE_NAN } from '../../src/model/stale.js';

const T0 = Date.UTC(2026, 0, 1);
const AT = T0 + 50 * 60_000;
let db: DB;
let off: ReturnType<typeof createOffThreadEngine>;

beforeAll(async () => {
  db = await openDB();
  const app = db.appender();
  for (let i = 0; i < 240; i++) {
    const t = T0 + i * 15_000;
    for (const [job, inst, k] of [['api', 'a:1', 3], ['api', 'b:1', 1], ['web', 'c:1', 2]] as const) {
      app.append({ __name__: 'http_requests_total', job, instance: inst }, t, i * k + (i > 120 && job === 'web' ? -100 : 0));
      app.append({ __name__: 'target_info', job, instance: inst, version: `v${k}` }, t, 1);
    }
    app.append({ __name__: 'temperature', room: 'x' }, t, 20 + Math.sin(i / 10));
  }
  app.append({ __name__: 'temperature', room: 'x' }, T0 + 240 * 15_000, STALE_NAN);
  await app.commit();
  off = createOffThreadEngine(db, { features: ['promql-experimental-functions'] });
});

describe('worker threads', () => {
  it('start with the first query, not before: a server that only ingests holds none', async () => {
    const lazy = createOffThreadEngine(db, {}, { workers: 1 });
    try {
      expect(lazy.workersRunning).toBe(0);
      const r = await lazy.instantQuery('count(http_requests_total)', T0 + 60_000);
      expect({ ...r, stats: undefined }).toEqual({ ...createEngine(db).instantQuerySync('count(http_requests_total)', T0 + 60_000), stats: undefined });
      expect(lazy.workersRunning).toBe(1);
    } finally {
      await lazy.close();
    }
  });
});

afterAll(async () => {
  await off?.close();
});

const QUERIES = [
  'sum by (job) (rate(http_requests_total[5m]))',
  'http_requests_total offset 10m',
  'http_requests_total @ 1767225900',
  'max_over_time(deriv(temperature[5m])[20m:1m])',
  'info(rate(http_requests_total[5m]))',
  'temperature',
  'label_replace(http_requests_total, "host", "$1", "instance", "(.*):.*")',
  'resets(http_requests_total[30m]) > bool 0',
  'count_values("v", round(temperature))',
  'absent(nonexistent{job="x"})',
];

describe('the off-thread engine', () => {
  const local = () => createEngine(db, { features: ['promql-experimental-functions'] });
  const at = AT;

  for (const q of QUERIES) {
    it(`answers as the in-process engine: ${q}`, async () => {
      const strip = (r: { stats?: unknown }) => ({ ...r, stats: undefined });
      expect(strip(await off.instantQuery(q, at))).toEqual(strip(local().instantQuerySync(q, at)));
      expect(strip(await off.rangeQuery(q, T0 + 20 * 60_000, T0 + 70 * 60_000, '1m'))).toEqual(strip(local().rangeQuerySync(q, T0 + 20 * 60_000, T0 + 70 * 60_000, '1m')));
    });
  }

  it('holds what the worker reads to the memory budget', async () => {
    const small = createOffThreadEngine(db, { maxMemoryBytes: 16 * 500 }, { workers: 1 });
    try {
      await expect(small.instantQuery('http_requests_total[1h]', T0 + 3600_000)).rejects.toBeInstanceOf(QueryMemoryError);
      expect((await small.instantQuery('count(temperature)', at)).result).toMatchObject([{ value: [at / 1000, '1'] }]);
      // 717 samples are read, more than the budget's 500, but a reduction never holds them.
      const whole = 'sum(count_over_time(http_requests_total[1h]))';
      expect((await small.instantQuery(whole, T0 + 3600_000)).result).toEqual(local().instantQuerySync(whole, T0 + 3600_000).result);
      expect((await small.instantQuery(whole, T0 + 3600_000)).result).toMatchObject([{ value: [T0 / 1000 + 3600, '717'] }]);
    } finally {
      await small.close();
    }
  });

  it('ends a query when its signal aborts', async () => {
    const ac = new AbortController();
    // 1.8 million subquery steps, each sorting a 30 m window (mad_over_time has no per-series kernel):
    // tens of seconds of evaluation, far past the abort (rate at these steps now ends in about 200 ms).
    const heavy = 'count_over_time(mad_over_time(http_requests_total[30m])[30m:1ms])';
    const q = off.instantQuery(heavy, at, { signal: ac.signal });
    setTimeout(() => ac.abort(), 200);
    await expect(q).rejects.toBeInstanceOf(QueryCanceledError);
    // The engine goes on answering with a fresh worker.
    expect((await off.instantQuery('count(temperature)', at)).result).toMatchObject([{ value: [at / 1000, '1'] }]);
  });
});

// The engine's options reach a worker once, when it starts (not with every query): each option must
// still shape every query a worker evaluates, a replaced worker's included, and the engine's
// lookback (parsed once on the main thread) must hold for queries that give none of their own.
describe("the engine's options in the workers", () => {
  const strip = (r: { stats?: unknown }) => ({ ...r, stats: undefined });

  it('evaluate with the options given to the off-thread engine, query after query, in a replaced worker too', async () => {
    const options = { lookbackDelta: '20s', maxSamples: 400, features: ['promql-experimental-functions'] as const, defaultSubqueryStep: '7m', columnar: false };
    const eng = createOffThreadEngine(db, { ...options, features: [...options.features] }, { workers: 1 });
    const ref = createEngine(db, { ...options, features: [...options.features] });
    // Queries whose answers differ under each option: a stale series within 20 s (lookback),
    // an experimental function, a subquery without a step, and more samples than 400.
    const qs = ['temperature', 'mad_over_time(temperature[10m])', 'count_over_time(temperature[30m:])', 'http_requests_total'];
    const after = T0 + 240 * 15_000 + 10_000;
    try {
      for (let round = 0; round < 2; round++) {
        for (const q of qs) {
          expect(strip(await eng.instantQuery(q, after))).toEqual(strip(ref.instantQuerySync(q, after)));
          expect(strip(await eng.instantQuery(q, AT))).toEqual(strip(ref.instantQuerySync(q, AT)));
          expect(strip(await eng.rangeQuery(q, T0 + 55 * 60_000, T0 + 60 * 60_000 + 30_000, '15s'))).toEqual(strip(ref.rangeQuerySync(q, T0 + 55 * 60_000, T0 + 60 * 60_000 + 30_000, '15s')));
        }
        await expect(eng.rangeQuery('http_requests_total', T0, T0 + 3600_000, '15s')).rejects.toThrow(/too many samples/i);
        // An abort ends the worker; its replacement starts with the same options.
        const ac = new AbortController();
        const q = eng.instantQuery('count_over_time(mad_over_time(http_requests_total[30m])[30m:1ms])', AT, { signal: ac.signal });
        setTimeout(() => ac.abort(), 50);
        await expect(q).rejects.toBeInstanceOf(QueryCanceledError);
      }
      // The lookback given with a query still takes the place of the engine's.
      const own = await eng.instantQuery('temperature', T0 + 240 * 15_000 - 1, { lookbackDelta: '1ms' });
      expect(own.result).toEqual([]);
    } finally {
      await eng.close();
    }
  });
});
