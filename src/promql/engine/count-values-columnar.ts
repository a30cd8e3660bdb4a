// count_values over a whole step grid when every input series is a float
// column on it. Each series remembers, per value text it has shown, the
// output group it counts toward, so the label set is built and keyed once
// per (series, distinct value) rather than at every step; a series whose
// value did not change reuses the last value's text. Counts live in an
// Int32Array stamped with the step.
//
// Output equals aggregate.ts's countValues: the same value text
// (formatFloat), the same groups, output series in the order that path
// first sees them (steps in order; within a step, groups in the order their
// first sample came).

import type { AggregateExpr } from '../parser/ast.js';
import type { Labels } from '../../model/labels.js';
import { formatFloat } from '../../model/float.js';
import { groupingLabels } from './aggregate.js';
import { ColumnarSeries, type StepColumns, emptyColumns } from './columnar.js';
import { type Matrix, labelsKey, setLabel } from './value.js';
import type { KGrid } from './aggregate-k-columnar.js';

export function countValuesColumnar(
  e: AggregateExpr, valueLabel: string, input: Matrix, cols: StepColumns[], grid: KGrid, tick?: () => void,
): Matrix {
  const grouping = [...e.grouping];
  if (!e.without) grouping.push(valueLabel);
  grouping.sort();
  const ids = new Map<string, number>();
  const labels: Labels[] = [];
  const outCols: (StepColumns | null)[] = [];
  const order: number[] = [];
  const bySeries = input.map(() => new Map<string, number>());
  const lastValue = new Float64Array(input.length);
  const lastId = new Int32Array(input.length).fill(-1);
  let counts = new Int32Array(64), stamp = new Int32Array(64).fill(-1);
  const touched: number[] = [];
  for (let k = 0; k < grid.numSteps; k++) {
    tick?.();
    touched.length = 0;
    for (let si = 0; si < input.length; si++) {
      if ((si & 1023) === 1023) tick?.();
      const c = cols[si]!;
      if (c.present[k] === 0) continue;
      const f = c.values[k]!;
      let id = lastId[si]!;
      if (id < 0 || !Object.is(f, lastValue[si]!)) {
        const text = formatFloat(f);
        const seen = bySeries[si]!.get(text);
        if (seen !== undefined) id = seen;
        else {
          const ls = groupingLabels(setLabel(input[si]!.metric, valueLabel, text), grouping, e.without);
          const key = labelsKey(ls);
          let found = ids.get(key);
          if (found === undefined) {
            found = labels.length;
            ids.set(key, found);
            labels.push(ls);
            outCols.push(null);
            if (found >= counts.length) {
              const c2 = new Int32Array(counts.length * 2), s2 = new Int32Array(counts.length * 2).fill(-1);
              c2.set(counts);
              s2.set(stamp);
              counts = c2;
              stamp = s2;
            }
          }
          id = found;
          bySeries[si]!.set(text, id);
        }
        lastId[si] = id;
        lastValue[si] = f;
      }
      if (stamp[id] !== k) {
        stamp[id] = k;
        counts[id] = 0;
        touched.push(id);
      }
      counts[id]!++;
    }
    for (const id of touched) {
      let oc = outCols[id];
      if (!oc) {
        oc = outCols[id] = emptyColumns(grid.start, grid.interval, grid.numSteps);
        order.push(id);
      }
      oc.values[k] = counts[id]!;
      oc.present[k] = 1;
      oc.count++;
    }
  }
  return order.map((id) => new ColumnarSeries(labels[id]!, false, outCols[id]!));
}
