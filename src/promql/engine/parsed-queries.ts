// Parsed queries, remembered by their text and parser options: dashboards
// and rules send the same few query strings over and over, and parsing
// (lexing, Chevrotain's recognizer, the checks) is part of every query's
// fixed cost. An AST can be shared between queries because evaluation keeps
// its per-query state outside it (preprocess.ts's Prepared, the evaluator's
// maps keyed by node); the one rewrite prepare() makes in place, unwrapping
// parentheses, gives the same tree when repeated. Errors are not kept: a bad
// query is parsed again, and reports again.

import { parse, ParseError } from '../parser/index.js';
import { QueryError } from './errors.js';
import type { ParseOptions } from '../parser/parser.js';
import type { Expr } from '../parser/ast.js';

/** How many parsed queries are kept (least recently used dropped first). */
const MAX_ENTRIES = 256;
/** Longer queries are parsed each time: a few long generated queries should not fill memory. */
const MAX_QUERY_LENGTH = 4096;

const parsed = new Map<string, Expr>();

// Every option is in the key, so an option added later cannot make two parses share a tree.
const optionsKey = (o: ParseOptions): string => JSON.stringify(o);

/** parse(query, options), from the remembered tree when this text was parsed with these options before. */
export function parseRemembered(query: string, options: ParseOptions): Expr {
  if (query.length > MAX_QUERY_LENGTH) return parse(query, options);
  const key = `${optionsKey(options)}\n${query}`;
  const hit = parsed.get(key);
  if (hit) {
    // Most recently used last: Map keeps insertion order.
    parsed.delete(key);
    parsed.set(key, hit);
    return hit;
  }
  const expr = parse(query, options);
  parsed.set(key, expr);
  if (parsed.size > MAX_ENTRIES) parsed.delete(parsed.keys().next().value!);
  return expr;
}

/** parseRemembered, a parse error given as the API's bad_data query error. */
export function parseQuery(query: string, options: ParseOptions): Expr {
  try {
    return parseRemembered(query, options);
  } catch (e) {
    if (e instanceof ParseError) throw new QueryError(e.message, 'bad_data');
    throw e;
  }
}
