// sum, avg, count, min, max, group, stddev and stdvar of a range function
// or an instant selector, folded as the input is computed: each input
// series' column goes into its group's step cells as soon as it is written,
// and the same column buffer is written again for the next series. The
// input matrix is never held, so a range query keeps groups × steps cells
// instead of series × steps samples (`sum by (le) (rate(…_bucket[5m]))`
// over 7,560 series folds into a few dozen columns).
//
// The cells are aggregate-fold.ts's, the ones the held path (aggregate-
// columnar.ts) uses, and series arrive in the order that path would read
// them, so every sum takes the same terms in the same order: the same bits.
//
// Prometheus counts the input's samples towards max-samples and this path
// counts them the same way (the range function or selector adds them as it
// goes); the memory budget is charged what is actually held: the cells and
// the one column buffer.

import type { AggregateExpr, Expr, VectorSelector } from '../parser/ast.js';
import type { Labels } from '../../model/labels.js';
import type { Evaluator } from './evaluator.js';
import { groupingKey, groupingLabels } from './aggregate.js';
import { FoldCells, type FoldOp, type SumCells, foldBytesPerCell, isFoldOp } from './aggregate-fold.js';
import { ColumnarSeries, type StepColumns, columnsOf, emptyColumns } from './columnar.js';
import { evalRangeCall } from './range-call.js';
import { RANGE_FUNCTIONS } from './functions.js';
import type { SeriesSink } from './series-sink.js';
import type { Matrix, Series } from './value.js';
import { LabelSetSeen } from './label-set-seen.js';
import { unwrapParens } from './preprocess.js';
import { fillSelectorSteps } from './selector-steps.js';
import { floatsOnlyReader, type SeriesReader } from './series-reader.js';

/** Thrown by the sink when a series it cannot fold (one with native histograms) arrives: the held path takes over. */
class NotStreamable extends Error {}

/** What the streamed path needs of an evaluator's grid and query state. */
type Grid = Pick<Evaluator, 'start' | 'interval' | 'numSteps' | 'q'>;

class FoldingSink implements SeriesSink {
  private readonly groupIds = new Map<string, number>();
  private readonly groups: FoldCells[] = [];
  private readonly labels: Labels[] = [];
  private readonly buffer: StepColumns;
  private readonly seen: LabelSetSeen | null;
  /**
   * For `by` one label: the group of each value of that label already looked
   * up, so that a series whose group has cells finds them without building
   * its grouping key (the key depends on that one label alone).
   */
  private readonly byLabel: string | null;
  private readonly groupOfValue = new Map<string, number>();
  private duplicate = false;
  private readonly cellBytes: number;
  /** Bytes charged to the query's memory budget so far, given back by release(). */
  held = 0;
  private readonly one = new Float64Array(1);

  constructor(
    private readonly op: FoldOp, private readonly grouping: readonly string[], private readonly without: boolean,
    private readonly grid: Grid, trackDuplicates: boolean,
  ) {
    this.buffer = emptyColumns(grid.start, grid.interval, grid.numSteps);
    this.cellBytes = foldBytesPerCell(op) * grid.numSteps;
    this.seen = trackDuplicates ? new LabelSetSeen() : null;
    this.byLabel = !without && grouping.length === 1 ? grouping[0]! : null;
  }

  /** Charges the column buffer to the memory budget. */
  start(): void {
    this.hold(9 * this.grid.numSteps);
  }

  columns(): StepColumns {
    return this.buffer;
  }

  takeColumns(metric: Labels, dropName: boolean, cols: StepColumns): void {
    const n = this.grid.numSteps;
    this.groupOf(metric).foldColumn(cols.values, cols.present, 0, n, 0, dropName ? 1 : 0);
    this.grid.q.streamed += cols.count;
    // Values need no clearing: only present steps are read.
    cols.present.fill(0);
    cols.count = 0;
  }

  unused(): void {}

  // Only a group that already has cells: a group is made (its cells charged to the budget, its
  // place in the answer taken) by its first series with a value, which comes through columns.
  sumCellsOf(metric: Labels): SumCells | null {
    if (this.op !== 'sum') return null;
    const value = this.byLabel === null ? null : onlyValue(metric, this.byLabel);
    let g = value === null ? undefined : this.groupOfValue.get(value);
    if (g === undefined) {
      g = this.groupIds.get(groupingKey(metric, this.grouping, this.without));
      if (g === undefined) return null;
      if (value !== null) this.groupOfValue.set(value, g);
    }
    return this.groups[g]!.sumCells();
  }

  tookSum(metric: Labels, count: number): void {
    this.checkDuplicate(metric);
    this.grid.q.streamed += count;
  }

  take(s: Series): void {
    if (s.histograms && s.histograms.length > 0) throw new NotStreamable();
    const cols = columnsOf(s);
    if (cols) {
      this.takeColumns(s.metric, s.dropName, cols);
      return;
    }
    const g = this.groupOf(s.metric), dn = s.dropName ? 1 : 0;
    const { start, interval } = this.grid;
    for (const p of s.floats) {
      this.one[0] = p.f;
      g.fold((p.t - start) / interval, this.one, 0, dn);
    }
    this.grid.q.streamed += s.floats.length;
  }

  hasDuplicates(): boolean {
    return this.duplicate;
  }

