// An "explain" of a query, as PromLens's tree view shows one: the expression
// tree, each node evaluated on its own, with its result's series and sample
// counts and the time it took (which includes its children, since each node
// is evaluated as a query of its own).

import { parse } from './parser/index.js';
import { print } from './parser/printer.js';
import { type Expr, typeOf, type ValueType } from './parser/ast.js';
import type { PositionRange } from './parser/posrange.js';
import type { Engine, QueryResult } from './engine/engine.js';

export type ExplainRange = { time: number } | { start: number; end: number; step: number };

export interface ExplainNode {
  /** The node's expression in canonical form. */
  expr: string;
  /** What kind of node it is: "sum", "rate()", "+", "selector", ... */
  label: string;
  type: ValueType;
  posRange: PositionRange;
  /** Series in the node's result (1 for a scalar or string). */
  series: number;
  /** Points in the node's result. */
  samples: number;
  /** Samples the node's evaluation read from storage. */
  samplesRead: number;
  ms: number;
  error?: string;
  children: ExplainNode[];
}

function children(e: Expr): Expr[] {
  switch (e.type) {
    case 'AggregateExpr': return e.param ? [e.param, e.expr] : [e.expr];
    case 'BinaryExpr': return [e.lhs, e.rhs];
    case 'Call': return e.args;
    case 'SubqueryExpr': case 'ParenExpr': case 'UnaryExpr': return [e.expr];
    default: return [];
  }
}

function labelOf(e: Expr): string {
  switch (e.type) {
    case 'AggregateExpr': return e.op;
    case 'BinaryExpr': return e.op;
    case 'Call': return `${e.func.name}()`;
    case 'SubqueryExpr': return 'subquery';
    case 'ParenExpr': return '( )';
    case 'UnaryExpr': return `unary ${e.op}`;
    case 'VectorSelector': return 'selector';
    case 'MatrixSelector': return 'range selector';
    case 'NumberLiteral': return 'number';
    case 'StringLiteral': return 'string';
    case 'DurationExpr': return 'duration';
  }
}

function counts(r: QueryResult): { series: number; samples: number } {
  switch (r.resultType) {
    case 'vector': return { series: r.result.length, samples: r.result.length };
    case 'matrix': return { series: r.result.length, samples: r.result.reduce((n, s) => n + (s.values?.length ?? 0) + (s.histograms?.length ?? 0), 0) };
    default: return { series: 1, samples: 1 };
  }
}

/** Evaluates every node of `query` over `range`; throws ParseError for invalid text. */
export function explain(engine: Engine, query: string, range: ExplainRange): ExplainNode {
  const visit = (e: Expr): ExplainNode => {
    const expr = print(e);
    const type = typeOf(e);
    const node: ExplainNode = {
      expr, label: labelOf(e), type, posRange: e.posRange, series: 0, samples: 0, samplesRead: 0, ms: 0,
      children: children(e).map(visit),
    };
    const t0 = performance.now();
    try {
      // Range vectors and strings cannot be range queries: they are shown at the range's end.
      const r = 'time' in range || type === 'matrix' || type === 'string'
        ? engine.instantQuerySync(expr, 'time' in range ? range.time : range.end)
        : engine.rangeQuerySync(expr, range.start, range.end, range.step);
      Object.assign(node, counts(r), { samplesRead: r.stats.samples.totalQueryableSamples });
    } catch (err) {
      node.error = (err as Error).message;
    }
    node.ms = performance.now() - t0;
    return node;
  };
  return visit(parse(query));
}
