// The evaluator: every vector- or scalar-valued node evaluates to a Matrix
// with one point per step, as in Prometheus's promql/engine.go (eval,
// rangeEval, evalSeries, matrixSelector, subqueries, step-invariant nodes).

import type { AggregateExpr, BinaryExpr, Call, Expr, MatrixSelector, SubqueryExpr, UnaryExpr, VectorSelector } from '../parser/ast.js';
import { typeOf } from '../parser/ast.js';
import { goQuote } from '../parser/literals.js';
import { QueryError, QueryMemoryError, TooManySamplesError } from './errors.js';
import { Annotations } from './annotations.js';
import { aggregate, countValues } from './aggregate.js';
import { streamAggregation } from './aggregate-stream.js';
import { countSelector } from './count-selector.js';
import {
  scalarBinop, signatureFn, vectorAnd, vectorBinop, vectorOr, vectorScalarBinop, vectorUnless,
} from './binop.js';
import { INSTANT_FUNCTIONS, type InstantArg } from './functions.js';
import { evalInfo } from './info.js';
import { labelJoin, labelReplace } from './label-functions.js';
import { isValidLabelName } from '../../model/label-names.js';
import type { Prepared } from './preprocess.js';
import { unwrapParens } from './preprocess.js';
import { evalRangeCall, extendFloats, type WindowEntry, type WindowSource } from './range-call.js';
import { type Selection, type SeriesData, upperBound } from './selection.js';
import { SeriesReader } from './series-reader.js';
import { upperBoundFromLast } from './forward-search.js';
import { fillSelectorSteps } from './selector-steps.js';
import {
  type HPoint, type Matrix, type Series, type StringValue, type Vector, SeriesCollector, dropMetricName, hasDuplicateLabels,
  histogramSamples, mergeSeriesWithSameLabelset, totalSamples, vectorSamples,
} from './value.js';
import { mulHistogram } from '../../model/histogram-arith.js';
import { copyHistogram } from '../../model/histogram-resolution.js';
import { smoothedHistogramSeries } from './histogram-range.js';
import { ColumnarSeries, type StepColumns, columnsOf, emptyColumns, gridColumns, matrixColumns, scalarColumns } from './columnar.js';
import type { Labels } from '../../model/labels.js';
import type { Series as StoredSeries } from '../../storage/interfaces.js';
import { type QuantileRangeContext, classicQuantileRange } from './classic-quantile-range.js';
import { columnarSetOp } from './set-ops-columnar.js';
import { countValuesColumnar } from './count-values-columnar.js';
import { columnarFunction, columnarInstantFunction } from './functions-columnar.js';
import { type ColumnarBinopContext, columnarBinopSupported, columnarScalarBinop, columnarVectorBinop } from './binop-columnar.js';

export interface EvalConfig {
  lookbackDelta: number;
  maxSamples: number;
  /** Budget for a query's estimated memory: samples held (16 bytes each) plus label text built by functions. */
  maxMemoryBytes: number;
  /** Longest label value label_replace and label_join may build (UTF-16 code units). */
  maxLabelValueLength: number;
  delayedNameRemoval: boolean;
  /** Step of a subquery written without one, from its range (ms). */
  noStepSubqueryInterval: (rangeMs: number) => number;
  /** Throws when the query was canceled or timed out. */
  checkAbort: () => void;
  /** The query's own start, end and step (ms), for start()/end()/step()/range(). */
  query: { start: number; end: number; step: number };
  /** Use the WebAssembly window reductions where a function allows it ('auto': where windows do not overlap). */
  useWasmReductions: boolean | 'auto';
  /** Hold float series in columns over a range (false: points, and the step-by-step path everywhere). */
  columnar: boolean;
}

/** State shared by the evaluators of one query (Go copies currentSamples in and out instead). */
export class QueryState {
  readonly annos = new Annotations();
  current = 0;
  peak = 0;
  /** Samples read: selected points, window samples (also those reduced in WASM). */
  totalLoaded = 0;
  /** Bytes of label text built by label_replace / label_join so far. */
  labelBytes = 0;
  /**
   * Samples counted in `current` (the max-samples count, as Prometheus
   * keeps it) that a streamed aggregation folded away as they came: they
   * are not held, so the memory budget does not charge them.
   */
  streamed = 0;
  /** Bytes a streamed aggregation holds instead: its groups' step cells and its column buffer. */
  heldBytes = 0;
  /** The most bytes counted against the memory budget at once (a split range query's parts are held to it together). */
  peakBytes = 0;
  private ticks = 0;
  /** Offsets in effect, adjusted for @ as evaluation moves into subqueries (setOffsetForAtModifier). */
  readonly offsets = new Map<VectorSelector | SubqueryExpr, number>();

  constructor(readonly cfg: EvalConfig, readonly prepared: Prepared, readonly selection: Selection) {
    for (const [n, o] of prepared.offset) this.offsets.set(n, o);
  }

  add(n: number): void {
    this.current += n;
    this.totalLoaded += Math.max(0, n);
    if (this.current > this.peak) this.peak = this.current;
    if (this.current > this.cfg.maxSamples) throw new TooManySamplesError();
    this.checkMemory();
  }

