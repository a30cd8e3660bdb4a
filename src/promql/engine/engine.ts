// The query engine's public face: createEngine(queryable, options) with
// instantQuery and rangeQuery, returning the `data` of Prometheus's
// /api/v1/query and /api/v1/query_range plus warnings, infos and stats.

import type { Queryable } from '../../storage/interfaces.js';
import { parseQuery } from './parsed-queries.js';
import type { ParseOptions } from '../parser/parser.js';
import { typeOf, documentedType } from '../parser/ast.js';
import { lineColumn } from '../parser/posrange.js';
import { jsonFloat } from '../../model/float.js';
import { parseDuration } from '../../model/duration.js';
import { labelsToRecord } from '../../model/labels.js';
import { QueryCanceledError, QueryError, QueryTimeoutError } from './errors.js';
import { Evaluator, QueryState, type EvalResult } from './evaluator.js';
import { prepare } from './preprocess.js';
import { Selection, overallRange, selectorRanges } from './selection.js';
import { HINT_LOOKBEHIND, statsOnlySelectors } from './histogram-series.js';
import { storageReads } from './storage-reads.js';
import { type Matrix, cleanupMetricLabels, sortMatrix } from './value.js';
import { type HistogramPair, matrixElementJSON, vectorElementJSON } from './histogram-json.js';
import { matrixJSON, matrixJSONBytes, vectorJSON, vectorJSONBytes } from './result-json.js';
import { type MatrixPieces, matrixPieces } from './result-pieces.js';

/** Prometheus feature flags the engine knows (names as in --enable-feature). */
export type Feature =
  | 'promql-experimental-functions'
  | 'promql-extended-range-selectors'
  | 'promql-binop-fill-modifiers'
  | 'promql-duration-expr'
  | 'promql-delayed-name-removal';

export interface EngineOptions {
  /** How far back an instant selector looks for a sample (ms or a duration such as "5m"; default 5m). */
  lookbackDelta?: number | string;
  /** The most samples a query may hold in memory at once (default 50,000,000). */
  maxSamples?: number;
  /**
   * Budget for one query's estimated memory in bytes: samples held (16 bytes
   * each) plus label text built by label_replace/label_join (default 1 GiB).
   */
  maxMemoryBytes?: number;
  /** Longest label value label_replace/label_join may build, in UTF-16 code units (default 1 Mi). */
  maxLabelValueLength?: number;
  /** Per-query time limit (ms or a duration; default 2m). */
  timeout?: number | string;
  /** Enabled feature flags. */
  features?: readonly Feature[];
  /** Step of subqueries written without one (ms or a duration; default 1m). */
  defaultSubqueryStep?: number | string;
  /**
   * Use the WebAssembly window reductions for range functions that allow it.
   * 'auto' (the default) uses them where each sample falls in at most one
   * window (instant queries, range ≤ step), where they save decoding the
   * samples into JavaScript; over overlapping windows they reduce every
   * sample once per window, which costs more than the sample path. true
   * uses them wherever allowed, false never.
   */
  wasmReductions?: boolean | 'auto';
  /**
   * Evaluate float series over a range query's steps in typed-array columns
   * (default true). false takes the step-by-step path everywhere; the results
   * are the same, which is what tests compare.
   */
  columnar?: boolean;
}

export interface QueryOptions {
  /** Overrides the engine's lookback delta for this query. */
  lookbackDelta?: number | string;
  /** Aborts the query (checked between evaluation steps and inside loops over series). */
  signal?: AbortSignal;
  /** A shorter timeout for this query; the engine's timeout still caps it. */
  timeout?: number | string;
  /**
   * The caller reports the answer's stats: an engine that may evaluate a
   * range query in parts on several threads keeps it in one piece, whose
   * sample counts are the query's.
   */
  stats?: boolean;
}

/**
 * A range query evaluated as one contiguous stretch of a larger range
 * query's steps (start and end on its step grid).
 */
export interface PartOptions extends QueryOptions {
  /** The whole query's start and end (ms): what @ start(), @ end(), range() and the start()/end() functions read. */
  whole?: { start: number; end: number };
  /** The matrix as per-series pieces (result-pieces.ts) instead of its JSON text. */
  pieces?: boolean;
  /** The JSON text as UTF-8 bytes (`resultBytes`) instead of a string (text queries only). */
  bytes?: boolean;
  /**
   * The share (0–1] of the memory budget this part may hold: a query's parts
   * run at once, so together they stay within the query's budget. A part
   * past its share fails, and the query is evaluated again in one piece.
   */
  memoryShare?: number;
}

export type Time = number | Date | string;

