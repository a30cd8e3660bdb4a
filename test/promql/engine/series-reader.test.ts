// Range functions read their stored series one at a time into one pair of
// arrays (series-reader.ts, Series.floatsInto) instead of every series
// decoded and held. The answers must be the bytes the held read gives: the
// reference here is the same engine over the same storage with floatsInto
// hidden, so every series goes through samples() and withoutStale.

import { describe, expect, it } from 'vitest';
import { counting, headBlock, held, outcome } from '../../fixtures/float-reads.js';
import { openDB, type DB } from '../../../src/storage/db.js';
import { createEngine } from '../../../src/promql/engine/engine.js';
import type { FloatBuffers } from '../../../src/storage/interfaces.js';
import { STALE_NAN } from '../../../src/model/stale.js';
import { histogramAt } from '../../fixtures/wal/histogram-at.js';
import { Matcher } from '../../../src/model/matcher.js';
import { getLabel } from '../../../src/promql/engine/value.js';

const H = 3600_000;
const T0 = 20 * H;
const STEP = 15_000;
const LES = ['0.05', '0.1', '0.25', '0.5', '1', '2.5', '+Inf'];

/** Bucket series of several shapes, plus plain counters, gauges and a series that turns native. */
function shape(g: number, le: number, k: number, t: number): number | null {
  const base = (k * (le + 1) * (g + 1)) % 1e6;
  switch (g) {
    case 0: return base; // plain, monotonic buckets
    case 1: return k % 97 === 50 ? STALE_NAN : base; // stale markers
    case 2: return k % 61 === 30 ? base / 7 : base; // resets
    case 3: return le === 2 && k % 13 === 0 ? NaN : base; // NaN buckets
    case 4: return le === LES.length - 1 ? null : base; // no +Inf bucket
    case 5: return (k * (LES.length - le) * 3) % 1e5; // counts decreasing with le
    case 6: return le < 5 ? null : base; // two buckets or fewer
    case 7: return k % 200 < 20 ? null : base * 1e300; // gaps, huge values
    default: return Math.sin(t / 1e6 + le) * 1e3 - k; // not counters
  }
}

async function fill(db: DB): Promise<void> {
  let k = 0;
  for (let t = T0; t < T0 + 6 * H; t += STEP, k++) {
    const app = db.appender();
    for (let g = 0; g < 9; g++) {
      for (let le = 0; le < LES.length; le++) {
        const v = shape(g, le, k, t);
        if (v !== null) app.append({ __name__: 'req_bucket', g: String(g), le: LES[le]! }, t, v);
      }
    }
    app.append({ __name__: 'c_total', i: '1' }, t, k % 300 === 299 ? STALE_NAN : k * 3);
    app.append({ __name__: 'c_total', i: '2' }, t - 7000, k % 41 === 0 ? 0 : k * 1.5);
    // Floats, then native histograms, then floats again (one series of both kinds).
    if (k % 400 < 150 || k % 400 >= 300) app.append({ __name__: 'req_bucket', g: 'mixed', le: '+Inf' }, t, k);
    else app.appendHistogram!({ __name__: 'req_bucket', g: 'mixed', le: '+Inf' }, t, histogramAt(k, 0));
    // Start timestamps on one bucket series: it reads through samples().
    app.append({ __name__: 'req_bucket', g: 'st', le: '+Inf' }, t, k, k % 5 === 0 ? 0 : t - 1000);
    await app.commit();
  }
}

/** The data in the head alone, and in two blocks and the head. */
async function stores(): Promise<DB[]> {
  const head = await openDB();
  await fill(head);
  const blocks = await openDB();
  await fill(blocks);
  blocks.setBlocks([headBlock(blocks, T0, T0 + 2 * H), headBlock(blocks, T0 + 2 * H, T0 + 4 * H)]);
  blocks.setHeadMinValidTime(T0 + 4 * H);
  blocks.truncateHead(T0 + 4 * H);
  return [head, blocks];
}

