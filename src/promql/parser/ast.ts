// The PromQL syntax tree, shaped after Prometheus's promql/parser/ast.go.
// Durations and offsets are in milliseconds; every node has its position
// range in the query (JavaScript string offsets).

import type { PositionRange } from './posrange.js';
import type { FunctionDef } from './functions.js';

export type ValueType = 'none' | 'scalar' | 'vector' | 'matrix' | 'string';

/** How Prometheus's documentation names a value type (DocumentedType). */
export function documentedType(t: ValueType): string {
  switch (t) {
    case 'vector': return 'instant vector';
    case 'matrix': return 'range vector';
    default: return t;
  }
}

export type MatchType = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  type: MatchType;
  name: string;
  value: string;
}

export type BinaryOp =
  | '+' | '-' | '*' | '/' | '%' | '^' | 'atan2'
  | '==' | '!=' | '>' | '<' | '>=' | '<=' | '</' | '>/'
  | 'and' | 'or' | 'unless';

export type AggregateOp =
  | 'sum' | 'avg' | 'count' | 'min' | 'max' | 'group' | 'stddev' | 'stdvar'
  | 'topk' | 'bottomk' | 'count_values' | 'quantile' | 'limitk' | 'limit_ratio';

export type Cardinality = 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';

export interface VectorMatching {
  card: Cardinality;
  /** Labels of on(...) or ignoring(...). */
  matchingLabels: string[];
  on: boolean;
  /** Labels of group_left(...) / group_right(...). */
  include: string[];
  /** fill / fill_left / fill_right values (null: not set). */
  fillLHS: number | null;
  fillRHS: number | null;
}

export interface AggregateExpr {
  type: 'AggregateExpr';
  op: AggregateOp;
  expr: Expr;
  param: Expr | null;
  grouping: string[];
  without: boolean;
  posRange: PositionRange;
}

export interface BinaryExpr {
  type: 'BinaryExpr';
  op: BinaryOp;
  lhs: Expr;
  rhs: Expr;
  /** Null unless both sides are instant vectors (set by the type check). */
  matching: VectorMatching | null;
  returnBool: boolean;
  posRange: PositionRange;
}

export interface Call {
  type: 'Call';
  func: FunctionDef;
  args: Expr[];
  posRange: PositionRange;
}

/** Arithmetic on durations inside [...] and after offset (Prometheus's DurationExpr). */
export interface DurationExpr {
  type: 'DurationExpr';
  op: '+' | '-' | '*' | '/' | '%' | '^' | 'step' | 'range' | 'min_of' | 'max_of';
  /** Null for unary operators and step()/range(). */
  lhs: Expr | null;
  rhs: Expr | null;
  /** Written in parentheses. */
  wrapped: boolean;
  posRange: PositionRange;
}

export interface AtModifier {
  /** @ <time> in milliseconds, or null. */
  timestamp: number | null;
  /** @ start() / @ end(). */
  startOrEnd: 'start' | 'end' | null;
}

export interface VectorSelector extends AtModifier {
  type: 'VectorSelector';
  /** Metric name written outside braces ('' when none). */
  name: string;
  /** All matchers; a name outside braces is the last one (__name__="name"). */
  matchers: LabelMatcher[];
  /** offset in milliseconds (negative allowed). */
  offset: number;
  offsetExpr: DurationExpr | null;
  anchored: boolean;
  smoothed: boolean;
  /** Set for info()'s second argument, which may match only empty-matching labels. */
  bypassEmptyMatcherCheck: boolean;
  posRange: PositionRange;
}

export interface MatrixSelector {
  type: 'MatrixSelector';
  vectorSelector: Expr;
  /** Range in milliseconds (0 while rangeExpr is set). */
  range: number;
  rangeExpr: DurationExpr | null;
  posRange: PositionRange;
}

export interface SubqueryExpr extends AtModifier {
  type: 'SubqueryExpr';
  expr: Expr;
  range: number;
  rangeExpr: DurationExpr | null;
  /** Step in milliseconds; 0 means the default (the evaluation interval). */
  step: number;
  stepExpr: DurationExpr | null;
  offset: number;
  offsetExpr: DurationExpr | null;
  posRange: PositionRange;
}

export interface NumberLiteral {
  type: 'NumberLiteral';
  val: number;
  /** Written as a duration (5m): printed as one again. */
  duration: boolean;
  posRange: PositionRange;
}

export interface StringLiteral {
  type: 'StringLiteral';
  val: string;
  posRange: PositionRange;
}

export interface ParenExpr {
  type: 'ParenExpr';
  expr: Expr;
  posRange: PositionRange;
}

export interface UnaryExpr {
  type: 'UnaryExpr';
  op: '+' | '-';
  expr: Expr;
  posRange: PositionRange;
}

export type Expr =
  | AggregateExpr | BinaryExpr | Call | DurationExpr | MatrixSelector | SubqueryExpr
  | NumberLiteral | StringLiteral | ParenExpr | UnaryExpr | VectorSelector;

/** The type an expression evaluates to (Prometheus's Expr.Type()). */
export function typeOf(e: Expr): ValueType {
  switch (e.type) {
    case 'AggregateExpr': return 'vector';
    case 'Call': return e.func.returnType;
    case 'MatrixSelector': case 'SubqueryExpr': return 'matrix';
    case 'NumberLiteral': case 'DurationExpr': return 'scalar';
    case 'StringLiteral': return 'string';
    case 'ParenExpr': case 'UnaryExpr': return typeOf(e.expr);
    case 'VectorSelector': return 'vector';
    case 'BinaryExpr': return typeOf(e.lhs) === 'scalar' && typeOf(e.rhs) === 'scalar' ? 'scalar' : 'vector';
  }
}

/** The direct children of a node, in source order. */
export function children(e: Expr): Expr[] {
  switch (e.type) {
    case 'AggregateExpr': return e.param ? [e.param, e.expr] : [e.expr];
    case 'BinaryExpr': return [e.lhs, e.rhs];
    case 'Call': return e.args;
    case 'DurationExpr': return [e.lhs, e.rhs].filter((x): x is Expr => x !== null);
    case 'MatrixSelector': return [e.vectorSelector];
    case 'SubqueryExpr': case 'ParenExpr': case 'UnaryExpr': return [e.expr];
    default: return [];
  }
}
