// Aggregation operators over a step grid (Prometheus rangeEvalAgg,
// aggregation, aggregationK, aggregationCountValues).

import type { Labels } from '../../model/labels.js';
import type { AggregateExpr } from '../parser/ast.js';
import { QueryError } from './errors.js';
import type { Annotations } from './annotations.js';
import { kahanInc } from './kahan.js';
import { quantile } from './quantile.js';
import { ratioKeeps, ratioOffset } from './ratio-offset.js';
import { aggregateColumnar, COLUMNAR_OPS } from './aggregate-columnar.js';
import { type StepColumns, columnsOf, matrixColumns } from './columnar.js';
export { ratioOffset };
import { K_COLUMNAR_OPS, aggregateKColumnar } from './aggregate-k-columnar.js';
import { cachedLabelsKey } from './label-key-cache.js';
import { formatFloat } from '../../model/float.js';
import { type Matrix, type Series, type Sample, getLabel, labelsKey, keepLabels, withoutLabels, setLabel, pushPoint } from './value.js';
import type { FloatHistogram } from '../../model/histogram.js';
import type { PositionRange } from '../parser/posrange.js';
import { HistogramAccumulator } from './aggregate-histograms.js';
import { histogramAnnos } from './histogram-annotations.js';
import { histogramString } from '../../model/histogram-string.js';

export interface StepGrid {
  start: number;
  end: number;
  interval: number;
}

export function* steps(g: StepGrid): Generator<number> {
  for (let ts = g.start; ts <= g.end; ts += g.interval) yield ts;
}

export function groupingKey(metric: Labels, grouping: readonly string[], without: boolean): string {
  if (without) return labelsKey(withoutLabels(metric, ['__name__', ...grouping]));
  if (grouping.length === 0) return '';
  return labelsKey(keepLabels(metric, grouping));
}

export function groupingLabels(metric: Labels, grouping: readonly string[], without: boolean): Labels {
  if (without) return withoutLabels(metric, ['__name__', ...grouping]);
  if (grouping.length > 0) return keepLabels(metric, grouping);
  return [];
}

/** Reads each series' value at successive steps (points are in step order). */
class Cursor {
  private idx: Int32Array;
  private hIdx: Int32Array;
  /** Columnar inputs are read from their columns, without building their points. */
  private readonly cols: (StepColumns | null)[];
  /** The histogram of the sample at() last returned, if it was one (its float is then 0). */
  h: FloatHistogram | undefined;
  constructor(private readonly m: Matrix) {
    this.idx = new Int32Array(m.length);
    this.hIdx = new Int32Array(m.length);
    this.cols = m.map(columnsOf);
  }
  at(si: number, ts: number): number | undefined {
    const c = this.cols[si];
    if (c) {
      this.h = undefined;
      const k = (ts - c.start) / c.interval;
      return k >= 0 && k < c.present.length && Number.isInteger(k) && c.present[k] === 1 ? c.values[k]! : undefined;
    }
    const s = this.m[si]!;
    const i = this.idx[si]!;
    const p = s.floats[i];
    this.h = undefined;
    if (p && p.t === ts) {
      this.idx[si] = i + 1;
      return p.f;
    }
    const hp = s.histograms?.[this.hIdx[si]!];
    if (hp && hp.t === ts) {
      this.hIdx[si]!++;
      this.h = hp.h;
      return 0;
    }
    return undefined;
  }
}

interface Group {
  seen: boolean;
  /** sum/avg of histograms (null until a histogram starts the group). */
  hist: HistogramAccumulator | null;
  hasFloat: boolean;
  hasHistogram: boolean;
  value: number;
  mean: number;
  kahanC: number;
  count: number;
  incrementalMean: boolean;
  values: number[];
  dropName: boolean;
}

const freshGroup = (): Group => ({ seen: false, hist: null, hasFloat: false, hasHistogram: false, value: 0, mean: 0, kahanC: 0, count: 0, incrementalMean: false, values: [], dropName: false });

