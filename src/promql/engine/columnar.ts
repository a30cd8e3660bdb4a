// A series' float values over a whole step grid in typed arrays, for the
// nodes that evaluate step ranges at once (range functions, instant
// selectors, aggregations, histogram_quantile). Absent steps are marked in
// `present`, never by a value: NaN is a value a query can return.
//
// A ColumnarSeries is still a Series: code that walks points reads `floats`,
// which builds the {t, f} points once, on first use. Columnar consumers read
// the columns instead and skip the point objects (and their garbage), which
// were most of a dashboard query's time. Once the points exist they are the
// truth (a caller may have appended to them), so columnsOf() stops handing
// out the columns.

import type { Labels } from '../../model/labels.js';
import type { FPoint, HPoint, Series } from './value.js';

export interface StepColumns {
  /** Time (ms) of step 0 and the distance between steps. */
  start: number;
  interval: number;
  /** The value at step k, meaningful only where present[k] is 1. */
  values: Float64Array;
  present: Uint8Array;
  /** How many steps are present. */
  count: number;
}

export class ColumnarSeries implements Series {
  declare histograms?: HPoint[];
  private points: FPoint[] | null = null;

  constructor(public metric: Labels, public dropName: boolean, readonly cols: StepColumns) {}

  // On the prototype, so `{ ...s }` would not copy the points: copy a Series by naming its fields.
  get floats(): FPoint[] {
    return (this.points ??= pointsOf(this.cols));
  }

  set floats(v: FPoint[]) {
    this.points = v;
  }

  /** The columns while no point array has been handed out. */
  get columns(): StepColumns | null {
    return this.points === null ? this.cols : null;
  }
}

/** The series' columns when it has them (and no histograms), else null. */
export function columnsOf(s: Series): StepColumns | null {
  return s instanceof ColumnarSeries && !s.histograms?.length ? s.columns : null;
}

/** The number of float points, without building them for a columnar series. */
export function floatCount(s: Series): number {
  const c = columnsOf(s);
  return c ? c.count : s.floats.length;
}

function pointsOf(c: StepColumns): FPoint[] {
  const out: FPoint[] = new Array(c.count);
  let j = 0;
  for (let k = 0; k < c.present.length; k++) if (c.present[k] === 1) out[j++] = { t: c.start + k * c.interval, f: c.values[k]! };
  return out;
}

/** Columns of n steps, all absent. */
export function emptyColumns(start: number, interval: number, n: number): StepColumns {
  return { start, interval, values: new Float64Array(n), present: new Uint8Array(n), count: 0 };
}

/** The columns of a series on the grid (start, interval, n steps), or null when it has none there. */
export function gridColumns(s: Series, start: number, interval: number, n: number): StepColumns | null {
  const c = columnsOf(s);
  return c && c.start === start && c.interval === interval && c.values.length === n ? c : null;
}

/** Every series' columns on the grid, or null when one has none. */
export function matrixColumns(m: readonly Series[], start: number, interval: number, n: number): StepColumns[] | null {
  const out: StepColumns[] = [];
  for (const s of m) {
    const c = gridColumns(s, start, interval, n);
    if (!c) return null;
    out.push(c);
  }
  return out;
}

/** A scalar-valued node's value at each step (NaN and not present where its matrix has no point). */
export function scalarColumns(m: readonly Series[], start: number, interval: number, n: number): StepColumns {
  const out = emptyColumns(start, interval, n);
  out.values.fill(NaN);
  const s = m[0];
  if (!s) return out;
  const c = gridColumns(s, start, interval, n);
  if (c) {
    for (let k = 0; k < n; k++) {
      if (c.present[k] === 0) continue;
      out.values[k] = c.values[k]!;
      out.present[k] = 1;
      out.count++;
    }
    return out;
  }
  for (const p of s.floats) {
    const k = Math.round((p.t - start) / interval);
    out.values[k] = p.f;
    out.present[k] = 1;
    out.count++;
  }
  return out;
}