  /** Counts label text built (UTF-16: two bytes a code unit) against the memory budget. */
  addLabelBytes(n: number): void {
    this.labelBytes += n;
    this.checkMemory();
  }

  /** Counts bytes a streamed aggregation holds (negative: gives them back) against the memory budget. */
  holdBytes(n: number): void {
    this.heldBytes += n;
    this.checkMemory();
  }

  private checkMemory(): void {
    const bytes = (this.current - this.streamed) * SAMPLE_BYTES + this.labelBytes + this.heldBytes;
    if (bytes > this.peakBytes) this.peakBytes = bytes;
    if (bytes > this.cfg.maxMemoryBytes) throw new QueryMemoryError(this.cfg.maxMemoryBytes);
  }

  /**
   * Called once per iteration of loops over series or points: every 16th
   * call checks the deadline and the abort signal, so one long step cannot
   * outrun the timeout while a clock read per item would cost too much.
   */
  tick(): void {
    if ((++this.ticks & 15) === 0) this.cfg.checkAbort();
  }

  /** setOffsetForAtModifier: offsets of @-pinned nodes under expr relative to evalTime. */
  setOffsetForAtModifier(evalTime: number, expr: Expr): void {
    const p = this.prepared;
    const visit = (e: Expr, path: SubqueryExpr[]) => {
      const offsetFor = (n: VectorSelector | SubqueryExpr) => {
        const ts = p.at.get(n);
        const orig = p.offset.get(n)!;
        if (ts === undefined) return orig;
        let subqOffset = 0;
        let subqTs: number | undefined;
        for (const s of path) {
          subqOffset += p.offset.get(s)!;
          const st = p.at.get(s);
          if (st !== undefined) {
            subqOffset = p.offset.get(s)!;
            subqTs = st;
          }
        }
        if (subqTs !== undefined) subqOffset += evalTime - subqTs;
        return orig + (evalTime - ts) - subqOffset;
      };
      switch (e.type) {
        case 'VectorSelector':
          this.offsets.set(e, offsetFor(e));
          return;
        case 'MatrixSelector':
          if (e.vectorSelector.type === 'VectorSelector') this.offsets.set(e.vectorSelector, offsetFor(e.vectorSelector));
          return;
        case 'SubqueryExpr':
          this.offsets.set(e, offsetFor(e));
          visit(e.expr, [...path, e]);
          return;
        case 'AggregateExpr':
          if (e.param) visit(e.param, path);
          visit(e.expr, path);
          return;
        case 'BinaryExpr':
          visit(e.lhs, path);
          visit(e.rhs, path);
          return;
        case 'Call':
          e.args.forEach((a) => visit(a, path));
          return;
        case 'ParenExpr':
        case 'UnaryExpr':
          visit(e.expr, path);
          return;
        default:
          return;
      }
    };
    visit(expr, []);
  }
}

/** What one sample of a matrix costs in memory (timestamp and value), for the budget. */
const SAMPLE_BYTES = 16;

export type EvalResult = Matrix | StringValue;

const SORTS = new Set(['sort', 'sort_desc', 'sort_by_label', 'sort_by_label_desc']);

const isString = (v: EvalResult): v is StringValue => !Array.isArray(v);

export class Evaluator {
  constructor(readonly q: QueryState, readonly start: number, readonly end: number, readonly interval: number) {}

  get numSteps(): number {
    return Math.floor((this.end - this.start) / this.interval) + 1;
  }

  get cfg(): EvalConfig {
    return this.q.cfg;
  }

  child(start: number, end: number, interval: number): Evaluator {
    return new Evaluator(this.q, start, end, interval);
  }

  /** Evaluates a node that is known to be vector- or scalar-valued. */
  matrix(e: Expr): Matrix {
    const v = this.eval(e);
    if (isString(v)) throw new QueryError(`unexpected string value for ${e.type}`, 'internal');
    return v;
  }

  eval(e: Expr): EvalResult {
    this.cfg.checkAbort();
    if (this.end < this.start) return [];
    if (this.q.prepared.invariant.has(e)) return this.evalStepInvariant(e);
    return this.evalNode(e);
  }

  private evalStepInvariant(e: Expr): EvalResult {
    const res = this.child(this.start, this.start, this.interval).evalNode(e);
    const inner = unwrapParens(e);
    if (isString(res) || inner.type === 'MatrixSelector' || inner.type === 'SubqueryExpr') return res;
    const n = this.numSteps;
    for (let i = 0; i < res.length; i++) {
      const s = res[i]!;
      // A one-step column becomes a column over every step: the value repeated, no points built.
      const c = columnsOf(s);
      if (c && c.count === 1 && n > 1) {
        const cols = emptyColumns(this.start, this.interval, n);
        cols.values.fill(c.values[0]!);
        cols.present.fill(1);
        cols.count = n;
        this.q.add(n - 1);
        res[i] = new ColumnarSeries(s.metric, s.dropName, cols);
        continue;
      }
      const first = s.floats[0];
      const firstH = s.histograms?.[0];
      if (!first && !firstH) continue;
      for (let ts = this.start + this.interval; ts <= this.end; ts += this.interval) {
        if (first) {
          s.floats.push({ t: ts, f: first.f });
          this.q.add(1);
        } else {
          s.histograms!.push({ t: ts, h: firstH!.h });
          this.q.add(histogramSamples(firstH!.h));
        }
      }
    }
    return res;
  }