function addRatioSample(ratio: number, ls: Labels): boolean {
  return ratioKeeps(ratio, ratioOffset(ls));
}

/** container/heap over samples with a less function (same sift order as Go's). */
class SampleHeap {
  readonly items: Sample[] = [];
  constructor(private readonly less: (a: Sample, b: Sample) => boolean) {}
  push(s: Sample): void {
    this.items.push(s);
    this.up(this.items.length - 1);
  }
  fix(i: number): void {
    if (!this.down(i, this.items.length)) this.up(i);
  }
  private up(j: number): void {
    const h = this.items;
    for (;;) {
      const i = Math.floor((j - 1) / 2);
      if (i === j || j <= 0 || !this.less(h[j]!, h[i]!)) break;
      [h[i], h[j]] = [h[j]!, h[i]!];
      j = i;
    }
  }
  private down(i0: number, n: number): boolean {
    const h = this.items;
    let i = i0;
    for (;;) {
      const j1 = 2 * i + 1;
      if (j1 >= n) break;
      let j = j1;
      const j2 = j1 + 1;
      if (j2 < n && this.less(h[j2]!, h[j1]!)) j = j2;
      if (!this.less(h[j]!, h[i]!)) break;
      [h[i], h[j]] = [h[j]!, h[i]!];
      i = j;
    }
    return i > i0;
  }
}

const byValueLess = (a: Sample, b: Sample) => (Number.isNaN(a.f) ? true : a.f < b.f);
const byReverseValueLess = (a: Sample, b: Sample) => (Number.isNaN(a.f) ? true : a.f > b.f);

/**
 * An insertion sort at every length, so stable: Go's sort.Sort is an insertion
 * sort up to 12 elements, where upstream's tests pin the order of ties; past
 * that Go's order of ties is unspecified, and this one keeps input order.
 */
function goSort<T>(xs: T[], less: (a: T, b: T) => boolean): void {
  for (let i = 1; i < xs.length; i++) {
    for (let j = i; j > 0 && less(xs[j]!, xs[j - 1]!); j--) [xs[j], xs[j - 1]] = [xs[j - 1]!, xs[j]!];
  }
}

export interface AggregateContext {
  grid: StepGrid;
  annos: Annotations;
  /** Parameter value per step (topk k, quantile φ, limit_ratio r), or null. */
  params: Float64Array | null;
  instant: boolean;
  /** Called per step and every 1024 series: checks the query's deadline and abort signal now and then. */
  tick?: () => void;
}

