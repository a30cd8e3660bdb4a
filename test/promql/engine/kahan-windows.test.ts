// sum_over_time and avg_over_time's running sum over integer series
// (src/promql/engine/kahan-windows.ts, exactSums and slidingSums): every
// window's value must be the bits functions.ts's sumOverTime and avgOverTime
// give over that window (Object.is: -0 and +0 apart), on series that take
// the running sum (integers, negative ones, -0, magnitudes just under the
// 2^53 bound) and on series that must not (a fraction, NaN, ±Inf, sums
// just over the bound, where a running sum would drift from the Kahan sum).
// Grids take ranges shorter and longer than the step, offsets, negative
// times and steps of a fraction of a millisecond.

import { describe, expect, it } from 'vitest';
import { avgOverTime, sumOverTime } from '../../../src/promql/engine/functions.js';
import { avgWindows, exactSums, sumWindows } from '../../../src/promql/engine/kahan-windows.js';
import type { KernelGrid, WindowTally } from '../../../src/promql/engine/range-kernels.js';
import { emptyColumns } from '../../../src/promql/engine/columnar.js';
import { upperBound } from '../../../src/promql/engine/selection.js';
import { seededRandom } from '../../../src/model/seeded-random.js';

type Gen = (rnd: () => number, i: number, n: number) => number;

const INTEGER_SERIES: Record<string, Gen> = {
  'memory gauge': (rnd) => 1e9 + Math.floor(rnd() * 4e9),
  'signed integers with zeros and -0': (rnd) => {
    const r = rnd();
    return r < 0.1 ? -0 : r < 0.2 ? 0 : Math.floor((rnd() - 0.5) * 2000);
  },
  'all -0': () => -0,
  'pairs that cancel': (_rnd, i) => (i % 2 ? -5 : 5),
  // Absolute sum just under 2^53: still exact.
  'near the bound': (rnd, _i, n) => (rnd() < 0.5 ? -1 : 1) * Math.floor(2 ** 53 / n - 1 - rnd() * 1000),
};

const OTHER_SERIES: Record<string, Gen> = {
  'one fraction': (rnd, i) => (i === 200 ? 0.5 : Math.floor(rnd() * 100)),
  NaN: (rnd, i) => (i === 123 ? NaN : Math.floor(rnd() * 100)),
  '+Inf': (rnd, i) => (i === 7 ? Infinity : Math.floor(rnd() * 100)),
  '-Inf at the end': (rnd, i, n) => (i === n - 1 ? -Infinity : Math.floor(rnd() * 100)),
  // Absolute sum past 2^53: a running sum would round where the Kahan sum compensates.
  'over the bound': (rnd, _i, n) => (rnd() < 0.5 ? -1 : 1) * Math.floor(2 ** 54 / n + rnd() * 2 ** 40),
  'big integers': (rnd) => Math.floor((rnd() - 0.5) * 2 ** 60),
};

function series(seed: number, n: number, gen: Gen, t0: number): { t: Float64Array; v: Float64Array } {
  const rnd = seededRandom(seed);
  const t = new Float64Array(n), v = new Float64Array(n);
  let time = t0;
  for (let i = 0; i < n; i++) {
    const g = rnd();
    // Scrape jitter, repeated times and gaps that empty windows.
    time += g < 0.02 ? 0 : g < 0.04 ? 600_000 + Math.floor(rnd() * 1_800_000) : 14_000 + Math.floor(rnd() * 2_000);
    t[i] = time;
    v[i] = gen(rnd, i, n);
  }
  return { t, v };
}

interface Grid { start: number; end: number; interval: number; offset: number; range: number }

function grids(t: Float64Array): Grid[] {
  const out: Grid[] = [];
  const first = t[0]!, last = t[t.length - 1]!;
  for (const interval of [1_000, 15_000, 14_999.5, 60_000, 600_000]) {
    for (const range of [1_000, 15_000, 300_000, 1_800_000]) {
      for (const offset of [0, -60_000, 7_000]) {
        const start = first - 2 * range;
        out.push({ start, end: Math.min(last + 2 * range + offset, start + 2_000 * interval), interval, offset, range });
      }
    }
  }
  return out;
}

const show = (x: number | null) => (x === null ? 'no value' : Object.is(x, -0) ? '-0' : String(x));

