// count and group of an instant selector over a range's steps
// (src/promql/engine/count-selector.ts) against the streamed fold it stands
// in for (aggregate-stream.ts, the path these queries took before): the same
// series in the same order with the same values, bit for bit, and the same
// query state after it: samples counted, peak, samples read, bytes held and
// the memory budget's peak, and the same errors at the edges of max-samples
// and of the memory budget. The answers against the step-by-step engine are
// in selector-steps.test.ts (count and group over its random data) and
// aggregate-stream.test.ts. Then the runs (countSelectorRuns) against
// fillSelectorSteps's step walk.

import { beforeAll, describe, expect, it } from 'vitest';
import { openDB, type DB } from '../../../src/index.js';
import { seededRandom } from '../../../src/model/seeded-random.js';
import { STALE_NAN } from '../../../src/model/stale.js';
import { parse } from '../../../src/promql/parser/index.js';
import type { AggregateExpr } from '../../../src/promql/parser/ast.js';
import { Evaluator, QueryState } from '../../../src/promql/engine/evaluator.js';
import { prepare } from '../../../src/promql/engine/preprocess.js';
import { Selection, overallRange, selectorRanges } from '../../../src/promql/engine/selection.js';
import { HINT_LOOKBEHIND, statsOnlySelectors } from '../../../src/promql/engine/histogram-series.js';
import { countSelector } from '../../../src/promql/engine/count-selector.js';
import { streamAggregation } from '../../../src/promql/engine/aggregate-stream.js';
import { columnsOf } from '../../../src/promql/engine/columnar.js';
import { countSelectorRuns, fillSelectorSteps, runsExact } from '../../../src/promql/engine/selector-steps.js';
import type { Matrix } from '../../../src/promql/engine/value.js';
import { floatHistogram } from '../../fixtures/histograms.js';

const T0 = Date.UTC(2026, 0, 1);
const SPAN = 2 * 3600_000;
const LOOKBACK = 5 * 60_000;

/** Series with irregular whole-second scrapes (often on a step or a lookback edge), gaps, markers, NaN; some start late, end early or lie outside the range. */
async function fixture(seed: number): Promise<DB> {
  const rnd = seededRandom(seed);
  const db = await openDB();
  const app = db.appender();
  for (let i = 0; i < 24; i++) {
    const labels = { __name__: 'x', i: String(i), g: String(i % 4), h: String(i % 3) };
    const interval = [5_000, 15_000, 15_000, 30_000, 60_000, 290_000, 400_000][Math.floor(rnd() * 7)]!;
    let t = T0 + 1000 * Math.floor(rnd() * (i % 5 === 3 ? SPAN / 1500 : 90));
    // Series 7 ends before the ranges begin: selected for its lookback, it has no value and makes no group.
    const stop = i === 7 ? T0 + 1000 : T0 + SPAN - (i % 6 === 5 ? Math.floor(rnd() * SPAN / 2) : 0);
    while (t < stop) {
      const r = rnd();
      if (r < 0.03) t += LOOKBACK + 1000 * Math.floor(rnd() * 400);
      const v = r < 0.08 ? STALE_NAN : r < 0.1 ? NaN : Math.round(rnd() * 1000) - 300;
      app.append(labels, t, v);
      if (v !== v && r < 0.08 && rnd() < 0.3) app.append(labels, (t += 1000), STALE_NAN);
      t += interval + (rnd() < 0.3 ? 1000 * Math.floor(rnd() * 3) - 1000 : 0);
    }
    if (i === 10) app.append(labels, t, STALE_NAN);
  }
  // Floats and native histograms under one name: neither path takes it.
  for (let k = 0; k < 100; k++) {
    const t = T0 + k * 30_000;
    if (k % 10 < 3) app.appendHistogram!({ __name__: 'mixed', i: '0' }, t, floatHistogram(1 + k / 100));
    else app.append({ __name__: 'mixed', i: '0' }, t, k);
  }
  await app.commit();
  return db;
}

interface Limits { maxSamples: number; maxMemoryBytes: number; lookback: number }

