// topk and bottomk over a step grid, every input series a float column on
// it: at each step one heap of series indices per group (Go's container/heap
// sift order and less functions, so the same winners among ties and NaN),
// then each heap sorted best first by the stable insertion sort of the
// step-by-step path (aggregate.ts goSort), so every step outputs the same
// series in the same order.
//
// Written for the per-step loop's cost: nothing is cleared per step (a group
// is fresh while its stamp is not the step's), the operator is a flag, the
// heap functions (index-heap.ts) are module functions over typed arrays, and
// bottomk compares negated values so that both share one less function
// (-a < -b exactly when a > b, NaN stays NaN). Output values are read from
// the input columns, so they keep their own bits.

import type { Labels } from '../../model/labels.js';
import { ColumnarSeries, type StepColumns, emptyColumns } from './columnar.js';
import type { Series } from './value.js';
import { groupHeapBases, less, siftDown, siftUp } from './index-heap.js';

export interface TopkGrid {
  start: number;
  interval: number;
  numSteps: number;
}

/**
 * topk (bottom false) or bottomk (bottom true) of the input columns per
 * group; output series in the order the step-by-step path first emits them.
 * k comes from `params` per step (a column, so it may vary); steps with
 * k < 1 output nothing.
 */
export function topkColumnar(
  bottom: boolean, input: readonly { metric: Labels; dropName: boolean }[], cols: readonly StepColumns[], groupOf: Int32Array, nGroups: number,
  params: Float64Array, grid: TopkGrid, tick?: () => void,
): Series[] {
  const n = input.length;
  const base = groupHeapBases(groupOf, n, nGroups);
  const heap = new Int32Array(n);
  const size = new Int32Array(nGroups);
  // A group has a heap at step k when stamp[g] is k + 1.
  const stamp = new Int32Array(nGroups);
  // The step's comparison keys by series index: the value, negated for bottomk.
  const key = new Float64Array(n);
  const values = cols.map((c) => c.values), present = cols.map((c) => c.present);
  const out: (StepColumns | null)[] = new Array(n).fill(null);
  const order: number[] = [];
  const sorted = new Int32Array(n);
  const sign = bottom ? -1 : 1;

  for (let k = 0; k < grid.numSteps; k++) {
    tick?.();
    const kk = Math.min(Math.trunc(params[k]!), n);
    if (kk < 1) continue;
    const mark = k + 1;
    for (let si = 0; si < n; si++) {
      if ((si & 1023) === 1023) tick?.();
      if (present[si]![k] === 0) continue;
      const f = sign * values[si]![k]!;
      key[si] = f;
      const g = groupOf[si]!;
      const b = base[g]!;
      if (stamp[g] !== mark) {
        stamp[g] = mark;
        heap[b] = si;
        size[g] = 1;
        continue;
      }
      const len = size[g]!;
      if (len < kk) {
        heap[b + len] = si;
        size[g] = len + 1;
        siftUp(heap, key, b, len);
        continue;
      }
      const top = key[heap[b]!]!;
      if (top < f || (top !== top && f === f)) {
        heap[b] = si;
        if (kk > 1) siftDown(heap, key, b, len);
      }
    }
    for (let g = 0; g < nGroups; g++) {
      if (stamp[g] !== mark) continue;
      const len = size[g]!;
      const b = base[g]!;
      for (let i = 0; i < len; i++) sorted[i] = heap[b + i]!;
      // goSort with less(b, a): best first, ties in heap order.
      for (let i = 1; i < len; i++) {
        for (let j = i; j > 0 && less(key, sorted[j - 1]!, sorted[j]!); j--) {
          const x = sorted[j]!;
          sorted[j] = sorted[j - 1]!;
          sorted[j - 1] = x;
        }
      }
      for (let i = 0; i < len; i++) {
        const si = sorted[i]!;
        let oc = out[si];
        if (!oc) {
          oc = out[si] = emptyColumns(grid.start, grid.interval, grid.numSteps);
          order.push(si);
        }
        oc.values[k] = values[si]![k]!;
        oc.present[k] = 1;
        oc.count++;
      }
    }
  }
  return order.map((si) => new ColumnarSeries(input[si]!.metric, input[si]!.dropName, out[si]!));
}
