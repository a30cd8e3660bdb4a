// The head copies sent with a query (src/node/head-prefetch.ts) must be
// exactly the selections the engine then asks the head for: each one missed
// would cost the worker a round trip through the main thread, and one never
// asked for a copy for nothing. Answers read through them are checked in
// worker-blocks.test.ts.

import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/promql/engine/engine.js';
import { parse } from '../../src/promql/index.js';
import { prepare } from '../../src/promql/engine/preprocess.js';
import { selectorRanges } from '../../src/promql/engine/selection.js';
import type { Queryable } from '../../src/storage/interfaces.js';
import { prefetchHeadCopies } from '../../src/node/head-prefetch.js';
import { headCopyKey } from '../../src/node/worker-blocks.js';
import type { ExtraCalls } from '../../src/node/worker-storage.js';

const T = Date.UTC(2026, 0, 1, 12);

const QUERIES = [
  'x',
  'sum by (job) (rate(x{job=~"a|b"}[5m]))',
  'x / on(instance) group_left y',
  'x + x offset 1h',
  'x - x',
  'max_over_time(deriv(x[5m])[20m:1m] offset 10m)',
  'x @ 1767225600 + y',
  'histogram_quantile(0.9, sum by (le) (rate(h_bucket[5m])))',
  'vector(1)',
];

/** The selections (as headCopyKey names them) an engine reads from a querier for one query. */
function askedBy(run: (db: Queryable) => void): Set<string> {
  const asked = new Set<string>();
  run({
    querier: (mint, maxt) => ({
      select: (ms) => {
        asked.add(headCopyKey(ms, mint, maxt));
        return [];
      },
      labelNames: () => [],
      labelValues: () => [],
      close: () => {},
    }),
  });
  return asked;
}

function prefetched(query: string, start: number, end: number, step: number): { keys: Set<string>; calls: number } {
  const keys = new Set<string>();
  let calls = 0;
  const extra: ExtraCalls = (name, args) => {
    expect(name).toBe('headCopy');
    calls++;
    keys.add(JSON.stringify(args));
    return { series: [], bytes: new Uint8Array(0) };
  };
  const ranges = selectorRanges(prepare(parse(query), { start, end, step }), { start, end }, 5 * 60_000);
  const copies = prefetchHeadCopies(extra, ranges, []);
  expect(new Set(Object.keys(copies))).toEqual(keys);
  return { keys, calls };
}

describe('head copies sent with a query', () => {
  for (const q of QUERIES) {
    it(`are the selections the engine reads: ${q}`, () => {
      const range = prefetched(q, T - 3600_000, T, 15_000);
      expect(range.keys).toEqual(askedBy((db) => createEngine(db).rangeQuerySync(q, T - 3600_000, T, 15_000)));
      const instant = prefetched(q, T, T, 0);
      expect(instant.keys).toEqual(askedBy((db) => createEngine(db).instantQuerySync(q, T)));
      // One copy per distinct selector, however often the query names it.
      expect(range.calls).toBe(range.keys.size);
    });
  }
});

describe('what a head copy costs the message', () => {
  it('is nothing for a selection with no series in the head, and one transferred buffer otherwise', () => {
    const sent = new Map<string, ArrayBuffer>();
    const extra: ExtraCalls = (_name, args, transfer) => {
      const matchers = (args[0] as [string, string, string][]);
      const hit = matchers.some(([, , v]) => v === 'x');
      const bytes = new Uint8Array(hit ? 16 : 0);
      transfer.add(bytes.buffer);
      if (hit) sent.set('x', bytes.buffer);
      return { series: hit ? [{ labels: [{ name: '__name__', value: 'x' }], starts: null, chunks: [0, 1, 0, 16], hist: null }] : [], bytes };
    };
    const ranges = selectorRanges(prepare(parse('x / on(instance) group_left y'), { start: T - 3600_000, end: T, step: 15_000 }), { start: T - 3600_000, end: T }, 5 * 60_000);
    const transfer: ArrayBuffer[] = [];
    const copies = Object.values(prefetchHeadCopies(extra, ranges, transfer));
    expect(copies.map((c) => c && c.series.length)).toEqual([1, null]);
    // Only the copy with series brings a buffer along.
    expect(transfer).toEqual([sent.get('x')]);
  });
});