const QUERIES = [
  'histogram_quantile(0.99, sum by (le) (rate(req_bucket[5m])))',
  'histogram_quantile(0.5, sum by (g, le) (rate(req_bucket[5m])))',
  'histogram_quantile(0.9, rate(req_bucket[5m]))',
  'sum by (le) (rate(req_bucket{g!="mixed"}[5m]))',
  'rate(req_bucket[5m])',
  'increase(c_total[10m])',
  'resets(c_total[30m])',
  'avg_over_time(req_bucket{g=~"[0-9]"}[30m])',
  'max_over_time(c_total[2m]) + rate(c_total[5m])',
  'max_over_time(rate(c_total[5m])[30m:1m])',
  'count_over_time(req_bucket[1m])',
  'quantile_over_time(0.3, req_bucket{g="3"}[10m])',
  'sum(rate(req_bucket{g="st"}[5m]))',
  'last_over_time(c_total[5m])',
];

const GRIDS: [number, number, number][] = [
  [T0 + H / 2, T0 + 6 * H - 1000, 15_000],
  [T0 - H, T0 + 3 * H, 60_000],
  [T0 + 5 * H, T0 + 5 * H, 1000],
  // A step wider than the range: the WASM reductions path (rate over [1m] at 2m).
  [T0, T0 + 6 * H, 120_000],
];

describe('range functions over series read one at a time', () => {
  it('answer the bytes and sample counts the held read gives, over blocks and the head', async () => {
    let compared = 0;
    const count = { read: 0, kept: 0, refused: 0 };
    for (const db of await stores()) {
      const fast = createEngine(counting(db, count));
      const ref = createEngine(held(db));
      for (const q of [...QUERIES, 'rate(c_total[1m])', 'sum(rate(req_bucket[1m]))']) {
        for (const [start, end, step] of GRIDS) {
          const a = outcome(() => fast.rangeQuerySync(q, start, end, step));
          const b = outcome(() => ref.rangeQuerySync(q, start, end, step));
          expect(a === b, `${q} ${start} ${end} ${step}`).toBe(true);
          compared++;
        }
      }
    }
    expect(compared).toBe(2 * 16 * GRIDS.length);
    // The comparison is of the new read: most series went through floatsInto.
    expect(count.read).toBeGreaterThan(1000);
  });

  it('give the same answers and errors under small sample and memory limits', async () => {
    const db = (await stores())[1]!;
    const count = { read: 0, kept: 0, refused: 0 };
    let errors = 0;
    for (const limits of [{ maxSamples: 50 }, { maxSamples: 5000 }, { maxSamples: 200_000 }, { maxMemoryBytes: 40_000 }, { maxMemoryBytes: 400_000 }]) {
      const fast = createEngine(counting(db, count), limits);
      const ref = createEngine(held(db), limits);
      for (const q of QUERIES) {
        const [start, end, step] = GRIDS[0]!;
        const a = outcome(() => fast.rangeQuerySync(q, start, end, step));
        const b = outcome(() => ref.rangeQuerySync(q, start, end, step));
        expect(a, `${q} ${JSON.stringify(limits)}`).toBe(b);
        if (!a.startsWith('[')) errors++;
      }
    }
    expect(count.read).toBeGreaterThan(100);
    expect(errors).toBeGreaterThan(10);
  });

  it('gives every timestamp and value text exactly (huge values, stale markers, NaN buckets)', async () => {
    const db = (await stores())[1]!;
    for (const q of ['rate(req_bucket[5m])', 'sum by (le) (rate(req_bucket[5m]))', 'avg_over_time(req_bucket[30m])']) {
      const a = createEngine(db).rangeQuerySync(q, T0, T0 + 6 * H, STEP).result as { metric: object; values: [number, string][] }[];
      const b = createEngine(held(db)).rangeQuerySync(q, T0, T0 + 6 * H, STEP).result as { metric: object; values: [number, string][] }[];
      expect(a.length).toBe(b.length);
      a.forEach((s, i) => {
        expect(s.metric).toEqual(b[i]!.metric);
        expect(s.values.length).toBe(b[i]!.values.length);
        s.values.forEach(([t, v], j) => {
          expect(Object.is(t, b[i]!.values[j]![0])).toBe(true);
          expect(Object.is(v, b[i]!.values[j]![1])).toBe(true);
        });
      });
    }
  });

  it('reads floatsInto the samples samples() gives without stale markers, or -1 for histograms and start timestamps', async () => {
    for (const db of await stores()) {
      const q = db.querier(-Infinity, Infinity);
      const bufs: FloatBuffers = { t: new Float64Array(0), v: new Float64Array(0) };
      let read = 0, refused = 0;
      for (const s of q.select([new Matcher('=~', '__name__', 'req_bucket|c_total')])) {
        for (const [lo, hi] of [[-1e15, 1e15], [T0 + 1234, T0 + 2 * H + 1], [T0 + 3 * H, T0 + 3 * H], [T0 + 7 * H, T0 + 8 * H]] as const) {
          const n = s.floatsInto!(lo, hi, bufs);
          const g = getLabel(s.labels, 'g');
          if (n < 0) {
            refused++;
            expect(g === 'mixed' || g === 'st').toBe(true);
            continue;
          }
          read++;
          const b = s.samples(lo, hi, { skipStale: true });
          expect(n).toBe(b.timestamps.length);
          const want = new Uint8Array(b.values.buffer, b.values.byteOffset, n * 8);
          expect(Buffer.from(bufs.v.buffer, 0, n * 8).equals(Buffer.from(want))).toBe(true);
          expect(Array.from(bufs.t.subarray(0, n))).toEqual(Array.from(b.timestamps));
        }
      }
      expect(read).toBeGreaterThan(100);
      expect(refused).toBe(8);
      q.close();
    }
  });
});

