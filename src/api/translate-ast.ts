// /api/v1/parse_query: the syntax tree as Prometheus's web UI receives it
// (web/api/v1/translate_ast.go).

import type { Expr, LabelMatcher, VectorSelector } from '../promql/parser/ast.js';
import { formatFloat } from '../model/float.js';

const matchers = (ms: LabelMatcher[]) => ms.map((m) => ({ name: m.name, value: m.value, type: m.type }));

function selectorFields(vs: VectorSelector) {
  return {
    name: vs.name,
    offset: vs.offset,
    matchers: matchers(vs.matchers),
    timestamp: vs.timestamp,
    startOrEnd: vs.startOrEnd,
    anchored: vs.anchored,
    smoothed: vs.smoothed,
  };
}

export function translateAST(e: Expr | null): unknown {
  if (e === null) return null;
  switch (e.type) {
    case 'AggregateExpr':
      return { type: 'aggregation', op: e.op, expr: translateAST(e.expr), param: translateAST(e.param), grouping: e.grouping, without: e.without };
    case 'BinaryExpr':
      return {
        type: 'binaryExpr', op: e.op, lhs: translateAST(e.lhs), rhs: translateAST(e.rhs),
        matching: e.matching && {
          card: e.matching.card, labels: e.matching.matchingLabels, on: e.matching.on, include: e.matching.include,
          fillValues: { lhs: e.matching.fillLHS, rhs: e.matching.fillRHS },
        },
        bool: e.returnBool,
      };
    case 'Call':
      return {
        type: 'call',
        func: { name: e.func.name, argTypes: e.func.argTypes, variadic: e.func.variadic, returnType: e.func.returnType },
        args: e.args.map(translateAST),
      };
    case 'MatrixSelector': {
      const vs = e.vectorSelector as VectorSelector;
      const { name, offset, matchers: ms, timestamp, startOrEnd, anchored, smoothed } = selectorFields(vs);
      return { type: 'matrixSelector', name, range: e.range, offset, matchers: ms, timestamp, startOrEnd, anchored, smoothed };
    }
    case 'SubqueryExpr':
      return {
        type: 'subquery', expr: translateAST(e.expr), range: e.range, offset: e.offset, step: e.step,
        timestamp: e.timestamp, startOrEnd: e.startOrEnd, alignEvalTime: false,
      };
    case 'NumberLiteral':
      return { type: 'numberLiteral', val: formatFloat(e.val) };
    case 'StringLiteral':
      return { type: 'stringLiteral', val: e.val };
    case 'ParenExpr':
      return { type: 'parenExpr', expr: translateAST(e.expr) };
    case 'UnaryExpr':
      return { type: 'unaryExpr', op: e.op, expr: translateAST(e.expr) };
    case 'VectorSelector':
      return { type: 'vectorSelector', ...selectorFields(e) };
    case 'DurationExpr':
      return { type: 'durationExpr', op: e.op, lhs: translateAST(e.lhs), rhs: translateAST(e.rhs) };
  }
}