/** The kernel's values against the one-window function over each window found by binary search; the first difference. */
function compare(kernel: typeof sumWindows, fn: typeof sumOverTime, t: Float64Array, v: Float64Array, g: Grid): { diff: string; windows: number } {
  const steps = Math.floor((g.end - g.start) / g.interval) + 1;
  const out = emptyColumns(g.start, g.interval, steps);
  const tally: WindowTally = { total: -1, widest: -1 };
  const grid: KernelGrid = { ...g, params: [], badQuantile: () => {}, checkAbort: () => {} };
  kernel(t, v, grid, out, tally);
  let windows = 0, total = 0;
  for (let k = 0; k < steps; k++) {
    const ts = g.start + k * g.interval;
    const lo = upperBound(t, ts - g.offset - g.range), hi = upperBound(t, ts - g.offset);
    const want = hi > lo ? fn(v, lo, hi) : null;
    const got = out.present[k] === 1 ? out.values[k]! : null;
    if (want !== null) {
      windows++;
      total += hi - lo;
    }
    if (got === null ? want !== null : want === null || !Object.is(got, want)) {
      return { diff: `step ${k} of ${JSON.stringify(g)}: ${show(got)} against ${show(want)}`, windows };
    }
  }
  if (out.count !== windows) return { diff: `count ${out.count} against ${windows}`, windows };
  if (tally.total !== total) return { diff: `tally ${tally.total} against ${total}`, windows };
  return { diff: '', windows };
}

describe('sum_over_time and avg_over_time kernels', () => {
  const cases = [
    ...Object.entries(INTEGER_SERIES).map(([name, gen]) => ({ name, gen, exact: true })),
    ...Object.entries(OTHER_SERIES).map(([name, gen]) => ({ name, gen, exact: false })),
  ];
  for (const { name, gen, exact } of cases) {
    it(`give the one-window functions' bits over ${name} (${exact ? 'running sum' : 'Kahan sums'})`, () => {
      let windows = 0;
      for (const [seed, t0] of [[1, 1_700_000_000_000], [2, -3_600_000], [3, -1_700_000_000_123]] as const) {
        const { t, v } = series(seed * 31 + name.length, 600, gen, t0);
        expect(exactSums(v, 0, v.length)).toBe(exact);
        for (const g of grids(t)) {
          for (const [kernel, fn] of [[sumWindows, sumOverTime], [avgWindows, avgOverTime]] as const) {
            const r = compare(kernel, fn, t, v, g);
            expect(r.diff).toBe('');
            windows += r.windows;
          }
        }
      }
      expect(windows).toBeGreaterThan(50_000);
    });
  }

  it('turn a -0 sum into +0 as the Kahan sums do, and keep a window of one sample', () => {
    const t = Float64Array.from([1000, 2000, 3000, 4000]);
    const grid: KernelGrid = { start: 1000, end: 4000, interval: 1000, offset: 0, range: 1500, params: [], badQuantile: () => {}, checkAbort: () => {} };
    for (const vs of [[-0, -0, -0, -0], [5, -5, -0, 7], [-3, 3, -0, -0]]) {
      const v = Float64Array.from(vs);
      expect(exactSums(v, 0, 4)).toBe(true);
      for (const [kernel, fn] of [[sumWindows, sumOverTime], [avgWindows, avgOverTime]] as const) {
        const out = emptyColumns(1000, 1000, 4);
        kernel(t, v, grid, out, { total: 0, widest: 0 });
        const want = [fn(v, 0, 1), fn(v, 0, 2), fn(v, 1, 3), fn(v, 2, 4)];
        for (let k = 0; k < 4; k++) expect(Object.is(out.values[k], want[k]), `${vs} step ${k}: ${out.values[k]} against ${want[k]}`).toBe(true);
        expect([...out.present]).toEqual([1, 1, 1, 1]);
      }
    }
  });

  it('keep the Kahan sum where a running sum past the bound would drift', () => {
    // Windows [2^53, 1] and [1, 1]: a running sum holds 2^53 + 1, which rounds, and gives 0 for the second window instead of 2.
    const t = Float64Array.from([1000, 2000, 3000]), v = Float64Array.from([2 ** 53, 1, 1]);
    const grid: KernelGrid = { start: 2000, end: 3000, interval: 1000, offset: 0, range: 1500, params: [], badQuantile: () => {}, checkAbort: () => {} };
    for (const [kernel, fn] of [[sumWindows, sumOverTime], [avgWindows, avgOverTime]] as const) {
      const out = emptyColumns(2000, 1000, 2);
      kernel(t, v, grid, out, { total: 0, widest: 0 });
      expect([out.values[0], out.values[1]]).toEqual([fn(v, 0, 2), fn(v, 1, 3)]);
    }
  });

  it('bound the absolute sum, not the values', () => {
    const big = 2 ** 52;
    expect(exactSums(Float64Array.from([big - 1, 1]), 0, 2)).toBe(true);
    expect(exactSums(Float64Array.from([big, big]), 0, 2)).toBe(false);
    expect(exactSums(Float64Array.from([big, -big]), 0, 2)).toBe(false);
    expect(exactSums(Float64Array.from([1.5]), 0, 1)).toBe(false);
    expect(exactSums(Float64Array.from([NaN]), 0, 1)).toBe(false);
    expect(exactSums(Float64Array.from([-Infinity]), 0, 1)).toBe(false);
    // Only the windows' span is read.
    expect(exactSums(Float64Array.from([0.5, 3, 4, NaN]), 1, 3)).toBe(true);
  });
});
