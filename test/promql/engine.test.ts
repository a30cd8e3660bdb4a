// The engine's public API: result shapes, times, limits, cancellation,
// statistics and annotations; and the WebAssembly window reductions
// agreeing bit for bit with the sample-by-sample functions.

import { beforeAll, describe, expect, it } from 'vitest';
import { openDB, createEngine, QueryError, QueryCanceledError, QueryTimeoutError, TooManySamplesError, type DB } from '../../src/index.js';
import { STALE_NAN } from '../../src/model/stale.js';
import { rng } from '../../bench/data.js';

const T0 = Date.UTC(2026, 0, 1);

async function fixture(): Promise<DB> {
  const db = await openDB();
  const app = db.appender();
  for (let i = 0; i < 60; i++) {
    const t = T0 + i * 15_000;
    app.append({ __name__: 'requests_total', job: 'api', instance: 'a' }, t, i * 10);
    app.append({ __name__: 'requests_total', job: 'api', instance: 'b' }, t, i * 5);
    app.append({ __name__: 'temperature', room: 'x' }, t, 20 + (i % 7));
  }
  app.append({ __name__: 'temperature', room: 'x' }, T0 + 60 * 15_000, STALE_NAN);
  await app.commit();
  return db;
}

describe('engine API', () => {
  let db: DB;
  beforeAll(async () => {
    db = await fixture();
  });

  it('returns instant vectors shaped as /api/v1/query data', async () => {
    const engine = createEngine(db);
    const r = await engine.instantQuery('sum by (job) (requests_total)', T0 + 10 * 15_000);
    expect(r.resultType).toBe('vector');
    expect(r.result).toEqual([{ metric: { job: 'api' }, value: [(T0 + 150_000) / 1000, '150'] }]);
    expect(r.warnings).toEqual([]);
  });

  it('accepts milliseconds, Date and RFC 3339 for times', async () => {
    const engine = createEngine(db);
    const t = T0 + 150_000;
    const a = await engine.instantQuery('temperature', t);
    const b = await engine.instantQuery('temperature', new Date(t));
    const c = await engine.instantQuery('temperature', new Date(t).toISOString());
    expect(b.result).toEqual(a.result);
    expect(c.result).toEqual(a.result);
    expect(() => engine.instantQuerySync('temperature', 'yesterday')).toThrow(QueryError);
  });

  it('returns scalars, strings and sorted matrices', async () => {
    const engine = createEngine(db);
    expect((await engine.instantQuery('1 + 2', T0)).result).toEqual([T0 / 1000, '3']);
    expect((await engine.instantQuery('"hello"', T0)).result).toEqual([T0 / 1000, 'hello']);
    const m = await engine.rangeQuery('requests_total', T0, T0 + 60_000, 30_000);
    expect(m.resultType).toBe('matrix');
    if (m.resultType !== 'matrix') return;
    expect(m.result.map((s) => s.metric.instance)).toEqual(['a', 'b']);
    expect(m.result[0]!.values).toEqual([[T0 / 1000, '0'], [(T0 + 30_000) / 1000, '20'], [(T0 + 60_000) / 1000, '40']]);
  });

  it('ends a series at its staleness marker', async () => {
    const engine = createEngine(db);
    expect((await engine.instantQuery('temperature', T0 + 59 * 15_000)).result).toHaveLength(1);
    expect((await engine.instantQuery('temperature', T0 + 60 * 15_000)).result).toHaveLength(0);
  });

  it('rejects range vectors in range queries and too many points', () => {
    const engine = createEngine(db);
    expect(() => engine.rangeQuerySync('requests_total[5m]', T0, T0 + 60_000, 15_000))
      .toThrow('invalid expression type "range vector" for range query, must be Scalar or instant Vector');
    expect(() => engine.rangeQuerySync('requests_total', T0, T0 + 11_001_000, 1000))
      .toThrow('exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)');
  });

  it('reports parse errors with their position', () => {
    const engine = createEngine(db);
    expect(() => engine.instantQuerySync('sum(requests_total', T0)).toThrow(/^1:\d+: parse error/);
  });

  it('limits the samples a query holds, and recovers', () => {
    const engine = createEngine(db, { maxSamples: 100 });
    expect(() => engine.rangeQuerySync('requests_total', T0, T0 + 15 * 60_000, 15_000)).toThrow(TooManySamplesError);
    expect(engine.instantQuerySync('requests_total', T0).result).toHaveLength(2);
  });

  it('stops on an aborted signal and on timeout', () => {
    const engine = createEngine(db);
    const ac = new AbortController();
    ac.abort();
    expect(() => engine.instantQuerySync('requests_total', T0, { signal: ac.signal })).toThrow(QueryCanceledError);
    // A negative time limit has always passed before the first step.
    expect(() => engine.rangeQuerySync('requests_total', T0, T0 + 60_000, 1000, { timeout: -1 })).toThrow(QueryTimeoutError);
  });

  it('reports statistics', () => {
    const engine = createEngine(db);
    const r = engine.rangeQuerySync('rate(requests_total[1m])', T0 + 60_000, T0 + 600_000, 15_000);
    expect(r.stats.samples.totalQueryableSamples).toBeGreaterThan(0);
    expect(r.stats.samples.peakSamples).toBeGreaterThan(0);
    expect(r.stats.timings.evalSeconds).toBeGreaterThanOrEqual(0);
  });

  it('returns annotations with their position in the query', () => {
    const engine = createEngine(db);
    const r = engine.instantQuerySync('sum(rate(temperature[5m]))', T0 + 300_000);
    expect(r.infos).toEqual(['PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "temperature" (1:10)']);
  });

  it('honours a per-query lookback delta', () => {
    const engine = createEngine(db);
    const t = T0 + 59 * 15_000 + 10_000;
    expect(engine.instantQuerySync('temperature', t).result).toHaveLength(1);
    expect(engine.instantQuerySync('temperature', t, { lookbackDelta: '10s' }).result).toHaveLength(0);
  });
});