  private evalNode(e: Expr): EvalResult {
    switch (e.type) {
      case 'AggregateExpr':
        return this.evalAggregate(e);
      case 'Call':
        return this.evalCall(e);
      case 'ParenExpr':
        return this.eval(e.expr);
      case 'UnaryExpr':
        return this.evalUnary(e);
      case 'BinaryExpr':
        return this.evalBinary(e);
      case 'NumberLiteral': {
        const val = e.val;
        if (this.cfg.columnar && this.start !== this.end) return [this.literalColumns(val)];
        return this.rangeEval([], () => [{ metric: [], t: 0, f: val, dropName: false }]);
      }
      case 'StringLiteral':
        return { kind: 'string', t: this.start, v: e.val };
      case 'VectorSelector':
        return e.smoothed ? this.smoothSeries(e) : this.evalSeries(e);
      case 'MatrixSelector':
        if (this.start !== this.end) throw new QueryError('cannot do range evaluation of matrix selector', 'internal');
        return this.matrixSelector(e);
      case 'SubqueryExpr':
        return this.evalSubquery(e);
      case 'DurationExpr':
        throw new QueryError('unexpected duration expression outside a range, step or offset', 'internal');
    }
  }

  /**
   * A number's value at every step as one column. Through rangeEval it was a
   * vector, a sample object and a fresh label set (a new entry in the label
   * key cache) per step: a scalar parameter such as topk's or
   * histogram_quantile's was much of such a query's garbage. The samples are
   * counted as rangeEval counts them, one per step, so the limits and the
   * statistics see the same numbers.
   */
  private literalColumns(val: number): ColumnarSeries {
    const n = this.numSteps;
    // Counted before the columns are allocated: a fine subquery's steps have no bound of their own.
    this.cfg.checkAbort();
    this.q.add(n);
    const cols = emptyColumns(this.start, this.interval, n);
    cols.values.fill(val);
    cols.present.fill(1);
    cols.count = n;
    return new ColumnarSeries([], false, cols);
  }

  /**
   * Evaluates exprs to matrices, then calls fn once per step with each
   * expression's vector at that step, collecting the outputs into series.
   */
  rangeEval(exprs: (Expr | null)[], fn: (vectors: (Vector | null)[], ts: number) => Vector): Matrix {
    return this.rangeEvalOf(this.argMatrices(exprs), fn);
  }

  /** The arguments' matrices, evaluated in order (null for strings and absent arguments). */
  private argMatrices(exprs: (Expr | null)[]): (Matrix | null)[] {
    return exprs.map((x) => (x && typeOf(x) !== 'string' ? this.matrix(x) : null));
  }

  /** rangeEval over matrices already evaluated. */
  private rangeEvalOf(mats: (Matrix | null)[], fn: (vectors: (Vector | null)[], ts: number) => Vector): Matrix {
    const cursors = mats.map((m) => (m ? new Int32Array(m.length) : null));
    const hCursors = mats.map((m) => (m ? new Int32Array(m.length) : null));
    const cols = mats.map((m) => (m ? m.map((s) => gridColumnsOf(s, this)) : null));
    const original = this.q.current;
    let temp = this.q.current;
    const collector = new SeriesCollector();
    for (let ts = this.start; ts <= this.end; ts += this.interval) {
      this.cfg.checkAbort();
      this.q.current = temp;
      const step = (ts - this.start) / this.interval;
      const vectors = mats.map((m, i) => (m ? this.gather(m, cols[i]!, step, cursors[i]!, hCursors[i]!, ts) : null));
      const result = fn(vectors, ts);
      const n = vectorSamples(result);
      this.q.add(n);
      temp += n;
      if (this.start === this.end) {
        if (!this.cfg.delayedNameRemoval && hasDuplicateLabels(result)) {
          throw new QueryError('vector cannot contain metrics with the same labelset');
        }
        const out = result.map((s): Series => (s.h
          ? { metric: s.metric, floats: [], histograms: [{ t: ts, h: s.h }], dropName: s.dropName }
          : { metric: s.metric, floats: [{ t: ts, f: s.f }], dropName: s.dropName }));
        this.q.current = original + n;
        return out;
      }
      collector.add(result, ts);
    }
    const out = collector.matrix();
    this.q.current = original + totalSamples(out);
    return out;
  }