// Instant selectors over a range query's steps read their series the same
// way, stale markers kept (a marker ends a series within the lookback).

/** Gauges with stale markers, gaps past the lookback, NaN and huge values; a histogram metric and one with start timestamps. */
async function fillInstant(db: DB, base: number): Promise<void> {
  let k = 0;
  for (let t = base; t < base + 6 * H; t += STEP, k++) {
    const app = db.appender();
    for (let i = 0; i < 12; i++) {
      const g = String(i % 3);
      const lab = { __name__: 'm', i: String(i), g };
      if (i === 1 && k % 37 === 5) app.append(lab, t, STALE_NAN);
      else if (i === 2 && k % 120 < 40) continue; // gaps of 10m, past the 5m lookback
      else if (i === 3 && k % 7 === 0) app.append(lab, t - 3, STALE_NAN);
      else if (i === 4) app.append(lab, t, k % 29 === 3 ? STALE_NAN : k % 11 === 0 ? NaN : -k * 1e300); // NaN is no marker
      else if (i === 5 && k % 50 === 49) {
        app.append(lab, t, STALE_NAN);
      } else if (i === 6 && k % 400 > 100) continue; // one long gap: the series ends and comes back
      else app.append(lab, t + (i % 4) * 1111, Math.sin(k + i) * 100 + i);
    }
    for (let g = 0; g < 3; g++) app.append({ __name__: 'm_info', g: String(g), v: `x${g}` }, t, 1);
    if (k % 400 < 150) app.append({ __name__: 'hm', i: 'f' }, t, k);
    else app.appendHistogram!({ __name__: 'hm', i: 'h' }, t, histogramAt(k, 0));
    app.append({ __name__: 'hm', i: 'g' }, t, k % 9 === 0 ? STALE_NAN : k);
    app.append({ __name__: 'stm', i: '1' }, t, k, k % 5 === 0 ? 0 : t - 1000);
    app.append({ __name__: 'stm', i: '2' }, t, k % 13 === 0 ? STALE_NAN : k);
    await app.commit();
  }
}

async function instantStores(base: number): Promise<DB[]> {
  const head = await openDB();
  await fillInstant(head, base);
  const blocks = await openDB();
  await fillInstant(blocks, base);
  blocks.setBlocks([headBlock(blocks, base, base + 2 * H), headBlock(blocks, base + 2 * H, base + 4 * H)]);
  blocks.setHeadMinValidTime(base + 4 * H);
  blocks.truncateHead(base + 4 * H);
  return [head, blocks];
}

