// The whole-series range kernels (src/promql/engine/range-kernels.ts)
// against functions.ts's per-window RangeFn they replace: for every step of
// a grid, the window (ts - offset - range, ts - offset] found by binary
// search and handed to the RangeFn must give the kernel's value bit for bit
// (Object.is: -0 and NaN too), the same steps present, and the same sample
// tally. Series hold counter resets, NaN, ±Inf, -0, long gaps, repeated
// values and, now and then, two samples at one time; grids take steps
// smaller and larger than the range, offsets either way, and steps before
// and after the data, so windows of 0, 1 and 2 samples occur. Further cases
// hold resets at window edges, sums that overflow in one window of a pair
// (sum_over_time and avg_over_time take two windows at once), ranges wider
// than the data, windows past it, and the abort check every 4,096 steps.

import { describe, expect, it } from 'vitest';
import { RANGE_FUNCTIONS, type RangeCtx } from '../../../src/promql/engine/functions.js';
import { type KernelGrid, type WindowTally, rangeKernel } from '../../../src/promql/engine/range-kernels.js';
import { emptyColumns } from '../../../src/promql/engine/columnar.js';
import { upperBound } from '../../../src/promql/engine/selection.js';
import { Annotations } from '../../../src/promql/engine/annotations.js';
import { parse } from '../../../src/promql/parser/index.js';
import type { Call } from '../../../src/promql/parser/ast.js';
import { seededRandom } from '../../../src/model/seeded-random.js';
import { formatFloat } from '../../../src/model/float.js';

const T0 = 1_700_000_000_000;

export function randomSeries(seed: number, n: number): { t: Float64Array; v: Float64Array } {
  const rnd = seededRandom(seed);
  const t = new Float64Array(n), v = new Float64Array(n);
  let time = T0, value = rnd() * 1000;
  const kind = seed % 3; // 0: a counter with resets; 1: a gauge with odd values; 2: small integers (ties, changes)
  for (let i = 0; i < n; i++) {
    const g = rnd();
    time += g < 0.03 ? 0 : g < 0.06 ? 600_000 + Math.floor(rnd() * 3_600_000) : 1 + Math.floor(rnd() * 30_000);
    const r = rnd();
    if (kind === 0) {
      if (r < 0.04) value = rnd() < 0.5 ? 0 : rnd() * 10; // a reset
      else if (r < 0.06) value = NaN;
      else value = (Number.isNaN(value) ? 0 : value) + (rnd() < 0.2 ? 0 : rnd() * 1e6 / 7);
    } else if (kind === 1) {
      if (r < 0.04) value = NaN;
      else if (r < 0.07) value = r < 0.055 ? Infinity : -Infinity;
      else if (r < 0.1) value = -0;
      else if (r < 0.12) value = 0;
      else if (r < 0.14) value = 1e300 * (rnd() < 0.5 ? 1 : -1);
      else value = (rnd() - 0.5) * 10 ** Math.floor(rnd() * 12 - 3);
    } else {
      value = r < 0.05 ? NaN : r < 0.1 ? -0 : Math.floor(rnd() * 4);
    }
    t[i] = time;
    v[i] = value;
  }
  return { t, v };
}

function callOf(name: string): Call {
  const args = name === 'quantile_over_time' ? '0.3, m[5m]' : name === 'predict_linear' ? 'm[5m], 60' : 'm[5m]';
  return parse(`${name}(${args})`, { experimentalFunctions: true }) as Call;
}

interface Grid {
  start: number;
  end: number;
  interval: number;
  offset: number;
  range: number;
}

function grids(t: Float64Array, rnd: () => number): Grid[] {
  const out: Grid[] = [];
  const first = t[0]!, last = t[t.length - 1]!;
  for (const interval of [1_000, 15_000, 60_000, 600_000]) {
    for (const range of [1_000, 15_000, 60_000, 300_000, 1_800_000]) {
      const offset = [0, 30_000, -60_000, 7_000][Math.floor(rnd() * 4)]!;
      // From before the first sample to past the last, at most 3,000 steps.
      const start = first - 2 * range + Math.floor(rnd() * 10_000);
      const end = Math.min(last + 2 * range + offset, start + 1_500 * interval);
      out.push({ start, end, interval, offset, range });
    }
  }
  return out;
}

const show = (x: number | null) => (x === null ? 'no value' : Object.is(x, -0) ? '-0' : String(x));

// quantile_over_time's φ, predict_linear's horizon (s).
const PHIS = [0, 0.3, 0.5, 0.99, 1, -0.5, 2, NaN, 3600, -0];

