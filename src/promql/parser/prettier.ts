// The multi-line form /api/v1/format_query returns: Prometheus's prettier
// (promql/parser/prettier.go). A node whose one-line form is longer than 100
// characters is split: operands and arguments go on their own, deeper-indented
// lines.

import type { Expr } from './ast.js';
import { aggregatePrefix, binaryOperator, print, subquerySuffix } from './printer.js';

const MAX_LINE = 100;
const indent = (n: number) => '  '.repeat(n);
const needsSplit = (e: Expr) => print(e).length > MAX_LINE;

export function prettyPrint(e: Expr, level = 0): string {
  switch (e.type) {
    case 'AggregateExpr': {
      if (!needsSplit(e)) return indent(level) + print(e);
      const param = e.param ? `${prettyPrint(e.param, level + 1)},\n` : '';
      return `${indent(level)}${aggregatePrefix(e)}(\n${param}${prettyPrint(e.expr, level + 1)}\n${indent(level)})`;
    }
    case 'BinaryExpr':
      if (!needsSplit(e)) return indent(level) + print(e);
      return `${prettyPrint(e.lhs, level + 1)}\n${indent(level)}${binaryOperator(e)}\n${prettyPrint(e.rhs, level + 1)}`;
    case 'Call':
      if (!needsSplit(e)) return indent(level) + print(e);
      return `${indent(level)}${e.func.name}(\n${e.args.map((a) => prettyPrint(a, level + 1)).join(',\n')}\n${indent(level)})`;
    case 'ParenExpr':
      if (!needsSplit(e)) return indent(level) + print(e);
      return `${indent(level)}(\n${prettyPrint(e.expr, level + 1)}\n${indent(level)})`;
    case 'SubqueryExpr':
      // As upstream: an unsplit subquery is not indented.
      if (!needsSplit(e)) return print(e);
      return prettyPrint(e.expr, level) + subquerySuffix(e);
    case 'UnaryExpr':
      return `${indent(level)}${e.op}${prettyPrint(e.expr, level).trim()}`;
    default:
      return indent(level) + print(e);
  }
}
