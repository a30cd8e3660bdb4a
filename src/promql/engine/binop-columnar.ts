// Arithmetic and comparisons between vectors, and between a vector and a
// scalar, over a whole step range at once when both sides are float series
// in columns. Series keep their label sets from step to step, so each
// series' match signature, partner candidates and result label set are
// worked out once per query; each step then only checks which series are
// present. What can vary per step (which right-hand series is present for a
// signature, duplicate matches, result label sets colliding) is checked at
// every step in the order binop.ts's vectorBinop checks it, so values and
// errors are those of the per-step path.

import type { BinaryOp, VectorMatching } from '../parser/ast.js';
import type { Labels } from '../../model/labels.js';
import { QueryError } from './errors.js';
import { cachedLabelsKey } from './label-key-cache.js';
import { cachedResultMetric, changesMetricSchema, goMod, goPow, isComparison, matchLabels } from './binop.js';
import { ColumnarSeries, type StepColumns, emptyColumns } from './columnar.js';
import { type Matrix, compareLabels, dropMetricName, labelsString } from './value.js';

export interface ColumnarBinopContext {
  start: number;
  interval: number;
  numSteps: number;
  delayedNameRemoval: boolean;
  /** Checks the deadline; called once a step. */
  checkAbort: () => void;
  /** Counts samples held against the query's limit, as the per-step path does at each step. */
  add: (n: number) => void;
  /** Resets the held-sample count to what it was before the step's inputs. */
  setCurrent: (n: number) => void;
  current: () => number;
}

const SUPPORTED = new Set(['+', '-', '*', '/', '%', '^', 'atan2', '==', '!=', '>', '<', '>=', '<=']);

/** Whether the columnar path computes op between these sides (floats only, no fill values). */
export function columnarBinopSupported(op: BinaryOp, matching: VectorMatching | null): boolean {
  if (!SUPPORTED.has(op)) return false;
  return matching === null || (matching.fillLHS === null && matching.fillRHS === null && matching.card !== 'many-to-many');
}

// Operators as small integers, resolved once per query: the per-step loops switch on a number, not
// compare the operator's string case by case at every step and series.
const OP_CODES: Readonly<Record<string, number>> = {
  '+': 1, '-': 2, '*': 3, '/': 4, '^': 5, '%': 6, 'atan2': 7, '==': 8, '!=': 9, '>': 10, '<': 11, '>=': 12, '<=': 13,
};

function opCode(op: BinaryOp): number {
  return OP_CODES[op] ?? 0;
}

/** elemBinop's value for floats. */
function opValue(code: number, l: number, r: number): number {
  switch (code) {
    case 1: return l + r;
    case 2: return l - r;
    case 3: return l * r;
    case 4: return l / r;
    case 5: return goPow(l, r);
    case 6: return goMod(l, r);
    case 7: return Math.atan2(l, r);
    default: return l;
  }
}

/** elemBinop's keep flag for floats. */
function opKeeps(code: number, l: number, r: number): boolean {
  switch (code) {
    case 8: return l === r;
    case 9: return l !== r;
    case 10: return l > r;
    case 11: return l < r;
    case 12: return l >= r;
    case 13: return l <= r;
    default: return true;
  }
}

/** Output series of a columnar binop by label set, in first-emitted order with the first emitter's dropName (as SeriesCollector). */
export class ColumnarCollector {
  private readonly ids = new Map<string, number>();
  private readonly series: { metric: Labels; dropName: boolean; cols: StepColumns | null; last: number }[] = [];
  private readonly order: number[] = [];
  constructor(private readonly ctx: ColumnarBinopContext) {}

  /** The output slot for a label set (its key computed once per label-set object). */
  slot(metric: Labels): number {
    const key = cachedLabelsKey(metric);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.series.length;
      this.ids.set(key, id);
      this.series.push({ metric, dropName: false, cols: null, last: -1 });
    }
    return id;
  }

  /** Puts xs[i] at step k of the slot's series (taken by array and index: a float argument is boxed). */
  put(id: number, k: number, xs: Float64Array, i: number, dropName: boolean): void {
    const s = this.series[id]!;
    if (s.last === k) throw new QueryError('vector cannot contain metrics with the same labelset');
    s.last = k;
    if (!s.cols) {
      s.cols = emptyColumns(this.ctx.start, this.ctx.interval, this.ctx.numSteps);
      s.dropName = dropName;
      this.order.push(id);
    }
    s.cols.values[k] = xs[i]!;
    s.cols.present[k] = 1;
    s.cols.count++;
  }

  /** The series, and the samples they hold. */
  matrix(): { m: Matrix; samples: number } {
    let samples = 0;
    const m = this.order.map((id) => {
      const s = this.series[id]!;
      samples += s.cols!.count;
      return new ColumnarSeries(s.metric, s.dropName, s.cols!);
    });
    return { m, samples };
  }
}