/** The per-window path: each window found by binary search and handed to the RangeFn. */
function reference(name: string, t: Float64Array, v: Float64Array, g: Grid, phi: Float64Array) {
  const fn = RANGE_FUNCTIONS[name]!;
  const ctx: RangeCtx = {
    ts: 0, rangeStart: 0, rangeEnd: 0, rangeSeconds: g.range / 1000, params: [0], annos: new Annotations(), call: callOf(name),
    metric: [], anchored: false, smoothed: false, st: null,
  };
  const values: (number | null)[] = [];
  let total = 0, widest = 0;
  for (let ts = g.start, step = 0; ts <= g.end; ts += g.interval, step++) {
    const lo = upperBound(t, ts - g.offset - g.range), hi = upperBound(t, ts - g.offset);
    if (hi <= lo) {
      values.push(null);
      continue;
    }
    total += hi - lo;
    widest = Math.max(widest, hi - lo);
    ctx.ts = ts;
    ctx.rangeEnd = ts - g.offset;
    ctx.rangeStart = ctx.rangeEnd - g.range;
    ctx.params[0] = phi[step]!;
    values.push(fn(t, v, lo, hi, ctx));
  }
  return { values, total, widest, warnings: ctx.annos.list('warning').map((a) => a.message) };
}

const KERNEL_FUNCTIONS = [
  'rate', 'increase', 'delta', 'irate', 'idelta', 'resets', 'changes',
  'sum_over_time', 'avg_over_time', 'count_over_time', 'min_over_time', 'max_over_time', 'last_over_time', 'first_over_time',
  'present_over_time', 'absent_over_time', 'stdvar_over_time', 'stddev_over_time',
  'ts_of_last_over_time', 'ts_of_first_over_time', 'ts_of_min_over_time', 'ts_of_max_over_time', 'quantile_over_time',
  'deriv', 'predict_linear',
];

describe('range kernels', () => {
  for (const name of KERNEL_FUNCTIONS) {
    it(`${name} gives the per-window values bit for bit`, () => {
      const kernel = rangeKernel(name, false)!;
      expect(kernel).toBeTypeOf('function');
      let values = 0, absent = 0, windows = 0, warnedGrids = 0;
      const widths = new Set<number>();
      for (let seed = 1; seed <= 6; seed++) {
        const rnd = seededRandom(seed * 101);
        const { t, v } = randomSeries(seed, 400 + seed * 50);
        for (const g of grids(t, rnd)) {
          const steps = Math.floor((g.end - g.start) / g.interval) + 1;
          // φ constant over the query, or changing from step to step (a scalar expression).
          const phi = Float64Array.from({ length: steps }, (_, k) => (seed % 2 ? PHIS[seed % PHIS.length]! : PHIS[k % PHIS.length]!));
          const want = reference(name, t, v, g, phi);
          const warned: number[] = [];
          const grid: KernelGrid = { ...g, params: [phi], badQuantile: (q) => warned.push(q), checkAbort: () => {} };
          const out = emptyColumns(g.start, g.interval, steps);
          const tally: WindowTally = { total: -1, widest: -1 };
          kernel(t, v, grid, out, tally);
          // Compared without an expect per step (thousands of windows per grid); the first difference is shown.
          let firstDiff = '';
          for (let k = 0; k < steps; k++) {
            const w = want.values[k] ?? null;
            const got = out.present[k] === 1 ? out.values[k]! : null;
            if (w === null) absent++;
            else values++;
            if (got === null ? w !== null : w === null || !Object.is(got, w)) {
              firstDiff ||= `${name} seed ${seed} step ${k} of ${JSON.stringify(g)}: ${show(got)} against ${show(w)}`;
            }
            const ts = g.start + k * g.interval;
            widths.add(Math.min(upperBound(t, ts - g.offset) - upperBound(t, ts - g.offset - g.range), 3));
            windows++;
          }
          expect(firstDiff).toBe('');
          expect(out.count).toBe(want.values.filter((x) => x !== null).length);
          expect(tally).toEqual({ total: want.total, widest: want.widest });
          const kernelWarnings = [...new Set(warned.map((q) => `PromQL warning: quantile value should be between 0 and 1, got ${formatFloat(q)}`))];
          expect(kernelWarnings).toEqual(want.warnings);
          if (want.warnings.length > 0) warnedGrids++;
        }
      }
      expect(values).toBeGreaterThan(10_000);
      expect(absent).toBeGreaterThan(100);
      // Windows of 0, 1, 2 and more samples were all met.
      expect([...widths].sort()).toEqual([0, 1, 2, 3]);
      expect(windows).toBe(values + absent);
      if (name === 'quantile_over_time') expect(warnedGrids).toBeGreaterThan(10);
    });
  }

  it('leave start timestamps to the per-window path where they count', () => {
    for (const name of ['rate', 'increase', 'delta', 'irate', 'idelta', 'resets']) expect(rangeKernel(name, true)).toBeNull();
    for (const name of ['changes', 'sum_over_time', 'quantile_over_time']) expect(rangeKernel(name, true)).not.toBeNull();
    for (const name of ['mad_over_time', 'double_exponential_smoothing']) expect(rangeKernel(name, false)).toBeNull();
  });
});

