// Runs Prometheus test scripts (promql/promqltest) against promlet: loads
// series into a fresh database, evaluates every eval command, and checks
// results, errors and annotations. Like upstream, each instant eval is also
// run with @ pinned to its time at other evaluation times, and as a range
// query whose middle step must give the same answer.

import { openDB, type DB } from '../../storage/db.js';
import { compareLabels, labelsFrom, labelsKey, type Labels } from '../../model/labels.js';
import { STALE_NAN } from '../../model/stale.js';
import { createEngine, type Engine, type Feature, type QueryResult } from '../engine/engine.js';
import { parse } from '../parser/index.js';
import { print } from '../parser/printer.js';
import { parseNumber } from '../parser/literals.js';
import { parseDuration } from '../../model/duration.js';
import type { Expr, SubqueryExpr, VectorSelector } from '../parser/ast.js';
import { type Command, type EvalCommand, type Expectation, parseScript } from './script.js';
import { parseSeriesLabels, parseSeriesSamples, parseStartOffsets, type SeriesValue } from './series.js';
import { histogramOf } from '../engine/histogram-json.js';
import { classicToNhcb } from './nhcb.js';
import { compareMatrix, compareVector, almostEqual, type ExpectedSeries, type Point, type ResultSeries } from './compare.js';

export interface EvalOutcome {
  line: number;
  expr: string;
  ok: boolean;
  /** Why it failed. */
  reason?: string;
}

export interface ScriptOutcome {
  evals: EvalOutcome[];
  /** A problem that stopped the script (a bad load, say); remaining evals count as failed. */
  error?: string;
}

export const TEST_FEATURES: Feature[] = [
  'promql-experimental-functions', 'promql-extended-range-selectors', 'promql-binop-fill-modifiers',
  'promql-duration-expr', 'promql-delayed-name-removal',
];

/** Functions whose result depends on the evaluation time itself: no @-pinned variants for them. */
const AT_UNSAFE = new Set([
  'days_in_month', 'day_of_month', 'day_of_week', 'day_of_year', 'end', 'hour', 'minute', 'month', 'year',
  'predict_linear', 'range', 'start', 'step', 'time', 'timestamp',
]);

function newEngine(db: DB): Engine {
  return createEngine(db, { lookbackDelta: '5m', maxSamples: 10000, timeout: '100s', defaultSubqueryStep: '1m', features: TEST_FEATURES });
}

const scriptTime = (s: string): number => (s === '0' ? 0 : parseDuration(s));

