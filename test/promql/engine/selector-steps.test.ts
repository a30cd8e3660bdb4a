// Instant-vector selectors over a range's steps (evaluator.ts evalSeries and
// fillSelectorSteps) against the step-by-step lookup the engine takes with
// `columnar: false`, and plain selectors against a brute-force reading of the
// samples written. The data is random from fixed seeds: irregular scrape
// intervals, gaps longer than the lookback, staleness markers (also as the
// last sample, and twice in a row), NaN and ±Inf values, series that start
// late or end early, and one series whose samples turn into native
// histograms for a while. Steps finer and coarser than the scrape interval,
// offsets (also negative), @, subqueries and a shorter lookback.

import { beforeAll, describe, expect, it } from 'vitest';
import { openDB, createEngine, type Engine } from '../../../src/index.js';
import { seededRandom } from '../../../src/model/seeded-random.js';
import { STALE_NAN, isStaleNaN } from '../../../src/model/stale.js';
import { fillSelectorSteps } from '../../../src/promql/engine/selector-steps.js';
import { withoutStale } from '../../../src/promql/engine/selection.js';
import { floatHistogram } from '../../fixtures/histograms.js';
import { jsonFloat } from '../../../src/promql/engine/engine.js';

const T0 = Date.UTC(2026, 0, 1);
const SPAN = 3 * 3600_000;
const LOOKBACK = 5 * 60_000;

// Markers are flagged beside the values: V8 may store a plain array's NaN as its canonical NaN, losing the marker's bits.
interface Written { labels: Record<string, string>; t: number[]; v: number[]; stale: boolean[] }

/** Random series for one seed; histogram samples are left out of `written` (the brute force reads floats only). */
async function fixture(seed: number): Promise<{ engines: { columnar: Engine; steps: Engine }; written: Written[] }> {
  const rnd = seededRandom(seed);
  const db = await openDB();
  const written: Written[] = [];
  const app = db.appender();
  for (let i = 0; i < 14; i++) {
    const labels = { __name__: 'x', i: String(i), parity: String(i % 2) };
    const w: Written = { labels, t: [], v: [], stale: [] };
    const interval = [5_000, 15_000, 15_000, 30_000, 60_000, 400_000][Math.floor(rnd() * 6)]!;
    // Whole seconds, so samples often fall exactly on a step or at a step's lookback edge.
    let t = T0 + 1000 * Math.floor(rnd() * (i % 4 === 3 ? SPAN / 2000 : 60));
    const stop = T0 + SPAN - (i % 5 === 4 ? Math.floor(rnd() * SPAN / 2) : 0);
    let histogramUntil = -1;
    while (t < stop) {
      const r = rnd();
      let v: number;
      if (r < 0.02) t += LOOKBACK + 1000 * Math.floor(rnd() * 600); // a gap longer than the lookback
      if (i === 5 && r > 0.99) histogramUntil = t + 20 * interval;
      if (t <= histogramUntil) {
        app.appendHistogram!(labels, t, floatHistogram(1 + rnd()));
        t += interval;
        continue;
      }
      if (r < 0.06) v = STALE_NAN;
      else if (r < 0.08) v = NaN;
      else if (r < 0.09) v = r < 0.085 ? Infinity : -Infinity;
      else v = Math.round(rnd() * 1e6) / 100 - 5000;
      app.append(labels, t, v);
      w.t.push(t);
      w.v.push(v);
      w.stale.push(isStaleNaN(v));
      // A second marker right after the first sometimes.
      if (isStaleNaN(v) && rnd() < 0.3) {
        t += 1_000;
        app.append(labels, t, STALE_NAN);
        w.t.push(t);
        w.v.push(STALE_NAN);
        w.stale.push(true);
      }
      t += interval + (rnd() < 0.3 ? 1000 * Math.floor(rnd() * 3) - 1000 : 0);
    }
    if (i === 6) {
      app.append(labels, t, STALE_NAN); // ends on a marker
      w.t.push(t);
      w.v.push(STALE_NAN);
      w.stale.push(true);
    }
    written.push(w);
  }
  await app.commit();
  return { engines: { columnar: createEngine(db), steps: createEngine(db, { columnar: false }) }, written };
}

type Answer = { data?: unknown; warnings?: string[]; infos?: string[]; samples?: unknown; error?: string };

function answer(engine: Engine, q: string, start: number, end: number, step: number, lookbackDelta?: number): Answer {
  try {
    const r = engine.rangeQuerySync(q, start, end, step, { lookbackDelta });
    return { data: r.result, warnings: r.warnings, infos: r.infos, samples: r.stats.samples };
  } catch (err) {
    return { error: String(err) };
  }
}

/** What `x offset off` holds at each step, read straight from the samples written (a linear scan per step). */
function bruteForce(written: Written[], start: number, end: number, step: number, off: number, lookback: number): Map<string, [number, string][]> {
  const out = new Map<string, [number, string][]>();
  for (const w of written) {
    const values: [number, string][] = [];
    for (let ts = start; ts <= end; ts += step) {
      const ref = ts - off;
      let j = -1;
      for (let k = 0; k < w.t.length; k++) if (w.t[k]! <= ref) j = k;
      if (j < 0 || w.t[j]! <= ref - lookback || w.stale[j]) continue;
      values.push([ts / 1000, jsonFloat(w.v[j]!)]);
    }
    if (values.length > 0) out.set(w.labels.i!, values);
  }
  return out;
}

