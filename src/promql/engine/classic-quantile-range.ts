// histogram_quantile(φ, classic buckets) over a whole step range at once,
// for inputs held in columns (float series on the query's grid). What the
// step-by-step path redoes at every step (parse each series' `le`, group
// the series by their labels without `le`, key the output series) is done
// once per query, and so is ordering each group's series by bound; each
// step then only fills one reused BucketSet per group in that order.
// Annotations, output order and the duplicate-labelset error follow the
// per-step path (functions.ts histogram_quantile, SeriesCollector), so the
// results are the same.

import type { Call } from '../parser/ast.js';
import { QueryError } from './errors.js';
import type { Annotations } from './annotations.js';
import { BucketSet } from './bucket-set.js';
import { ColumnarSeries, type StepColumns, emptyColumns, scalarColumns } from './columnar.js';
import { monotonicityInfo, parseGoFloat, validateQuantile } from './functions.js';
import { cachedLabelsKey } from './label-key-cache.js';
import { type Matrix, dropMetricName, getLabel, labelsKey, withoutLabels } from './value.js';
import type { Labels } from '../../model/labels.js';
import type { ColumnarBinopContext } from './binop-columnar.js';

export interface QuantileRangeContext extends ColumnarBinopContext {
  call: Call;
  annos: Annotations;
}

const ABORT_CHECK_SERIES = 1 << 16;

export function classicQuantileRange(phiMatrix: Matrix, input: Matrix, cols: StepColumns[], ctx: QuantileRangeContext): Matrix {
  const { values: phi, present: phiPresent } = scalarColumns(phiMatrix, ctx.start, ctx.interval, ctx.numSteps);
  const phiPos = ctx.call.args[0]!.posRange, pos = ctx.call.args[1]!.posRange;
  // Per input series: its bucket bound (null when `le` is missing or malformed) and its group.
  const bounds: (number | null)[] = [];
  const groupOf = new Int32Array(input.length);
  const groupLabels: Labels[] = [];
  const groupIds = new Map<string, number>();
  input.forEach((s, i) => {
    const le = getLabel(s.metric, 'le');
    const upper = parseGoFloat(le);
    bounds.push(upper);
    if (upper === null) return;
    const labels = withoutLabels(s.metric, ['le']);
    const key = labelsKey(labels);
    let g = groupIds.get(key);
    if (g === undefined) {
      g = groupLabels.length;
      groupIds.set(key, g);
      groupLabels.push(labels);
    }
    groupOf[i] = g;
  });
  const nGroups = groupLabels.length;
  const sets = Array.from({ length: nGroups }, () => new BucketSet());
  const sorted = sortedMembers(bounds, groupOf, nGroups);
  // Output series by label set: groups whose labels agree once the name is dropped share one.
  const outOf = new Int32Array(nGroups);
  const outIds = new Map<string, number>();
  const outLabels: Labels[] = [];
  groupLabels.forEach((ls, g) => {
    const metric = ctx.delayedNameRemoval ? ls : dropMetricName(ls);
    const key = cachedLabelsKey(metric);
    let o = outIds.get(key);
    if (o === undefined) {
      o = outLabels.length;
      outIds.set(key, o);
      outLabels.push(metric);
    }
    outOf[g] = o;
  });
  const outCols: (StepColumns | null)[] = new Array(outLabels.length).fill(null);
  const outOrder: number[] = [];
  const stepOfGroup = new Int32Array(nGroups).fill(-1);
  // The step's groups in the order of their first series with a value (the answer's order).
  const stepGroups = new Int32Array(nGroups);
  const present = cols.map((c) => c.present), values = cols.map((c) => c.values);
  const lastOut = new Int32Array(outLabels.length).fill(-1);
  const original = ctx.current();
  let held = original;
  // A step's cost grows with the input series: the clock is read once per 65,536 of them visited, so rarely over a
  // few buckets and still often over many.
  let visited = ABORT_CHECK_SERIES;
  for (let k = 0; k < ctx.numSteps; k++) {
    visited += input.length;
    if (visited >= ABORT_CHECK_SERIES) {
      visited = 0;
      ctx.checkAbort();
    }
    ctx.setCurrent(held);
    let inputs = phiPresent[k]!;
    const q = phi[k]!;
    validateQuantile(q, phiPos, ctx.annos);
    let nStep = 0;
    for (let i = 0; i < input.length; i++) {
      if (present[i]![k] === 0) continue;
      inputs++;
      const upper = bounds[i]!;
      if (upper === null) {
        const name = ctx.delayedNameRemoval ? getLabel(input[i]!.metric, '__name__') : '';
        ctx.annos.warn(`bucket label "le" is missing or has a malformed value of ${JSON.stringify(getLabel(input[i]!.metric, 'le'))} for metric name ${JSON.stringify(name)}`, pos);
        continue;
      }
      const g = groupOf[i]!;
      if (stepOfGroup[g] !== k) {
        stepOfGroup[g] = k;
        sets[g]!.reset();
        stepGroups[nStep++] = g;
      }
      if (sorted[g] === null) sets[g]!.add(upper, values[i]![k]!);
    }
    ctx.add(inputs);
    for (let n = 0; n < nStep; n++) {
      const g = stepGroups[n]!;
      const set = sets[g]!;
      const order = sorted[g] ?? null;
      let value: number;
      if (order === null) value = set.quantile(q);
      else {
        // Out-of-range quantiles answer before the buckets are looked at.
        if (q >= 0 && q <= 1) {
          set.resetSorted();
          const { members, upper } = order;
          for (let j = 0; j < members.length; j++) {
            const i = members[j]!;
            if (present[i]![k] !== 0) set.addSorted(upper[j]!, values[i]![k]!);
          }
        }
        value = set.sortedQuantile(q);
      }
      if (set.forcedMonotonic) monotonicityInfo(groupLabels[g]!, ctx, pos);
      const o = outOf[g]!;
      if (lastOut[o] === k) throw new QueryError('vector cannot contain metrics with the same labelset');
      lastOut[o] = k;
      let oc = outCols[o];
      if (!oc) {
        oc = outCols[o] = emptyColumns(ctx.start, ctx.interval, ctx.numSteps);
        outOrder.push(o);
      }
      oc.values[k] = value;
      oc.present[k] = 1;
      oc.count++;
    }
    ctx.add(nStep);
    held += nStep;
  }
  const out: Matrix = outOrder.map((o) => new ColumnarSeries(outLabels[o]!, true, outCols[o]!));
  let total = 0;
  for (const o of outOrder) total += outCols[o]!.count;
  ctx.setCurrent(original + total);
  return out;
}