/** The kernel's values (null where absent) and tally over a grid. */
function kernelValues(name: string, t: Float64Array, v: Float64Array, g: Grid, phi: Float64Array, checkAbort = () => {}) {
  const steps = Math.floor((g.end - g.start) / g.interval) + 1;
  const out = emptyColumns(g.start, g.interval, steps);
  const tally: WindowTally = { total: -1, widest: -1 };
  rangeKernel(name, false)!(t, v, { ...g, params: [phi], badQuantile: () => {}, checkAbort }, out, tally);
  const values = Array.from({ length: steps }, (_, k) => (out.present[k] === 1 ? out.values[k]! : null));
  return { values, total: tally.total, widest: tally.widest, count: out.count };
}

/** The first step where kernel and per-window path differ (Object.is), or ''. */
function firstDifference(name: string, t: Float64Array, v: Float64Array, g: Grid): string {
  const steps = Math.floor((g.end - g.start) / g.interval) + 1;
  const phi = new Float64Array(steps).fill(name === 'predict_linear' ? 600 : 0.5);
  const want = reference(name, t, v, g, phi), got = kernelValues(name, t, v, g, phi);
  for (let k = 0; k < steps; k++) {
    const w = want.values[k] ?? null, x = got.values[k]!;
    if (x === null ? w !== null : w === null || !Object.is(x, w)) return `${name} step ${k} of ${JSON.stringify(g)}: ${show(x)} against ${show(w)}`;
  }
  if (got.total !== want.total || got.widest !== want.widest) return `${name} tally ${got.total}/${got.widest} against ${want.total}/${want.widest}`;
  if (got.count !== want.values.filter((x) => x !== null).length) return `${name} count ${got.count}`;
  return '';
}

const REGULAR = 15_000;

/** Samples every 15 s from T0 (on the grid's own instants), values from fn. */
function regular(n: number, fn: (i: number) => number) {
  return { t: Float64Array.from({ length: n }, (_, i) => T0 + i * REGULAR), v: Float64Array.from({ length: n }, (_, i) => fn(i)) };
}

