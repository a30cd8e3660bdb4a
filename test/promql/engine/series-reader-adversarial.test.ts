// Series read one at a time into reused arrays (series-reader.ts) against
// the same engine with floatsInto hidden, so every series is decoded and
// held as before, on data made to trip the one-at-a-time read: a head with
// out-of-order samples and markers, blocks with head data overlapping them
// and tombstones, a series holding a histogram before the range in the
// middle of the label order (floatsInto answers -1 partway through a
// selector), topk ties, -0, hundreds of series with stale markers early and
// late. Answers, sample counts and limit errors must be the same, with the
// columnar and point paths, range and instant queries.

import { describe, expect, it } from 'vitest';
import { counting, headBlock, held, outcome } from '../../fixtures/float-reads.js';
import { openDB, type DB } from '../../../src/storage/db.js';
import { createEngine } from '../../../src/promql/engine/engine.js';
import { STALE_NAN } from '../../../src/model/stale.js';
import { histogramAt } from '../../fixtures/wal/histogram-at.js';
import { Matcher } from '../../../src/model/matcher.js';

const H = 3600_000;
const T0 = 20 * H;
const STEP = 15_000;

async function fill(db: DB, ooo: boolean): Promise<void> {
  let k = 0;
  // A histogram long before the range on one series in the middle of the label order.
  { const app = db.appender(); app.appendHistogram!({ __name__: 'm', i: '05' }, T0 - 3 * H, histogramAt(1, 0)); await app.commit(); }
  for (let t = T0; t < T0 + 6 * H; t += STEP, k++) {
    const app = db.appender();
    for (let i = 0; i < 12; i++) {
      const lab = { __name__: 'm', i: String(i).padStart(2, '0'), g: String(i % 3) };
      if (i === 1 && k % 7 === 3) app.append(lab, t, STALE_NAN);
      else if (i === 2 && k % 5 === 0) app.append(lab, t, 42); // ties for topk
      else if (i === 3 && k % 3 === 0) continue;
      else if (i === 7 && k % 2 === 0) app.append(lab, t, -0);
      else app.append(lab, t, i === 2 ? 42 : Math.round(Math.sin(k * (i + 1)) * 10));
    }
    app.append({ __name__: 'hb', i: 'a' }, t, k);
    if (k > 700 && k < 720) app.appendHistogram!({ __name__: 'hb', i: 'b' }, t, histogramAt(k, 0));
    await app.commit();
  }
  { // many series of different lengths, markers early in short and late in long ones
    for (let j = 0; j < 300; j++) {
      const app = db.appender();
      const len = 50 + ((j * 97) % 1400);
      for (let k = 0; k < len; k++) {
        const t = T0 + (j % 7) * 60_000 + k * STEP;
        app.append({ __name__: 'big', j: String(j).padStart(3, '0') }, t, (j % 2 === 0 ? k === 3 : k === len - 5) ? STALE_NAN : (k * j) % 17);
      }
      await app.commit();
    }
  }
  if (ooo) {
    // Out-of-order samples and markers into the past.
    for (let t = T0 + 7 * STEP + 7; t < T0 + 5 * H; t += 37 * STEP) {
      const app = db.appender();
      for (let i = 0; i < 12; i++) app.append({ __name__: 'm', i: String(i).padStart(2, '0'), g: String(i % 3) }, t, i % 2 ? STALE_NAN : 99);
      try {
        await app.commit();
      } catch {
        // Outside the out-of-order window: the rest still goes in.
      }
    }
  }
}

async function stores(): Promise<[string, DB][]> {
  const out: [string, DB][] = [];
  const a = await openDB({ outOfOrderTimeWindow: '12h' }); await fill(a, true); out.push(['head-ooo', a]);
  const b = await openDB({ outOfOrderTimeWindow: '6h' }); await fill(b, false);
  b.setBlocks([headBlock(b, T0 - 4 * H, T0 + 2 * H), headBlock(b, T0 + 2 * H, T0 + 4 * H)]);
  b.setHeadMinValidTime(T0 + 4 * H); b.truncateHead(T0 + 4 * H);
  out.push(['blocks', b]);
  const c = await openDB({ outOfOrderTimeWindow: '24h' }); await fill(c, false);
  c.setBlocks([headBlock(c, T0 - 4 * H, T0 + 2 * H), headBlock(c, T0 + 2 * H, T0 + 4 * H)]);
  // Head data overlapping the blocks' ranges: markers and values at the same times.
  for (let t = T0 + H + 1; t < T0 + 3 * H; t += 11 * STEP) {
    const app = c.appender();
    for (let i = 0; i < 12; i++) app.append({ __name__: 'm', i: String(i).padStart(2, '0'), g: String(i % 3) }, t, i % 2 ? STALE_NAN : 7);
    await app.commit();
  }
  c.deleteSeries([new Matcher('=', '__name__', 'm'), new Matcher('=~', 'i', '0[0-4]')], T0 + 90 * 60_000, T0 + 100 * 60_000);
  out.push(['overlap+tomb', c]);
  return out;
}

