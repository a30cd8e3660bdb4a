// Number, duration and string literals with Go/Prometheus semantics.

/** Thrown by the literal parsers; the parser turns it into a positioned error. */
export class LiteralError extends Error {}

// Durations and float formatting live in src/model/; re-exported for code that imports them from here.
export { parseDuration, formatDuration } from '../../model/duration.js';
export { formatFloat } from '../../model/float.js';

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/**
 * Parses a number token as Prometheus does: Go's ParseInt with base 0
 * first (0x hex, leading-0 octal, underscores), then ParseFloat.
 */
export function parseNumber(text: string): number {
  const lower = text.toLowerCase();
  if (lower === 'inf' || lower === '+inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  if (lower === 'nan') return NaN;
  const plain = text.replace(/_/g, '');
  let big: bigint | null = null;
  if (/^0[xX][0-9a-fA-F]+$/.test(plain)) big = BigInt(plain);
  else if (/^0[0-7]+$/.test(plain)) big = BigInt('0o' + plain.slice(1));
  else if (/^[0-9]+$/.test(plain) && !/^0[0-9]/.test(plain)) big = BigInt(plain);
  if (big !== null && big <= INT64_MAX && big >= INT64_MIN) return Number(big);
  if (/^0[xX]/.test(plain)) {
    // Go's ParseFloat accepts large hex integers too (exactly rounded).
    return Number(BigInt(plain));
  }
  const f = Number(plain);
  if (plain === '' || Number.isNaN(f) || !/^[0-9.eE+-]+$/.test(plain)) {
    throw new LiteralError(`strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax`);
  }
  return f;
}

/** Seconds (as a duration-context number) to whole milliseconds, as Prometheus stores them. */
export function secondsToMillis(seconds: number): number {
  return Math.trunc(Math.round(seconds * 1e9) / 1e6);
}

/**
 * Unquotes a PromQL string token (double, single or back quotes) with Go's
 * escape rules. \x and octal escapes name bytes, as in Go; bytes that do
 * not form valid UTF-8 become lone surrogates U+DC80..U+DCFF
 * ("surrogateescape"), so they survive in a JavaScript string, fail UTF-8
 * validity checks and print back as \xNN.
 */
export function unquoteString(token: string): string {
  const q = token[0];
  const body = token.slice(1, -1);
  if (q === '`') return body;
  const bytes: number[] = [];
  const pushChar = (cp: number) => {
    if (cp < 0x80) bytes.push(cp);
    else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  };
  for (let i = 0; i < body.length; i++) {
    const cp = body.codePointAt(i)!;
    if (cp > 0xffff) i++;
    if (cp !== 0x5c) {
      pushChar(cp);
      continue;
    }
    const e = body[++i]!;
    const simple: Record<string, number> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34, "'": 39 };
    if (e in simple) {
      bytes.push(simple[e]!);
    } else if (e === 'x') {
      bytes.push(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      pushChar(parseInt(body.slice(i + 1, i + 1 + n), 16));
      i += n;
    } else {
      bytes.push(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    }
  }
  return decodeUtf8Escaped(bytes);
}

/** UTF-8 bytes to a string; each byte of an invalid sequence becomes U+DC00 + byte. */
export function decodeUtf8Escaped(bytes: readonly number[]): string {
  let out = '';
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    let cp = need === 0 ? b : need === 1 ? b & 31 : need === 2 ? b & 15 : b & 7;
    let ok = need >= 0 && i + need < bytes.length + (need === 0 ? 1 : 0);
    for (let k = 1; ok && k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (c & 63);
    }
    if (ok && need >= 2) {
      const min = need === 2 ? 0x800 : 0x10000;
      if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) ok = false;
    }
    if (!ok) {
      out += String.fromCharCode(0xdc00 + b);
      i++;
      continue;
    }
    out += String.fromCodePoint(cp);
    i += need + 1;
  }
  return out;
}

/** Go's strconv.Quote: double-quoted with Go escapes. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '"': out += '\\"'; continue;
      case '\\': out += '\\\\'; continue;
      case '\x07': out += '\\a'; continue;
      case '\b': out += '\\b'; continue;
      case '\f': out += '\\f'; continue;
      case '\n': out += '\\n'; continue;
      case '\r': out += '\\r'; continue;
      case '\t': out += '\\t'; continue;
      case '\v': out += '\\v'; continue;
    }
    if (c >= 0xdc80 && c <= 0xdcff) out += '\\x' + (c - 0xdc00).toString(16).padStart(2, '0');
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else if ((c >= 0x80 && c < 0xa0) || c === 0xad || c === 0xfeff || (c >= 0xd800 && c <= 0xdfff)) {
      out += c > 0xffff ? '\\U' + c.toString(16).padStart(8, '0') : '\\u' + c.toString(16).padStart(4, '0');
    } else out += ch;
  }
  return out + '"';
}