  private gather(m: Matrix, cols: (StepColumns | null)[], step: number, cursor: Int32Array, hCursor: Int32Array, ts: number): Vector {
    const out: Vector = [];
    for (let i = 0; i < m.length; i++) {
      this.q.tick();
      const s = m[i]!;
      const c = cols[i];
      if (c) {
        // A columnar series is read at the step's index, without building its points.
        if (c.present[step] === 1) {
          out.push({ metric: s.metric, t: ts, f: c.values[step]!, dropName: s.dropName });
          this.q.add(1);
        }
        continue;
      }
      const p = s.floats[cursor[i]!];
      if (p && p.t === ts) {
        out.push({ metric: s.metric, t: ts, f: p.f, dropName: s.dropName });
        cursor[i]!++;
        this.q.add(1);
        continue;
      }
      const hp = s.histograms?.[hCursor[i]!];
      if (hp && hp.t === ts) {
        out.push({ metric: s.metric, t: ts, f: 0, h: hp.h, dropName: s.dropName });
        hCursor[i]!++;
        this.q.add(histogramSamples(hp.h));
      }
    }
    return out;
  }

  /** The per-step values of a scalar-valued expression (NaN where it has none). */
  scalarSteps(e: Expr): Float64Array {
    const inner = unwrapParens(e);
    if (inner.type === 'NumberLiteral' && this.end >= this.start) {
      // topk's k, quantile's φ: evaluated as an expression, a literal was counted one sample per
      // step and read back point by point. It is counted the same, without the points.
      this.cfg.checkAbort();
      const n = this.numSteps;
      this.q.add(n);
      return new Float64Array(n).fill(inner.val);
    }
    const m = this.matrix(e);
    const out = new Float64Array(this.numSteps).fill(NaN);
    const pts = m[0]?.floats ?? [];
    for (const p of pts) out[Math.round((p.t - this.start) / this.interval)] = p.f;
    return out;
  }

  private evalAggregate(e: AggregateExpr): Matrix {
    const grouping = [...e.grouping].sort();
    const grid = { start: this.start, end: this.end, interval: this.interval };
    if (e.op === 'count_values') {
      const param = unwrapParens(e.param!);
      const label = param.type === 'StringLiteral' ? param.val : '';
      if (!isValidLabelName(label)) throw new QueryError(`invalid label name ${goQuote(label)}`);
      const original = this.q.current;
      const input = this.matrix(e.expr);
      const n = this.numSteps;
      const cols = this.start !== this.end ? matrixColumns(input, this.start, this.interval, n) : null;
      const kGrid = { start: this.start, interval: this.interval, numSteps: n };
      const out = cols
        ? countValuesColumnar({ ...e, grouping }, label, input, cols, kGrid, () => this.q.tick())
        : countValues({ ...e, grouping }, label, input, grid, () => this.q.tick());
      this.q.current = original;
      this.q.add(totalSamples(out));
      return out;
    }
    const original = this.q.current;
    const streamed = countSelector(this, { ...e, grouping }) ?? streamAggregation(this, { ...e, grouping });
    if (streamed) {
      this.q.current = original;
      this.q.add(totalSamples(streamed));
      return streamed;
    }
    const params = e.param && typeOf(e.param) !== 'string' ? this.scalarSteps(e.param) : null;
    const input = this.matrix(e.expr);
    let out = aggregate({ ...e, grouping }, input, { grid, annos: this.q.annos, params, instant: this.start === this.end, tick: () => this.q.tick() });
    if (!this.cfg.columnar) out = out.map((s) => ({ metric: s.metric, floats: s.floats, dropName: s.dropName, ...(s.histograms ? { histograms: s.histograms } : {}) }));
    this.q.current = original;
    this.q.add(totalSamples(out));
    return out;
  }

  private evalUnary(e: UnaryExpr): Matrix {
    let m = this.matrix(e.expr);
    if (e.op !== '-') return m;
    m = m.map((s) => {
      const metric = this.cfg.delayedNameRemoval ? s.metric : dropMetricName(s.metric);
      const cols = columnsOf(s);
      if (cols) {
        // A column negated into a column: no point objects.
        const values = new Float64Array(cols.values.length);
        for (let k = 0; k < values.length; k++) if (cols.present[k] === 1) values[k] = -cols.values[k]!;
        return new ColumnarSeries(metric, true, { start: cols.start, interval: cols.interval, values, present: cols.present.slice(), count: cols.count });
      }
      const out: Series = {
        metric,
        floats: s.floats.map((p) => ({ t: p.t, f: -p.f })),
        dropName: true,
      };
      if (s.histograms) out.histograms = s.histograms.map((p) => ({ t: p.t, h: mulHistogram(copyHistogram(p.h), -1) }));
      return out;
    });
    return this.cfg.delayedNameRemoval ? m : mergeSeriesWithSameLabelset(m);
  }