/** Aggregates inputMatrix per step; the result is a Matrix over the same grid. */
export function aggregate(e: AggregateExpr, input: Matrix, ctx: AggregateContext): Matrix {
  const grouping = [...e.grouping].sort();
  const op = e.op;
  const isK = op === 'topk' || op === 'bottomk' || op === 'limitk' || op === 'limit_ratio';
  const groupOf = new Int32Array(input.length);
  const result: Series[] = [];
  const keys = new Map<string, number>();
  input.forEach((s, si) => {
    const k = groupingKey(s.metric, grouping, e.without);
    let idx = keys.get(k);
    if (idx === undefined) {
      idx = keys.size;
      keys.set(k, idx);
      if (!isK) result.push({ metric: groupingLabels(s.metric, grouping, e.without), floats: [], dropName: false });
    }
    groupOf[si] = idx;
  });
  const groups: Group[] = Array.from({ length: keys.size }, freshGroup);
  const params = ctx.params;
  const pMax = params ? Math.max(...params) : NaN;
  const pMin = params ? Math.min(...params) : NaN;
  const anyNaN = params ? params.some((x) => Number.isNaN(x)) : false;
  const pos = e.param?.posRange ?? null;
  const exprPos = e.expr.posRange;

  if (op === 'topk' || op === 'bottomk' || op === 'limitk') {
    if (pMax < 1) return [];
    if (anyNaN) throw new QueryError('Parameter value is NaN');
    if (pMin <= -9223372036854775808) throw new QueryError(`Scalar value ${pMin} underflows int64`);
    if (pMax >= 9223372036854774784) throw new QueryError(`Scalar value ${pMax} overflows int64`);
  } else if (op === 'limit_ratio') {
    if (pMax === 0 && pMin === 0) return [];
    if (anyNaN) throw new QueryError('Ratio value is NaN');
    if (pMax > 1) ctx.annos.warn(`ratio value should be between -1 and 1, got ${formatFloat(pMax)}, capping to 1`, pos);
    if (pMin < -1) ctx.annos.warn(`ratio value should be between -1 and 1, got ${formatFloat(pMin)}, capping to -1`, pos);
  } else if (op === 'quantile') {
    if (anyNaN) ctx.annos.warn('quantile value should be between 0 and 1, got NaN', pos);
    if (pMax > 1) ctx.annos.warn(`quantile value should be between 0 and 1, got ${formatFloat(pMax)}`, pos);
    if (pMin < 0) ctx.annos.warn(`quantile value should be between 0 and 1, got ${formatFloat(pMin)}`, pos);
  }

  // Native histograms take the step-by-step path, which knows their arithmetic and annotations.
  if (COLUMNAR_OPS.has(op) && !input.some((s) => s.histograms !== undefined && s.histograms.length > 0)) {
    return aggregateColumnar(op, input, groupOf, result, ctx.grid, ctx.tick);
  }
  if (K_COLUMNAR_OPS.has(op)) {
    const nSteps = Math.floor((ctx.grid.end - ctx.grid.start) / ctx.grid.interval) + 1;
    const cols = matrixColumns(input, ctx.grid.start, ctx.grid.interval, nSteps);
    const kGrid = { start: ctx.grid.start, interval: ctx.grid.interval, numSteps: nSteps };
    const out = cols && aggregateKColumnar(op, input, cols, groupOf, keys.size, result, params, kGrid, ctx.tick);
    if (out) return out;
  }
  const cursor = new Cursor(input);
  const kSeries = new Map<string, Series>();
  const kOrder: Series[] = [];
  let step = 0;
  for (const ts of steps(ctx.grid)) {
    ctx.tick?.();
    const param = params ? params[step]! : NaN;
    step++;
    if (isK) {
      const out = aggregationK(op, param, input, groupOf, groups.length, cursor, ts, ctx.annos, e.posRange);
      for (const s of out) {
        const key = cachedLabelsKey(s.metric);
        let ss = kSeries.get(key);
        if (!ss) {
          ss = { metric: s.metric, floats: [], dropName: s.dropName };
          kSeries.set(key, ss);
          kOrder.push(ss);
        }
        pushPoint(ss, ts, s);
      }
      continue;
    }
    for (const g of groups) g.seen = false;
    for (let si = 0; si < input.length; si++) {
      if ((si & 1023) === 1023) ctx.tick?.();
      const f = cursor.at(si, ts);
      if (f === undefined) continue;
      const h = cursor.h;
      const g = groups[groupOf[si]!]!;
      if (!g.seen) {
        g.seen = true;
        g.value = f;
        g.mean = f;
        g.kahanC = 0;
        g.count = 1;
        g.incrementalMean = false;
        g.hist = null;
        g.hasFloat = false;
        g.hasHistogram = false;
        g.dropName = input[si]!.dropName;
        if (op === 'sum' || op === 'avg') {
          if (h) {
            g.hist = new HistogramAccumulator(h, ctx.annos, exprPos);
            g.hasHistogram = true;
          } else g.hasFloat = true;
        } else if (h && (op === 'stddev' || op === 'stdvar' || op === 'quantile' || op === 'min' || op === 'max')) {
          // These ignore histograms; the group starts with its first float.
          g.seen = false;
          histogramAnnos.ignoredInAggregation(ctx.annos, op, exprPos);
        } else if (op === 'stddev' || op === 'stdvar') g.value = Number.isNaN(f) || !Number.isFinite(f) ? NaN : 0;
        else if (op === 'quantile') g.values = [f];
        else if (op === 'group') g.value = 1;
        continue;
      }
      if (g.hist?.incompatible) continue;
      if (input[si]!.dropName) g.dropName = true;
      if (h && op !== 'sum' && op !== 'avg' && op !== 'count' && op !== 'group') {
        histogramAnnos.ignoredInAggregation(ctx.annos, op, exprPos);
        continue;
      }
      switch (op) {
        case 'sum':
          if (h) {
            g.hasHistogram = true;
            g.hist?.addSum(h, getLabel(input[si]!.metric, '__name__'));
            break;
          }
          g.hasFloat = true;
          [g.value, g.kahanC] = kahanInc(f, g.value, g.kahanC);
          break;
        case 'avg': {
          g.count++;
          if (h) {
            g.hasHistogram = true;
            g.hist?.addAvg(h, g.count, getLabel(input[si]!.metric, '__name__'));
            break;
          }
          g.hasFloat = true;
          if (!g.incrementalMean) {
            const [nv, nc] = kahanInc(f, g.value, g.kahanC);
            if (nv !== Infinity && nv !== -Infinity) {
              g.value = nv;
              g.kahanC = nc;
              break;
            }
            g.incrementalMean = true;
            g.mean = g.value / (g.count - 1);
            g.kahanC /= g.count - 1;
          }
          const q = (g.count - 1) / g.count;
          [g.mean, g.kahanC] = kahanInc(f / g.count, q * g.mean, q * g.kahanC);
          break;
        }
        case 'max':
          if (g.value < f || Number.isNaN(g.value)) g.value = f;
          break;
        case 'min':
          if (g.value > f || Number.isNaN(g.value)) g.value = f;
          break;
        case 'count':
          g.count++;
          break;
        case 'stddev':
        case 'stdvar': {
          g.count++;
          const delta = f - g.mean;
          g.mean += delta / g.count;
          g.value += delta * (f - g.mean);
          break;
        }
        case 'quantile':
          g.values.push(f);
          break;
        default:
          break;
      }
    }
    groups.forEach((g, ri) => {
      if (!g.seen) return;
      g.hist?.finish();
      if (op === 'sum' || op === 'avg') {
        if (g.hasFloat && g.hasHistogram) {
          histogramAnnos.mixedFloatsHistogramsAgg(ctx.annos, exprPos);
          return;
        }
        if (g.hist?.incompatible) return;
        if (g.hist) {
          const ss = result[ri]!;
          (ss.histograms ??= []).push({ t: ts, h: op === 'sum' ? g.hist.sum() : g.hist.avg(g.count) });
          ss.dropName = g.dropName;
          return;
        }
      }
      let v = g.value;
      switch (op) {
        case 'avg':
          v = g.incrementalMean ? g.mean + g.kahanC : g.value / g.count + g.kahanC / g.count;
          break;
        case 'count':
          v = g.count;
          break;
        case 'stdvar':
          v = g.value / g.count;
          break;
        case 'stddev':
          v = Math.sqrt(g.value / g.count);
          break;
        case 'quantile':
          v = quantile(param, g.values);
          break;
        case 'sum':
          v = g.value + g.kahanC;
          break;
      }
      const ss = result[ri]!;
      ss.floats.push({ t: ts, f: v });
      ss.dropName = g.dropName;
    });
  }
  if (isK) return kOrder;
  return result.filter((s) => s.floats.length > 0 || (s.histograms?.length ?? 0) > 0);
}