/**
 * vector op vector with matching. lhsIn and rhsIn are the operands as
 * written; one-to-many swaps them as vectorBinop does.
 */
/** Each side's match signatures as small integers shared by both sides (equal ids: equal signatures). */
export function signatureIds(lhs: Matrix, rhs: Matrix, sig: (ls: Labels) => string): { lSig: Int32Array; rSig: Int32Array; count: number } {
  const ids = new Map<string, number>();
  const id = (ls: Labels) => {
    const s = sig(ls);
    let n = ids.get(s);
    if (n === undefined) ids.set(s, (n = ids.size));
    return n;
  };
  const lSig = Int32Array.from(lhs, (s) => id(s.metric));
  const rSig = Int32Array.from(rhs, (s) => id(s.metric));
  return { lSig, rSig, count: ids.size };
}

export function columnarVectorBinop(
  op: BinaryOp, lhsIn: Matrix, lhsColsIn: StepColumns[], rhsIn: Matrix, rhsColsIn: StepColumns[],
  matching: VectorMatching, returnBool: boolean, sig: (ls: Labels) => string, ctx: ColumnarBinopContext,
): Matrix {
  const swapped = matching.card === 'one-to-many';
  const lhs = swapped ? rhsIn : lhsIn, rhs = swapped ? lhsIn : rhsIn;
  const lcols = swapped ? rhsColsIn : lhsColsIn, rcols = swapped ? lhsColsIn : rhsColsIn;
  const oneToOne = matching.card === 'one-to-one';
  const code = opCode(op);
  const { lSig, rSig, count: nSigs } = signatureIds(lhs, rhs, sig);
  // Per signature at the current step: the right-hand series present (-1: none) and the step it was set at.
  const rightOf = new Int32Array(nSigs), rightStep = new Int32Array(nSigs).fill(-1);
  const matchedStep = new Int32Array(nSigs).fill(-1);
  // Per (left, right) pair, made on first meeting: its result slot, and (many-to-one) the id of its
  // signature and result labels, which may meet only once a step.
  const slots = new Map<number, number>();
  const matchIds = new Map<number, number>();
  const matchKeyIds = new Map<string, number>();
  let matchStep = new Int32Array(16).fill(-1);
  const out = new ColumnarCollector(ctx);
  const emitted = new Int32Array(lhs.length), emittedValues = new Float64Array(lhs.length);
  // Each left series' last partner and that pair's slot and match id: a series keeps its partner from
  // step to step, so the maps above are asked only when the partner changes.
  const lastRight = new Int32Array(lhs.length).fill(-1), lastSlot = new Int32Array(lhs.length), lastMatchId = new Int32Array(lhs.length);
  const original = ctx.current();
  let held = original;
  const nR = rhs.length;
  for (let k = 0; k < ctx.numSteps; k++) {
    ctx.checkAbort();
    ctx.setCurrent(held);
    let nl = 0, nr = 0;
    for (let i = 0; i < lhs.length; i++) nl += lcols[i]!.present[k]!;
    for (let j = 0; j < nR; j++) nr += rcols[j]!.present[k]!;
    ctx.add(nl + nr);
    if (nl === 0 || nr === 0) continue;
    for (let j = 0; j < nR; j++) {
      if (rcols[j]!.present[k] === 0) continue;
      const s = rSig[j]!;
      if (rightStep[s] === k) {
        const [a, b] = [rhs[j]!.metric, rhs[rightOf[s]!]!.metric].sort(compareLabels);
        throw new QueryError(
          `found duplicate series for the match group ${labelsString(matchLabels(rhs[j]!.metric, matching))} on the ${swapped ? 'left' : 'right'} hand-side of the operation: ` +
          `[${labelsString(a!)}, ${labelsString(b!)}];many-to-many matching not allowed: matching labels must be unique on one side`,
        );
      }
      rightStep[s] = k;
      rightOf[s] = j;
    }
    let ne = 0;
    for (let i = 0; i < lhs.length; i++) {
      const lc = lcols[i]!;
      if (lc.present[k] === 0) continue;
      const s = lSig[i]!;
      if (rightStep[s] !== k) continue;
      const j = rightOf[s]!;
      let fl = lc.values[k]!, fr = rcols[j]!.values[k]!;
      if (swapped) {
        const x = fl;
        fl = fr;
        fr = x;
      }
      let value = opValue(code, fl, fr);
      const keep = opKeeps(code, fl, fr);
      if (returnBool) value = keep ? 1 : 0;
      let slot: number | undefined, id = 0;
      if (lastRight[i] === j) {
        slot = lastSlot[i]!;
        id = lastMatchId[i]!;
      } else {
        const pair = i * nR + j;
        slot = slots.get(pair);
        if (slot === undefined) {
          let metric = cachedResultMetric(lhs[i]!.metric, rhs[j]!.metric, op, matching);
          if (!ctx.delayedNameRemoval && returnBool) metric = dropMetricName(metric);
          if (!oneToOne) {
            const key = `${s}\xff${cachedLabelsKey(metric)}`;
            let mid = matchKeyIds.get(key);
            if (mid === undefined) matchKeyIds.set(key, (mid = matchKeyIds.size));
            if (mid >= matchStep.length) {
              const grown = new Int32Array(matchStep.length * 2).fill(-1);
              grown.set(matchStep);
              matchStep = grown;
            }
            matchIds.set(pair, mid);
          }
          slot = out.slot(metric);
          slots.set(pair, slot);
        }
        if (!oneToOne) id = matchIds.get(pair)!;
        lastRight[i] = j;
        lastSlot[i] = slot;
        lastMatchId[i] = id;
      }
      if (oneToOne) {
        if (matchedStep[s] === k) throw new QueryError('multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
        matchedStep[s] = k;
      } else {
        if (matchStep[id] === k) throw new QueryError('multiple matches for labels: grouping labels must ensure unique matches');
        matchStep[id] = k;
      }
      if (!keep && !returnBool) continue;
      emitted[ne] = slot;
      emittedValues[ne] = value;
      ne++;
    }
    for (let x = 0; x < ne; x++) out.put(emitted[x]!, k, emittedValues, x, returnBool);
    ctx.add(ne);
    held += ne;
  }
  const { m, samples } = out.matrix();
  ctx.setCurrent(original + samples);
  return m;
}

/** vector op scalar (scalar op vector when swap): the scalar's value at each step, NaN where absent. */
export function columnarScalarBinop(
  op: BinaryOp, vec: Matrix, cols: StepColumns[], scalar: Float64Array, scalarPresent: Uint8Array, swap: boolean, returnBool: boolean, ctx: ColumnarBinopContext,
): Matrix {
  const out = new ColumnarCollector(ctx);
  const drop = changesMetricSchema(op) || returnBool;
  const slots = vec.map((s) => out.slot(drop && !ctx.delayedNameRemoval ? dropMetricName(s.metric) : s.metric));
  const comparison = isComparison(op);
  const code = opCode(op);
  const emitted = new Int32Array(vec.length), emittedValues = new Float64Array(vec.length);
  const original = ctx.current();
  let held = original;
  for (let k = 0; k < ctx.numSteps; k++) {
    ctx.checkAbort();
    ctx.setCurrent(held);
    let ne = 0;
    let n = scalarPresent[k]!;
    for (let i = 0; i < vec.length; i++) n += cols[i]!.present[k]!;
    ctx.add(n);
    const sv = scalar[k]!;
    for (let i = 0; i < vec.length; i++) {
      const c = cols[i]!;
      if (c.present[k] === 0) continue;
      let lf = c.values[k]!, rf = sv;
      if (swap) {
        lf = sv;
        rf = c.values[k]!;
      }
      let value = opValue(code, lf, rf);
      let keep = opKeeps(code, lf, rf);
      if (comparison && swap) value = rf;
      if (returnBool) {
        value = keep ? 1 : 0;
        keep = true;
      }
      if (!keep) continue;
      emitted[ne] = i;
      emittedValues[ne] = value;
      ne++;
    }
    for (let x = 0; x < ne; x++) {
      const i = emitted[x]!;
      out.put(slots[i]!, k, emittedValues, x, drop || vec[i]!.dropName);
    }
    ctx.add(ne);
    held += ne;
  }
  const { m, samples } = out.matrix();
  ctx.setCurrent(original + samples);
  return m;
}
