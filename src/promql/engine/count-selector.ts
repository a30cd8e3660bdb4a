// count and group of an instant selector over a range query's steps. Both
// need only where each series has a value, never the value: each series
// marks where its runs of present steps begin and end in its group's column
// (selector-steps.ts countSelectorRuns: one look at each sample, none at each
// step), and the column's running sum is the count. The streamed aggregation
// wrote every value into a column and then folded that column into the
// group's cells. Counts are small integers, so the results are the bits the
// fold gives.
//
// Everything else is the streamed path's (aggregate-stream.ts), so the two
// cannot be told apart: the same groups in the same order (the first series
// with a value makes a group), the same samples counted towards max-samples
// at the same moments, and the same bytes charged to the memory budget (its
// column buffer and each group's cells, while the series that made the
// group is still counted), so a query meets a limit where it did, and a
// split query's parts report the same peak.

import type { AggregateExpr, Expr, VectorSelector } from '../parser/ast.js';
import type { Labels } from '../../model/labels.js';
import type { Evaluator } from './evaluator.js';
import { groupingKey, groupingLabels } from './aggregate.js';
import { foldBytesPerCell } from './aggregate-fold.js';
import { ColumnarSeries } from './columnar.js';
import { floatsOnlyReader, type SeriesReader } from './series-reader.js';
import { countSelectorRuns, fillSelectorSteps, runsExact } from './selector-steps.js';
import type { Matrix } from './value.js';

/** The selector e counts, when it is one (through parentheses) whose series hold floats only, with its series' reader; else null. */
function countedSelector(ev: Evaluator, expr: Expr): { vs: VectorSelector; reader: SeriesReader } | null {
  let e = expr;
  for (;;) {
    if (ev.q.prepared.invariant.has(e)) return null;
    if (e.type !== 'ParenExpr') break;
    e = e.expr;
  }
  if (e.type !== 'VectorSelector' || e.smoothed) return null;
  const reader = floatsOnlyReader(ev.q.selection, e);
  return reader ? { vs: e, reader } : null;
}

/**
 * e (its grouping sorted) for a range evaluation of a columnar engine, when
 * it is count or group of a float selector; null otherwise.
 */
export function countSelector(ev: Evaluator, e: AggregateExpr): Matrix | null {
  if (!ev.cfg.columnar || ev.start >= ev.end || (e.op !== 'count' && e.op !== 'group')) return null;
  ev.cfg.checkAbort();
  const counted = countedSelector(ev, e.expr);
  if (!counted) return null;
  const { vs, reader } = counted;
  const q = ev.q;
  const n = ev.numSteps;
  const offset = q.offsets.get(vs)!;
  const lookback = ev.cfg.lookbackDelta;
  const groupIds = new Map<string, number>();
  const labels: Labels[] = [];
  // Each group's column: +1 where a series' run of present steps begins, -1 where it ends.
  const counts: Float64Array[] = [];
  // The step walk's columns, for a grid off whole milliseconds (charged with the 9 bytes a step below).
  let scratch: { values: Float64Array; present: Uint8Array } | null = null;
  const streamed = q.streamed;
  let held = 0;
  const hold = (bytes: number) => {
    held += bytes;
    q.holdBytes(bytes);
  };
  try {
    hold(9 * n);
    const stored = q.selection.stored(vs);
    for (let i = 0; i < stored.length; i++) {
      ev.cfg.checkAbort();
      const s = reader.data(i, stored[i]!);
      const key = groupingKey(s.labels, e.grouping, e.without);
      let g = groupIds.get(key);
      // A series' steps are counted into its group's column before the group is charged for, as the fold
      // does it; a series with no value takes its steps back and makes no group.
      const col = g === undefined ? new Float64Array(n) : counts[g]!;
      const ref0 = ev.start - offset;
      let count: number;
      if (runsExact(s, ref0, ev.interval, n, lookback)) {
        count = countSelectorRuns(s, ref0, ev.interval, n, lookback, col);
      } else {
        // Times off whole milliseconds: the step walk, its present steps written as runs of one.
        scratch ??= { values: new Float64Array(n), present: new Uint8Array(n) };
        scratch.present.fill(0);
        count = fillSelectorSteps(s, ref0, ev.interval, n, lookback, scratch.values, scratch.present, 0);
        for (let k = 0; k < n; k++) {
          if (scratch.present[k] === 0) continue;
          col[k]!++;
          if (k + 1 < n) col[k + 1]!--;
        }
      }
      if (count === 0) continue;
      q.add(count);
      if (g === undefined) {
        hold(foldBytesPerCell(e.op) * n);
        g = counts.length;
        groupIds.set(key, g);
        counts.push(col);
        labels.push(groupingLabels(s.labels, e.grouping, e.without));
      }
      q.streamed += count;
    }
  } finally {
    q.heldBytes -= held;
    q.streamed = streamed;
  }
  const out: Matrix = [];
  for (let g = 0; g < counts.length; g++) {
    const values = counts[g]!;
    const present = new Uint8Array(n);
    let count = 0, sum = 0;
    for (let k = 0; k < n; k++) {
      sum += values[k]!;
      values[k] = sum;
      if (sum === 0) continue;
      present[k] = 1;
      count++;
      if (e.op === 'group') values[k] = 1;
    }
    out.push(new ColumnarSeries(labels[g]!, false, { start: ev.start, interval: ev.interval, values, present, count }));
  }
  return out;
}