function aggregationK(
  op: string, param: number, input: Matrix, groupOf: Int32Array, nGroups: number, cursor: Cursor, ts: number, annos: Annotations, pos: PositionRange,
): Sample[] {
  const heaps: (SampleHeap | null)[] = new Array(nGroups).fill(null);
  const order: number[] = [];
  let k = 0;
  let r = 0;
  const hists: (FloatHistogram | undefined)[] = new Array(input.length);
  const values: (number | undefined)[] = input.map((_, si) => {
    const f = cursor.at(si, ts);
    hists[si] = cursor.h;
    return f;
  });
  if (op === 'limit_ratio') {
    if (param === 0) return [];
    r = Math.max(-1, Math.min(1, param));
  } else {
    k = Math.min(Math.trunc(param), input.length);
    if (k < 1) return [];
  }
  for (let si = 0; si < input.length; si++) {
    const f = values[si];
    if (f === undefined) continue;
    const s: Sample = { metric: input[si]!.metric, t: ts, f, dropName: input[si]!.dropName };
    if (hists[si]) {
      // topk and bottomk rank floats only; limitk and limit_ratio keep histograms.
      if (op === 'topk' || op === 'bottomk') {
        histogramAnnos.ignoredInAggregation(annos, op, pos);
        continue;
      }
      s.h = hists[si];
    }
    const gi = groupOf[si]!;
    let heap = heaps[gi];
    if (!heap) {
      heap = new SampleHeap(op === 'bottomk' ? byReverseValueLess : byValueLess);
      heaps[gi] = heap;
      order.push(gi);
      if (op === 'limit_ratio') {
        if (addRatioSample(r, s.metric)) heap.push(s);
      } else {
        heap.push(s);
      }
      continue;
    }
    const h = heap.items;
    switch (op) {
      case 'topk':
        if (h.length < k) heap.push(s);
        else if (h[0]!.f < s.f || (Number.isNaN(h[0]!.f) && !Number.isNaN(s.f))) {
          h[0] = s;
          if (k > 1) heap.fix(0);
        }
        break;
      case 'bottomk':
        if (h.length < k) heap.push(s);
        else if (h[0]!.f > s.f || (Number.isNaN(h[0]!.f) && !Number.isNaN(s.f))) {
          h[0] = s;
          if (k > 1) heap.fix(0);
        }
        break;
      case 'limitk':
        if (h.length < k) heap.push(s);
        break;
      case 'limit_ratio':
        if (addRatioSample(r, s.metric)) heap.push(s);
        break;
    }
  }
  const out: Sample[] = [];
  order.sort((a, b) => a - b);
  for (const gi of order) {
    const items = [...heaps[gi]!.items];
    if (op === 'topk') goSort(items, (a, b) => byValueLess(b, a));
    else if (op === 'bottomk') goSort(items, (a, b) => byReverseValueLess(b, a));
    out.push(...items);
  }
  return out;
}

