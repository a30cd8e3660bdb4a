// Blocks whose chunks are readable only once loaded (as in a browser's
// IndexedDB): the engine's asynchronous queries name their selectors and
// ranges, the chunks those need are loaded first, and the answers equal a
// database holding everything in memory. A synchronous read of what nobody
// loaded says so; a selection the plan did not name is loaded on a retry.

import { beforeAll, describe, expect, it } from 'vitest';
import { openDB, type DB } from '../../src/storage/db.js';
import { createEngine } from '../../src/promql/engine/engine.js';
import { Matcher } from '../../src/model/matcher.js';
import { compactBlocks, cutHeadBlocks } from '../../src/storage/block-lifecycle.js';
import { BlockDataNotLoadedError, chunkRangesFor, runPrefetched } from '../../src/storage/block-prefetch.js';
import { latencySeries } from '../fixtures/histograms.js';
import { LazyBlockBackend } from '../fixtures/lazy-block-backend.js';
import { shown } from '../browser/answers.js';

const H = 3_600_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % (2 * H));
const STEP = 60_000, POINTS = 14 * 60, SERIES = 20;
const value = (s: number, i: number) => (s % 2 ? i * (s + 1) : Math.sin(i / 7 + s) * 100 + (i % 13) / 8);

async function fill(db: DB): Promise<void> {
  const lat = latencySeries(POINTS, 3);
  for (let i = 0; i < POINTS; i += 30) {
    const app = db.appender();
    for (let j = i; j < i + 30; j++) {
      for (let s = 0; s < SERIES; s++) app.append({ __name__: 'm', s: String(s), kind: s % 2 ? 'counter' : 'gauge' }, T0 + j * STEP, value(s, j));
      app.appendHistogram!({ __name__: 'lat', job: 'a' }, T0 + j * STEP, lat[j]!);
    }
    await app.commit();
  }
}

const INSTANT: [string, number][] = [
  ['sum(count_over_time(m[1d]))', T0 + POINTS * STEP],
  ['m{s="3"}', T0 + 45 * 60_000],
  ['sum by (kind) (rate(m[10m]))', T0 + 90 * 60_000],
  ['max_over_time(m{kind="gauge"}[3h])', T0 + 5 * H],
  ['m{s="5"} offset 6h', T0 + 12 * H],
  ['m{s="7"} @ ' + (T0 + 3 * H) / 1000, T0 + 13 * H],
  ['max_over_time(sum(m)[4h:30m])', T0 + 9 * H],
  ['histogram_quantile(0.9, rate(lat[15m]))', T0 + 3 * H + 60_000],
  ['histogram_count(lat)', T0 + 7 * H],
];

describe('asynchronous queries over blocks read only once loaded', () => {
  let reference: DB, db: DB, backend: LazyBlockBackend;

  beforeAll(async () => {
    reference = await openDB();
    await fill(reference);
    // No cache: every chunk a query reads must come through a load.
    db = await openDB({ cacheSize: 0 });
    await fill(db);
    backend = new LazyBlockBackend();
    cutHeadBlocks(backend, db, {});
    compactBlocks(backend, db, 0, {});
    backend.lazy = true;
    db.setBlockLoader(backend);
  });

  it('answers as the same samples in memory, loading only what each query reads', async () => {
    expect(db.blockList().length).toBeGreaterThanOrEqual(2);
    expect(db.stats().head.minTime!).toBeGreaterThanOrEqual(T0 + 10 * H);
    const e = createEngine(db), ref = createEngine(reference);
    for (const [q, at] of INSTANT) {
      const before = backend.loadedBytes, loads = backend.loads;
      expect(shown(await e.instantQuery(q, at)), q).toBe(shown(await ref.instantQuery(q, at)));
      // One load: the plan named everything the query read (no second round).
      expect(backend.loads - loads, q).toBe(1);
      // One series over minutes reads a small share of the store.
      if (q.startsWith('m{s="3"}')) expect(backend.loadedBytes - before).toBeLessThan(backend.chunkBytes() / 20);
    }
    expect(shown(await e.rangeQuery('avg(m)', T0, T0 + POINTS * STEP, 15 * 60_000))).toBe(shown(await ref.rangeQuery('avg(m)', T0, T0 + POINTS * STEP, 15 * 60_000)));
    expect(shown(await e.rangeQuery('sum(rate(lat[5m]))', T0, T0 + POINTS * STEP, 10 * 60_000)))
      .toBe(shown(await ref.rangeQuery('sum(rate(lat[5m]))', T0, T0 + POINTS * STEP, 10 * 60_000)));
    expect(backend.holding).toBe(0);
  });

  it('a synchronous query of block data says what was not loaded and how to read it', () => {
    const e = createEngine(db);
    expect(() => e.instantQuerySync('sum(count_over_time(m[1d]))', T0 + POINTS * STEP)).toThrow(BlockDataNotLoadedError);
    expect(() => e.instantQuerySync('sum(count_over_time(m[1d]))', T0 + POINTS * STEP)).toThrow(/lazy\/\w+\/chunks\/000001: bytes \d+ to \d+ are not in memory.*engine\.instantQuery/);
    // The head alone needs nothing loaded.
    expect(e.instantQuerySync('count(m)', T0 + POINTS * STEP - STEP).resultType).toBe('vector');
  });

  it('loads again for a selection the reads did not name, and gives up on errors of other kinds', async () => {
    const all = [new Matcher('=', '__name__', 'm')];
    const evaluate = () => {
      const q = db.querier(T0, T0 + POINTS * STEP);
      try {
        return q.select(all).reduce((n, s) => n + s.samples(T0, T0 + POINTS * STEP).timestamps.length, 0);
      } finally {
        q.close();
      }
    };
    const loads = backend.loads;
    // The reads name another metric: the first round misses, the second loads the blocks' every series.
    const nothing = [{ matchers: [new Matcher('=', '__name__', 'absent')], start: T0, end: T0 + POINTS * STEP }];
    expect(await runPrefetched(() => db.blockList(), backend, () => nothing, evaluate)).toBe(SERIES * POINTS);
    expect(backend.loads - loads).toBe(2);
    expect(chunkRangesFor(db.blockList(), nothing)).toEqual([]);
    await expect(runPrefetched(() => db.blockList(), backend, () => nothing, () => { throw new RangeError('other'); })).rejects.toThrow(RangeError);
    expect(backend.holding).toBe(0);
  });
});