function parseValue(s: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

async function load(db: DB, cmd: Extract<Command, { kind: 'load' }>): Promise<void> {
  const step = parseDuration(cmd.interval);
  // As upstream, a series defined twice in one load keeps its last definition.
  const defs = new Map<string, { labels: Labels; rest: string }>();
  // `name{...}@st <offsets>` gives the start timestamps of the series' samples.
  const starts = new Map<string, (number | null)[]>();
  for (const s of cmd.series) {
    const def = parseSeriesLabels(s.text);
    if (/^@st\b/.test(def.rest)) starts.set(labelsKey(def.labels), parseStartOffsets(def.rest.slice(3), parseDuration));
    else defs.set(labelsKey(def.labels), def);
  }
  const app = db.appender();
  const parsed: { labels: Labels; values: ReturnType<typeof parseSeriesSamples> }[] = [];
  for (const [key, { labels, rest }] of defs) {
    const offsets = starts.get(key);
    const values = parseSeriesSamples(rest);
    parsed.push({ labels, values });
    values.forEach((v, i) => {
      if (v === null) return;
      const t = i * step;
      if (typeof v === 'object') {
        if (!app.appendHistogram) throw new Error('the storage cannot store native histograms');
        app.appendHistogram(labels, t, v.h);
        return;
      }
      const off = offsets?.[i];
      app.append(labels, t, v === 'stale' ? STALE_NAN : v, off === undefined || off === null ? 0 : t + off);
    });
  }
  // load_with_nhcb also stores each classic histogram as a native histogram with custom buckets.
  if (cmd.withNhcb) {
    for (const { labels, samples } of classicToNhcb(parsed, step)) {
      for (const x of samples) app.appendHistogram!(labels, x.t, x.h);
    }
  }
  await app.commit();
}

interface Expected {
  scalar?: number;
  series: ExpectedSeries[];
}

function expectedResults(cmd: EvalCommand): Expected {
  const out: Expected = { series: [] };
  for (const r of cmd.results) {
    const text = r.text;
    if (/^[-+]?[0-9.]/.test(text) || /^[-+]?(inf|nan)$/i.test(text)) {
      try {
        out.scalar = parseNumber(text);
        continue;
      } catch {
        // Not a number: a series line.
      }
    }
    const { labels, rest } = parseSeriesLabels(text);
    out.series.push({ labels, values: parseSeriesSamples(rest), line: r.line });
  }
  return out;
}

const hasExp = (cmd: EvalCommand, type: Expectation['type']) => cmd.expectations.some((e) => e.type === type);

function checkFailure(err: unknown, cmd: EvalCommand): string | null {
  const msg = err instanceof Error ? err.message : String(err);
  const exp = cmd.expectations.find((e) => e.type === 'fail') as Extract<Expectation, { type: 'fail' }>;
  if (exp.message !== undefined && exp.message !== msg) return `expected error ${JSON.stringify(exp.message)}, got ${JSON.stringify(msg)}`;
  if (exp.regex !== undefined && !new RegExp(exp.regex).test(msg)) return `expected error matching ${exp.regex}, got ${JSON.stringify(msg)}`;
  return null;
}

function checkAnnotations(res: QueryResult, cmd: EvalCommand): string | null {
  for (const level of ['warn', 'info'] as const) {
    const got = level === 'warn' ? res.warnings : res.infos;
    const exps = cmd.expectations.filter((e) => e.type === level) as Extract<Expectation, { type: 'warn' | 'info' }>[];
    if (hasExp(cmd, level === 'warn' ? 'no_warn' : 'no_info') && got.length > 0) return `expected no ${level}, got ${JSON.stringify(got)}`;
    if (exps.length === 0) continue;
    if (got.length === 0) return `expected ${level} annotations, got none`;
    const matches = (e: (typeof exps)[number], a: string) =>
      e.message !== undefined ? e.message === a : e.regex !== undefined ? new RegExp(e.regex).test(a) : true;
    const specific = exps.filter((e) => e.message !== undefined || e.regex !== undefined);
    for (const e of specific) if (!got.some((a) => matches(e, a))) return `expected ${level} ${e.message ?? e.regex}, got ${JSON.stringify(got)}`;
    if (specific.length > 0) for (const a of got) if (!specific.some((e) => matches(e, a))) return `unexpected ${level} ${JSON.stringify(a)}`;
  }
  return null;
}

function toSeries(res: QueryResult): ResultSeries[] {
  if (res.resultType !== 'matrix') return [];
  return res.result.map((s) => ({
    labels: labelsFrom(s.metric),
    points: [
      ...(s.values ?? []).map(([t, v]): Point => ({ t: Math.round(t * 1000), f: parseValue(v) })),
      ...(s.histograms ?? []).map(([t, h]): Point => ({ t: Math.round(t * 1000), f: NaN, h: histogramOf(h) })),
    ].sort((a, b) => a.t - b.t),
  }));
}

function compareInstant(res: QueryResult, cmd: EvalCommand, want: Expected): string | null {
  const str = cmd.expectations.find((e) => e.type === 'string') as Extract<Expectation, { type: 'string' }> | undefined;
  if (str) {
    if (res.resultType !== 'string') return `expected a string, got ${res.resultType}`;
    const expected = str.value.replace(/^["'`]|["'`]$/g, '');
    return res.result[1] === expected ? null : `expected string ${JSON.stringify(expected)}, got ${JSON.stringify(res.result[1])}`;
  }
  const rv = cmd.expectations.find((e) => e.type === 'range vector') as Extract<Expectation, { type: 'range vector' }> | undefined;
  if (rv) {
    if (res.resultType !== 'matrix') return `expected a range vector, got ${res.resultType}`;
    return compareMatrix(toSeries(res), want.series, scriptTime(rv.start), parseDuration(rv.step));
  }
  if (want.scalar !== undefined) {
    if (res.resultType !== 'scalar') return `expected scalar ${want.scalar}, got ${res.resultType}`;
    const got = parseValue(res.result[1]);
    return almostEqual(want.scalar, got) ? null : `expected scalar ${want.scalar}, got ${got}`;
  }
  if (res.resultType === 'scalar') return `expected a vector, got scalar ${res.result[1]}`;
  if (res.resultType === 'matrix') return `expected an instant vector, got a range vector`;
  if (res.resultType !== 'vector') return `expected an instant vector, got ${res.resultType}`;
  for (const w of want.series) if (w.values.length !== 1) return `expected one value per series for an instant query (line ${w.line})`;
  const got = res.result.map((s) => (s.histogram
    ? { labels: labelsFrom(s.metric), f: NaN, h: histogramOf(s.histogram[1]) }
    : { labels: labelsFrom(s.metric), f: parseValue(s.value?.[1] ?? 'NaN') }));
  return compareVector(got, want.series, hasExp(cmd, 'ordered'));
}

/** The instant result as a range query from t-1m to t+1m must agree at its middle step. */
function rangeModeCheck(engine: Engine, expr: string, t: number, cmd: EvalCommand, want: Expected, instant: QueryResult): string | null {
  let res: QueryResult;
  try {
    res = engine.rangeQuerySync(expr, t - 60000, t + 60000, 60000);
  } catch (e) {
    return `range mode: ${(e as Error).message}`;
  }
  if (res.resultType !== 'matrix') return `range mode: got ${res.resultType}`;
  const series = toSeries(res);
  for (let i = 1; i < series.length; i++) {
    if (compareLabels(series[i - 1]!.labels, series[i]!.labels) >= 0) return 'range mode: result is not sorted by labels';
  }
  const middle = series.flatMap((s) => s.points.filter((p) => p.t === t).map((p) => ({ labels: s.labels, f: p.f, h: p.h })));
  if (instant.resultType === 'scalar') {
    const v = middle[0]?.f;
    const ok = v !== undefined && almostEqual(want.scalar ?? parseValue(instant.result[1]), v);
    return ok ? null : `range mode: expected scalar, got ${v}`;
  }
  const err = compareVector(middle, want.series, false);
  return err ? `range mode: ${err}` : null;
}

/** The expression with @ <t> on every selector and subquery that has none (not inside @ subqueries). */
function pinAt(expr: string, t: number): { text: string; unsafe: boolean } {
  const ast = parse(expr, { experimentalFunctions: true, extendedRangeSelectors: true, binopFillModifiers: true });
  let unsafe = false;
  const visit = (e: Expr) => {
    switch (e.type) {
      case 'VectorSelector':
        pin(e);
        return;
      case 'MatrixSelector':
        if (e.vectorSelector.type === 'VectorSelector') pin(e.vectorSelector);
        return;
      case 'SubqueryExpr':
        if (e.timestamp === null && e.startOrEnd === null) {
          pin(e);
        }
        // Selectors inside a pinned subquery keep their own times.
        return;
      case 'Call':
        if (AT_UNSAFE.has(e.func.name)) unsafe = true;
        e.args.forEach(visit);
        return;
      case 'AggregateExpr':
        if (e.param) visit(e.param);
        visit(e.expr);
        return;
      case 'BinaryExpr':
        visit(e.lhs);
        visit(e.rhs);
        return;
      case 'ParenExpr':
      case 'UnaryExpr':
        visit(e.expr);
        return;
      default:
        return;
    }
  };
  const pin = (n: VectorSelector | SubqueryExpr) => {
    if (n.timestamp === null && n.startOrEnd === null) n.timestamp = t;
  };
  visit(ast);
  return { text: print(ast), unsafe };
}

function runInstantCase(engine: Engine, expr: string, t: number, cmd: EvalCommand, want: Expected): string | null {
  let res: QueryResult;
  try {
    res = engine.instantQuerySync(expr, t);
  } catch (e) {
    if (hasExp(cmd, 'fail')) return checkFailure(e, cmd);
    return `error: ${(e as Error).message}`;
  }
  if (hasExp(cmd, 'fail')) return `expected an error, got none`;
  const annos = checkAnnotations(res, cmd);
  if (annos) return annos;
  const cmp = compareInstant(res, cmd, want);
  if (cmp) return cmp;
  if (hasExp(cmd, 'ordered') || hasExp(cmd, 'string') || hasExp(cmd, 'range vector')) return null;
  if (/\b(start|end|range|step)\s*\(/.test(expr)) return null;
  return rangeModeCheck(engine, expr, t, cmd, want, res);
}

function runInstant(engine: Engine, cmd: EvalCommand): string | null {
  if (cmd.query.type !== 'instant') return null;
  const rv = cmd.expectations.find((e) => e.type === 'range vector') as Extract<Expectation, { type: 'range vector' }> | undefined;
  const t = rv ? scriptTime(rv.end) : scriptTime(cmd.query.at);
  const want = expectedResults(cmd);
  const first = runInstantCase(engine, cmd.expr, t, cmd, want);
  if (first) return first;
  let pinned: { text: string; unsafe: boolean };
  try {
    pinned = pinAt(cmd.expr, t);
  } catch {
    return null;
  }
  if (pinned.unsafe) return null;
  const times = t === 0 ? [-1000, 0, 1000] : [-10 * t, 0, Math.trunc(t / 5), t, 10 * t];
  for (const et of times) {
    const err = runInstantCase(engine, pinned.text, et, cmd, want);
    if (err) return `with @ pinned (${pinned.text} at ${et}ms): ${err}`;
  }
  return null;
}

function runRange(engine: Engine, cmd: EvalCommand): string | null {
  if (cmd.query.type !== 'range') return null;
  const start = scriptTime(cmd.query.start), end = scriptTime(cmd.query.end), step = parseDuration(cmd.query.step);
  let res: QueryResult;
  try {
    res = engine.rangeQuerySync(cmd.expr, start, end, step);
  } catch (e) {
    if (hasExp(cmd, 'fail')) return checkFailure(e, cmd);
    return `error: ${(e as Error).message}`;
  }
  if (hasExp(cmd, 'fail')) return 'expected an error, got none';
  const annos = checkAnnotations(res, cmd);
  if (annos) return annos;
  const want = expectedResults(cmd);
  if (want.scalar !== undefined) return 'a range query cannot expect a scalar';
  return compareMatrix(toSeries(res), want.series, start, step);
}

/** Runs one script; every eval becomes an outcome. */
export async function runScript(text: string, file = '<script>'): Promise<ScriptOutcome> {
  const outcome: ScriptOutcome = { evals: [] };
  let commands: Command[];
  try {
    commands = parseScript(text, file);
  } catch (e) {
    return { evals: [], error: (e as Error).message };
  }
  let db = await openDB();
  let engine = newEngine(db);
  let broken: string | null = null;
  for (const cmd of commands) {
    if (cmd.kind === 'clear') {
      db = await openDB();
      engine = newEngine(db);
      broken = null;
      continue;
    }
    if (cmd.kind === 'load') {
      try {
        await load(db, cmd);
      } catch (e) {
        broken = `load at line ${cmd.line}: ${(e as Error).message}`;
        outcome.error ??= broken;
      }
      continue;
    }
    if (broken) {
      outcome.evals.push({ line: cmd.line, expr: cmd.expr, ok: false, reason: broken });
      continue;
    }
    let reason: string | null;
    try {
      reason = cmd.query.type === 'instant' ? runInstant(engine, cmd) : runRange(engine, cmd);
    } catch (e) {
      reason = `runner: ${(e as Error).message}`;
    }
    outcome.evals.push(reason ? { line: cmd.line, expr: cmd.expr, ok: false, reason } : { line: cmd.line, expr: cmd.expr, ok: true });
  }
  return outcome;
}

export type { SeriesValue, Labels };