describe('WebAssembly window reductions', () => {
  it('give the same results as the sample-by-sample functions', async () => {
    const db = await openDB();
    const app = db.appender();
    const r = rng(7);
    for (let s = 0; s < 20; s++) {
      let v = 0;
      for (let i = 0; i < 400; i++) {
        const t = T0 + i * 15_000 + Math.floor(r() * 3000);
        // Counters with resets, NaNs and a gap now and then.
        v = r() < 0.02 ? r() * 10 : v + r() * 100;
        if (r() < 0.05) continue;
        app.append({ __name__: 'c_total', series: String(s) }, t, r() < 0.01 ? NaN : v);
      }
    }
    await app.commit();
    const features = ['promql-experimental-functions'] as const;
    const fast = createEngine(db, { wasmReductions: true, features });
    const slow = createEngine(db, { wasmReductions: false, features });
    const fns = ['rate', 'increase', 'delta', 'irate', 'idelta', 'resets', 'changes', 'count_over_time', 'sum_over_time',
      'avg_over_time', 'min_over_time', 'max_over_time', 'last_over_time', 'first_over_time', 'present_over_time',
      'ts_of_last_over_time', 'ts_of_first_over_time', 'absent_over_time'];
    for (const fn of fns) {
      for (const range of ['1m', '5m', '17s']) {
        const q = `${fn}(c_total[${range}])`;
        const a = fast.rangeQuerySync(q, T0, T0 + 6000_000, 30_000);
        const b = slow.rangeQuerySync(q, T0, T0 + 6000_000, 30_000);
        expect(a.result, q).toEqual(b.result);
        expect(a.stats.samples.totalQueryableSamples, q).toBe(b.stats.samples.totalQueryableSamples);
        const shifted = `${fn}(c_total[${range}] offset 3m)`;
        expect(fast.instantQuerySync(shifted, T0 + 3000_000).result, shifted).toEqual(slow.instantQuerySync(shifted, T0 + 3000_000).result);
      }
    }
  });
});

describe('JSON sample values', () => {
  it('are written as Prometheus writes them', async () => {
    const { jsonFloat } = await import('../../src/promql/engine/engine.js');
    expect(jsonFloat(1e-7)).toBe('1e-07');
    expect(jsonFloat(1.5e-7)).toBe('1.5e-07');
    expect(jsonFloat(1e21)).toBe('1e+21');
    expect(jsonFloat(-2.5e300)).toBe('-2.5e+300');
    expect(jsonFloat(0.000001)).toBe('0.000001');
    expect(jsonFloat(123456789012345680000)).toBe('123456789012345680000');
    expect(jsonFloat(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(jsonFloat(-0)).toBe('-0');
    expect(jsonFloat(NaN)).toBe('NaN');
    expect(jsonFloat(-Infinity)).toBe('-Inf');
  });
});
