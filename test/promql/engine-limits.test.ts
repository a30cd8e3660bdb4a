// The engine's limits act where the cost is incurred: inside loops over
// series (not only between steps), on the size of labels label_replace and
// label_join build, on a per-query memory budget, and with a query's own
// timeout only ever shortening the engine's.

import { beforeAll, describe, expect, it } from 'vitest';
import { openDB, createEngine, QueryCanceledError, QueryError, QueryMemoryError, QueryTimeoutError, type DB } from '../../src/index.js';

const T = Date.UTC(2026, 0, 1);
let db: DB;

beforeAll(async () => {
  db = await openDB();
  const app = db.appender();
  for (let i = 0; i < 3000; i++) app.append({ __name__: 'load_metric', series: `series-${i}` }, T, i);
  await app.commit();
});

const repeat = (n: number) => `count(label_replace(load_metric, "x", "${'$1'.repeat(n)}", "series", "(.*)"))`;

/** An AbortSignal that turns aborted after `reads` looks at it, counting them. */
function abortAfter(reads: number): AbortSignal & { reads: number } {
  const s = { reads: 0, get aborted() { return ++this.reads > reads; } };
  return s as unknown as AbortSignal & { reads: number };
}

describe('engine limits', () => {
  it('checks the abort signal inside a long single step, not only between steps', () => {
    const engine = createEngine(db);
    // An instant query has one step and a handful of nodes: only checks inside the loop over series reach 50 reads.
    const signal = abortAfter(50);
    expect(() => engine.instantQuerySync(repeat(10), T, { signal })).toThrow(QueryCanceledError);
    expect(signal.reads).toBe(51);
  });

  it('times out inside a long step, and a query timeout cannot extend the engine timeout', () => {
    const engine = createEngine(db, { timeout: 1 });
    // The query would take seconds; the engine's 1 ms caps the query's hour.
    expect(() => engine.instantQuerySync(repeat(2000), T, { timeout: '1h' })).toThrow(QueryTimeoutError);
    const roomy = createEngine(db, { timeout: '1h' });
    expect(roomy.instantQuerySync('count(load_metric)', T, { timeout: '10m' }).result).toMatchObject([{ value: [T / 1000, '3000'] }]);
  });

  it('checks the abort signal within one series of a fine subquery, not only between series, on both range-function paths', async () => {
    const one = await openDB();
    const app = one.appender();
    for (let i = 0; i <= 240; i++) app.append({ __name__: 'one_metric' }, T + i * 15_000, i % 7);
    await app.commit();
    const engine = createEngine(one, { features: ['promql-experimental-functions'] });
    // 180,000 subquery steps of one series, each window sorted (mad_over_time has no per-series kernel).
    const signal = abortAfter(20);
    expect(() => engine.instantQuerySync('count_over_time(mad_over_time(one_metric[30m])[30m:10ms])', T + 3_600_000, { signal })).toThrow(QueryCanceledError);
    expect(signal.reads).toBe(21);
    // The same within a whole-series kernel (sum_over_time has one).
    const kernelSignal = abortAfter(20);
    expect(() => engine.instantQuerySync('count_over_time(sum_over_time(one_metric[30m])[30m:10ms])', T + 3_600_000, { signal: kernelSignal })).toThrow(QueryCanceledError);
    expect(kernelSignal.reads).toBe(21);
    await one.close();
  });

  it('bounds the label values label_replace and label_join build', () => {
    const engine = createEngine(db, { maxLabelValueLength: 1000 });
    expect(() => engine.instantQuerySync(repeat(10_000), T)).toThrow(
      /^label_replace\(\): the value built for label "x" is longer than 1000 characters/,
    );
    expect(engine.instantQuerySync(repeat(50), T).result).toMatchObject([{ value: [T / 1000, '3000'] }]);
    const join = `count(label_join(load_metric, "x", "${'-'.repeat(1000)}", "series", "series"))`;
    expect(() => engine.instantQuerySync(join, T)).toThrow(/^label_join\(\): the value built for label "x" is longer than 1000 characters/);
  });

  it('counts built label text and held samples against the memory budget', () => {
    const engine = createEngine(db, { maxMemoryBytes: 4 * 1024 * 1024 });
    // 3000 values of ~1000 characters (2 bytes each) pass 4 MiB.
    expect(() => engine.instantQuerySync(repeat(100), T)).toThrow(QueryMemoryError);
    expect(engine.instantQuerySync(repeat(2), T).result).toMatchObject([{ value: [T / 1000, '3000'] }]);
    const tiny = createEngine(db, { maxMemoryBytes: 1000 });
    const e = (() => {
      try {
        tiny.instantQuerySync('load_metric', T);
      } catch (err) {
        return err;
      }
    })();
    expect(e).toBeInstanceOf(QueryMemoryError);
    expect((e as QueryError).type).toBe('execution');
  });
});