  /** The groups with a value, in the order their first series arrived, as aggregateColumnar gives them. */
  finish(): Matrix {
    const out: Matrix = [];
    const { start, interval } = this.grid;
    for (let g = 0; g < this.groups.length; g++) {
      const cells = this.groups[g]!;
      let count = 0, dn = 0;
      for (let k = 0; k < cells.length; k++) {
        if (cells.seen[k] === 0) continue;
        count++;
        // The name is dropped as at the group's last step with a value.
        dn = cells.dropName[k]!;
      }
      if (count === 0) continue;
      const cols: StepColumns = { start, interval, values: cells.resultsInPlace(), present: cells.seen, count };
      out.push(new ColumnarSeries(this.labels[g]!, dn === 1, cols));
    }
    return out;
  }

  release(): void {
    this.grid.q.heldBytes -= this.held;
    this.held = 0;
  }

  private hold(bytes: number): void {
    this.held += bytes;
    this.grid.q.holdBytes(bytes);
  }

  private checkDuplicate(metric: Labels): void {
    if (this.seen?.add(metric)) this.duplicate = true;
  }

  private groupOf(metric: Labels): FoldCells {
    this.checkDuplicate(metric);
    const key = groupingKey(metric, this.grouping, this.without);
    let g = this.groupIds.get(key);
    if (g === undefined) {
      g = this.groups.length;
      this.hold(this.cellBytes);
      this.groupIds.set(key, g);
      this.groups.push(new FoldCells(this.op, this.grid.numSteps));
      this.labels.push(groupingLabels(metric, this.grouping, this.without));
    }
    return this.groups[g]!;
  }
}

/**
 * The value of metric's label `name` when it has exactly one such label
 * (its grouping key by that label is then determined by the value), else null.
 */
function onlyValue(metric: Labels, name: string): string | null {
  let value: string | null = null;
  for (let i = 0; i < metric.length; i++) {
    const l = metric[i]!;
    if (l.name !== name) continue;
    if (value !== null) return null;
    value = l.value;
  }
  return value;
}

/**
 * The input node's series handed to sink one at a time, or null when the
 * node is not one that produces them so (or is step-invariant, evaluated
 * once and repeated).
 */
interface InputStream {
  into(sink: SeriesSink): void;
  /** Whether the node refuses two series with one label set (a range function that drops names does). */
  checksDuplicates: boolean;
}

function inputStream(ev: Evaluator, expr: Expr): InputStream | null {
  let e = expr;
  for (;;) {
    if (ev.q.prepared.invariant.has(e)) return null;
    if (e.type !== 'ParenExpr') break;
    e = e.expr;
  }
  if (e.type === 'VectorSelector') {
    if (e.smoothed) return null;
    const reader = floatsOnlyReader(ev.q.selection, e);
    if (!reader) return null;
    const vs = e;
    return { into: (sink) => selectorInto(ev, vs, reader, sink), checksDuplicates: false };
  }
  if (e.type !== 'Call') return null;
  const name = e.func.name;
  const matrixIdx = e.args.findIndex((a) => a.type === 'MatrixSelector' || a.type === 'SubqueryExpr');
  // label_replace, label_join and info take no range argument; absent_over_time answers for the whole input.
  if (matrixIdx < 0 || name === 'absent_over_time' || !RANGE_FUNCTIONS[name]) return null;
  const call = e;
  return { into: (sink) => void evalRangeCall(ev, call, matrixIdx, sink), checksDuplicates: true };
}

/**
 * An instant selector's series (floats only) into the sink, each step's
 * value written by selector-steps.ts as evalSeries writes it, into the
 * sink's one buffer instead of a new column per series.
 */
function selectorInto(ev: Evaluator, vs: VectorSelector, reader: SeriesReader, sink: SeriesSink): void {
  const offset = ev.q.offsets.get(vs)!;
  const stored = ev.q.selection.stored(vs);
  for (let i = 0; i < stored.length; i++) {
    ev.cfg.checkAbort();
    const s = reader.data(i, stored[i]!);
    const cols = sink.columns();
    cols.count = fillSelectorSteps(s, ev.start - offset, ev.interval, ev.numSteps, ev.cfg.lookbackDelta, cols.values, cols.present, 0);
    if (cols.count === 0) {
      sink.unused(cols);
      continue;
    }
    ev.q.add(cols.count);
    sink.takeColumns(s.labels, false, cols);
  }
}

/**
 * e (its grouping sorted) folded as its input is computed, for a range
 * evaluation of a columnar engine; null when e's operator or input does
 * not stream, and the caller evaluates it the held way.
 */
export function streamAggregation(ev: Evaluator, e: AggregateExpr): Matrix | null {
  if (!ev.cfg.columnar || ev.start >= ev.end || !isFoldOp(e.op)) return null;
  ev.cfg.checkAbort();
  const run = inputStream(ev, e.expr);
  if (!run) return null;
  const q = ev.q;
  const before = { current: q.current, streamed: q.streamed, totalLoaded: q.totalLoaded, peak: q.peak };
  const sink = new FoldingSink(e.op, e.grouping, e.without, ev, run.checksDuplicates && !ev.cfg.delayedNameRemoval);
  try {
    sink.start();
    run.into(sink);
    return sink.finish();
  } catch (err) {
    if (!(err instanceof NotStreamable)) throw err;
    // Native histograms take the held path, which knows their arithmetic; what was
    // counted for the part already read is counted again there, so it is taken back.
    Object.assign(q, before);
    return null;
  } finally {
    sink.release();
    q.streamed = before.streamed;
  }
}
