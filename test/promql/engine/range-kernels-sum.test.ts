// rate and increase added straight into a streamed sum's cells
// (range-kernels.ts sumKernel) against the kernel's column folded by
// FoldCells.foldColumn, the path a series takes otherwise: after every
// series the cells must hold the same bits (Object.is on each cell's sum,
// -0 and NaN included), the same cells seen and the same dropped names,
// and the kernel must count the same windows and samples. Several series
// share a group, some with names kept and some dropped, over counters with
// resets, NaN, ±Inf, equal times, gaps and values far apart in magnitude,
// on grids with offsets either way and windows of 0, 1, 2 and more samples.

import { describe, expect, it } from 'vitest';
import { FoldCells } from '../../../src/promql/engine/aggregate-fold.js';
import { type KernelGrid, type WindowTally, rangeKernel, sumKernel } from '../../../src/promql/engine/range-kernels.js';
import { emptyColumns } from '../../../src/promql/engine/columnar.js';
import { seededRandom } from '../../../src/model/seeded-random.js';
import { cellBits } from '../../fixtures/sum-cells.js';

const T0 = 1_700_000_000_000;

function series(r: () => number, n: number): { t: Float64Array; v: Float64Array } {
  const t = new Float64Array(n), v = new Float64Array(n);
  let time = T0 + Math.floor(r() * 30_000), value = r() * 100;
  const scale = 10 ** Math.floor(r() * 16 - 4);
  for (let i = 0; i < n; i++) {
    const g = r();
    time += g < 0.03 ? 0 : g < 0.05 ? 600_000 + Math.floor(r() * 1_800_000) : 1 + Math.floor(r() * 30_000);
    const x = r();
    if (x < 0.03) value = r() < 0.5 ? 0 : r() * scale; // a reset
    else if (x < 0.04) value = NaN;
    else if (x < 0.045) value = r() < 0.5 ? Infinity : -Infinity;
    else value = (Number.isFinite(value) ? value : 0) + (r() < 0.2 ? 0 : r() * scale);
    t[i] = time;
    v[i] = value;
  }
  return { t, v };
}

describe('rate and increase into a sum', () => {
  for (const name of ['rate', 'increase']) {
    it(`${name}: the cells as the column folded into them gives`, () => {
      const toSum = sumKernel(name, false)!, kernel = rangeKernel(name, false)!;
      expect(sumKernel(name, true)).toBeNull();
      let windows = 0;
      for (let seed = 1; seed <= 8; seed++) {
        const r = seededRandom(seed * 131);
        const members = Array.from({ length: 6 }, () => series(r, 300 + Math.floor(r() * 200)));
        const first = Math.min(...members.map((m) => m.t[0]!)), last = Math.max(...members.map((m) => m.t[m.t.length - 1]!));
        for (const [interval, range] of [[15_000, 300_000], [60_000, 15_000], [1_000, 60_000], [600_000, 1_800_000], [30_000, 45_001]]) {
          const offset = [0, 30_000, -60_000, 7_000][Math.floor(r() * 4)]!;
          const start = first - 2 * range! + Math.floor(r() * 10_000);
          const end = Math.min(last + 2 * range! + offset, start + 1_200 * interval!);
          const steps = Math.floor((end - start) / interval!) + 1;
          const grid: KernelGrid = { start, end, interval: interval!, offset, range: range!, params: [], badQuantile: () => {}, checkAbort: () => {} };
          const byColumn = new FoldCells('sum', steps), direct = new FoldCells('sum', steps);
          const cols = emptyColumns(start, interval!, steps);
          for (const [i, m] of members.entries()) {
            const dn = (seed + i) % 3 === 0 ? 0 : 1;
            const t1: WindowTally = { total: -1, widest: -1 }, t2: WindowTally = { total: -1, widest: -1 };
            kernel(m.t, m.v, grid, cols, t1);
            byColumn.foldColumn(cols.values, cols.present, 0, steps, 0, dn);
            const count = toSum(m.t, m.v, grid, direct.sumCells()!, dn, t2);
            expect(count).toBe(cols.count);
            expect(t2).toEqual(t1);
            windows += count;
            cols.present.fill(0);
            cols.count = 0;
          }
          expect(cellBits(direct)).toEqual(cellBits(byColumn));
        }
      }
      expect(windows).toBeGreaterThan(20_000);
    });
  }

  it('leave the other functions and the other operators to the columns', () => {
    for (const name of ['delta', 'irate', 'sum_over_time', 'avg_over_time']) expect(sumKernel(name, false)).toBeNull();
    for (const op of ['avg', 'count', 'min', 'max', 'group', 'stddev', 'stdvar'] as const) expect(new FoldCells(op, 4).sumCells()).toBeNull();
  });
});