function evaluator(db: DB, query: string, start: number, end: number, step: number, limits: Limits) {
  const prepared = prepare(parse(query), { start, end, step });
  const ranges = selectorRanges(prepared, { start, end }, limits.lookback);
  const all = overallRange(ranges);
  const selection = new Selection(db.querier(all.start - HINT_LOOKBEHIND, all.end), ranges, statsOnlySelectors(prepared.expr));
  const q = new QueryState({
    lookbackDelta: limits.lookback, maxSamples: limits.maxSamples, maxMemoryBytes: limits.maxMemoryBytes, maxLabelValueLength: 1 << 20,
    delayedNameRemoval: false, noStepSubqueryInterval: () => 60_000, checkAbort: () => {}, query: { start, end, step },
    useWasmReductions: false, columnar: true,
  }, prepared, selection);
  q.setOffsetForAtModifier(start, prepared.expr);
  // Samples already counted, as when the aggregation is one operand of a larger query.
  q.add(57);
  const e = prepared.expr as AggregateExpr;
  return { q, ev: new Evaluator(q, start, end, step), e: { ...e, grouping: [...e.grouping].sort() } };
}

const text = (x: number) => (Object.is(x, -0) ? '-0' : String(x));

function outcome(q: QueryState, run: () => Matrix | null) {
  const state = () => ({ current: q.current, peak: q.peak, loaded: q.totalLoaded, streamed: q.streamed, held: q.heldBytes, peakBytes: q.peakBytes });
  try {
    const m = run();
    const series = m?.map((s) => {
      const c = columnsOf(s)!;
      const values: string[] = [];
      for (let k = 0; k < c.present.length; k++) values.push(c.present[k] === 1 ? text(c.values[k]!) : '-');
      return { metric: s.metric, dropName: s.dropName, start: c.start, interval: c.interval, count: c.count, values: values.join(' ') };
    });
    return { series, ...state() };
  } catch (err) {
    return { error: `${(err as Error).constructor.name}: ${(err as Error).message}`, ...state() };
  }
}

const QUERIES = [
  'count(x)',
  'count by (g) (x)',
  'group by (g) (x)',
  'count without (i) (x)',
  'group without (i, g) (x)',
  'count by (i) (x)',
  'count by (h, g) (x offset 1m)',
  'group(x offset -90s)',
  `count by (g) (x @ ${(T0 + SPAN / 2) / 1000})`,
  'count by (g) ((x))',
  'count by (g) (x{i!~"1.*"})',
  'count(nothing)',
];

const GRIDS = [
  { start: T0 + 60_000, end: T0 + SPAN, step: 15_000 },
  { start: T0 + 3_333, end: T0 + SPAN / 2, step: 7_000 },
  { start: T0 - 600_000, end: T0 + SPAN + 600_000, step: 120_000 },
  { start: T0 + 17_000, end: T0 + SPAN, step: 660_000 },
  // Off whole milliseconds: the step walk instead of runs.
  { start: T0 + 1_000.5, end: T0 + SPAN, step: 15_000 },
  { start: T0, end: T0 + SPAN, step: 14_999.75 },
];

const roomy: Limits = { maxSamples: 50_000_000, maxMemoryBytes: 1e12, lookback: LOOKBACK };