  private evalBinary(e: BinaryExpr): Matrix {
    const lt = typeOf(e.lhs), rt = typeOf(e.rhs);
    const delayed = this.cfg.delayedNameRemoval;
    if (lt === 'scalar' && rt === 'scalar') {
      return this.rangeEval([e.lhs, e.rhs], (v) => [{ metric: [], t: 0, f: scalarBinop(e.op, v[0]![0]!.f, v[1]![0]!.f), dropName: false }]);
    }
    if (lt === 'vector' && rt === 'vector') {
      const matching = e.matching!;
      const sig = signatureFn(matching);
      switch (e.op) {
        case 'and':
        case 'or':
        case 'unless': {
          const mats = this.argMatrices([e.lhs, e.rhs]);
          const n = this.numSteps;
          if (this.start !== this.end) {
            const lc = matrixColumns(mats[0]!, this.start, this.interval, n), rc = matrixColumns(mats[1]!, this.start, this.interval, n);
            if (lc && rc) return columnarSetOp(e.op, mats[0]!, lc, mats[1]!, rc, sig, this.stepContext());
          }
          const setOp = e.op === 'and' ? vectorAnd : e.op === 'or' ? vectorOr : vectorUnless;
          return this.rangeEvalOf(mats, (v) => setOp(v[0]!, v[1]!, sig));
        }
        default: {
          const mats = this.argMatrices([e.lhs, e.rhs]);
          const n = this.numSteps;
          if (this.start !== this.end && columnarBinopSupported(e.op, matching)) {
            const lc = matrixColumns(mats[0]!, this.start, this.interval, n), rc = matrixColumns(mats[1]!, this.start, this.interval, n);
            if (lc && rc) return columnarVectorBinop(e.op, mats[0]!, lc, mats[1]!, rc, matching, e.returnBool, sig, this.stepContext());
          }
          return this.rangeEvalOf(mats, (v) => vectorBinop(e.op, v[0]!, v[1]!, matching, e.returnBool, sig, delayed, this.q.annos, e.posRange));
        }
      }
    }
    const vi = lt === 'vector' ? 0 : 1;
    const mats = this.argMatrices([e.lhs, e.rhs]);
    if (this.start !== this.end && columnarBinopSupported(e.op, null)) {
      const n = this.numSteps;
      const vc = matrixColumns(mats[vi]!, this.start, this.interval, n);
      const sc = scalarColumns(mats[1 - vi]!, this.start, this.interval, n);
      // A scalar has a value at every step; were one missing, the per-step path reports it as it always has.
      if (vc && sc.count === n) return columnarScalarBinop(e.op, mats[vi]!, vc, sc.values, sc.present, vi === 1, e.returnBool, this.stepContext());
    }
    if (vi === 0) {
      return this.rangeEvalOf(mats, (v) => vectorScalarBinop(e.op, v[0]!, v[1]![0]!.f, false, e.returnBool, delayed, this.q.annos, e.posRange));
    }
    return this.rangeEvalOf(mats, (v) => vectorScalarBinop(e.op, v[1]!, v[0]![0]!.f, true, e.returnBool, delayed, this.q.annos, e.posRange));
  }

  /** What the whole-range (columnar) nodes need of this evaluation: its grid, the deadline and the sample count. */
  private stepContext(): ColumnarBinopContext {
    return {
      start: this.start, interval: this.interval, numSteps: this.numSteps, delayedNameRemoval: this.cfg.delayedNameRemoval,
      checkAbort: () => this.cfg.checkAbort(),
      add: (n) => this.q.add(n),
      setCurrent: (n) => { this.q.current = n; },
      current: () => this.q.current,
    };
  }

  private evalCall(e: Call): EvalResult {
    const name = e.func.name;
    if (name === 'timestamp' || name === 'start_timestamp') {
      const arg = unwrapParens(e.args[0]!);
      if (arg.type === 'VectorSelector') return this.timestampOfSelector(e, arg, name === 'start_timestamp');
    }
    const matrixIdx = e.args.findIndex((a) => a.type === 'MatrixSelector' || a.type === 'SubqueryExpr');
    if (name === 'label_replace' || name === 'label_join') return this.evalLabelFunction(e);
    if (name === 'info') return evalInfo(this, e);
    if (matrixIdx >= 0) return evalRangeCall(this, e, matrixIdx);
    const impl = INSTANT_FUNCTIONS[name];
    if (!impl) throw new QueryError(`function "${name}" is not implemented`, 'bad_data');
    if (SORTS.has(name) && this.start !== this.end) {
      this.q.annos.warn('sort is ineffective for range queries since results are always ordered by labels', e.posRange);
    }
    const ctxBase = {
      call: e, annos: this.q.annos, delayedNameRemoval: this.cfg.delayedNameRemoval,
      queryStart: this.cfg.query.start, queryEnd: this.cfg.query.end, queryStep: this.cfg.query.step,
    };
    const mats = this.argMatrices(e.args);
    if (name === 'histogram_quantile' && this.start !== this.end) {
      const cols = matrixColumns(mats[1]!, this.start, this.interval, this.numSteps);
      if (cols) return classicQuantileRange(mats[0]!, mats[1]!, cols, this.quantileRangeContext(e));
    }
    if (this.start !== this.end && columnarFunction(name)) {
      const out = this.columnarCall(name, mats);
      if (out) return out;
    }
    return this.rangeEvalOf(mats, (vectors, ts) => {
      const args: InstantArg[] = e.args.map((a, i) => {
        const t = typeOf(a);
        if (t === 'string') return stringOf(a);
        if (t === 'scalar') return vectors[i]![0]?.f ?? NaN;
        return vectors[i]!;
      });
      return impl(args, { ...ctxBase, ts });
    });
  }