function instantQueries(base: number): string[] {
  const at = (base + 2 * H + 7500) / 1000;
  return [
    'count by (g) (m)', 'group by (g) (m)', 'count(m)', 'count without (i) (m offset 7m)',
    'topk(3, m)', 'bottomk(2, m)', 'topk by (g) (1, m)', 'sum by (g) (m)', 'max(m)', 'avg(m)',
    'm', 'm offset 7m', 'm offset -5m', `m @ ${at}`, `count(m @ ${at})`, 'timestamp(m)', 'timestamp(m offset 1m)',
    'm / on(g) group_left(v) m_info', 'm_info * on(g) group_right m', 'm - m', 'count(m) + count(m)',
    'max_over_time(count(m)[30m:1m])', 'rate(m[5m]) * on(i, g) m', 'abs(m)',
    'hm', 'count(hm)', 'sum(hm)', 'topk(1, hm)', 'stm', 'count(stm)', 'timestamp(stm)', 'sum(stm)',
  ];
}

function instantGrids(base: number): [number, number, number][] {
  return [
    [base + H / 2, base + 6 * H - 1000, 15_000],
    [base - H, base + 3 * H, 60_000],
    [base + 5 * H, base + 5 * H, 1000],
    // Off whole milliseconds: the step walk instead of runs.
    [base + H + 0.25, base + 2 * H, 14_999.5],
  ];
}

describe('instant selectors over series read one at a time', () => {
  it('answer the bytes and sample counts the held read gives, over blocks and the head, at negative times too', async () => {
    let compared = 0;
    const count = { read: 0, kept: 0, refused: 0 };
    for (const base of [T0, -3 * H - 500]) {
      for (const db of await instantStores(base)) {
        const fast = createEngine(counting(db, count));
        const ref = createEngine(held(db));
        for (const q of instantQueries(base)) {
          for (const [start, end, step] of instantGrids(base)) {
            const a = outcome(() => fast.rangeQuerySync(q, start, end, step));
            const b = outcome(() => ref.rangeQuerySync(q, start, end, step));
            expect(a, `${q} ${start} ${end} ${step}`).toBe(b);
            compared++;
          }
        }
      }
    }
    expect(compared).toBe(2 * 2 * instantQueries(T0).length * 4);
    // The comparison is of the new read: most instant series went through floatsInto with markers kept.
    expect(count.kept).toBeGreaterThan(2000);
  });

  it('give the same answers and errors under small sample and memory limits', async () => {
    const db = (await instantStores(T0))[1]!;
    const count = { read: 0, kept: 0, refused: 0 };
    let errors = 0;
    for (const limits of [{ maxSamples: 50 }, { maxSamples: 3000 }, { maxSamples: 100_000 }, { maxMemoryBytes: 40_000 }, { maxMemoryBytes: 400_000 }]) {
      const fast = createEngine(counting(db, count), limits);
      const ref = createEngine(held(db), limits);
      for (const q of instantQueries(T0)) {
        const [start, end, step] = instantGrids(T0)[0]!;
        const a = outcome(() => fast.rangeQuerySync(q, start, end, step));
        const b = outcome(() => ref.rangeQuerySync(q, start, end, step));
        expect(a, `${q} ${JSON.stringify(limits)}`).toBe(b);
        if (!a.startsWith('[')) errors++;
      }
    }
    expect(count.kept).toBeGreaterThan(100);
    expect(errors).toBeGreaterThan(10);
  });

  it('reads floatsInto with keepStale the samples samples() gives, markers by their bits', async () => {
    for (const db of await instantStores(T0)) {
      const q = db.querier(-Infinity, Infinity);
      const bufs: FloatBuffers = { t: new Float64Array(0), v: new Float64Array(0) };
      let read = 0;
      for (const s of q.select([new Matcher('=', '__name__', 'm')])) {
        for (const [lo, hi] of [[-1e15, 1e15], [T0 + 1234, T0 + 2 * H + 1], [T0 + 3 * H, T0 + 3 * H]] as const) {
          const n = s.floatsInto!(lo, hi, bufs, { keepStale: true });
          const b = s.samples(lo, hi);
          expect(n).toBe(b.timestamps.length);
          const want = new Uint8Array(b.values.buffer, b.values.byteOffset, n * 8);
          expect(Buffer.from(bufs.v.buffer, 0, n * 8).equals(Buffer.from(want))).toBe(true);
          expect(Array.from(bufs.t.subarray(0, n))).toEqual(Array.from(b.timestamps));
          read++;
        }
      }
      expect(read).toBe(36);
      q.close();
    }
  });
});