for (const seed of [1, 2]) {
  describe(`count and group of a selector against the streamed fold (seed ${seed})`, () => {
    let db: DB;
    beforeAll(async () => {
      db = await fixture(seed);
    });

    it('answers and leaves the query state as the fold does, at every grid and two lookbacks', () => {
      let taken = 0;
      for (const q of QUERIES) {
        for (const g of GRIDS) {
          for (const lookback of [LOOKBACK, 45_000]) {
            const limits = { ...roomy, lookback };
            const a = evaluator(db, q, g.start, g.end, g.step, limits), b = evaluator(db, q, g.start, g.end, g.step, limits);
            const got = outcome(a.q, () => countSelector(a.ev, a.e));
            expect('series' in got && got.series, `${q} is counted`).toBeTruthy();
            expect(got, `${q} over ${JSON.stringify(g)}, lookback ${lookback}`).toEqual(outcome(b.q, () => streamAggregation(b.ev, b.e)));
            taken++;
          }
        }
      }
      expect(taken).toBe(QUERIES.length * GRIDS.length * 2);
    });

    it('makes groups only from series with a value, first come first (the data has series with none)', () => {
      const a = evaluator(db, 'count by (i) (x)', T0 + 60_000, T0 + SPAN, 15_000, roomy);
      const m = countSelector(a.ev, a.e)!;
      expect(m.length).toBeLessThan(24);
      expect(m.length).toBeGreaterThan(15);
      expect(m.some((s) => s.metric[0]!.value === '7')).toBe(false);
      // Counts above 1 in a group and steps without one: the data is not degenerate.
      const all = evaluator(db, 'count(x)', T0 + 60_000, T0 + SPAN, 15_000, roomy);
      const c = columnsOf(countSelector(all.ev, all.e)![0]!)!;
      expect(Math.max(...c.values)).toBeGreaterThan(10);
      expect(new Set(c.values).size).toBeGreaterThan(4);
    });

    it('fails on max-samples and the memory budget where the fold fails, with the same state', () => {
      let errors = 0;
      for (const q of ['count by (g) (x)', 'group(x)', 'count by (i) (x offset 1m)']) {
        for (const g of GRIDS.slice(0, 2)) {
          const n = Math.floor((g.end - g.start) / g.step) + 1;
          const probe = evaluator(db, q, g.start, g.end, g.step, roomy);
          streamAggregation(probe.ev, probe.e);
          const peakBytes = probe.q.peakBytes, peak = probe.q.peak;
          const edges: Limits[] = [
            ...[peakBytes, peakBytes - 1, peakBytes - 9 * n, peakBytes - 10 * n, peakBytes - 16 * 5, Math.floor(peakBytes / 2), 9 * n + 57 * 16]
              .map((maxMemoryBytes) => ({ ...roomy, maxMemoryBytes })),
            ...[peak, peak - 1, peak - 40, Math.floor(peak / 3)].map((maxSamples) => ({ ...roomy, maxSamples })),
          ];
          for (const limits of edges) {
            const a = evaluator(db, q, g.start, g.end, g.step, limits), b = evaluator(db, q, g.start, g.end, g.step, limits);
            const want = outcome(b.q, () => streamAggregation(b.ev, b.e));
            expect(outcome(a.q, () => countSelector(a.ev, a.e)), `${q} ${JSON.stringify(limits)}`).toEqual(want);
            if ('error' in want) errors++;
          }
        }
      }
      expect(errors).toBeGreaterThan(20);
    });

    it('leaves selectors with native histograms, other operators and instant queries to the other paths', () => {
      for (const [q, start, end] of [['count(mixed)', T0, T0 + SPAN], ['sum(x)', T0, T0 + SPAN], ['count(x)', T0 + SPAN, T0 + SPAN], ['count(rate(x[5m]))', T0, T0 + SPAN]] as const) {
        const a = evaluator(db, q, start, end, 15_000, roomy);
        expect(countSelector(a.ev, a.e), q).toBeNull();
      }
    });
  });
}

