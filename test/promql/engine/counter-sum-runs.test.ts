// rate and increase added into a sum's cells in runs of steps that hold the
// same samples (src/promql/engine/counter-sum-runs.ts), against the kernel's
// column (counterWindows, itself held to the per-window path by
// range-kernels.test.ts) folded by FoldCells.foldColumn: after every series
// the cells must hold the same bits (Object.is on each cell's sum and
// compensation, -0 and NaN included), the same cells seen and the same
// dropped names, with the same window and sample counts. The series are
// counters scraped at a steady interval with jitter, with resets, NaN, ±Inf,
// -0, values far apart in magnitude, equal times, gaps longer than the
// window, samples exactly on the windows' bounds, negative times, and series
// that start or end inside the range; the grids take steps from 1 ms to half
// the scrape interval, offsets either way, and ranges shorter than a scrape,
// equal to the step and not a whole number of steps.

import { describe, expect, it } from 'vitest';
import { FoldCells } from '../../../src/promql/engine/aggregate-fold.js';
import { counterSumRuns, takesRuns } from '../../../src/promql/engine/counter-sum-runs.js';
import { type KernelGrid, type WindowTally, rangeKernel, sumKernel } from '../../../src/promql/engine/range-kernels.js';
import { emptyColumns } from '../../../src/promql/engine/columnar.js';
import { seededRandom } from '../../../src/model/seeded-random.js';
import { cellBits } from '../../fixtures/sum-cells.js';

function series(r: () => number, n: number, t0: number, scrape: number, onGrid: number): { t: Float64Array; v: Float64Array } {
  const t = new Float64Array(n), v = new Float64Array(n);
  let time = t0, value = r() * 100;
  const scale = 10 ** Math.floor(r() * 16 - 4);
  for (let i = 0; i < n; i++) {
    const g = r();
    time += g < 0.02 ? 0 : g < 0.04 ? 3 * scrape + Math.floor(r() * 20 * scrape) : scrape - Math.floor(scrape / 10) + Math.floor(r() * (scrape / 5));
    // Some samples exactly on a step's time, so on some window's end and another's start.
    if (onGrid > 0 && r() < 0.2) time = Math.ceil(time / onGrid) * onGrid;
    const x = r();
    if (x < 0.03) value = r() < 0.5 ? 0 : r() * scale; // a reset
    else if (x < 0.035) value = -0;
    else if (x < 0.045) value = NaN;
    else if (x < 0.05) value = r() < 0.5 ? Infinity : -Infinity;
    else if (x < 0.052) value = 1e308;
    else value = (Number.isFinite(value) ? value : 0) + (r() < 0.2 ? 0 : r() * scale);
    t[i] = time;
    v[i] = value;
  }
  return { t, v };
}

const grid = (start: number, end: number, interval: number, offset: number, range: number): KernelGrid => ({
  start, end, interval, offset, range, params: [], badQuantile: () => {}, checkAbort: () => {},
});