/** count_values per step: one output series per distinct value (and group). */
export function countValues(e: AggregateExpr, valueLabel: string, input: Matrix, grid: StepGrid, tick?: () => void): Matrix {
  const grouping = [...e.grouping];
  if (!e.without) grouping.push(valueLabel);
  grouping.sort();
  const cursor = new Cursor(input);
  const outByKey = new Map<string, Series>();
  const order: Series[] = [];
  for (const ts of steps(grid)) {
    const counts = new Map<string, { labels: Labels; count: number }>();
    for (let si = 0; si < input.length; si++) {
      if ((si & 1023) === 1023) tick?.();
      const f = cursor.at(si, ts);
      if (f === undefined) continue;
      const metric = setLabel(input[si]!.metric, valueLabel, cursor.h ? histogramString(cursor.h) : formatFloat(f));
      const key = groupingKey(metric, grouping, e.without);
      const g = counts.get(key);
      if (g) g.count++;
      else counts.set(key, { labels: groupingLabels(metric, grouping, e.without), count: 1 });
    }
    for (const { labels, count } of counts.values()) {
      const key = labelsKey(labels);
      let ss = outByKey.get(key);
      if (!ss) {
        ss = { metric: labels, floats: [], dropName: false };
        outByKey.set(key, ss);
        order.push(ss);
      }
      ss.floats.push({ t: ts, f: count });
    }
  }
  return order;
}
