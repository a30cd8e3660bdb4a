// parse(): text -> typed, checked AST, or a ParseError. Nothing else is
// thrown for bad input.

import type { IToken } from 'chevrotain';
import { lex } from './lexer.js';
import { endOf } from './parser.js';
import { PromQLParser, type ParseOptions } from './parser.js';
import { ErrorList, ParseError } from './errors.js';
import { checkAST } from './check.js';
import type { Expr } from './ast.js';
import * as T from './tokens.js';
import { compileRegex } from '../../model/regex.js';

export type { ParseOptions } from './parser.js';

let instance: PromQLParser | null = null;
function parserInstance(): PromQLParser {
  // One instance: building a Chevrotain parser analyses the whole grammar.
  instance ??= new PromQLParser();
  return instance;
}

const CONTEXTS: [string, string][] = [
  ['labelMatcher', 'label matching'],
  ['labelMatchers', 'label matching'],
  ['groupingLabels', 'grouping opts'],
  ['groupingLabel', 'grouping opts'],
  ['aggregation', 'aggregation'],
  ['rangeSuffix', 'subquery or range'],
  ['durationExpr', 'duration expression'],
  ['offsetSuffix', 'offset'],
  ['atSuffix', '@'],
  ['fillValue', 'fill modifier'],
];

function describe(tok: IToken): string {
  if (tok.tokenType.name === 'EOF' || Number.isNaN(tok.startOffset)) return 'end of input';
  return T.describeToken(tok.tokenType, tok.image);
}

/** Turns Chevrotain's first syntax error into Prometheus's wording. */
function syntaxError(err: { name: string; token: IToken; context: { ruleStack: string[] } }, input: string): { start: number; end: number; message: string } {
  const tok = err.token;
  const atEnd = tok.tokenType.name === 'EOF' || Number.isNaN(tok.startOffset);
  const start = atEnd ? input.length : tok.startOffset;
  const end = atEnd ? input.length : endOf(tok);
  if (err.name === 'NotAllInputParsedException') return { start, end, message: `unexpected ${describe(tok)}` };
  const stack = err.context?.ruleStack ?? [];
  const rule = stack[stack.length - 1] ?? '';
  const context = CONTEXTS.find(([r]) => r === rule)?.[1];
  let expected = '';
  if (rule === 'labelMatcher') {
    expected = T.describeToken(tok.tokenType, tok.image).startsWith('string') ? 'label matching operator' : 'string';
    if (tok.tokenType === T.Comma || tok.tokenType === T.RBrace) expected = 'label matching operator';
    if (stack.length >= 2 && /MatchOp|Eql|Neq/.test(err.name)) expected = 'string';
  } else if (rule === 'labelMatchers') expected = 'identifier or "}"';
  else if (rule === 'groupingLabels' || rule === 'groupingLabel') expected = tok.tokenType === T.MetricIdentifier ? 'label' : '"," or ")"';
  else if (rule === 'offsetSuffix') expected = 'duration';
  else if (rule === 'atSuffix') expected = 'timestamp';
  let message = `unexpected ${describe(tok)}`;
  if (atEnd && !context) message = 'unexpected end of input';
  if (context) message += ` in ${context}`;
  if (expected) message += `, expected ${expected}`;
  return { start, end, message };
}

/** Fills in what the label-matcher rules expected, from the tokens before the failure. */
function refineMatcherError(tokens: IToken[], failAt: number, msg: { message: string }): void {
  if (!msg.message.includes('in label matching')) return;
  const prev = tokens[failAt - 1];
  if (!prev) return;
  if (prev.tokenType === T.Eql || prev.tokenType === T.Neq || prev.tokenType === T.EqlRegex || prev.tokenType === T.NeqRegex) {
    msg.message = msg.message.replace(/, expected .*$/, ', expected string');
  } else if (prev.tokenType === T.Identifier) {
    msg.message = msg.message.replace(/, expected .*$/, ', expected label matching operator');
  } else if (prev.tokenType === T.StringTok) {
    msg.message = msg.message.replace(/, expected .*$/, ', expected "," or "}"');
  }
}

/**
 * Parses a PromQL expression into a typed, checked AST. Throws ParseError
 * (with line, column and positionRange) for any invalid input, reporting
 * the first error as Prometheus does.
 */
export function parse(input: string, options: ParseOptions = {}): Expr {
  if (typeof input !== 'string') throw new TypeError('parse: the query must be a string');
  try {
    return parseUnguarded(input, options);
  } catch (e) {
    // Recursion depth is the only limit on nesting; running out of stack is bad input, not a crash.
    if (e instanceof RangeError) {
      throw new ParseError('expression nested too deeply', { start: 0, end: input.length }, input);
    }
    throw e;
  }
}

function parseUnguarded(input: string, options: ParseOptions): Expr {
  const errs = new ErrorList();
  const lexed = lex(input);
  const p = parserInstance();
  p.errs = errs;
  p.opts = { experimentalFunctions: false, extendedRangeSelectors: false, binopFillModifiers: false, durationExpressions: true, ...options };
  p.regexCheck = (pattern) => void compileRegex(pattern);
  if (lexed.tokens.length === 0 && !lexed.error) {
    errs.add({ start: 0, end: 0 }, 'no expression found in input');
    throw errs.toError(input);
  }
  p.input = lexed.tokens;
  let expr: Expr | undefined;
  try {
    expr = p.start();
  } catch (e) {
    // Chevrotain reports grammar problems by exceptions; anything else is our bug.
    if (!(e instanceof Error) || !('token' in e)) throw e;
  }
  const syntax = p.errors[0];
  if (syntax) {
    const failAt = lexed.tokens.indexOf(syntax.token);
    const atEnd = failAt < 0;
    if (lexed.error && atEnd) {
      // The parser wanted more input: the lexical error is the real cause.
      errs.add({ start: lexed.error.start, end: input.length }, lexed.error.message);
    } else {
      const msg = syntaxError(syntax as never, input);
      refineMatcherError(lexed.tokens, failAt, msg);
      errs.add({ start: msg.start, end: msg.end }, msg.message);
    }
  } else if (lexed.error) {
    errs.add({ start: lexed.error.start, end: input.length }, lexed.error.message);
  }
  if (errs.empty && expr) {
    checkAST(expr, input, errs, (m) => emptyMatches(m));
    if (expr.type === 'StringLiteral' || expr.type === 'DurationExpr') {
      // Prometheus accepts a string literal as a query; nothing to check.
    }
  }
  if (!errs.empty || !expr) {
    if (errs.empty) errs.add({ start: 0, end: input.length }, 'unexpected error');
    throw errs.toError(input);
  }
  return expr;
}

function emptyMatches(m: { type: string; value: string }): boolean {
  switch (m.type) {
    case '=': return m.value === '';
    case '!=': return m.value !== '';
    case '=~': return compileRegex(m.value)('');
    default: return !compileRegex(m.value)('');
  }
}

export { ParseError };
