// One aggregation group's running state over a run of steps, one cell per
// step: what sum, avg, count, min, max, group, stddev and stdvar keep while
// input series are folded in one at a time. Shared by the columnar
// aggregation (all input series held, the grid walked in blocks) and the
// streamed one (each series folded as it is computed, then its column
// reused), so both add the same terms in the same order: each cell takes
// its samples in input-series order, as the step-by-step loop in
// aggregate.ts does, and the results are the same bits.
//
// Only the arrays an operator reads are allocated: a streamed sum keeps two
// floats and two bytes per step and group.

import { kahanComp } from './kahan.js';

export type FoldOp = 'sum' | 'avg' | 'count' | 'min' | 'max' | 'group' | 'stddev' | 'stdvar';

const OP_CODES: Record<FoldOp, number> = { sum: 0, avg: 1, count: 2, min: 3, max: 4, group: 5, stddev: 6, stdvar: 7 };
const SUM = 0, AVG = 1, COUNT = 2, MIN = 3, MAX = 4, GROUP = 5, STDDEV = 6, STDVAR = 7;

export function isFoldOp(op: string): op is FoldOp {
  return Object.hasOwn(OP_CODES, op);
}

/** Bytes a group's state takes per step for op (what the memory budget is charged). */
export function foldBytesPerCell(op: FoldOp): number {
  switch (OP_CODES[op]) {
    case SUM: return 2 * 8 + 2;
    case AVG: return 4 * 8 + 3;
    case STDDEV: case STDVAR: return 3 * 8 + 2;
    default: return 8 + 2;
  }
}

const EMPTY = new Float64Array(0);

/**
 * A sum's cells as arrays, for a range kernel that adds each window's value
 * into them as it computes it (range-kernels.ts sumKernel), with the same
 * operations foldColumn performs, in the same order.
 */
export interface SumCells {
  readonly seen: Uint8Array;
  readonly dropName: Uint8Array;
  readonly value: Float64Array;
  readonly comp: Float64Array;
}

export class FoldCells {
  private readonly code: number;
  /** 1 where the cell has taken a sample. */
  readonly seen: Uint8Array;
  /** 1 where a series that drops its name was folded into the cell. */
  readonly dropName: Uint8Array;
  private readonly value: Float64Array;
  private readonly comp: Float64Array;
  private readonly mean: Float64Array;
  private readonly count: Float64Array;
  private readonly incremental: Uint8Array;

  constructor(op: FoldOp, readonly length: number) {
    const code = (this.code = OP_CODES[op]);
    this.seen = new Uint8Array(length);
    this.dropName = new Uint8Array(length);
    const dev = code === STDDEV || code === STDVAR;
    this.value = code === COUNT ? EMPTY : new Float64Array(length);
    this.comp = code === SUM || code === AVG ? new Float64Array(length) : EMPTY;
    this.mean = code === AVG || dev ? new Float64Array(length) : EMPTY;
    this.count = code === AVG || code === COUNT || dev ? new Float64Array(length) : EMPTY;
    this.incremental = code === AVG ? new Uint8Array(length) : new Uint8Array(0);
  }

  private sumView: SumCells | null = null;

  /** The cells as arrays when the operator is sum, else null. */
  sumCells(): SumCells | null {
    if (this.code !== SUM) return null;
    return (this.sumView ??= { seen: this.seen, dropName: this.dropName, value: this.value, comp: this.comp });
  }

  /** Forgets every cell (for the next block of steps). */
  clear(): void {
    this.seen.fill(0);
  }

  /**
   * Folds the present steps k in [from, to) of a column into cells k - shift.
   * Sums are written out here: this loop is most of a `sum by` over columns.
   */
  foldColumn(values: Float64Array, present: Uint8Array, from: number, to: number, shift: number, dn: number): void {
    if (this.code !== SUM) {
      for (let k = from; k < to; k++) if (present[k] === 1) this.fold(k - shift, values, k, dn);
      return;
    }
    const seen = this.seen, value = this.value, comp = this.comp, dropName = this.dropName;
    for (let k = from; k < to; k++) {
      if (present[k] !== 1) continue;
      const c = k - shift;
      const f = values[k]!;
      if (seen[c] === 0) {
        seen[c] = 1;
        value[c] = f;
        comp[c] = 0;
        dropName[c] = dn;
        continue;
      }
      if (dn) dropName[c] = 1;
      // kahanComp written out, the cell's sum read once: as a call it was at times left out of
      // line, and every call then boxed its three floats.
      const sum = value[c]!, t = sum + f;
      value[c] = t;
      if (t === Infinity || t === -Infinity) comp[c] = 0;
      else comp[c] = comp[c]! + (Math.abs(sum) >= Math.abs(f) ? (sum - t) + f : (f - t) + sum);
    }
  }