/** [unix seconds, value as a string], as in Prometheus's JSON. */
export type SamplePair = [number, string];

/** One of value (a float sample) or histogram (a native histogram sample). */
export interface VectorElement {
  metric: Record<string, string>;
  value?: SamplePair;
  histogram?: HistogramPair;
}

/** values for float points, histograms for native histogram points (a series may have both). */
export interface MatrixElement {
  metric: Record<string, string>;
  values?: SamplePair[];
  histograms?: HistogramPair[];
}

export type QueryData =
  | { resultType: 'vector'; result: VectorElement[] }
  | { resultType: 'matrix'; result: MatrixElement[] }
  | { resultType: 'scalar'; result: SamplePair }
  | { resultType: 'string'; result: SamplePair };

export interface QueryStats {
  timings: { parseSeconds: number; prepareSeconds: number; evalSeconds: number; totalSeconds: number };
  samples: { totalQueryableSamples: number; peakSamples: number };
}

export type QueryResult = QueryData & { warnings: string[]; infos: string[]; stats: QueryStats };

export interface Engine {
  instantQuery(query: string, time: Time, opts?: QueryOptions): Promise<QueryResult>;
  rangeQuery(query: string, start: Time, end: Time, step: number | string, opts?: QueryOptions): Promise<QueryResult>;
  /** The same, synchronously (no other work can run meanwhile). */
  instantQuerySync(query: string, time: Time, opts?: QueryOptions): QueryResult;
  rangeQuerySync(query: string, start: Time, end: Time, step: number | string, opts?: QueryOptions): QueryResult;
}

/**
 * A result whose vector or matrix is the API's JSON text (`resultJSON`,
 * `resultLength` elements; `result.result` is then empty), written from the
 * evaluation's columns without an object per point (result-json.ts).
 * Scalars and strings stay in `result`.
 */
export interface QueryResultText {
  result: QueryResult;
  resultJSON?: string;
  /** With PartOptions.bytes, resultJSON's text as UTF-8 bytes instead. */
  resultBytes?: Uint8Array;
  resultLength?: number;
  /** With PartOptions.pieces, the matrix instead of resultJSON. */
  pieces?: MatrixPieces;
  /** The most bytes the evaluation counted against the memory budget at once. */
  peakBytes?: number;
}

/** What a query worker asks of createEngine's engine: results it sends on as text. */
export interface TextQueries {
  instantQueryTextSync(query: string, time: Time, opts?: QueryOptions & Pick<PartOptions, 'bytes'>): QueryResultText;
  rangeQueryTextSync(query: string, start: Time, end: Time, step: number | string, opts?: PartOptions): QueryResultText;
}

const MAX_POINTS = 11000;

/** Milliseconds from a number of ms, a Date, or an RFC 3339 string / unix seconds string. */
export function toMillis(t: Time, what = 'time'): number {
  if (typeof t === 'number') {
    if (!Number.isFinite(t)) throw new QueryError(`invalid ${what}: ${t}`, 'bad_data');
    return Math.round(t);
  }
  if (t instanceof Date) return t.getTime();
  if (/^[+-]?\d+(\.\d+)?$/.test(t)) {
    const ms = Math.round(Number(t) * 1000);
    if (!Number.isFinite(ms)) throw new QueryError(`cannot parse ${JSON.stringify(t.length > 64 ? t.slice(0, 64) + '…' : t)} to a valid timestamp`, 'bad_data');
    return ms;
  }
  const ms = Date.parse(t);
  if (!/^\d{4}-\d\d-\d\dT/.test(t) || Number.isNaN(ms)) throw new QueryError(`cannot parse ${JSON.stringify(t)} to a valid timestamp`, 'bad_data');
  return ms;
}

/** A range query's start, end and step in ms, checked as Prometheus checks them. */
export function rangeWindow(start: Time, end: Time, step: number | string): { start: number; end: number; step: number } {
  const s = toMillis(start, 'start'), e = toMillis(end, 'end');
  const st = typeof step === 'number' ? step : durationMillis(step, 'step');
  if (e < s) throw new QueryError('end timestamp must not be before start time', 'bad_data');
  if (!(st > 0)) throw new QueryError('zero or negative query resolution step widths are not accepted. Try a positive integer', 'bad_data');
  if ((e - s) / st > MAX_POINTS) {
    throw new QueryError('exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)', 'bad_data');
  }
  return { start: s, end: e, step: st };
}

function durationMillis(d: number | string, what: string): number {
  if (typeof d === 'number') return d;
  try {
    return parseDuration(d);
  } catch {
    throw new QueryError(`invalid ${what}: ${JSON.stringify(d)}`, 'bad_data');
  }
}

