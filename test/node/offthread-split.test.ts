// A range query cut into parts over idle query workers answers with the
// bytes the query gives in one piece: selectors, rate, aggregations, topk,
// subqueries, @ start()/end(), range() and start()/end(), timestamp,
// absent, label_replace, binary operators, series appearing and
// disappearing mid-range, stale markers, native histograms, across blocks
// and the head. Limits hold as for the whole query (max samples at the
// boundary, the memory budget, timeouts and aborts end every part), and a
// query that finds no other idle worker, or asks for stats, is not cut.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDiskDB, type DiskDB } from '../../src/node/disk-db.js';
import { createEngine } from '../../src/promql/engine/engine.js';
import type { MatrixElement, QueryResult } from '../../src/promql/engine/engine.js';
import { createOffThreadEngine, type OffThreadOptions } from '../../src/node/offthread-engine.js';
import { QueryCanceledError, QueryError, QueryMemoryError, QueryTimeoutError, TooManySamplesError } from '../../src/promql/engine/errors.js';
import { jsonString, resultText } from '../../src/api/result-text.js';
import { STALE_NAN } from '../../src/model/stale.js';
import { latencySeries } from '../fixtures/histograms.js';
import { parse } from '../../src/promql/index.js';
import { statsOnlySelectors } from '../../src/promql/engine/histogram-series.js';

const H = 3600_000;
const OPTS = { features: ['promql-experimental-functions'] as const };
let dir: string;
let disk: DiskDB;
let whole: ReturnType<typeof createOffThreadEngine>;
let parts: ReturnType<typeof createOffThreadEngine>;

async function fill(from: number, to: number): Promise<void> {
  const hs = latencySeries(Math.ceil((to - from) / 60_000) + 1);
  for (let t = from, i = 0; t < to; t += 60_000, i++) {
    const app = disk.db.appender();
    for (let s = 0; s < 6; s++) {
      const v = s === 0 ? t / 1000 : Math.sin(t / 7e5 + s) * 100 + ((t / 60_000) % 13);
      app.append({ __name__: 'm', s: String(s), job: s % 2 ? 'odd' : 'even' }, t, s === 2 && i % 37 === 5 ? STALE_NAN : v);
    }
    app.append({ __name__: 'c_total', s: 'x' }, t, (t / 1000) % 5000);
    // Two label sets that a key joining names and values with ÿ alone would make one.
    app.append({ __name__: 'marks', a: '1ÿbÿ2' }, t, i);
    app.append({ __name__: 'marks', a: '1', b: '2' }, t, 2 * i);
    // Series that end and begin inside the queries' ranges.
    if (t < 2.2 * H) app.append({ __name__: 'gone', k: String(i % 3) }, t, i);
    if (t > 3.6 * H) app.append({ __name__: 'born', k: String(i % 2) }, t, -i / 7);
    app.appendHistogram!({ __name__: 'lat' }, t, hs[i]!);
    await app.commit();
    if (!disk.db.hasOpenQueriers()) await disk.maintenance();
  }
}

/** The answer as the API writes it: the matrix text, warnings and infos. */
function bytes(r: QueryResult): string {
  const raw = resultText(r)?.text;
  const text = raw !== undefined ? jsonString(raw) : JSON.stringify(r.result);
  return `${r.resultType}|${text}|${JSON.stringify(r.warnings)}|${JSON.stringify(r.infos)}`;
}

function engines(off: OffThreadOptions, options: Parameters<typeof createOffThreadEngine>[1] = OPTS) {
  const blocks = { dataDir: dir, db: disk.db };
  return {
    whole: createOffThreadEngine(disk.db, options, { workers: 1, blocks, ...off }),
    parts: createOffThreadEngine(disk.db, options, { workers: 3, splitMinSteps: 2, blocks, ...off }),
  };
}