describe('count by runs against the step walk', () => {
  it('marks runs whose running sum is 1 exactly where fillSelectorSteps writes, and counts the same steps', () => {
    const rnd = seededRandom(5);
    let compared = 0;
    for (let round = 0; round < 400; round++) {
      const m = Math.floor(rnd() * 60);
      const t = new Float64Array(m), v = new Float64Array(m);
      // Times before 1970 too: storage takes negative sample times.
      let x = Math.floor(rnd() * 300) - 200;
      for (let i = 0; i < m; i++) {
        t[i] = x;
        v[i] = rnd();
        x += 1 + Math.floor(rnd() * (rnd() < 0.1 ? 200 : 30));
      }
      const stale = rnd() < 0.5 ? Uint8Array.from({ length: m }, () => (rnd() < 0.15 ? 1 : 0)) : null;
      const s = { labels: [], t, v, stale };
      const n = 1 + Math.floor(rnd() * 80), interval = 1 + Math.floor(rnd() * 20), lookback = 1 + Math.floor(rnd() * 60);
      const ref0 = Math.floor(rnd() * 350) - 250, base = Math.floor(rnd() * 3);
      const values = new Float64Array(n + base), present = new Uint8Array(n + base);
      const want = fillSelectorSteps(s, ref0, interval, n, lookback, values, present, base);
      // The runs: a running sum of their marks is 1 exactly where the walk wrote a value.
      expect(runsExact(s, ref0, interval, n, lookback)).toBe(true);
      const diff = new Float64Array(n);
      expect(countSelectorRuns(s, ref0, interval, n, lookback, diff)).toBe(want);
      let sum = 0;
      expect([...diff].map((d) => (sum += d))).toEqual([...present.subarray(base, base + n)]);
      compared += want;
    }
    expect(compared).toBeGreaterThan(2000);
  });

  it('takes runs only where every time is whole milliseconds with differences under 2^53', () => {
    const s = (t: number[]) => ({ labels: [], t: Float64Array.from(t), v: new Float64Array(t.length), stale: null });
    expect(runsExact(s([0, 10, 20]), 5, 10, 100, 30)).toBe(true);
    expect(runsExact(s([]), 0.5, 10, 100, 30)).toBe(true);
    expect(runsExact(s([0, 10]), 0.5, 10, 100, 30)).toBe(false);
    expect(runsExact(s([0, 10]), 0, 2.5, 100, 30)).toBe(false);
    expect(runsExact(s([0, 10]), 0, 10, 100, 30.5)).toBe(false);
    expect(runsExact(s([0, 2 ** 53]), 0, 10, 100, 30)).toBe(false);
    expect(runsExact(s([-(2 ** 52), 2 ** 52]), 0, 10, 100, 30)).toBe(false);
    expect(runsExact(s([0, 10]), 2 ** 53 - 100, 10, 100, 30)).toBe(false);
  });

  it('keeps a run of samples before 1970 open', () => {
    const s = { labels: [], t: Float64Array.of(-100, -50), v: new Float64Array(2), stale: Uint8Array.of(0, 0) };
    const diff = new Float64Array(3);
    expect(countSelectorRuns(s, -100, 50, 3, 100, diff)).toBe(3);
    expect([...diff]).toEqual([1, 0, 0]);
    const marked = { labels: [], t: Float64Array.of(-200, -150, -100), v: new Float64Array(3), stale: Uint8Array.of(0, 0, 1) };
    const d2 = new Float64Array(4);
    expect(countSelectorRuns(marked, -200, 50, 4, 100, d2)).toBe(2);
    expect([...d2]).toEqual([1, 0, -1, 0]);
  });

  it('marks a run ending at a marker, and none past the last step', () => {
    // Runs [100, 300) and [400, 600) on steps 0, 50, …, 450 with a lookback of 200; a marker at 300.
    const s = { labels: [], t: Float64Array.of(100, 250, 300, 400), v: new Float64Array(4), stale: Uint8Array.of(0, 0, 1, 0) };
    const diff = new Float64Array(10);
    expect(countSelectorRuns(s, 0, 50, 10, 200, diff)).toBe(6);
    expect([...diff]).toEqual([0, 0, 1, 0, 0, 0, -1, 0, 1, 0]);
  });

  it('counts a sample in (ref - lookback, ref] and not at ref - lookback, and nothing after a marker', () => {
    // The runs and the step walk (the path for grids off whole milliseconds) alike.
    const counted = (s: { labels: never[]; t: Float64Array; v: Float64Array; stale: Uint8Array | null }, ref0: number, interval: number, n: number, lookback: number) => {
      const present = new Uint8Array(n), diff = new Float64Array(n);
      const walked = fillSelectorSteps(s, ref0, interval, n, lookback, new Float64Array(n), present, 0);
      const byRuns = countSelectorRuns(s, ref0, interval, n, lookback, diff);
      let sum = 0;
      return { walked, byRuns, present: [...present], runs: [...diff].map((d) => (sum += d)) };
    };
    const a = counted({ labels: [], t: Float64Array.of(100, 200), v: Float64Array.of(1, 2), stale: null }, 50, 50, 6, 100);
    expect(a).toEqual({ walked: 4, byRuns: 4, present: [0, 1, 1, 1, 1, 0], runs: [0, 1, 1, 1, 1, 0] });
    const b = counted({ labels: [], t: Float64Array.of(10, 20, 30), v: Float64Array.of(5, NaN, 7), stale: Uint8Array.of(0, 1, 0) }, 10, 10, 4, 1000);
    expect(b).toEqual({ walked: 3, byRuns: 3, present: [1, 0, 1, 1], runs: [1, 0, 1, 1] });
    const c = counted({ labels: [], t: new Float64Array(0), v: new Float64Array(0), stale: null }, 0, 10, 3, 100);
    expect(c).toEqual({ walked: 0, byRuns: 0, present: [0, 0, 0], runs: [0, 0, 0] });
  });
});