const QUERIES = ['m', 'count(m)', 'count by (g) (m)', 'group(m)', 'sum by (g) (m)', 'topk(1, m)', 'bottomk(1, m)', 'topk by (g) (2, m)',
  'm - m', 'm / on() group_left sum(m)', 'm and m offset 5m', 'count(m) + count(m)', 'max_over_time(m[10m:1m])', 'last_over_time(m[5m])',
  'timestamp(m)', 'absent(m)', 'absent(nothing)', 'label_replace(m, "x", "$1", "i", "(.*)")', 'sort(m)', 'sort_desc(m)', 'm @ end()', 'm @ start()',
  'count(m @ end())', 'sum(m offset -3m)', 'hb', 'count(hb)', 'sum(hb)', 'max(hb)', 'quantile(0.5, m)', 'stddev(m)', 'count_values("v", m)',
  'avg(m) + on() group_left count(m)', 'm > 5', 'sum(m > 0)', 'max_over_time(sum(m)[30m:2m])', 'min_over_time(count(m)[20m:1m] offset 3m)',
  `max_over_time(m[10m:1m] @ ${(T0 + 2 * H) / 1000})`, `sum(m @ ${(T0 + 2 * H + 1) / 1000} offset 5m)`, `count(m offset 5m @ ${(T0 + 3 * H) / 1000})`,
  'sum_over_time(sum by (g) (m)[1h:5m])', 'last_over_time(m[5m:30s])', 'count(count by (g) (m))', 'group by (i) (m) * on(i) m',
  'm unless m offset 10m', 'm or m offset 1h', 'sum(m) / count(m)', 'limitk(2, m)', 'sum(big)', 'count(big)', 'big', 'max by (j) (big)', 'count(big offset 1m) - count(big)'];
const GRIDS: [number, number, number][] = [[T0 - H, T0 + 6 * H + 10 * 60_000, 60_000], [T0 + H, T0 + 3 * H, 15_000], [T0 + 59 * 60_000, T0 + 2 * H + 1, 7_001], [T0 + 4 * H - 1, T0 + 4 * H + 6 * 60_000, 1000]];

describe('series read one at a time, on adversarial data', () => {
  it('answer as the held read does', async () => {
    const count = { read: 0, kept: 0, refused: 0 };
    const fails: string[] = [];
    let n = 0;
    for (const [name, db] of await stores()) {
      for (const opts of [{}, { columnar: false }, { maxSamples: 500 }, { maxMemoryBytes: 30_000 }]) {
        const fast = createEngine(counting(db, count), opts), ref = createEngine(held(db), opts);
        for (const q of QUERIES) {
          for (const [s, e, st] of GRIDS) {
            const a = outcome(() => fast.rangeQuerySync(q, s, e, st)), b = outcome(() => ref.rangeQuerySync(q, s, e, st));
            n++;
            if (a !== b) fails.push(`${name} ${JSON.stringify(opts)} ${q} ${s} ${e} ${st}\n  fast=${a.slice(0, 300)}\n  held=${b.slice(0, 300)}`);
          }
          for (const t of [T0 + 2 * H, T0 + 90 * 60_000 + 1]) {
            const a = outcome(() => fast.instantQuerySync(q, t)), b = outcome(() => ref.instantQuerySync(q, t));
            if (a !== b) fails.push(`${name} ${JSON.stringify(opts)} instant ${q} ${t}`);
          }
        }
      }
    }
    expect(fails.slice(0, 15)).toEqual([]);
    expect(n).toBe(3 * 4 * QUERIES.length * GRIDS.length);
    // The comparisons are of the new read, and of its fallback partway through a selector.
    expect(count.kept).toBeGreaterThan(10_000);
    expect(count.refused).toBeGreaterThan(10);
  }, 600_000);
});
