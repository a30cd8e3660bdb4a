// A benchmark harness's side of promlet: measurements recorded per run and
// variant (say a canary and a baseline), judged with PromQL, failing with a
// report a person can read.
//
// Every measurement of a run is a sample of one series; repeated
// measurements (latencies) are laid out 1 ms apart inside the run's window,
// so `quantile_over_time(0.99, latency_seconds{variant="canary"}[1d])`
// evaluated at the harness's time sees all of them. Checks pass when their
// expression returns something, as an alert fires when its expression does.

import { openDB, type DB } from '../storage/db.js';
import { formatLabels, labelsFrom } from '../model/labels.js';
import { createEngine, type Engine, type QueryResult } from '../promql/engine/engine.js';
import { parse } from '../promql/parser/index.js';
import { print } from '../promql/parser/printer.js';
import type { Expr } from '../promql/parser/ast.js';

export interface Check {
  name: string;
  /** PromQL; the check passes when it returns at least one series (or a non-zero scalar). */
  expr: string;
}

export interface CheckResult {
  name: string;
  expr: string;
  pass: boolean;
  /** The series the expression returned, or an error. */
  detail: string[];
}

export interface Verdict {
  pass: boolean;
  checks: CheckResult[];
  /** One line per check (✓ / ✗), with the values behind a failure. */
  report(): string;
}

export interface HarnessOptions {
  /** Database to record into (e.g. openDiskDB's, to keep results across runs); default a new one in memory. */
  db?: DB;
  /** Time the runs are laid out before and checks are evaluated at (ms; default now). */
  time?: number;
}

const COMPARISONS = new Set(['==', '!=', '>', '<', '>=', '<=']);
const WINDOW = 86_400_000;

export class Harness {
  readonly time: number;
  private next: number;
  private readonly engine: Engine;

  private constructor(readonly db: DB, time: number) {
    this.time = time;
    this.next = time - WINDOW + 1;
    this.engine = createEngine(db);
  }

  static async open(opts: HarnessOptions = {}): Promise<Harness> {
    return new Harness(opts.db ?? await openDB(), opts.time ?? Date.now());
  }

  /**
   * Records measurements of `metric` for one run: a number is one sample at
   * the harness's time; an array is laid out 1 ms apart within the last day.
   */
  async record(metric: string, labels: Record<string, string>, values: number | readonly number[]): Promise<void> {
    const series = labelsFrom({ ...labels, __name__: metric });
    const app = this.db.appender();
    if (typeof values === 'number') {
      app.append(series, this.time, values);
    } else {
      if (this.next + values.length > this.time) throw new Error(`more than ${WINDOW} measurements in one harness`);
      let ref: number | undefined;
      for (const v of values) ref = app.append(ref ?? series, this.next++, v);
    }
    await app.commit();
  }

  query(expr: string): QueryResult {
    return this.engine.instantQuerySync(expr, this.time);
  }

  /** Evaluates every check; see Verdict.report() for the readable form. */
  judge(checks: readonly Check[]): Verdict {
    const results = checks.map((c) => this.check(c));
    return {
      pass: results.every((r) => r.pass),
      checks: results,
      report: () => results.map((r) => [`${r.pass ? '✓' : '✗'} ${r.name}`, ...(r.pass ? [] : [`    ${r.expr}`, ...r.detail.map((d) => `    ${d}`)])].join('\n')).join('\n'),
    };
  }

  private check(c: Check): CheckResult {
    let ast: Expr;
    try {
      ast = parse(c.expr);
    } catch (e) {
      return { name: c.name, expr: c.expr, pass: false, detail: [(e as Error).message] };
    }
    try {
      const r = this.query(c.expr);
      const pass = r.resultType === 'vector' ? r.result.length > 0 : r.resultType === 'scalar' ? Number(r.result[1]) !== 0 : false;
      return { name: c.name, expr: c.expr, pass, detail: pass ? describe(r) : this.whyNot(ast) };
    } catch (e) {
      return { name: c.name, expr: c.expr, pass: false, detail: [(e as Error).message] };
    }
  }

  /** For a failed comparison, both sides' values; otherwise that nothing came back. */
  private whyNot(ast: Expr): string[] {
    let e = ast;
    while (e.type === 'ParenExpr') e = e.expr;
    if (e.type !== 'BinaryExpr' || !COMPARISONS.has(e.op)) return ['returned nothing'];
    const side = (name: string, x: Expr) => describe(this.query(print(x))).map((d) => `${name} ${d}`);
    return [`${e.op} holds for no series:`, ...side('left ', e.lhs), ...side('right', e.rhs)];
  }
}

function describe(r: QueryResult): string[] {
  switch (r.resultType) {
    case 'vector':
      return r.result.length === 0 ? ['(no series)'] : r.result.map((s) => `${formatLabels(labelsFrom(s.metric))} ${s.value?.[1] ?? s.histogram?.[1].count + ' (histogram count)'}`);
    case 'scalar':
      return [`scalar ${r.result[1]}`];
    default:
      return [`a ${r.resultType}`];
  }
}

/** A harness recording into `db` (or a new in-memory database). */
export const createHarness = (opts?: HarnessOptions) => Harness.open(opts);