describe('range kernels at the edges', () => {
  it('rate, increase and resets with resets on the first, second, last and past-the-last sample of windows', () => {
    // A reset every 7th sample; windows of 4 samples start and end on samples as the grid moves.
    const { t, v } = regular(300, (i) => (i % 7) * 10 + (i % 3));
    for (const name of ['rate', 'increase', 'delta', 'resets']) {
      for (const offset of [0, 1, -REGULAR, 14_999]) {
        for (const interval of [REGULAR, 2 * REGULAR, 5 * REGULAR, 7 * REGULAR, 9 * REGULAR, 1_000]) {
          const g = { start: T0 - 3 * REGULAR, end: T0 + 310 * REGULAR, interval, offset, range: 4 * REGULAR };
          expect(firstDifference(name, t, v, g)).toBe('');
        }
      }
    }
  });

  it('rate, increase and delta over odd counters: NaN, ±Inf, -0, negative values, a reset at every sample, equal times, gaps that empty the window', () => {
    const rnd = seededRandom(29);
    const series: { t: Float64Array; v: Float64Array }[] = [
      // Falling at every sample: every sample past a window's first is a reset.
      regular(200, (i) => 1000 - i * 3.7),
      // Special values among rising ones; NaN and -0 compare as neither reset nor rise.
      regular(200, (i) => (i % 11 === 3 ? NaN : i % 13 === 5 ? Infinity : i % 17 === 7 ? -Infinity : i % 19 === 2 ? -0 : i * 1.1)),
      // Negative and zero values: the extrapolation to zero is taken only from a first value >= 0.
      regular(200, (i) => (i % 5 === 0 ? -i : i % 7 === 0 ? 0 : i % 3 === 0 ? -0.5 * i : i * 0.3)),
      // Small first values and large increases: the extrapolation to zero cuts the window's start.
      regular(200, (i) => (i % 20) * 1e6 + 1e-3),
      // Repeated times, values rising, then dropping at the same instant.
      { t: Float64Array.from({ length: 200 }, (_, i) => T0 + Math.floor(i / 3) * REGULAR), v: Float64Array.from({ length: 200 }, (_, i) => (i % 3 === 2 ? i / 2 : i)) },
      // Irregular times with gaps much longer than the range: windows empty, then hold one sample, then two.
      (() => {
        const t = new Float64Array(300), v = new Float64Array(300);
        let time = T0, value = 0;
        for (let i = 0; i < 300; i++) {
          const r = rnd();
          time += r < 0.1 ? 0 : r < 0.2 ? 20 * REGULAR + Math.floor(rnd() * 10 * REGULAR) : 1 + Math.floor(rnd() * 2 * REGULAR);
          value = rnd() < 0.15 ? rnd() * 10 : value + rnd() * 100;
          t[i] = time;
          v[i] = value;
        }
        return { t, v };
      })(),
    ];
    for (const { t, v } of series) {
      for (const name of ['rate', 'increase', 'delta']) {
        for (const [range, interval] of [[4 * REGULAR, REGULAR], [REGULAR, REGULAR], [2 * REGULAR + 1, 1_000], [REGULAR / 2, 5 * REGULAR], [60 * REGULAR, 7 * REGULAR]]) {
          for (const offset of [0, 1, -REGULAR, 3 * REGULAR + 7]) {
            const g = { start: T0 - 5 * REGULAR, end: t[t.length - 1]! + 5 * REGULAR, interval: interval!, offset, range: range! };
            expect(firstDifference(name, t, v, g)).toBe('');
          }
        }
      }
    }
  });

  it("sum and avg over windows whose sums overflow, in either window of a pair, or only past the end of the other", () => {
    const big = 1.6e308;
    const patterns: ((i: number) => number)[] = [
      (i) => (i % 9 === 4 ? big : i % 9 === 5 ? -big : i),
      (i) => (i % 13 < 2 ? big : 1),
      (i) => (i % 17 === 0 ? Infinity : i % 17 === 8 ? -Infinity : i % 5 === 0 ? NaN : -i),
      (i) => (i === 150 ? big : i === 151 ? big : i === 200 ? -0 : 0.1 * i),
      (i) => (i > 100 && i < 110 ? -big : i % 2 ? 1e-300 : -0),
    ];
    for (const name of ['sum_over_time', 'avg_over_time']) {
      for (const fn of patterns) {
        const { t, v } = regular(300, fn);
        for (const range of [REGULAR, 2 * REGULAR, 3 * REGULAR + 1, 10 * REGULAR, 1e12]) {
          for (const interval of [REGULAR, 1_000, 4 * REGULAR]) {
            const g = { start: T0 - 3 * REGULAR, end: T0 + 305 * REGULAR, interval, offset: 0, range };
            expect(firstDifference(name, t, v, g)).toBe('');
          }
        }
      }
    }
  });

  it('single-sample windows, windows past the data and a range wider than the series', () => {
    const { t, v } = regular(50, (i) => (i === 20 ? NaN : i * 3.3));
    for (const name of KERNEL_FUNCTIONS) {
      for (const [range, offset] of [[1, 0], [REGULAR, 0], [REGULAR, REGULAR / 2], [1e13, 0], [1e13, -1e12], [REGULAR, 1e9], [REGULAR, -1e9]]) {
        const g = { start: T0 - 10 * REGULAR, end: T0 + 60 * REGULAR, interval: REGULAR, offset: offset!, range: range! };
        expect(firstDifference(name, t, v, g)).toBe('');
      }
    }
  });

  it('check the abort every 4,096 steps and stop where it throws', () => {
    const { t, v } = regular(2_000, (i) => i);
    const g = { start: T0, end: T0 + 20_000 * 1_000 - 1_000, interval: 1_000, offset: 0, range: 60_000 };
    for (const name of KERNEL_FUNCTIONS) {
      const phi = new Float64Array(20_000).fill(0.5);
      let calls = 0;
      kernelValues(name, t, v, g, phi, () => void calls++);
      expect(calls, name).toBe(4);
      expect(() => kernelValues(name, t, v, g, phi, () => {
        throw new Error('aborted');
      }), name).toThrow('aborted');
    }
  });
});