  /** A function of one instant vector over columns, when its input and scalar arguments are columns on this grid. */
  private columnarCall(name: string, mats: (Matrix | null)[]): Matrix | null {
    const n = this.numSteps;
    const cols = matrixColumns(mats[0]!, this.start, this.interval, n);
    if (!cols) return null;
    const params: Float64Array[] = [];
    for (let i = 1; i < mats.length; i++) {
      const sc = scalarColumns(mats[i]!, this.start, this.interval, n);
      if (sc.count !== n) return null;
      params.push(sc.values);
    }
    return columnarInstantFunction(name, mats[0]!, cols, params, this.stepContext());
  }

  private quantileRangeContext(e: Call): QuantileRangeContext {
    return { ...this.stepContext(), call: e, annos: this.q.annos };
  }

  private evalLabelFunction(e: Call): Matrix {
    const strs = e.args.slice(1).map(stringOf);
    // Copies, since the functions set labels on them; columns stay columns (reading `floats` would build points).
    const m = this.matrix(e.args[0]!).map((s): Series => {
      const cols = columnsOf(s);
      if (cols) return new ColumnarSeries(s.metric, s.dropName, cols);
      return s.histograms
        ? { metric: s.metric, floats: s.floats, histograms: s.histograms, dropName: s.dropName }
        : { metric: s.metric, floats: s.floats, dropName: s.dropName };
    });
    if (e.func.name === 'label_replace') return labelReplace(m, strs[0]!, strs[1]!, strs[2]!, strs[3]!, this.q);
    return labelJoin(m, strs[0]!, strs[1]!, strs.slice(2), this.q);
  }

  /**
   * timestamp(selector) reports the stored sample's time, not the evaluation
   * time; start_timestamp(selector) the sample's start time (0 when unknown).
   */
  private timestampOfSelector(e: Call, vs: VectorSelector, start: boolean): Matrix {
    const series = this.q.selection.series(vs);
    const at = this.q.prepared.at.get(vs);
    const impl = INSTANT_FUNCTIONS['timestamp']!;
    const ctx = {
      call: e, annos: this.q.annos, delayedNameRemoval: this.cfg.delayedNameRemoval,
      queryStart: this.cfg.query.start, queryEnd: this.cfg.query.end, queryStep: this.cfg.query.step,
    };
    return this.rangeEval([], (_v, ts) => {
      // With @ the reference time is the @ time at every step (as upstream, the offset is not applied).
      const ref = at !== undefined ? at : ts - this.q.offsets.get(vs)!;
      const vec: Vector = [];
      for (const s of series) {
        const i = this.lookup(s, ref);
        if (i < 0) continue;
        vec.push({ metric: s.labels, t: start ? (s.st?.[i] ?? 0) : s.t[i]!, f: s.v[i]!, dropName: false });
        this.q.add(1);
      }
      return impl([vec], { ...ctx, ts });
    });
  }

  /** Index of the sample an instant selector sees at ref, or -1 (vectorSelectorSingle). */
  lookup(s: SeriesData, ref: number): number {
    const i = upperBoundFromLast(s.t, ref) - 1;
    if (i < 0 || s.t[i]! <= ref - this.cfg.lookbackDelta) return -1;
    if (s.stale && s.stale[i]) return -1;
    return i;
  }

  /**
   * An instant selector over the steps (vectorSelectorSingle at each step).
   * Float series are written straight into step columns, all of them slices
   * of one pair of arrays, by one index moving forward through the samples
   * as the steps do: no search, nothing allocated per step or per sample.
   * Series with histograms, and every series when columns are off, take the
   * step-by-step lookup (selectorPoints), which the columns are tested against.
   */
  private evalSeries(vs: VectorSelector): Matrix {
    const offset = this.q.offsets.get(vs)!;
    // Each series is copied into columns (or points) before the next is read, so one pair of arrays serves them all.
    const sel = this.q.selection;
    const reader = new SeriesReader(sel, vs, sel.claimFloatsOneByOne(vs), true);
    const stored = sel.stored(vs);
    const out: Matrix = [];
    const n = this.numSteps;
    // Columns are views of slabs of about a megabyte, made as series need them: never far ahead of
    // the sample limit's and memory budget's checks, and one kept series holds only its slab alive.
    const perSlab = Math.max(1, Math.floor(SLAB_CELLS / n));
    let values: Float64Array | null = null, present: Uint8Array | null = null;
    let slot = 0, slots = 0;
    for (let i = 0; i < stored.length; i++) {
      this.cfg.checkAbort();
      const s = reader.data(i, stored[i]!);
      if (s.h || !this.cfg.columnar) {
        out.push(...this.selectorPoints(s, offset));
        continue;
      }
      if (slot === slots) {
        // No larger than the series left need: a slab is zero-filled whole when made, and a full one
        // (1.1 MB) for a selector of a few series cost the query worker more than reading them did.
        slots = Math.min(perSlab, stored.length - i);
        values = new Float64Array(slots * n);
        present = new Uint8Array(slots * n);
        slot = 0;
      }
      const base = slot * n;
      const count = fillSelectorSteps(s, this.start - offset, this.interval, n, this.cfg.lookbackDelta, values!, present!, base);
      // A series with no value wrote nothing: its slot goes to the next series.
      if (count === 0) continue;
      slot++;
      this.q.add(count);
      const cols: StepColumns = {
        start: this.start, interval: this.interval,
        values: values!.subarray(base, base + n), present: present!.subarray(base, base + n), count,
      };
      out.push(new ColumnarSeries(s.labels, false, cols));
    }
    return out;
  }