/** The parser options the engine's feature flags imply. */
export function parseOptions(features: ReadonlySet<Feature>): ParseOptions {
  return {
    experimentalFunctions: features.has('promql-experimental-functions'),
    extendedRangeSelectors: features.has('promql-extended-range-selectors'),
    binopFillModifiers: features.has('promql-binop-fill-modifiers'),
    durationExpressions: true,
  };
}

export { jsonFloat } from '../../model/float.js';

const pair = (t: number, f: number): SamplePair => [t / 1000, jsonFloat(f)];

export function createEngine(db: Queryable, options: EngineOptions = {}): Engine & TextQueries {
  const features = new Set(options.features ?? []);
  const base = {
    lookbackDelta: durationMillis(options.lookbackDelta ?? '5m', 'lookback delta'),
    maxSamples: options.maxSamples ?? 50_000_000,
    maxMemoryBytes: options.maxMemoryBytes ?? 1024 * 1024 * 1024,
    maxLabelValueLength: options.maxLabelValueLength ?? 1024 * 1024,
    timeout: durationMillis(options.timeout ?? '2m', 'timeout'),
    subqueryStep: durationMillis(options.defaultSubqueryStep ?? '1m', 'default subquery step'),
  };
  const parseOpts = parseOptions(features);

  const run = (query: string, start: number, end: number, step: number, opts: PartOptions, asText = false): QueryResultText => {
    const t0 = performance.now();
    // A query's own timeout can only shorten the engine's (Prometheus: the flag caps the request's).
    const timeout = opts.timeout !== undefined ? Math.min(durationMillis(opts.timeout, 'timeout'), base.timeout) : base.timeout;
    const deadline = Date.now() + timeout;
    const checkAbort = () => {
      if (opts.signal?.aborted) throw new QueryCanceledError('expression evaluation');
      if (Date.now() > deadline) throw new QueryTimeoutError('expression evaluation');
    };
    const expr = parseQuery(query, parseOpts);
    const instant = step === 0;
    if (!instant) {
      const t = typeOf(expr);
      if (t !== 'scalar' && t !== 'vector') {
        throw new QueryError(`invalid expression type "${documentedType(t)}" for range query, must be Scalar or instant Vector`, 'bad_data');
      }
    }
    const t1 = performance.now();
    const lookback = opts.lookbackDelta !== undefined ? durationMillis(opts.lookbackDelta, 'lookback delta') : base.lookbackDelta;
    // A part of a range query reads only its own steps' samples but resolves what depends on the whole range as the whole query does.
    const whole = opts.whole ? { start: opts.whole.start, end: opts.whole.end, step } : { start, end, step };
    const prepared = prepare(expr, whole);
    const ranges = selectorRanges(prepared, { start, end }, lookback);
    const all = overallRange(ranges);
    // Histogram hints need the sample before a selector's range (histogram-series.ts).
    const querier = db.querier(all.start - HINT_LOOKBEHIND, all.end);
    try {
      const selection = new Selection(querier, ranges, statsOnlySelectors(prepared.expr));
      const share = opts.memoryShare;
      const maxMemoryBytes = share !== undefined && share > 0 && share < 1 ? Math.max(1, Math.floor(base.maxMemoryBytes * share)) : base.maxMemoryBytes;
      const state = new QueryState({
        lookbackDelta: lookback,
        maxSamples: base.maxSamples,
        maxMemoryBytes,
        maxLabelValueLength: base.maxLabelValueLength,
        delayedNameRemoval: features.has('promql-delayed-name-removal'),
        noStepSubqueryInterval: () => base.subqueryStep,
        checkAbort,
        query: whole,
        useWasmReductions: options.wasmReductions ?? 'auto',
        columnar: options.columnar ?? true,
      }, prepared, selection);
      state.setOffsetForAtModifier(start, prepared.expr);
      const t2 = performance.now();
      const ev = new Evaluator(state, start, end, instant ? 1 : step);
      let value: EvalResult = ev.eval(prepared.expr);
      if (Array.isArray(value) && state.cfg.delayedNameRemoval) value = cleanupMetricLabels(value);
      checkAbort();
      const t3 = performance.now();
      const shaped = asText ? shapeText(value, typeOf(expr), instant, start, maxMemoryBytes, base.maxMemoryBytes, opts.pieces === true, opts.bytes === true) : { data: shape(value, typeOf(expr), instant, start) };
      const data = shaped.data;
      const annos = state.annos.list();
      const render = (a: (typeof annos)[number]) => {
        if (!a.pos) return a.message;
        const { line, column } = lineColumn(query, a.pos.start);
        return `${a.message} (${line}:${column})`;
      };
      const result: QueryResult = {
        ...data,
        warnings: annos.filter((a) => a.level === 'warning').map(render),
        infos: annos.filter((a) => a.level === 'info').map(render),
        stats: {
          timings: {
            parseSeconds: (t1 - t0) / 1000,
            prepareSeconds: (t2 - t1) / 1000,
            evalSeconds: (t3 - t2) / 1000,
            totalSeconds: (performance.now() - t0) / 1000,
          },
          samples: { totalQueryableSamples: state.totalLoaded, peakSamples: state.peak },
        },
      };
      if (shaped.pieces) return { result, pieces: shaped.pieces, peakBytes: state.peakBytes };
      if (shaped.bytes) return { result, resultBytes: shaped.bytes, resultLength: shaped.length };
      return shaped.json === undefined ? { result } : { result, resultJSON: shaped.json, resultLength: shaped.length };
    } finally {
      querier.close();
    }
  };

  // Storage that cannot read synchronously (blocks in IndexedDB) first loads what the query names.
  const loaded = (query: string, start: number, end: number, step: number, opts: QueryOptions) => {
    const evaluate = () => run(query, start, end, step, opts).result;
    if (!db.prefetched) return evaluate();
    return db.prefetched(() => {
      const lookback = opts.lookbackDelta !== undefined ? durationMillis(opts.lookbackDelta, 'lookback delta') : base.lookbackDelta;
      return storageReads(query, start, end, step, lookback, parseOpts);
    }, evaluate);
  };

  const instantSync = (query: string, time: Time, opts: QueryOptions & Pick<PartOptions, 'bytes'> = {}, asText = false) => {
    const t = toMillis(time);
    return run(query, t, t, 0, opts, asText);
  };
  const rangeSync = (query: string, start: Time, end: Time, step: number | string, opts: PartOptions = {}, asText = false) => {
    const r = rangeWindow(start, end, step);
    return run(query, r.start, r.end, r.step, opts, asText);
  };
  return {
    instantQuerySync: (query, time, opts) => instantSync(query, time, opts).result,
    rangeQuerySync: (query, start, end, step, opts) => rangeSync(query, start, end, step, opts).result,
    instantQueryTextSync: (query, time, opts) => instantSync(query, time, opts, true),
    rangeQueryTextSync: (query, start, end, step, opts) => rangeSync(query, start, end, step, opts, true),
    instantQuery: async (query, time, opts = {}) => {
      const t = toMillis(time);
      return loaded(query, t, t, 0, opts);
    },
    rangeQuery: async (query, start, end, step, opts = {}) => {
      const r = rangeWindow(start, end, step);
      return loaded(query, r.start, r.end, r.step, opts);
    },
  };
}