/** Starts the engine's workers: only started, idle workers take parts. */
async function warm(e: ReturnType<typeof createOffThreadEngine>, n: number): Promise<void> {
  await e.rangeQuery('vector(1)', 0, 600_000, 60_000);
  await Promise.all(Array.from({ length: n }, () => e.instantQuery('vector(1)', 0)));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'promlet-split-'));
  disk = await openDiskDB(dir, { checkpointInterval: 0, compaction: false, cacheSize: 8 << 20 });
  await fill(0, 6 * H);
  ({ whole, parts } = engines({}));
  await warm(parts, 3);
}, 120_000);

afterAll(async () => {
  await whole?.close();
  await parts?.close();
  await disk?.close();
  rmSync(dir, { recursive: true, force: true });
});

const QUERIES = [
  'm',
  'm offset 10m',
  'm{s="2"}',
  'sum by (job) (rate(m[5m]))',
  'rate(c_total[5m])',
  'increase(c_total[1h])',
  'topk(2, m)',
  'bottomk(1, m) by (job)',
  'topk(scalar(count(m)) - 4, m)',
  'avg_over_time(m[30m])',
  'quantile_over_time(0.3, m[20m])',
  'max_over_time(deriv(m[10m])[40m:3m])',
  'sum_over_time(m[10m:1m] @ start())',
  'm @ start()',
  'm @ end()',
  'rate(m[5m] @ end()) - rate(m[5m])',
  'm offset range()',
  'avg_over_time(m[range() / 4])',
  'timestamp(m)',
  'timestamp(m @ end())',
  'time() - timestamp(m{s="2"})',
  'start() + end() + range() + step() + time()',
  'absent(nonexistent)',
  'absent(born)',
  'absent_over_time(gone[10m])',
  'label_replace(m, "x", "$1", "s", "(.*)")',
  'label_join(gone, "y", "-", "k", "__name__")',
  'm / on(s) group_left m offset 1h',
  'topk(2, m) + on(s) group_left m offset 2h',
  'm > 50',
  'm > bool 0',
  'gone or born',
  'born unless on(k) gone',
  'count by (job) (m)',
  'count_values("v", round(m / 10))',
  'stddev by (job) (m)',
  'sort(m)',
  'changes(m[30m])',
  'resets(c_total[1h])',
  'predict_linear(m[30m], 600)',
  'vector(1)',
  'scalar(m{s="0"})',
  '1',
  'lat',
  'histogram_count(lat)',
  'histogram_quantile(0.9, rate(lat[10m]))',
  'sum(rate(lat[5m]))',
  'histogram_count(lat) - histogram_count(lat offset 1h)',
  'sum by (__name__) ({__name__=~".+"})',
  'count_over_time({__name__=~"m|c_total"}[1h])',
  'count by (a, b) (marks)',
  'sum by (a, b) (rate(marks[5m]))',
  'marks * on(a, b) marks',
];

// Ranges over the head and blocks, with steps that do and do not divide them, and a start off the step grid.
const RANGES: [number, number, number][] = [
  [0.5 * H, 5.5 * H, 60_000],
  [1 * H + 17_000, 5 * H, 7 * 60_000],
  [2 * H, 4 * H, 15_000],
];