/** A group's series in the order their buckets sort, and their bounds in that order. */
interface SortedGroup {
  members: Int32Array;
  upper: Float64Array;
}

/**
 * Per group, its series ordered as BucketSet's sort orders their buckets
 * (by bound, ties in input order), or null for a group with a NaN bound.
 * A series' bound is the same at every step, so a step's buckets in this
 * order, absent series skipped, are what the stable sort of that step's
 * buckets gives: the sort is done once per query instead of being checked
 * at every step. NaN compares equal to every bound, which makes the sort's
 * result depend on which buckets are there; such groups sort at each step.
 */
function sortedMembers(bounds: (number | null)[], groupOf: Int32Array, nGroups: number): (SortedGroup | null)[] {
  const members: number[][] = Array.from({ length: nGroups }, () => []);
  const hasNaN = new Uint8Array(nGroups);
  for (let i = 0; i < bounds.length; i++) {
    const upper = bounds[i];
    if (upper === null || upper === undefined) continue;
    const g = groupOf[i]!;
    members[g]!.push(i);
    if (Number.isNaN(upper)) hasNaN[g] = 1;
  }
  return members.map((m, g) => {
    if (hasNaN[g]) return null;
    m.sort((a, b) => (bounds[a]! < bounds[b]! ? -1 : bounds[a]! > bounds[b]! ? 1 : 0));
    return { members: Int32Array.from(m), upper: Float64Array.from(m, (i) => bounds[i]!) };
  });
}
