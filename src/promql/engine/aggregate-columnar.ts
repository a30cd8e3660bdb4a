// sum, avg, count, min, max, group, stddev and stdvar over a step grid,
// series by series instead of step by step: each input series' points are
// read in order (one pass over memory that lies together) and folded into
// per-group columns of step cells. Stepping across all series at every step
// touched one scattered point object per series per step, and those cache
// misses were most of an aggregation's time. Each (group, step) cell still
// takes its samples in input-series order, so every result is bit-for-bit
// what the step-by-step loop in aggregate.ts computes (aggregate-fold.ts
// holds the cells). aggregate-stream.ts folds series as they are computed
// instead, for inputs that need not be held.

import type { Matrix, Series } from './value.js';
import { ColumnarSeries, columnsOf, emptyColumns } from './columnar.js';
import type { StepGrid } from './aggregate.js';
import { FoldCells, isFoldOp } from './aggregate-fold.js';

export const COLUMNAR_OPS: ReadonlySet<string> = new Set(['sum', 'avg', 'count', 'min', 'max', 'group', 'stddev', 'stdvar']);

/** Cells (groups × steps) held at once; the grid is walked in blocks of steps that fit. */
const MAX_CELLS = 1 << 18;

/**
 * The groups' series (groups in first-seen order, those with no value left
 * out) for the columnar ops, as columns over the grid. `result` holds each
 * group's labels. Points of every input series lie on the grid, in step order.
 */
export function aggregateColumnar(
  op: string, input: Matrix, groupOf: Int32Array, result: Series[], grid: StepGrid, tick?: () => void,
): Series[] {
  const nGroups = result.length;
  if (nGroups === 0 || !isFoldOp(op)) return [];
  const nSteps = Math.floor((grid.end - grid.start) / grid.interval) + 1;
  const block = Math.max(1, Math.min(nSteps, Math.floor(MAX_CELLS / nGroups)));
  const cells = Array.from({ length: nGroups }, () => new FoldCells(op, block));
  const pos = new Int32Array(input.length);
  const outCols = result.map(() => emptyColumns(grid.start, grid.interval, nSteps));
  const outDropName = new Uint8Array(nGroups);
  const one = new Float64Array(1);
  for (let b0 = 0; b0 < nSteps; b0 += block) {
    tick?.();
    const b1 = Math.min(nSteps, b0 + block);
    const lastT = grid.start + (b1 - 1) * grid.interval;
    for (const g of cells) g.clear();
    for (let si = 0; si < input.length; si++) {
      if ((si & 1023) === 1023) tick?.();
      const s = input[si]!;
      const g = cells[groupOf[si]!]!;
      const dn = s.dropName ? 1 : 0;
      const cols = columnsOf(s);
      if (cols && cols.start === grid.start && cols.interval === grid.interval && cols.values.length === nSteps) {
        // Input columns share the grid: step k is cell k - b0.
        g.foldColumn(cols.values, cols.present, b0, b1, b0, dn);
        continue;
      }
      const fl = s.floats;
      let i = pos[si]!;
      for (; i < fl.length; i++) {
        const p = fl[i]!;
        if (p.t > lastT) break;
        one[0] = p.f;
        g.fold((p.t - grid.start) / grid.interval - b0, one, 0, dn);
      }
      pos[si] = i;
    }
    for (let gi = 0; gi < nGroups; gi++) {
      const oc = outCols[gi]!, g = cells[gi]!;
      for (let k = 0; k < b1 - b0; k++) {
        if (g.seen[k] === 0) continue;
        oc.values[b0 + k] = g.result(k);
        oc.present[b0 + k] = 1;
        oc.count++;
        outDropName[gi] = g.dropName[k]!;
      }
    }
  }
  const out: Series[] = [];
  for (let g = 0; g < nGroups; g++) {
    if (outCols[g]!.count > 0) out.push(new ColumnarSeries(result[g]!.metric, outDropName[g] === 1, outCols[g]!));
  }
  return out;
}
