// Where a node that produces series one at a time (a range function's
// windows, an instant selector under a streamed aggregation) hands each one. A MatrixSink holds them as
// the node's result; a streamed aggregation (aggregate-stream.ts) folds each
// into its group as it arrives and hands the same column buffer out again,
// so the node's whole output is never held at once.

import type { Labels } from '../../model/labels.js';
import { ColumnarSeries, type StepColumns, emptyColumns } from './columnar.js';
import type { SumCells } from './aggregate-fold.js';
import { type Matrix, type Series, hasDuplicateLabels } from './value.js';

export interface SeriesSink {
  /** Columns over the grid, every step absent, for the next series to be written into. */
  columns(): StepColumns;
  /** A series written into columns(): from here on the columns are the sink's. */
  takeColumns(metric: Labels, dropName: boolean, cols: StepColumns): void;
  /** Columns from columns() that stayed empty (nothing was written into them). */
  unused(cols: StepColumns): void;
  /** A series with points (or histograms). */
  take(s: Series): void;
  /** Whether two of the series taken had the same label set. */
  hasDuplicates(): boolean;
  /**
   * A streamed sum's cells for metric's group when that group already has
   * cells, for a range kernel to add the series' windows into directly
   * (range-kernels.ts sumKernel); null to hand the series over in columns.
   */
  sumCellsOf?(metric: Labels): SumCells | null;
  /** A series whose count windows were added into sumCellsOf(metric)'s cells. */
  tookSum?(metric: Labels, count: number): void;
}

export interface SinkGrid {
  start: number;
  interval: number;
  numSteps: number;
  /** A series over the grid, as the evaluator builds it (columnar or with points). */
  seriesOf(metric: Labels, dropName: boolean, cols: StepColumns): Series;
}

/** Holds every series: the node's result as a matrix. */
export class MatrixSink implements SeriesSink {
  readonly out: Matrix = [];
  /** An empty buffer handed back, handed out again before a new one is made. */
  private spare: StepColumns | null = null;

  constructor(private readonly grid: SinkGrid) {}

  columns(): StepColumns {
    const c = this.spare ?? emptyColumns(this.grid.start, this.grid.interval, this.grid.numSteps);
    this.spare = null;
    return c;
  }

  takeColumns(metric: Labels, dropName: boolean, cols: StepColumns): void {
    const s = this.grid.seriesOf(metric, dropName, cols);
    this.out.push(s);
    // A series built as points (the reference engine) leaves its columns free.
    if (!(s instanceof ColumnarSeries)) {
      cols.present.fill(0);
      cols.count = 0;
      this.spare = cols;
    }
  }

  unused(cols: StepColumns): void {
    this.spare = cols;
  }

  take(s: Series): void {
    this.out.push(s);
  }

  hasDuplicates(): boolean {
    return hasDuplicateLabels(this.out);
  }
}