const GRIDS: { name: string; start: number; end: number; step: number }[] = [
  { name: '5 s steps (finer than most scrapes)', start: T0 + 90_000, end: T0 + SPAN, step: 5_000 },
  { name: '15 s steps', start: T0, end: T0 + SPAN + LOOKBACK, step: 15_000 },
  { name: '7 s steps off the scrape grid', start: T0 + 3_333, end: T0 + SPAN / 2, step: 7_000 },
  { name: '2 min steps (coarser than the scrapes)', start: T0 - 600_000, end: T0 + SPAN + 600_000, step: 120_000 },
  { name: '11 min steps (coarser than the lookback)', start: T0 + 17_000, end: T0 + SPAN, step: 660_000 },
];

const QUERIES = [
  'x',
  'x offset 1m',
  'x offset -90s',
  'x{parity="1"} offset 7m',
  `x @ ${(T0 + SPAN / 2) / 1000}`,
  'x @ start()',
  'x @ end() offset 2m',
  'count(x)',
  'count by (parity) (x)',
  'group by (parity) (x)',
  'topk(3, x)',
  'bottomk by (parity) (2, x)',
  'sum(x)',
  'x > 0',
  'timestamp(x)',
  'max_over_time(x[10m:45s])',
  'last_over_time(x[3m:20s] offset 1m)',
  'x * on(i) group_left x offset 30s',
  'count_over_time(x[3m])',
  'rate(x[5m] offset 1m)',
];

for (const seed of [1, 2, 3]) {
  describe(`instant selectors over steps, random data (seed ${seed})`, () => {
    let f: Awaited<ReturnType<typeof fixture>>;
    beforeAll(async () => {
      f = await fixture(seed);
    });

    for (const g of GRIDS) {
      it(`${g.name}: plain selectors equal the samples written`, () => {
        for (const [q, off, lb] of [['x', 0, LOOKBACK], ['x offset 1m', 60_000, LOOKBACK], ['x offset -90s', -90_000, LOOKBACK], ['x', 0, 40_000]] as const) {
          const want = bruteForce(f.written, g.start, g.end, g.step, off, lb);
          for (const engine of [f.engines.columnar, f.engines.steps]) {
            const r = engine.rangeQuerySync(q, g.start, g.end, g.step, { lookbackDelta: lb });
            const got = new Map((r.result as { metric: Record<string, string>; values?: [number, string][] }[])
              .filter((s) => s.metric.i !== '5').map((s) => [s.metric.i!, s.values ?? []]));
            want.delete('5'); // holds histograms at some steps: compared between the engines only
            expect(got).toEqual(want);
          }
          expect(want.size, 'some series answer').toBeGreaterThan(3);
        }
      });

      it(`${g.name}: every query answers as the step-by-step path does`, () => {
        for (const q of QUERIES) {
          for (const lb of [undefined, 45_000]) {
            const want = answer(f.engines.steps, q, g.start, g.end, g.step, lb);
            expect(want.error, `${q} answers`).toBeUndefined();
            expect(answer(f.engines.columnar, q, g.start, g.end, g.step, lb), `${q} lookback ${lb}`).toEqual(want);
          }
        }
      });
    }
  });
}

describe('fillSelectorSteps', () => {
  const series = (t: number[], v: number[], stale: number[] | null = null) => ({
    labels: [], t: Float64Array.from(t), v: Float64Array.from(v), stale: stale && Uint8Array.from(stale),
  });

  it('sees a sample in (ref - lookback, ref] and not at ref - lookback', () => {
    const s = series([100, 200], [1, 2]);
    const values = new Float64Array(6), present = new Uint8Array(6);
    // Steps at 50, 100, 150, 200, 250, 300 with a lookback of 100.
    expect(fillSelectorSteps(s, 50, 50, 6, 100, values, present, 0)).toBe(4);
    expect([...present]).toEqual([0, 1, 1, 1, 1, 0]);
    expect([...values]).toEqual([0, 1, 1, 2, 2, 0]);
  });

  it('writes only its own slice and ends a series at a staleness marker', () => {
    const s = series([10, 20, 30], [5, NaN, 7], [0, 1, 0]);
    const values = new Float64Array(8).fill(-1), present = new Uint8Array(8).fill(9);
    present.fill(0, 2, 6);
    expect(fillSelectorSteps(s, 10, 10, 4, 1000, values, present, 2)).toBe(3);
    expect([...present]).toEqual([9, 9, 1, 0, 1, 1, 9, 9]);
    expect([values[2], values[4], values[5]]).toEqual([5, 7, 7]);
    expect([values[0], values[6]]).toEqual([-1, -1]);
  });

  it('answers nothing for an empty series', () => {
    expect(fillSelectorSteps(series([], []), 0, 10, 3, 100, new Float64Array(3), new Uint8Array(3), 0)).toBe(0);
  });
});

describe('withoutStale', () => {
  it('drops the markers and keeps every other sample, its start time and histogram in order', () => {
    const rnd = seededRandom(7);
    for (let round = 0; round < 20; round++) {
      const n = Math.floor(rnd() * 40);
      const t = Float64Array.from({ length: n }, (_, i) => i * 1000);
      const v = Float64Array.from({ length: n }, () => rnd());
      const st = Float64Array.from({ length: n }, (_, i) => i * 10);
      const stale = Uint8Array.from({ length: n }, () => (rnd() < 0.3 ? 1 : 0));
      const h = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? floatHistogram(i + 1) : undefined));
      const out = withoutStale({ labels: [], t, v, st, stale, h });
      const keep = [...stale.keys()].filter((i) => stale[i] === 0);
      expect([...out.t]).toEqual(keep.map((i) => t[i]));
      expect([...out.v]).toEqual(keep.map((i) => v[i]));
      expect([...out.st!]).toEqual(keep.map((i) => st[i]));
      expect(out.h).toEqual(keep.map((i) => h[i]));
      expect(out.stale).toBeNull();
    }
  });
});
