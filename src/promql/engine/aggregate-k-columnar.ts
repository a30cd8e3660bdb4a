// topk, bottomk, limitk, limit_ratio and quantile over a whole step grid
// when every input series is a float column on it. Groups are resolved once
// per query (aggregate.ts hands in each series' group id); each step then
// works on series indices only: one heap of indices per group, held in one
// Int32Array for the whole query, values read from the columns. The step-by-
// step path built a sample object per series and step and a heap object per
// group and step, and those were the cost of a `topk` query.
//
// Every choice is the step-by-step path's: the same heap (Go's container/heap
// sift order, index-heap.ts), the same output order within a step (groups by
// id, each heap in its order; topk-columnar.ts sorts topk's and bottomk's)
// and so the same order of output series (first emitted first). Output
// values are the input's own values.

import type { Labels } from '../../model/labels.js';
import { ColumnarSeries, type StepColumns, emptyColumns } from './columnar.js';
import { quantile } from './quantile.js';
import { ratioKeeps, ratioOffset } from './ratio-offset.js';
import type { Matrix, Series } from './value.js';
import { cachedLabelsKey } from './label-key-cache.js';
import { topkColumnar } from './topk-columnar.js';
import { groupHeapBases, siftUp } from './index-heap.js';

export const K_COLUMNAR_OPS: ReadonlySet<string> = new Set(['topk', 'bottomk', 'limitk', 'limit_ratio', 'quantile']);

export interface KGrid {
  start: number;
  interval: number;
  numSteps: number;
}

/**
 * The op's result over the grid, or null when an input series is not a
 * column on it (or two inputs share a label set: the step-by-step path
 * merges those into one output series, which is left to it).
 * `groups` holds each group's labels (quantile's output), in first-seen order;
 * the k operators output input series and need only the number of groups.
 */
export function aggregateKColumnar(
  op: string, input: Matrix, cols: StepColumns[], groupOf: Int32Array, nGroups: number, groups: { metric: Labels }[], params: Float64Array | null,
  grid: KGrid, tick?: () => void,
): Series[] | null {
  if (op === 'quantile') return quantileColumnar(input, cols, groupOf, groups, params!, grid, tick);
  const seenKeys = new Set<string>();
  for (const s of input) {
    const key = cachedLabelsKey(s.metric);
    if (seenKeys.has(key)) return null;
    seenKeys.add(key);
  }
  if (op === 'topk' || op === 'bottomk') return topkColumnar(op === 'bottomk', input, cols, groupOf, nGroups, params!, grid, tick);
  const n = input.length;
  const base = groupHeapBases(groupOf, n, nGroups);
  const heap = new Int32Array(n);
  const size = new Int32Array(nGroups);
  const started = new Uint8Array(nGroups);
  // The step's values, by series index; a heap compares them through this array.
  const val = new Float64Array(n);
  const ratioIn = op === 'limit_ratio' ? Float64Array.from(input, (s) => ratioOffset(s.metric)) : null;
  const out: (StepColumns | null)[] = new Array(n).fill(null);
  const order: number[] = [];
  const push = (g: number, si: number) => {
    const b = base[g]!;
    heap[b + size[g]!] = si;
    siftUp(heap, val, b, size[g]!++);
  };

  for (let k = 0; k < grid.numSteps; k++) {
    tick?.();
    const param = params ? params[k]! : NaN;
    let kk = 0, r = 0;
    if (op === 'limit_ratio') {
      if (param === 0) continue;
      r = Math.max(-1, Math.min(1, param));
    } else {
      kk = Math.min(Math.trunc(param), n);
      if (kk < 1) continue;
    }
    size.fill(0);
    started.fill(0);
    for (let si = 0; si < n; si++) {
      if ((si & 1023) === 1023) tick?.();
      const c = cols[si]!;
      if (c.present[k] === 0) continue;
      const f = c.values[k]!;
      val[si] = f;
      const g = groupOf[si]!;
      if (started[g] === 0) {
        started[g] = 1;
        if (ratioIn === null || ratioKeeps(r, ratioIn[si]!)) push(g, si);
        continue;
      }
      if (ratioIn === null) {
        if (size[g]! < kk) push(g, si);
      } else if (ratioKeeps(r, ratioIn[si]!)) {
        push(g, si);
      }
    }
    for (let g = 0; g < nGroups; g++) {
      const len = size[g]!;
      if (len === 0) continue;
      const b = base[g]!;
      // Output in heap order, as the step-by-step path leaves limitk's and limit_ratio's heaps.
      for (let i = 0; i < len; i++) {
        const si = heap[b + i]!;
        let oc = out[si];
        if (!oc) {
          oc = out[si] = emptyColumns(grid.start, grid.interval, grid.numSteps);
          order.push(si);
        }
        oc.values[k] = val[si]!;
        oc.present[k] = 1;
        oc.count++;
      }
    }
  }
  return order.map((si) => new ColumnarSeries(input[si]!.metric, input[si]!.dropName, out[si]!));
}

/** quantile per group and step; each group's values in input order, as the step-by-step path gathers them. */
function quantileColumnar(
  input: Matrix, cols: StepColumns[], groupOf: Int32Array, groups: { metric: Labels }[], params: Float64Array, grid: KGrid, tick?: () => void,
): Series[] {
  const nGroups = groups.length;
  const values: number[][] = Array.from({ length: nGroups }, () => []);
  const dropName = new Uint8Array(nGroups);
  const lastDropName = new Uint8Array(nGroups);
  const outCols = groups.map(() => emptyColumns(grid.start, grid.interval, grid.numSteps));
  for (let k = 0; k < grid.numSteps; k++) {
    tick?.();
    for (const v of values) v.length = 0;
    for (let si = 0; si < input.length; si++) {
      if ((si & 1023) === 1023) tick?.();
      const c = cols[si]!;
      if (c.present[k] === 0) continue;
      const g = groupOf[si]!;
      const vs = values[g]!;
      if (vs.length === 0) dropName[g] = input[si]!.dropName ? 1 : 0;
      else if (input[si]!.dropName) dropName[g] = 1;
      vs.push(c.values[k]!);
    }
    const q = params[k]!;
    for (let g = 0; g < nGroups; g++) {
      const vs = values[g]!;
      if (vs.length === 0) continue;
      const oc = outCols[g]!;
      oc.values[k] = quantile(q, vs);
      oc.present[k] = 1;
      oc.count++;
      lastDropName[g] = dropName[g]!;
    }
  }
  const out: Series[] = [];
  for (let g = 0; g < nGroups; g++) if (outCols[g]!.count > 0) out.push(new ColumnarSeries(groups[g]!.metric, lastDropName[g] === 1, outCols[g]!));
  return out;
}