/** The API's result shapes; instant vectors report the evaluation time. */
function shape(value: EvalResult, type: string, instant: boolean, start: number): QueryData {
  if (!Array.isArray(value)) return { resultType: 'string', result: [value.t / 1000, value.v] };
  const m: Matrix = value;
  if (instant && type === 'scalar') {
    const f = m[0]?.floats[0]?.f ?? Number.NaN;
    return { resultType: 'scalar', result: pair(start, f) };
  }
  if (instant && type === 'vector') {
    return { resultType: 'vector', result: m.map((s) => vectorElementJSON(labelsToRecord(s.metric), s, start, pair)) };
  }
  sortMatrix(m);
  return {
    resultType: 'matrix',
    result: m.map((s) => matrixElementJSON(labelsToRecord(s.metric), s, pair)),
  };
}

/** shape() with a vector or matrix written as its JSON text instead (result-json.ts), the text held to the memory budget. */
function shapeText(value: EvalResult, type: string, instant: boolean, start: number, maxBytes: number, wholeBytes: number, pieces: boolean, bytes: boolean): { data: QueryData; json?: string; bytes?: Uint8Array; length?: number; pieces?: MatrixPieces } {
  if (!Array.isArray(value) || (instant && type === 'scalar')) return { data: shape(value, type, instant, start) };
  const m: Matrix = value;
  if (instant && type === 'vector') {
    const data: QueryData = { resultType: 'vector', result: [] };
    return bytes ? { data, bytes: vectorJSONBytes(m, start, maxBytes), length: m.length } : { data, json: vectorJSON(m, start, maxBytes), length: m.length };
  }
  sortMatrix(m);
  const data: QueryData = { resultType: 'matrix', result: [] };
  if (pieces) return { data, pieces: matrixPieces(m, maxBytes, wholeBytes) };
  return bytes ? { data, bytes: matrixJSONBytes(m, maxBytes), length: m.length } : { data, json: matrixJSON(m, maxBytes), length: m.length };
}
