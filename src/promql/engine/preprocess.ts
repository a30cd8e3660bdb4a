// Query preparation (Prometheus engine.go PreprocessExpr and durations.go):
// resolves @ start()/end(), evaluates duration expressions into
// milliseconds, and finds the step-invariant sub-expressions, which are
// evaluated once and repeated at every step.

import type { Call, DurationExpr, Expr, SubqueryExpr, VectorSelector } from '../parser/ast.js';
import { QueryError } from './errors.js';

/** Functions whose value depends on the evaluation time even when their inputs do not. */
const AT_MODIFIER_UNSAFE = new Set([
  'days_in_month', 'day_of_month', 'day_of_week', 'day_of_year', 'hour', 'minute', 'month', 'year',
  'predict_linear', 'time', 'timestamp',
]);

export interface QueryWindow {
  start: number;
  end: number;
  /** 0 for instant queries. */
  step: number;
}

/** Selector/subquery times resolved for one query (the AST itself is not modified). */
export interface Prepared {
  expr: Expr;
  /** Nodes evaluated once at the start and repeated across steps. */
  invariant: Set<Expr>;
  /** Resolved @ timestamps (ms) of selectors and subqueries. */
  at: Map<VectorSelector | SubqueryExpr, number>;
  /** Offsets (ms) of selectors and subqueries, durations expressions evaluated. */
  offset: Map<VectorSelector | SubqueryExpr, number>;
  /** Ranges (ms) of matrix selectors and subqueries, and steps of subqueries. */
  range: Map<Expr, number>;
  step: Map<SubqueryExpr, number>;
}

export function prepare(expr: Expr, w: QueryWindow): Prepared {
  const p: Prepared = { expr: unwrapParens(expr), invariant: new Set(), at: new Map(), offset: new Map(), range: new Map(), step: new Map() };
  resolveDurations(p.expr, w, p);
  const [, wrap] = markInvariant(p.expr, w, p);
  if (wrap) p.invariant.add(p.expr);
  return p;
}

export function unwrapParens(e: Expr): Expr {
  while (e.type === 'ParenExpr') e = e.expr;
  return e;
}

function resolveDurations(e: Expr, w: QueryWindow, p: Prepared): void {
  switch (e.type) {
    case 'VectorSelector':
      p.offset.set(e, e.offsetExpr ? durationMs(e.offsetExpr, w, true) : e.offset);
      break;
    case 'MatrixSelector':
      p.range.set(e, e.rangeExpr ? durationMs(e.rangeExpr, w, false) : e.range);
      break;
    case 'SubqueryExpr':
      p.offset.set(e, e.offsetExpr ? durationMs(e.offsetExpr, w, true) : e.offset);
      p.range.set(e, e.rangeExpr ? durationMs(e.rangeExpr, w, false) : e.range);
      p.step.set(e, e.stepExpr ? durationMs(e.stepExpr, w, false) : e.step);
      break;
    case 'DurationExpr':
      return;
  }
  switch (e.type) {
    case 'AggregateExpr':
      if (e.param) resolveDurations(e.param, w, p);
      resolveDurations(e.expr, w, p);
      break;
    case 'BinaryExpr':
      resolveDurations(e.lhs, w, p);
      resolveDurations(e.rhs, w, p);
      break;
    case 'Call':
      e.args.forEach((a) => resolveDurations(a, w, p));
      break;
    case 'MatrixSelector':
      resolveDurations(e.vectorSelector, w, p);
      break;
    case 'SubqueryExpr':
    case 'ParenExpr':
    case 'UnaryExpr':
      resolveDurations(e.expr, w, p);
      break;
  }
}

function durationMs(e: DurationExpr, w: QueryWindow, allowNegative: boolean): number {
  const seconds = durationSeconds(e, w);
  if (seconds <= 0 && !allowNegative) throw new QueryError('duration must be greater than 0', 'bad_data');
  if (!(Math.abs(seconds) < 9223372036.854775)) throw new QueryError('duration is out of range', 'bad_data');
  return Math.trunc(seconds * 1000);
}