  /** A series over this evaluation's grid: columnar, or with points when the engine is told not to use columns. */
  seriesOf(metric: Labels, dropName: boolean, cols: StepColumns): Series {
    const s = new ColumnarSeries(metric, dropName, cols);
    return this.cfg.columnar ? s : { metric, floats: s.floats, dropName };
  }

  /** An instant selector's series that holds histograms, as points. */
  private selectorPoints(s: SeriesData, offset: number): Matrix {
    const floats = [];
    let histograms: HPoint[] | undefined;
    for (let ts = this.start; ts <= this.end; ts += this.interval) {
      const i = this.lookup(s, ts - offset);
      if (i < 0) continue;
      const h = s.h?.[i];
      if (h) {
        this.q.add(histogramSamples(h));
        (histograms ??= []).push({ t: ts, h });
        continue;
      }
      this.q.add(1);
      floats.push({ t: ts, f: s.v[i]! });
    }
    if (histograms) return [{ metric: s.labels, floats, histograms, dropName: false }];
    return floats.length > 0 ? [{ metric: s.labels, floats, dropName: false }] : [];
  }

  /** A smoothed instant selector: the value interpolated between the samples around each step. */
  private smoothSeries(vs: VectorSelector): Matrix {
    const offset = this.q.offsets.get(vs)!;
    const lb = this.cfg.lookbackDelta;
    const out: Matrix = [];
    for (const raw of this.q.selection.rangeSeries(vs)) {
      const { t, v } = raw;
      const floatStep = (lo: number, hi: number, ts: number): number | null => {
        // First index in the window with t >= ts.
        let i = lo;
        while (i < hi && t[i]! < ts) i++;
        if (i < hi && t[i] === ts) return v[i]!;
        if (i > lo && i < hi) return v[i - 1]! + ((v[i]! - v[i - 1]!) * (ts - t[i - 1]!)) / (t[i]! - t[i - 1]!);
        if (i > lo) return v[i - 1]!;
        return null;
      };
      if (raw.h) {
        const r = smoothedHistogramSeries(raw, this.start, this.end, this.interval, offset, lb, this.q.annos, vs.posRange, floatStep, upperBound);
        this.q.add(r.floats.length);
        for (const p of r.histograms) this.q.add(histogramSamples(p.h));
        if (r.floats.length + r.histograms.length > 0) out.push({ metric: raw.labels, floats: r.floats, histograms: r.histograms, dropName: false });
        continue;
      }
      const floats = [];
      for (let step = this.start; step <= this.end; step += this.interval) {
        const ts = step - offset;
        const lo = upperBound(t, ts - lb), hi = upperBound(t, ts + lb);
        if (hi <= lo) continue;
        const f = floatStep(lo, hi, ts);
        if (f !== null) floats.push({ t: step, f });
      }
      this.q.add(floats.length);
      if (floats.length > 0) out.push({ metric: raw.labels, floats, dropName: false });
    }
    return out;
  }

  /** A range selector evaluated on its own (instant queries only). */
  private matrixSelector(ms: MatrixSelector): Matrix {
    const vs = ms.vectorSelector as VectorSelector;
    const offset = this.q.offsets.get(vs)!;
    const range = this.q.prepared.range.get(ms)!;
    const lb = this.cfg.lookbackDelta;
    const matrixMaxt = this.start - offset, matrixMint = matrixMaxt - range;
    let mint = matrixMint, maxt = matrixMaxt;
    if (vs.anchored) mint -= lb;
    if (vs.smoothed) {
      mint -= lb;
      maxt += lb;
    }
    const out: Matrix = [];
    for (const s of this.q.selection.rangeSeries(vs)) {
      this.cfg.checkAbort();
      const lo = upperBound(s.t, mint), hi = upperBound(s.t, maxt);
      let floats = [];
      const histograms: HPoint[] = [];
      for (let i = lo; i < hi; i++) {
        const h = s.h?.[i];
        if (h) histograms.push({ t: s.t[i]!, h });
        else floats.push({ t: s.t[i]!, f: s.v[i]! });
      }
      if (vs.anchored || vs.smoothed) floats = extendFloats(floats, matrixMint, matrixMaxt, vs.smoothed);
      this.q.add(floats.length);
      for (const p of histograms) this.q.add(histogramSamples(p.h));
      if (histograms.length > 0) out.push({ metric: s.labels, floats, histograms, dropName: false });
      else if (floats.length > 0) out.push({ metric: s.labels, floats, dropName: false });
    }
    return out;
  }