describe('a range query cut into parts over idle workers', () => {
  for (const q of QUERIES) {
    it(`answers the bytes of the whole query: ${q}`, async () => {
      for (const [start, end, step] of RANGES) {
        const before = parts.queriesSplit, joined = parts.queriesJoined;
        const a = await whole.rangeQuery(q, start, end, step);
        const b = await parts.rangeQuery(q, start, end, step);
        // Stats-only histogram selectors are kept in one piece (see the test below).
        const cut = statsOnlySelectors(parse(q, { experimentalFunctions: true })).size === 0 ? 1 : 0;
        expect(parts.queriesSplit, 'cut into parts').toBe(before + cut);
        expect(parts.queriesJoined, 'the parts joined, not evaluated again whole').toBe(joined + cut);
        expect(bytes(b), `${q} ${start} ${end} ${step}`).toBe(bytes(a));
        // The parts' peaks added up bound the whole query's: what lets a join stand for the query under max samples.
        expect(b.stats.samples.peakSamples).toBeGreaterThanOrEqual(a.stats.samples.peakSamples);
      }
    });
  }

  it('keeps apart label sets whose names and values hold ÿ, in the parts and in their join', async () => {
    const r = await parts.rangeQuery('count by (a, b) (marks)', 0.5 * H, 5.5 * H, 60_000);
    expect((r.result as MatrixElement[]).map((s) => s.metric)).toEqual([{ a: '1', b: '2' }, { a: '1ÿbÿ2' }]);
  });

  it('answers as the in-process engine does', async () => {
    const local = createEngine(disk.db, OPTS);
    for (const q of ['sum by (job) (rate(m[5m]))', 'm @ start()', 'histogram_quantile(0.9, rate(lat[10m]))']) {
      const r = local.rangeQuerySync(q, 0.5 * H, 5.5 * H, 60_000);
      expect((await parts.rangeQuery(q, 0.5 * H, 5.5 * H, 60_000)).result).toEqual(r.result);
    }
  });

  it('gives the whole query\'s error', async () => {
    for (const q of ['m + on(job) m', 'count_over_time({__name__=~".+"}[1h])', 'label_replace(m, "s", "x", "s", ".*")', 'm[5m]']) {
      const a = await whole.rangeQuery(q, H, 5 * H, 60_000).then(() => null, (e: Error) => e);
      const b = await parts.rangeQuery(q, H, 5 * H, 60_000).then(() => null, (e: Error) => e);
      expect(a, q).toBeInstanceOf(Error);
      expect(b?.constructor, q).toBe(a!.constructor);
      expect(b?.message, q).toBe(a!.message);
    }
  });

  it('gives the error a part meets at once, not the timeout a slower part runs into', async () => {
    // Only the last part has the duplicate series; the others would take far longer than the timeout.
    const q = 'label_replace(born, "k", "x", "k", ".*") or count(count_over_time(mad_over_time(m[30m])[30m:1ms]))';
    const a = await whole.rangeQuery(q, H, 5 * H, 60_000, { timeout: '20s' }).then(() => null, (e: Error) => e);
    expect(a).toBeInstanceOf(QueryError);
    const before = parts.queriesSplit;
    const b = await parts.rangeQuery(q, H, 5 * H, 60_000, { timeout: '20s' }).then(() => null, (e: Error) => e);
    expect(parts.queriesSplit).toBe(before + 1);
    expect(b?.constructor).toBe(a!.constructor);
    expect(b?.message).toBe(a!.message);
  });

  it('keeps a text in one piece once its parts could not be joined', async () => {
    // The rate's "might not be a counter" info comes only from the parts that see `born`.
    const q = 'count_over_time(m[30m]) or rate(born[5m])';
    const before = parts.queriesSplit, joined = parts.queriesJoined;
    const a = await whole.rangeQuery(q, H, 5 * H, 60_000);
    const b = await parts.rangeQuery(q, H, 5 * H, 60_000);
    expect(parts.queriesSplit).toBe(before + 1);
    expect(parts.queriesJoined, 'refused').toBe(joined);
    expect(bytes(b)).toBe(bytes(a));
    const c = await parts.rangeQuery(q, H, 5 * H, 60_000);
    expect(parts.queriesSplit, 'not cut again').toBe(before + 1);
    expect(bytes(c)).toBe(bytes(a));
  });

  it('keeps stats-only histogram selectors in one piece', async () => {
    const before = parts.queriesSplit;
    for (const q of ['histogram_count(sum(lat))', 'histogram_sum(rate(lat[10m]))']) {
      const a = await whole.rangeQuery(q, H, 5 * H, 60_000);
      const b = await parts.rangeQuery(q, H, 5 * H, 60_000);
      expect(bytes(b), q).toBe(bytes(a));
    }
    expect(parts.queriesSplit).toBe(before);
  });

  it('holds the whole query to max samples at the boundary', async () => {
    const q = 'sum by (job) (avg_over_time(m[30m]))';
    const peak = createEngine(disk.db, OPTS).rangeQuerySync(q, H, 5 * H, 60_000).stats.samples.peakSamples;
    for (const maxSamples of [peak, peak - 1]) {
      const e = engines({}, { ...OPTS, maxSamples });
      try {
        await warm(e.parts, 3);
        const before = e.parts.queriesSplit;
        const a = await e.whole.rangeQuery(q, H, 5 * H, 60_000).then(bytes, (err: Error) => err);
        const b = await e.parts.rangeQuery(q, H, 5 * H, 60_000).then(bytes, (err: Error) => err);
        expect(e.parts.queriesSplit).toBe(before + 1);
        if (maxSamples === peak) expect(b).toBe(a);
        else {
          expect(a).toBeInstanceOf(TooManySamplesError);
          expect(b).toBeInstanceOf(TooManySamplesError);
        }
      } finally {
        await e.whole.close();
        await e.parts.close();
      }
    }
  });

  it('holds the whole query to the memory budget', async () => {
    const q = 'avg_over_time(m[30m])';
    // 6 series × 241 steps × 16 bytes held at the end: parts that each hold a third of it fit.
    const e = engines({}, { ...OPTS, maxMemoryBytes: 6 * 241 * 16 - 1 });
    try {
      await warm(e.parts, 3);
      await expect(e.whole.rangeQuery(q, H, 5 * H, 60_000)).rejects.toBeInstanceOf(QueryMemoryError);
      await expect(e.parts.rangeQuery(q, H, 5 * H, 60_000)).rejects.toBeInstanceOf(QueryMemoryError);
    } finally {
      await e.whole.close();
      await e.parts.close();
    }
  });

  it('holds the parts together to the budget: each part to its share, and the query answered whole after', async () => {
    const q = 'avg_over_time(m[30m])';
    // The whole query fits its budget; a third of the budget does not hold the whole range.
    const options = { ...OPTS, maxMemoryBytes: 4 * 6 * 241 * 16 };
    const local = createEngine(disk.db, options);
    expect(() => local.rangeQueryTextSync(q, H, 5 * H, 60_000, { memoryShare: 1 / 3 })).toThrow(QueryMemoryError);
    expect(() => local.rangeQueryTextSync(q, H, 5 * H, 60_000, { memoryShare: 1 })).not.toThrow();
    const e = engines({}, options);
    try {
      await warm(e.parts, 3);
      const a = await e.whole.rangeQuery(q, H, 5 * H, 60_000);
      const before = e.parts.queriesSplit;
      const b = await e.parts.rangeQuery(q, H, 5 * H, 60_000);
      expect(e.parts.queriesSplit).toBe(before + 1);
      expect(bytes(b)).toBe(bytes(a));
    } finally {
      await e.whole.close();
      await e.parts.close();
    }
  });

  const HEAVY = 'count_over_time(mad_over_time(m[30m])[30m:1ms])';

  it('ends every part at the timeout, and answers again after', async () => {
    const e = engines({ graceMs: 100 });
    try {
      await warm(e.parts, 3);
      const before = e.parts.queriesSplit;
      await expect(e.parts.rangeQuery(HEAVY, H, H + 5 * 60_000, 60_000, { timeout: 200 })).rejects.toBeInstanceOf(QueryTimeoutError);
      expect(e.parts.queriesSplit).toBe(before + 1);
      expect(bytes(await e.parts.rangeQuery('rate(m[5m])', H, 2 * H, 60_000))).toBe(bytes(await e.whole.rangeQuery('rate(m[5m])', H, 2 * H, 60_000)));
    } finally {
      await e.whole.close();
      await e.parts.close();
    }
  });

  it('ends every part on an abort', async () => {
    const ac = new AbortController();
    const before = parts.queriesSplit;
    const q = parts.rangeQuery(HEAVY, H, H + 5 * 60_000, 60_000, { signal: ac.signal });
    setTimeout(() => ac.abort(), 200);
    await expect(q).rejects.toBeInstanceOf(QueryCanceledError);
    expect(parts.queriesSplit).toBe(before + 1);
    await warm(parts, 3);
  });

  it('keeps a query to one worker when no other is idle', async () => {
    const ac = new AbortController();
    const two = createOffThreadEngine(disk.db, OPTS, { workers: 2, splitMinSteps: 2, blocks: { dataDir: dir, db: disk.db } });
    try {
      await warm(two, 2);
      const busy = two.instantQuery(HEAVY, 2 * H, { signal: ac.signal }).catch(() => {});
      const before = two.queriesSplit;
      const q = 'sum by (job) (rate(m[5m]))';
      expect(bytes(await two.rangeQuery(q, H, 5 * H, 60_000))).toBe(bytes(await whole.rangeQuery(q, H, 5 * H, 60_000)));
      expect(two.queriesSplit).toBe(before);
      ac.abort();
      await busy;
    } finally {
      await two.close();
    }
  });

  it('keeps a query to one worker when told the machine is busy', async () => {
    const e = createOffThreadEngine(disk.db, OPTS, { workers: 3, splitMinSteps: 2, splitWhen: () => false, blocks: { dataDir: dir, db: disk.db } });
    try {
      await warm(e, 3);
      const before = e.queriesSplit;
      expect(bytes(await e.rangeQuery('rate(m[5m])', H, 5 * H, 60_000))).toBe(bytes(await whole.rangeQuery('rate(m[5m])', H, 5 * H, 60_000)));
      expect(e.queriesSplit).toBe(before);
    } finally {
      await e.close();
    }
  });

  it('keeps a query that asks for stats to one worker', async () => {
    const before = parts.queriesSplit;
    const q = 'rate(m[5m])';
    const r = await parts.rangeQuery(q, H, 5 * H, 60_000, { stats: true });
    expect(parts.queriesSplit).toBe(before);
    expect(r.stats.samples).toEqual((await whole.rangeQuery(q, H, 5 * H, 60_000)).stats.samples);
  });

  it('keeps short ranges to one worker', async () => {
    const e = createOffThreadEngine(disk.db, OPTS, { workers: 3, blocks: { dataDir: dir, db: disk.db } });
    try {
      await warm(e, 3);
      const before = e.queriesSplit;
      await e.rangeQuery('m', H, 2 * H, 60_000);
      expect(e.queriesSplit).toBe(before);
      await e.rangeQuery('m', H, 5 * H, 15_000);
      expect(e.queriesSplit).toBe(before + 1);
    } finally {
      await e.close();
    }
  });

  it('keeps a text to one worker once its evaluation proved too short to gain', async () => {
    // No evaluation here takes an hour: the first run of a text is cut, the ones after it are not.
    const e = createOffThreadEngine(disk.db, OPTS, { workers: 3, splitMinSteps: 2, splitMinMs: 3_600_000, blocks: { dataDir: dir, db: disk.db } });
    const none = createOffThreadEngine(disk.db, OPTS, { workers: 3, splitMinSteps: 2, splitMinMs: 0, blocks: { dataDir: dir, db: disk.db } });
    try {
      await warm(e, 3);
      await warm(none, 3);
      const q = 'sum by (job) (rate(m[10m]))';
      const before = e.queriesSplit;
      const first = await e.rangeQuery(q, H, 5 * H, 60_000);
      expect(e.queriesSplit, 'an unknown text is cut').toBe(before + 1);
      const second = await e.rangeQuery(q, H, 5 * H, 60_000);
      expect(e.queriesSplit, 'a cheap text is not cut again').toBe(before + 1);
      expect(bytes(second)).toBe(bytes(first));
      await e.rangeQuery('count(m)', H, 5 * H, 60_000);
      expect(e.queriesSplit, 'another text is cut').toBe(before + 2);
      // Without a minimum every run is cut.
      const b0 = none.queriesSplit;
      await none.rangeQuery(q, H, 5 * H, 60_000);
      await none.rangeQuery(q, H, 5 * H, 60_000);
      expect(none.queriesSplit).toBe(b0 + 2);
    } finally {
      await e.close();
      await none.close();
    }
  });
});
