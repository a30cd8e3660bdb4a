// PromQL lexer: a state machine following Prometheus's promql/parser/lex.go
// (statement level, inside braces, inside brackets where durations and
// duration arithmetic live). It emits Chevrotain token instances for the
// parser, or stops at the first lexical error.

import type { IToken, TokenType } from 'chevrotain';
import { createTokenInstance } from './chevrotain.js';
import * as T from './tokens.js';

export interface LexResult {
  tokens: IToken[];
  /** The first lexical error, if any; tokens hold everything before it. */
  error?: { message: string; start: number };
}

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const isDigit = (c: string) => c >= '0' && c <= '9';
const isAlpha = (c: string) => c === '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const isAlphaNumeric = (c: string) => isAlpha(c) || isDigit(c);

class LexError extends Error {
  constructor(message: string, readonly start: number) {
    super(message);
  }
}

/** Go's %q of a single character, as the lexer's messages print it. */
function quoteRune(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '\n') return "'\\n'";
  if (c === '\t') return "'\\t'";
  if (c === '\r') return "'\\r'";
  if (c === '\\') return "'\\\\'";
  return `'${c}'`;
}

export function lex(input: string): LexResult {
  const tokens: IToken[] = [];
  let pos = 0;
  let parenDepth = 0;
  let braceOpen = false;
  let bracketOpen = false;
  let gotColon = false;

  const emit = (type: TokenType, start: number, end: number) => {
    tokens.push(createTokenInstance(type, input.slice(start, end), start, end - 1, NaN, NaN, NaN, NaN));
  };
  const peek = (k = 0) => input[pos + k] ?? '';

  /** Scans a number the way scanNumber does; returns the end offset or -1 when it is not a number. */
  const scanNumber = (from: number): number => {
    let p = from;
    const at = (k: number) => input[k] ?? '';
    let digits = '0123456789';
    if (at(p) === '0' && (at(p + 1) === 'x' || at(p + 1) === 'X')) {
      p += 2;
      if (at(p) === '_') p++;
      digits = '0123456789abcdefABCDEF';
    }
    const isD = (c: string) => c !== '' && digits.includes(c);
    if (at(p) === '.') p++;
    if (isD(at(p))) p++;
    let dot = false;
    let exp = false;
    for (;;) {
      const c = at(p);
      if (c === '' || !(isD(c) || c === '.' || c === '_' || c === 'e' || c === 'E')) break;
      if (c === '.') {
        if (dot) return -1;
        dot = true;
        p++;
        if (at(p) === '_' || at(p) === '.') return -1;
        if (digits.length > 10) return -1; // no fractional hex
        continue;
      }
      if ((c === 'e' || c === 'E') && digits.length === 10) {
        if (exp) return -1;
        exp = true;
        p++;
        if (at(p) === '+' || at(p) === '-') p++;
        const n = at(p);
        if (n === '' || n === '.' || n === '_' || n === 'e' || n === 'E') return -1;
        continue;
      }
      if (c === '_') {
        p++;
        const n = at(p);
        if (n === '' || n === '.' || n === '_' || n === 'e' || n === 'E') return -1;
        continue;
      }
      while (isD(at(p))) p++;
      if (!isD(c)) break;
    }
    if (p === from) return -1;
    if (isAlphaNumeric(at(p))) return -1;
    return p;
  };

  /** After digits: duration units, possibly repeated (1h30m); the end offset or -1. */
  const scanDurationRest = (from: number): number => {
    let p = from;
    const at = (k: number) => input[k] ?? '';
    while (isDigit(at(p))) p++;
    if (!'smhdwy'.includes(at(p)) || at(p) === '') return -1;
    p++;
    if (at(p) === 's') p++;
    while (isDigit(at(p))) {
      while (isDigit(at(p))) p++;
      if (!'smhdw'.includes(at(p)) || at(p) === '') return -1;
      p++;
      if (at(p) === 's') p++;
    }
    if (isAlphaNumeric(at(p))) return -1;
    return p;
  };

  const lexNumberOrDuration = () => {
    const start = pos;
    const end = scanNumber(start);
    if (end >= 0) {
      emit(T.NumberTok, start, end);
      pos = end;
      return;
    }
    const dend = scanDurationRest(start);
    if (dend >= 0) {
      emit(T.DurationTok, start, dend);
      pos = dend;
      return;
    }
    let stop = start;
    while (stop < input.length && (isAlphaNumeric(input[stop]!) || input[stop] === '.')) stop++;
    throw new LexError(`bad number or duration syntax: ${JSON.stringify(input.slice(start, stop + 1 > input.length ? stop : stop))}`, start);
  };

  const lexString = (quote: string) => {
    const start = pos;
    pos++;
    for (;;) {
      const c = input[pos];
      if (c === undefined || (c === '\n' && quote !== '`')) {
        throw new LexError(quote === '`' ? 'unterminated raw string' : 'unterminated quoted string', start);
      }
      pos++;
      if (c === quote) break;
      if (c === '\\' && quote !== '`') {
        lexEscape(quote, start);
      } else if (c >= '\ud800' && c <= '\udfff') {
        const d = input[pos];
        if (c > '\udbff' || d === undefined || d < '\udc00' || d > '\udfff') throw new LexError('invalid UTF-8 rune', start);
        pos++;
      }
    }
    emit(T.StringTok, start, pos);
  };

  const lexEscape = (quote: string, start: number) => {
    const c = input[pos];
    if (c === undefined) throw new LexError('escape sequence not terminated', start);
    pos++;
    let n: number, base: number, max: number;
    if ('abfnrtv\\'.includes(c) || c === quote) return;
    if (c >= '0' && c <= '7') {
      n = 3; base = 8; max = 255;
      pos--;
    } else if (c === 'x') {
      n = 2; base = 16; max = 255;
    } else if (c === 'u') {
      n = 4; base = 16; max = 0x10ffff;
    } else if (c === 'U') {
      n = 8; base = 16; max = 0x10ffff;
    } else {
      throw new LexError(`unknown escape sequence U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} ${quoteRune(c)}`, start);
    }
    let x = 0;
    for (; n > 0; n--) {
      const d = input[pos];
      if (d === undefined) throw new LexError('escape sequence not terminated', start);
      const v = parseInt(d, 16);
      if (Number.isNaN(v) || v >= base) {
        throw new LexError(`illegal character U+${d.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} ${quoteRune(d)} in escape sequence`, start);
      }
      x = x * base + v;
      pos++;
    }
    if (x > max || (x >= 0xd800 && x < 0xe000)) throw new LexError('escape sequence is an invalid Unicode code point', start);
  };

  const lexWord = (allowColon: boolean): string => {
    const start = pos;
    while (pos < input.length && (isAlphaNumeric(input[pos]!) || (allowColon && input[pos] === ':'))) pos++;
    return input.slice(start, pos);
  };

  const followedByLeftParen = (): boolean => {
    let p = pos;
    while (p < input.length && isSpace(input[p]!)) p++;
    return input[p] === '(';
  };

  const skipComment = () => {
    while (pos < input.length && input[pos] !== '\n' && input[pos] !== '\r') pos++;
  };

  // Inside [...]: durations, numbers, arithmetic, step()/range()/min_of()/max_of().
  const lexInsideBrackets = (c: string) => {
    const start = pos;
    switch (c) {
      case ']': pos++; emit(T.RBracket, start, pos); bracketOpen = false; gotColon = false; return;
      case ':':
        if (gotColon) throw new LexError('unexpected repeated colon in duration expression', start);
        pos++; emit(T.Colon, start, pos); gotColon = true; return;
      case '(': pos++; emit(T.LParen, start, pos); parenDepth++; return;
      case ')':
        if (parenDepth === 0) throw new LexError(`unexpected right parenthesis ${quoteRune(c)}`, start);
        pos++; emit(T.RParen, start, pos); parenDepth--;
        return;
      case '+': pos++; emit(T.Add, start, pos); return;
      case '-': pos++; emit(T.Sub, start, pos); return;
      case '*': pos++; emit(T.Mul, start, pos); return;
      case '/': pos++; emit(T.Div, start, pos); return;
      case '%': pos++; emit(T.Mod, start, pos); return;
      case '^': pos++; emit(T.Pow, start, pos); return;
      case ',': pos++; emit(T.Comma, start, pos); return;
    }
    if (isDigit(c) || (c === '.' && isDigit(peek(1)))) {
      lexNumberOrDuration();
      return;
    }
    if (isAlpha(c)) {
      const w = lexWord(false);
      const lower = w.toLowerCase();
      if (lower === 'step') return emit(T.Step, start, pos);
      if (lower === 'range') return emit(T.Range, start, pos);
      if (lower === 'min_of' || lower === 'max_of') return emit(T.Identifier, start, pos);
      pos = start;
    }
    throw new LexError(`unexpected character in duration expression: ${quoteRune(c)}`, start);
  };

  const lexInsideBraces = (c: string) => {
    const start = pos;
    if (c === '#') return skipComment();
    if (isSpace(c)) { pos++; return; }
    if (isAlpha(c)) {
      lexWord(false);
      emit(T.Identifier, start, pos);
      return;
    }
    switch (c) {
      case ',': pos++; emit(T.Comma, start, pos); return;
      case '"': case "'": case '`': lexString(c); return;
      case '=':
        if (peek(1) === '~') { pos += 2; emit(T.EqlRegex, start, pos); } else { pos++; emit(T.Eql, start, pos); }
        return;
      case '!': {
        const n = peek(1);
        if (n === '~') { pos += 2; emit(T.NeqRegex, start, pos); return; }
        if (n === '=') { pos += 2; emit(T.Neq, start, pos); return; }
        throw new LexError(`unexpected character after '!' inside braces: ${quoteRune(n || '\u0000')}`, start);
      }
      case '{': throw new LexError(`unexpected left brace ${quoteRune(c)}`, start);
      case '}': pos++; emit(T.RBrace, start, pos); braceOpen = false; return;
    }
    throw new LexError(`unexpected character inside braces: ${quoteRune(c)}`, start);
  };

  const lexStatement = (c: string) => {
    const start = pos;
    if (c === '#') return skipComment();
    if (isSpace(c)) { pos++; return; }
    const one = (type: TokenType) => { pos++; emit(type, start, pos); };
    switch (c) {
      case ',': return one(T.Comma);
      case '*': return one(T.Mul);
      case '/': return one(T.Div);
      case '%': return one(T.Mod);
      case '+': return one(T.Add);
      case '-': return one(T.Sub);
      case '^': return one(T.Pow);
      case '@': return one(T.At);
      case '=':
        if (peek(1) === '=') { pos += 2; emit(T.EqlC, start, pos); return; }
        if (peek(1) === '~') throw new LexError(`unexpected character after '=': ${quoteRune('~')}`, start);
        return one(T.Eql);
      case '!':
        if (peek(1) !== '=') throw new LexError(`unexpected character after '!': ${quoteRune(peek(1) || '\u0000')}`, start);
        pos += 2; emit(T.Neq, start, pos); return;
      case '<':
        if (peek(1) === '=') { pos += 2; emit(T.Lte, start, pos); return; }
        if (peek(1) === '/') { pos += 2; emit(T.TrimUpper, start, pos); return; }
        return one(T.Lss);
      case '>':
        if (peek(1) === '=') { pos += 2; emit(T.Gte, start, pos); return; }
        if (peek(1) === '/') { pos += 2; emit(T.TrimLower, start, pos); return; }
        return one(T.Gtr);
      case '"': case "'": case '`': return lexString(c);
      case '(': parenDepth++; return one(T.LParen);
      case ')':
        // The error replaces the token, as in Prometheus's lexer.
        if (parenDepth === 0) throw new LexError(`unexpected right parenthesis ${quoteRune(c)}`, start);
        parenDepth--;
        return one(T.RParen);
      case '{': braceOpen = true; return one(T.LBrace);
      case '[':
        gotColon = false;
        bracketOpen = true;
        return one(T.LBracket);
      case ']': throw new LexError(`unexpected right bracket ${quoteRune(c)}`, start);
      case '}': return one(T.RBrace);
    }
    if (isDigit(c) || (c === '.' && isDigit(peek(1)))) return lexNumberOrDuration();
    if (isAlpha(c) || c === ':') {
      const w = lexWord(true);
      const lower = w.toLowerCase();
      if (lower === 'inf' || lower === 'nan') return emit(T.NumberTok, start, pos);
      const kw = T.KEYWORDS.get(lower);
      if (kw) {
        // fill, fill_left and fill_right are modifiers only before "(", so they stay usable as names.
        if ((kw === T.Fill || kw === T.FillLeft || kw === T.FillRight) && !followedByLeftParen()) return emit(T.Identifier, start, pos);
        return emit(kw, start, pos);
      }
      return emit(w.includes(':') ? T.MetricIdentifier : T.Identifier, start, pos);
    }
    throw new LexError(`unexpected character: ${quoteRune(c)}`, start);
  };

  try {
    while (pos < input.length) {
      const c = input[pos]!;
      if (braceOpen) lexInsideBraces(c);
      else if (bracketOpen) {
        if (c === '#') skipComment();
        else if (isSpace(c)) pos++;
        else lexInsideBrackets(c);
      } else lexStatement(c);
    }
    if (braceOpen) throw new LexError('unexpected end of input inside braces', pos);
    if (parenDepth !== 0) throw new LexError('unclosed left parenthesis', pos);
    if (bracketOpen) throw new LexError('unclosed left bracket', pos);
  } catch (e) {
    if (e instanceof LexError) return { tokens, error: { message: e.message, start: e.start } };
    throw e;
  }
  return { tokens };
}
