// FoldCells.foldColumn writes the sum's Kahan step out for whole columns;
// fold() takes one sample at a time through kahan.ts. Folding the same
// columns either way must leave every cell the same bits (Object.is: -0 and
// NaN too), with the same cells seen and the same names dropped, over values
// that overflow to ±Inf and back to NaN, carry -0, and differ enough in
// magnitude that the compensation term decides the last bits.

import { describe, expect, it } from 'vitest';
import { FoldCells, type FoldOp } from '../../../src/promql/engine/aggregate-fold.js';
import { seededRandom } from '../../../src/model/seeded-random.js';

const STEPS = 500;

function column(r: () => number, kind: number): { values: Float64Array; present: Uint8Array } {
  const values = new Float64Array(STEPS), present = new Uint8Array(STEPS);
  for (let k = 0; k < STEPS; k++) {
    const x = r();
    present[k] = x < 0.1 ? 0 : 1;
    const y = r();
    if (kind === 0) values[k] = y < 0.02 ? NaN : y < 0.04 ? Infinity : y < 0.06 ? -Infinity : y < 0.1 ? -0 : y < 0.12 ? 0 : (r() - 0.5) * 10 ** Math.floor(r() * 20 - 4);
    else if (kind === 1) values[k] = y < 0.3 ? 1.6e308 : y < 0.5 ? -1.6e308 : y < 0.6 ? -0 : r();
    else values[k] = y < 0.5 ? 1e16 * (r() - 0.5) : r() * 1e-3;
  }
  return { values, present };
}

function cellsBits(c: FoldCells): string[] {
  const results = c.resultsInPlace();
  return Array.from({ length: c.length }, (_, k) => (c.seen[k] === 1 ? `${Object.is(results[k], -0) ? '-0' : String(results[k])}/${c.dropName[k]}` : '-'));
}

describe('the sum fold over columns', () => {
  for (const op of ['sum', 'avg', 'min', 'max', 'count', 'stddev'] as FoldOp[]) {
    it(`${op}: leaves each cell as folding sample by sample does`, () => {
      let compared = 0;
      for (let seed = 1; seed <= 12; seed++) {
        const r = seededRandom(seed * 7919);
        const byColumn = new FoldCells(op, STEPS), bySample = new FoldCells(op, STEPS);
        for (let s = 0; s < 40; s++) {
          const { values, present } = column(r, (seed + s) % 3);
          // A run of steps shifted onto the cells, as the columnar aggregation's blocks are.
          const from = Math.floor(r() * 50), to = STEPS - Math.floor(r() * 50), shift = Math.floor(r() * Math.min(from + 1, 20));
          const dn = r() < 0.2 ? 1 : 0;
          byColumn.foldColumn(values, present, from, to, shift, dn);
          for (let k = from; k < to; k++) if (present[k] === 1) bySample.fold(k - shift, values, k, dn);
        }
        const got = cellsBits(byColumn), want = cellsBits(bySample);
        expect(got).toEqual(want);
        compared += want.filter((x) => x !== '-').length;
      }
      expect(compared).toBeGreaterThan(5_000);
    });
  }
});