function durationSeconds(e: Expr, w: QueryWindow): number {
  switch (e.type) {
    case 'NumberLiteral':
      return e.val;
    case 'ParenExpr':
      return durationSeconds(e.expr, w);
    case 'DurationExpr': {
      switch (e.op) {
        case 'step': return w.step / 1000;
        case 'range': return (w.end - w.start) / 1000;
        default: break;
      }
      const lhs = e.lhs ? durationSeconds(e.lhs, w) : 0;
      const rhs = durationSeconds(e.rhs!, w);
      switch (e.op) {
        case '+': return lhs + rhs;
        case '-': return e.lhs ? lhs - rhs : -rhs;
        case '*': return lhs * rhs;
        case '/':
          if (rhs === 0) throw new QueryError('division by zero', 'bad_data');
          return lhs / rhs;
        case '%':
          if (rhs === 0) throw new QueryError('modulo by zero', 'bad_data');
          return lhs % rhs;
        case '^': return Math.pow(lhs, rhs);
        case 'min_of': return Math.min(lhs, rhs);
        case 'max_of': return Math.max(lhs, rhs);
      }
      break;
    }
    default:
      break;
  }
  throw new QueryError(`unexpected duration expression type ${e.type}`, 'bad_data');
}

function resolveAt(n: VectorSelector | SubqueryExpr, w: QueryWindow, p: Prepared): boolean {
  if (n.startOrEnd === 'start') p.at.set(n, w.start);
  else if (n.startOrEnd === 'end') p.at.set(n, w.end);
  else if (n.timestamp !== null) p.at.set(n, n.timestamp);
  return p.at.has(n);
}

/** preprocessExprHelper: returns [isStepInvariant, shouldWrap]; marks the highest invariant nodes. */
function markInvariant(e: Expr, w: QueryWindow, p: Prepared): [boolean, boolean] {
  switch (e.type) {
    case 'VectorSelector': {
      const has = resolveAt(e, w, p);
      return [has, has];
    }
    case 'AggregateExpr':
      if (e.param) markInvariant(e.param, w, p);
      e.expr = unwrapParens(e.expr);
      return markInvariant(e.expr, w, p);
    case 'BinaryExpr': {
      const [invL, wrapL] = markInvariant(e.lhs, w, p);
      const [invR, wrapR] = markInvariant(e.rhs, w, p);
      if (invL && invR) return [true, true];
      if (wrapL) p.invariant.add(e.lhs);
      if (wrapR) p.invariant.add(e.rhs);
      return [false, false];
    }
    case 'Call':
      return markCall(e, w, p);
    case 'MatrixSelector':
      return [markInvariant(e.vectorSelector, w, p)[0], false];
    case 'SubqueryExpr': {
      const [inv] = markInvariant(e.expr, w, p);
      if (inv) p.invariant.add(e.expr);
      const has = resolveAt(e, w, p);
      return [has, has];
    }
    case 'ParenExpr':
    case 'UnaryExpr':
      return markInvariant(e.expr, w, p);
    case 'StringLiteral':
    case 'NumberLiteral':
    case 'DurationExpr':
      return [true, false];
  }
}

function markCall(e: Call, w: QueryWindow, p: Prepared): [boolean, boolean] {
  let invariant = !AT_MODIFIER_UNSAFE.has(e.func.name);
  const wrap: boolean[] = [];
  e.args = e.args.map(unwrapParens);
  for (const a of e.args) {
    const [inv, wr] = markInvariant(a, w, p);
    invariant &&= inv;
    // A range argument is read per step by the function itself; never wrap it.
    wrap.push(wr && a.type !== 'SubqueryExpr' && a.type !== 'MatrixSelector');
  }
  if (invariant) return [true, true];
  e.args.forEach((a, i) => { if (wrap[i]) p.invariant.add(a); });
  return [false, false];
}
