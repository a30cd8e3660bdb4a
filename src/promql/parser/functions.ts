// The function table of Prometheus 3.14 (promql/parser/functions.go):
// argument types, variadic arity and return type. The engine keeps its
// implementations in a table with the same keys.

import type { ValueType } from './ast.js';

export interface FunctionDef {
  name: string;
  argTypes: ValueType[];
  /**
   * 0: exactly argTypes.length arguments. n > 0: between argTypes.length - 1
   * and argTypes.length - 1 + n. -1: at least argTypes.length - 1, unbounded;
   * extra arguments take the last argument type.
   */
  variadic: number;
  returnType: ValueType;
  /** Needs the promql-experimental-functions feature. */
  experimental: boolean;
}

const v: ValueType = 'vector';
const m: ValueType = 'matrix';
const s: ValueType = 'scalar';
const str: ValueType = 'string';

function fn(name: string, argTypes: ValueType[], returnType: ValueType, variadic = 0, experimental = false): FunctionDef {
  return { name, argTypes, variadic, returnType, experimental };
}

const DEFS: FunctionDef[] = [
  ...['abs', 'ceil', 'floor', 'exp', 'sqrt', 'ln', 'log2', 'log10', 'sgn', 'deg', 'rad',
    'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'cos', 'cosh', 'sin', 'sinh', 'tan', 'tanh',
    'histogram_count', 'histogram_sum', 'histogram_avg', 'histogram_stddev', 'histogram_stdvar',
    'sort', 'sort_desc', 'absent'].map((n) => fn(n, [v], v)),
  fn('timestamp', [v], v),
  fn('pi', [], s),
  fn('time', [], s),
  fn('round', [v, s], v, 1),
  fn('clamp', [v, s, s], v),
  fn('clamp_max', [v, s], v),
  fn('clamp_min', [v, s], v),
  fn('scalar', [v], s),
  fn('vector', [s], v),
  ...['day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'hour', 'minute', 'month', 'year'].map((n) => fn(n, [v], v, 1)),
  ...['absent_over_time', 'present_over_time', 'changes', 'resets', 'delta', 'idelta', 'increase', 'rate', 'irate', 'deriv',
    'avg_over_time', 'min_over_time', 'max_over_time', 'sum_over_time', 'count_over_time', 'stddev_over_time',
    'stdvar_over_time', 'last_over_time', 'first_over_time'].map((n) => fn(n, [m], v)),
  fn('predict_linear', [m, s], v),
  fn('quantile_over_time', [s, m], v),
  ...['mad_over_time', 'ts_of_min_over_time', 'ts_of_max_over_time', 'ts_of_last_over_time', 'ts_of_first_over_time'].map((n) => fn(n, [m], v, 0, true)),
  fn('double_exponential_smoothing', [m, s, s], v, 0, true),
  fn('histogram_quantile', [s, v], v),
  fn('histogram_fraction', [s, s, v], v),
  fn('histogram_quantiles', [v, str, s, s], v, 9, true),
  fn('label_replace', [v, str, str, str, str], v),
  fn('label_join', [v, str, str, str], v, -1),
  fn('sort_by_label', [v, str], v, -1, true),
  fn('sort_by_label_desc', [v, str], v, -1, true),
  fn('info', [v, v], v, 1, true),
  fn('start', [], s, 0, true),
  fn('end', [], s, 0, true),
  fn('range', [], s, 0, true),
  fn('step', [], s, 0, true),
  fn('min_of', [s, s], s, 0, true),
  fn('max_of', [s, s], s, 0, true),
  fn('start_timestamp', [v], v, 0, true),
];

/** Every function, by name (case-sensitive, as in Prometheus). */
export const FUNCTIONS: ReadonlyMap<string, FunctionDef> = new Map(DEFS.map((d) => [d.name, d]));

export function getFunction(name: string): FunctionDef | undefined {
  return FUNCTIONS.get(name);
}