describe('rate and increase into a sum, in runs of steps', () => {
  for (const name of ['rate', 'increase'] as const) {
    it(`${name}: the cells as the column folded into them gives`, () => {
      const kernel = rangeKernel(name, false)!, toSum = sumKernel(name, false)!;
      let windows = 0, runs = 0;
      for (let seed = 1; seed <= 10; seed++) {
        const r = seededRandom(seed * 977);
        const scrape = [60_000, 15_000, 30_000, 10_000][seed % 4]!;
        const t0 = seed % 3 === 0 ? -40 * scrape : 1_767_225_600_000 + Math.floor(r() * scrape);
        for (const [div, rangeScrapes] of [[4, 5], [2, 1], [3, 0.5], [7, 2.25], [scrape, 3], [4, 0.25]] as const) {
          const interval = Math.max(1, Math.floor(scrape / div));
          const range = Math.max(1, Math.round(rangeScrapes * scrape) + (r() < 0.3 ? 1 : 0));
          const n = interval < 100 ? 20 : 150 + Math.floor(r() * 150);
          const members = Array.from({ length: 5 }, (_, i) => series(r, n, t0 + i * Math.floor(r() * 5 * scrape), scrape, r() < 0.5 ? interval : 0));
          const first = Math.min(...members.map((m) => m.t[0]!)), last = Math.max(...members.map((m) => m.t[m.t.length - 1]!));
          const offset = [0, interval, -3 * interval, 7_001][Math.floor(r() * 4)]!;
          const start = first - 2 * range + Math.floor(r() * interval);
          const end = Math.min(last + 2 * range + offset, start + 2_000 * interval);
          const steps = Math.floor((end - start) / interval) + 1;
          const g = grid(start, end, interval, offset, range);
          const byColumn = new FoldCells('sum', steps), direct = new FoldCells('sum', steps), wired = new FoldCells('sum', steps);
          const cols = emptyColumns(start, interval, steps);
          for (const [i, m] of members.entries()) {
            const dn = (seed + i) % 3 === 0 ? 0 : 1;
            const t1: WindowTally = { total: -1, widest: -1 }, t2: WindowTally = { total: -1, widest: -1 }, t3: WindowTally = { total: -1, widest: -1 };
            kernel(m.t, m.v, g, cols, t1);
            byColumn.foldColumn(cols.values, cols.present, 0, steps, 0, dn);
            if (takesRuns(m.t, g)) runs++;
            const count = counterSumRuns(m.t, m.v, g, direct.sumCells()!, dn, t2, name === 'rate');
            expect(count).toBe(cols.count);
            expect(t2).toEqual(t1);
            expect(toSum(m.t, m.v, g, wired.sumCells()!, dn, t3)).toBe(cols.count);
            expect(t3).toEqual(t1);
            windows += count;
            cols.present.fill(0);
            cols.count = 0;
            expect(cellBits(direct)).toEqual(cellBits(byColumn));
          }
          expect(cellBits(wired)).toEqual(cellBits(byColumn));
        }
      }
      expect(windows).toBeGreaterThan(100_000);
      expect(runs).toBeGreaterThan(200);
    });
  }

  it('meet windows that start or end exactly at the 1.1 threshold as the column does', () => {
    // Groups of samples 1 s apart with 2 s between groups: a window holding one group has an average
    // spacing of 1 s, so a duration of exactly 1.1 s to its start or end is the threshold itself.
    let atThreshold = 0;
    for (const group of [2, 3]) {
      const n = 120, t = new Float64Array(n), v = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        t[i] = -30_000 + Math.floor(i / group) * (group + 1) * 1_000 + (i % group) * 1_000;
        v[i] = i % 17 === 16 ? 1 : 5 + i * 3;
      }
      for (const name of ['rate', 'increase'] as const) {
        for (const range of [2_500, 2_600, 3_100]) {
          const g = grid(-40_000, 100_000, 50, 0, range), steps = Math.floor((g.end - g.start) / 50) + 1;
          expect(takesRuns(t, g)).toBe(true);
          for (let k = 0; k < steps; k++) {
            const to = g.start + k * 50, from = to - range;
            let lo = 0;
            while (lo < n && t[lo]! <= from) lo++;
            let hi = lo;
            while (hi < n && t[hi]! <= to) hi++;
            const avg = (t[hi - 1]! - t[lo]!) / 1000 / (hi - lo - 1);
            if (hi - lo >= 2 && ((t[lo]! - from) / 1000 === avg * 1.1 || (to - t[hi - 1]!) / 1000 === avg * 1.1)) atThreshold++;
          }
          const byColumn = new FoldCells('sum', steps), direct = new FoldCells('sum', steps);
          const cols = emptyColumns(g.start, 50, steps);
          for (let i = 0; i < 2; i++) {
            rangeKernel(name, false)!(t, v, g, cols, { total: 0, widest: 0 });
            byColumn.foldColumn(cols.values, cols.present, 0, steps, 0, 1);
            counterSumRuns(t, v, g, direct.sumCells()!, 1, { total: 0, widest: 0 }, name === 'rate');
            cols.present.fill(0);
            cols.count = 0;
          }
          expect(cellBits(direct)).toEqual(cellBits(byColumn));
        }
      }
    }
    expect(atThreshold).toBeGreaterThan(100);
  });

  it('take only whole-millisecond grids with a step at most half the scrape interval', () => {
    const t = Float64Array.from({ length: 100 }, (_, i) => 1_000_000 + i * 60_000), end = 1_000_000 + 99 * 60_000;
    expect(takesRuns(t, grid(0, end, 30_000, 0, 300_000))).toBe(true);
    expect(takesRuns(t, grid(0, end, 30_001, 0, 300_000))).toBe(false);
    expect(takesRuns(t, grid(0, end, 15_000, 0, 300_000))).toBe(true);
    expect(takesRuns(t, grid(0.5, end, 15_000, 0, 300_000))).toBe(false);
    expect(takesRuns(t, grid(0, end, 15_000.5, 0, 300_000))).toBe(false);
    expect(takesRuns(t, grid(0, end, 15_000, 0.25, 300_000))).toBe(false);
    expect(takesRuns(t, grid(0, end, 15_000, 0, 300_000.5))).toBe(false);
    expect(takesRuns(t, grid(0, 2 ** 52, 15_000, 0, 300_000))).toBe(false);
    expect(takesRuns(t.subarray(0, 1), grid(0, end, 15_000, 0, 300_000))).toBe(false);
  });

  it('give a grid that is not whole milliseconds the column\'s bits through sumKernel', () => {
    const r = seededRandom(5);
    const m = series(r, 400, 1_000_000.25, 60_000, 0);
    const steps = 1_500;
    const g = grid(1_000_000.5, 1_000_000.5 + (steps - 1) * 15_000.25, 15_000.25, 0.125, 300_000.5);
    expect(takesRuns(m.t, g)).toBe(false);
    const byColumn = new FoldCells('sum', steps), wired = new FoldCells('sum', steps);
    const cols = emptyColumns(g.start, g.interval, steps);
    for (let i = 0; i < 3; i++) {
      rangeKernel('rate', false)!(m.t, m.v, g, cols, { total: 0, widest: 0 });
      byColumn.foldColumn(cols.values, cols.present, 0, steps, 0, 1);
      sumKernel('rate', false)!(m.t, m.v, g, wired.sumCells()!, 1, { total: 0, widest: 0 });
      cols.present.fill(0);
      cols.count = 0;
    }
    expect(cellBits(wired)).toEqual(cellBits(byColumn));
  });

  it('check the deadline every 4,096 steps, as the column does, even where one run of equal windows covers them all', () => {
    // Two samples a second apart, a week's window, 100 ms steps: every window holds both samples.
    const t = Float64Array.of(0, 1000), v = Float64Array.of(1, 2);
    const steps = 300_000;
    let checks = 0;
    const g = { ...grid(1000, 1000 + (steps - 1) * 100, 100, 0, 7 * 86_400_000), checkAbort: () => void checks++ };
    expect(takesRuns(t, g)).toBe(true);
    const cells = new FoldCells('sum', steps);
    expect(counterSumRuns(t, v, g, cells.sumCells()!, 0, { total: 0, widest: 0 }, true)).toBe(steps);
    expect(checks).toBe(Math.floor(steps / 4096));
    checks = 0;
    counterSumRuns(t, v, g, cells.sumCells()!, 0, { total: 0, widest: 0 }, true);
    expect(checks).toBe(Math.floor(steps / 4096));
    let stopped = 0;
    const stopping = { ...g, end: g.end + 100, checkAbort: () => { if (++stopped === 3) throw new Error('deadline'); } };
    expect(() => counterSumRuns(t, v, stopping, new FoldCells('sum', steps + 1).sumCells()!, 0, { total: 0, widest: 0 }, true)).toThrow('deadline');
    // The walk the deadline cut short is not kept as the plan of these timestamps.
    const again = new FoldCells('sum', steps + 1);
    expect(counterSumRuns(t, v, { ...stopping, checkAbort: () => {} }, again.sumCells()!, 0, { total: 0, widest: 0 }, true)).toBe(steps + 1);
    expect(again.seen.every((x) => x === 1)).toBe(true);
  });

  it('give series with the timestamps of the series before them (one scrape target\'s) the column\'s bits', () => {
    // Counters from zero (the extrapolation to zero cuts the first windows short), with resets; the
    // timestamps handed over in one reused buffer, as a decoder gives them, and the same timestamps
    // again on other grids and after a series with timestamps of its own.
    const r = seededRandom(41);
    const shared = series(r, 400, 1_767_225_600_000, 60_000, 15_000).t;
    const other = series(r, 400, 1_767_225_600_000, 60_000, 0).t;
    const buffer = new Float64Array(400);
    const first = shared[0]!, last = shared[399]!;
    const grids = [grid(first - 600_000, last + 600_000, 15_000, 0, 300_000), grid(first - 600_000, last + 600_000, 20_000, 5_000, 240_000)];
    let zeroCut = 0;
    for (const name of ['rate', 'increase'] as const) {
      for (const g of [grids[0]!, grids[1]!, grids[0]!]) {
        const steps = Math.floor((g.end - g.start) / g.interval) + 1;
        const byColumn = new FoldCells('sum', steps), direct = new FoldCells('sum', steps);
        const cols = emptyColumns(g.start, g.interval, steps);
        for (let i = 0; i < 12; i++) {
          const t = buffer;
          t.set(i === 5 ? other : shared);
          const v = new Float64Array(400);
          let c = 0;
          for (let j = 0; j < 400; j++) v[j] = c = r() < 0.01 ? r() : c + (i % 3 === 0 ? 0 : r() * 10 ** (i % 4));
          const t1: WindowTally = { total: -1, widest: -1 }, t2: WindowTally = { total: -1, widest: -1 };
          rangeKernel(name, false)!(t, v, g, cols, t1);
          byColumn.foldColumn(cols.values, cols.present, 0, steps, 0, i % 2);
          expect(takesRuns(t, g)).toBe(true);
          expect(counterSumRuns(t, v, g, direct.sumCells()!, i % 2, t2, name === 'rate')).toBe(cols.count);
          expect(t2).toEqual(t1);
          expect(cellBits(direct)).toEqual(cellBits(byColumn));
          const sampled = (t[4]! - t[0]!) / 1000;
          if (v[0]! / (v[4]! - v[0]!) * sampled < (t[0]! - (t[4]! - 300_000)) / 1000) zeroCut++;
          cols.present.fill(0);
          cols.count = 0;
        }
      }
    }
    expect(zeroCut).toBeGreaterThan(10);
  });
});
