// The PromQL language: parse, print, format.

import { parse, ParseError, type ParseOptions } from './parser/index.js';
import { print } from './parser/printer.js';
import { prettyPrint } from './parser/prettier.js';
import type { Expr } from './parser/ast.js';

export { parse, ParseError, print, prettyPrint };
export type { ParseOptions };
export { sameAST } from './parser/compare.js';
export type * from './parser/ast.js';
// The type an expression evaluates to: the server decides from it whether a range query's steps can be shared out.
export { typeOf } from './parser/ast.js';
export { FUNCTIONS, getFunction } from './parser/functions.js';
export type { FunctionDef } from './parser/functions.js';

/**
 * The canonical one-line form of an expression (Prometheus's String()), or
 * with { pretty: true } the multi-line form of /api/v1/format_query.
 * Throws ParseError for invalid text.
 */
export function format(textOrAst: string | Expr, opts: { pretty?: boolean } & ParseOptions = {}): string {
  const expr = typeof textOrAst === 'string' ? parse(textOrAst, opts) : textOrAst;
  return opts.pretty ? prettyPrint(expr) : print(expr);
}

// The query engine.
export { createEngine, toMillis } from './engine/engine.js';
export type {
  Engine, EngineOptions, Feature, QueryOptions, QueryResult, QueryData, QueryStats, Time, SamplePair, VectorElement, MatrixElement,
  QueryResultText, TextQueries,
} from './engine/engine.js';
export { QueryError, QueryTimeoutError, QueryCanceledError, TooManySamplesError, QueryMemoryError } from './engine/errors.js';

// Explain: every node of a query evaluated on its own.
export { explain } from './explain.js';
export type { ExplainNode, ExplainRange } from './explain.js';