  /**
   * Folds the sample xs[i] (of a series whose dropName is dn) into cell c.
   * Taken by array and index: a float argument was boxed at every call.
   */
  fold(c: number, xs: Float64Array, i: number, dn: number): void {
    const f = xs[i]!;
    const code = this.code;
    if (this.seen[c] === 0) {
      this.seen[c] = 1;
      this.dropName[c] = dn;
      switch (code) {
        case SUM:
          this.value[c] = f;
          this.comp[c] = 0;
          break;
        case AVG:
          this.value[c] = f;
          this.mean[c] = f;
          this.comp[c] = 0;
          this.count[c] = 1;
          this.incremental[c] = 0;
          break;
        case COUNT:
          this.count[c] = 1;
          break;
        case STDDEV:
        case STDVAR:
          this.value[c] = Number.isNaN(f) || !Number.isFinite(f) ? NaN : 0;
          this.mean[c] = f;
          this.count[c] = 1;
          break;
        case GROUP:
          this.value[c] = 1;
          break;
        default:
          this.value[c] = f;
      }
      return;
    }
    if (dn) this.dropName[c] = 1;
    switch (code) {
      case SUM:
        kahanInto(this.value, this.comp, c, f, this.value[c]!, this.comp[c]!);
        return;
      case AVG: {
        const value = this.value, comp = this.comp, mean = this.mean;
        const n = ++this.count[c]!;
        if (this.incremental[c] === 0) {
          const sum = value[c]!, t = sum + f;
          if (t !== Infinity && t !== -Infinity) {
            comp[c] = Math.abs(sum) >= Math.abs(f) ? comp[c]! + ((sum - t) + f) : comp[c]! + ((f - t) + sum);
            value[c] = t;
            return;
          }
          this.incremental[c] = 1;
          mean[c] = sum / (n - 1);
          comp[c] = comp[c]! / (n - 1);
        }
        const q = (n - 1) / n;
        kahanInto(mean, comp, c, f / n, q * mean[c]!, q * comp[c]!);
        return;
      }
      case MAX:
        if (this.value[c]! < f || Number.isNaN(this.value[c]!)) this.value[c] = f;
        return;
      case MIN:
        if (this.value[c]! > f || Number.isNaN(this.value[c]!)) this.value[c] = f;
        return;
      case COUNT:
        this.count[c]!++;
        return;
      case STDDEV:
      case STDVAR: {
        const n = ++this.count[c]!;
        const delta = f - this.mean[c]!;
        this.mean[c] = this.mean[c]! + delta / n;
        this.value[c] = this.value[c]! + delta * (f - this.mean[c]!);
        return;
      }
      default:
        return;
    }
  }

  /** The aggregate of a seen cell. */
  result(c: number): number {
    switch (this.code) {
      case SUM:
        return this.value[c]! + this.comp[c]!;
      case AVG:
        return this.incremental[c] ? this.mean[c]! + this.comp[c]! : this.value[c]! / this.count[c]! + this.comp[c]! / this.count[c]!;
      case COUNT:
        return this.count[c]!;
      case STDVAR:
        return this.value[c]! / this.count[c]!;
      case STDDEV:
        return Math.sqrt(this.value[c]! / this.count[c]!);
      default:
        return this.value[c]!;
    }
  }

  /**
   * Every cell's result written over this group's own state: the values
   * array handed back (beside `seen` as the presence mask) is one the group
   * already holds, so finishing allocates nothing. The cells are spent.
   */
  resultsInPlace(): Float64Array {
    const out = this.code === COUNT ? this.count : this.value;
    for (let c = 0; c < this.length; c++) if (this.seen[c] === 1) out[c] = this.result(c);
    return out;
  }
}

/** kahan.ts's kahanInc(inc, sum, c), written into sums[i] and comps[i]. */
function kahanInto(sums: Float64Array, comps: Float64Array, i: number, inc: number, sum: number, c: number): void {
  sums[i] = sum + inc;
  comps[i] = kahanComp(inc, sum, c);
}
