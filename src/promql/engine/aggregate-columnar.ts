// sum, avg, count, min, max, group, stddev and stdvar over a step grid,
// series by series instead of step by step: each input series' points are
// read in order (one pass over memory that lies together) and folded into
// per-group columns of step cells. Stepping across all series at every step
// touched one scattered point object per series per step, and those cache
// misses were most of an aggregation's time. Each (group, step) cell still
// takes its samples in input-series order, so every result is bit-for-bit
// what the step-by-step loop in aggregate.ts computes.

import type { Matrix, Series } from './value.js';
import { ColumnarSeries, columnsOf, emptyColumns } from './columnar.js';
import type { StepGrid } from './aggregate.js';

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
  if (nGroups === 0) return [];
  const nSteps = Math.floor((grid.end - grid.start) / grid.interval) + 1;
  const block = Math.max(1, Math.min(nSteps, Math.floor(MAX_CELLS / nGroups)));
  const cells = nGroups * block;
  const value = new Float64Array(cells), comp = new Float64Array(cells), mean = new Float64Array(cells), count = new Float64Array(cells);
  const seen = new Uint8Array(cells), incremental = new Uint8Array(cells), dropName = new Uint8Array(cells);
  const pos = new Int32Array(input.length);
  const outCols = result.map(() => emptyColumns(grid.start, grid.interval, nSteps));
  const outDropName = new Uint8Array(nGroups);
  const one = new Float64Array(1);
  const isSum = op === 'sum', isAvg = op === 'avg', isMax = op === 'max', isMin = op === 'min', isCount = op === 'count';
  const isDev = op === 'stddev' || op === 'stdvar', isGroup = op === 'group';
  for (let b0 = 0; b0 < nSteps; b0 += block) {
    tick?.();
    const b1 = Math.min(nSteps, b0 + block);
    const lastT = grid.start + (b1 - 1) * grid.interval;
    seen.fill(0);
    for (let si = 0; si < input.length; si++) {
      if ((si & 1023) === 1023) tick?.();
      const s = input[si]!;
      const base = groupOf[si]! * block - b0;
      const dn = s.dropName ? 1 : 0;
      const cols = columnsOf(s);
      if (cols && cols.start === grid.start && cols.interval === grid.interval && cols.values.length === nSteps) {
        // Input columns share the grid: step k is cell base + k.
        const { values: vs, present } = cols;
        for (let k = b0; k < b1; k++) if (present[k] === 1) fold(base + k, vs, k, dn);
        continue;
      }
      const fl = s.floats;
      let i = pos[si]!;
      for (; i < fl.length; i++) {
        const p = fl[i]!;
        if (p.t > lastT) break;
        one[0] = p.f;
        fold(base + (p.t - grid.start) / grid.interval, one, 0, dn);
      }
      pos[si] = i;
    }
    for (let g = 0; g < nGroups; g++) {
      const oc = outCols[g]!;
      for (let k = 0; k < b1 - b0; k++) {
        const c = g * block + k;
        if (seen[c] === 0) continue;
        let v = value[c]!;
        if (isAvg) v = incremental[c] ? mean[c]! + comp[c]! : value[c]! / count[c]! + comp[c]! / count[c]!;
        else if (isCount) v = count[c]!;
        else if (op === 'stdvar') v = value[c]! / count[c]!;
        else if (op === 'stddev') v = Math.sqrt(value[c]! / count[c]!);
        else if (isSum) v = value[c]! + comp[c]!;
        oc.values[b0 + k] = v;
        oc.present[b0 + k] = 1;
        oc.count++;
        outDropName[g] = dropName[c]!;
      }
    }
  }
  const out: Series[] = [];
  for (let g = 0; g < nGroups; g++) {
    if (outCols[g]!.count > 0) out.push(new ColumnarSeries(result[g]!.metric, outDropName[g] === 1, outCols[g]!));
  }
  return out;

  /**
   * Folds the sample xs[i] (of a series whose dropName is dn) into cell c.
   * Taken by array and index: a float argument was boxed at every call.
   */
  function fold(c: number, xs: Float64Array, i: number, dn: number): void {
    const f = xs[i]!;
    if (seen[c] === 0) {
      seen[c] = 1;
      value[c] = f;
      mean[c] = f;
      comp[c] = 0;
      count[c] = 1;
      incremental[c] = 0;
      dropName[c] = dn;
      if (isDev) value[c] = Number.isNaN(f) || !Number.isFinite(f) ? NaN : 0;
      else if (isGroup) value[c] = 1;
      return;
    }
    if (dn) dropName[c] = 1;
    if (isSum) {
      kahanInto(value, comp, c, f, value[c]!, comp[c]!);
    } else if (isAvg) {
      const n = ++count[c]!;
      if (incremental[c] === 0) {
        const sum = value[c]!, t = sum + f;
        if (t !== Infinity && t !== -Infinity) {
          comp[c] = Math.abs(sum) >= Math.abs(f) ? comp[c]! + ((sum - t) + f) : comp[c]! + ((f - t) + sum);
          value[c] = t;
          return;
        }
        incremental[c] = 1;
        mean[c] = sum / (n - 1);
        comp[c] = comp[c]! / (n - 1);
      }
      const q = (n - 1) / n;
      kahanInto(mean, comp, c, f / n, q * mean[c]!, q * comp[c]!);
    } else if (isMax) {
      if (value[c]! < f || Number.isNaN(value[c]!)) value[c] = f;
    } else if (isMin) {
      if (value[c]! > f || Number.isNaN(value[c]!)) value[c] = f;
    } else if (isCount) {
      count[c]!++;
    } else if (isDev) {
      const n = ++count[c]!;
      const delta = f - mean[c]!;
      mean[c] = mean[c]! + delta / n;
      value[c] = value[c]! + delta * (f - mean[c]!);
    }
  }
}

/** kahan.ts's kahanInc(inc, sum, c), written into sums[i] and comps[i]. */
function kahanInto(sums: Float64Array, comps: Float64Array, i: number, inc: number, sum: number, c: number): void {
  const t = sum + inc;
  sums[i] = t;
  if (t === Infinity || t === -Infinity) comps[i] = 0;
  else if (Math.abs(sum) >= Math.abs(inc)) comps[i] = c + ((sum - t) + inc);
  else comps[i] = c + ((inc - t) + sum);
}