  /** A subquery: its expression evaluated on an epoch-aligned grid of its own step. */
  evalSubquery(e: SubqueryExpr): Matrix {
    const offset = this.q.offsets.get(e)!;
    const range = this.q.prepared.range.get(e)!;
    const stepMs = this.q.prepared.step.get(e)!;
    const interval = stepMs !== 0 ? stepMs : this.cfg.noStepSubqueryInterval(range);
    const from = this.start - offset - range;
    let start = interval * Math.trunc(from / interval);
    if (start <= from) start += interval;
    if (start !== this.start) this.q.setOffsetForAtModifier(start, e.expr);
    return this.child(start, this.end - offset, interval).matrix(e.expr);
  }

  private storedWindows(vs: VectorSelector): StoredWindow[] {
    const sel = this.q.selection;
    const reader = new SeriesReader(sel, vs, sel.claimOneByOne(vs));
    return sel.stored(vs).map((stored, i) => new StoredWindow(reader, stored, i));
  }

  /** The samples a range function reads: a range selector's series, or a subquery's result. */
  windowSource(arg: Expr): WindowSource {
    if (arg.type === 'SubqueryExpr') {
      const at = this.q.prepared.at.get(arg);
      const orig = this.q.prepared.offset.get(arg)!;
      const before = this.q.current;
      const m = this.evalSubquery(arg);
      const loaded = this.q.current - before;
      return {
        series: m.map((s) => {
          const cols = columnsOf(s);
          const d: SeriesData = cols ? seriesDataOfColumns(s.metric, cols) : s.histograms?.length ? seriesDataOf(s) : {
            labels: s.metric,
            t: Float64Array.from(s.floats, (p) => p.t),
            v: Float64Array.from(s.floats, (p) => p.f),
            stale: null,
          };
          return { labels: s.metric, dropName: s.dropName, data: () => d };
        }),
        offset: at !== undefined ? orig + (this.start - at) : this.q.offsets.get(arg)!,
        at: at ?? null,
        range: this.q.prepared.range.get(arg)!,
        anchored: false,
        smoothed: false,
        release: () => { this.q.current -= loaded; },
      };
    }
    const ms = arg as MatrixSelector;
    const vs = ms.vectorSelector as VectorSelector;
    return {
      series: this.storedWindows(vs),
      offset: this.q.offsets.get(vs)!,
      at: this.q.prepared.at.get(vs) ?? null,
      range: this.q.prepared.range.get(ms)!,
      anchored: vs.anchored,
      smoothed: vs.smoothed,
      release: () => {},
    };
  }
}

/** A series' columns when they lie on the evaluator's grid. */
function gridColumnsOf(s: Series, ev: Evaluator): StepColumns | null {
  return gridColumns(s, ev.start, ev.interval, ev.numSteps);
}

function stringOf(e: Expr): string {
  const u = unwrapParens(e);
  if (u.type === 'StringLiteral') return u.val;
  throw new QueryError(`expected a string literal, got ${u.type}`, 'bad_data');
}

/** A subquery's columnar series as range functions read it, without building its points. */
function seriesDataOfColumns(labels: Labels, c: StepColumns): SeriesData {
  const t = new Float64Array(c.count), v = new Float64Array(c.count);
  let j = 0;
  for (let k = 0; k < c.present.length; k++) {
    if (c.present[k] === 0) continue;
    t[j] = c.start + k * c.interval;
    v[j] = c.values[k]!;
    j++;
  }
  return { labels, t, v, stale: null };
}

/** A subquery's series (floats and histograms) on one timeline, as range functions read it. */
function seriesDataOf(s: Series): SeriesData {
  const hs = s.histograms ?? [];
  const n = s.floats.length + hs.length;
  const t = new Float64Array(n), v = new Float64Array(n);
  const h: SeriesData['h'] = new Array(n);
  let i = 0, j = 0;
  for (let k = 0; k < n; k++) {
    if (j >= hs.length || (i < s.floats.length && s.floats[i]!.t < hs[j]!.t)) {
      t[k] = s.floats[i]!.t;
      v[k] = s.floats[i]!.f;
      i++;
    } else {
      // As upstream, reset and not-reset hints become unknown: a subquery may skip or repeat samples.
      const x = hs[j]!.h;
      t[k] = hs[j]!.t;
      v[k] = NaN;
      h[k] = x.counterResetHint === 1 || x.counterResetHint === 2 ? { ...x, counterResetHint: 0 } : x;
      j++;
    }
  }
  return { labels: s.metric, t, v, stale: null, h };
}

/** Step cells per slab of selector columns: 1 MiB of values. */
const SLAB_CELLS = 131_072;

/**
 * A range selector's series as a range function reads it. A class and not an
 * object with a closure: the closure and the scope it kept were two more
 * objects per series and query.
 */
class StoredWindow implements WindowEntry {
  readonly labels: Labels;

  constructor(private readonly reader: SeriesReader, readonly stored: StoredSeries, private readonly index: number) {
    this.labels = stored.labels;
  }

  /** Valid until another series of the same source is asked for (series-reader.ts). */
  data(): SeriesData {
    return this.reader.data(this.index, this.stored);
  }
}
