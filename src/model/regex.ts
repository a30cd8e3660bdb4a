// Label-value regular expressions with Prometheus 3.x semantics: RE2
// syntax (re2js is a port of RE2, so syntax, errors and matching are RE2's),
// fully anchored, and `.` matching newlines (`^(?s:re)$`). Common shapes get
// a fast path that never enters the regex engine.

import { RE2JS } from 're2js';
import { regexSize } from './regex-size.js';

/**
 * Largest pattern compiled, in estimated program instructions (regex-size.ts):
 * re2js takes ~7 µs an instruction to compile, so this bounds a regex in a
 * query to a few hundred ms of the thread that parses it. Go's RE2 allows
 * millions; patterns this large are not written by hand.
 */
export const MAX_REGEX_SIZE = 50_000;

/** Throws RegexError for a pattern past MAX_REGEX_SIZE, before any time goes into compiling it. */
export function checkRegexSize(pattern: string): void {
  const size = regexSize(pattern, MAX_REGEX_SIZE);
  if (size > MAX_REGEX_SIZE) {
    throw new RegexError(`error parsing regexp: expression too large (more than ${MAX_REGEX_SIZE} instructions, promlet's limit)`, pattern);
  }
}

/** Thrown for patterns RE2 rejects; the message is Go's regexp error text. */
export class RegexError extends Error {
  constructor(message: string, readonly pattern: string) {
    super(message);
    this.name = 'RegexError';
  }
}

export type ValueMatcher = (value: string) => boolean;

const META = /[\\.+*?()|[\]{}^$]/;

function literalAlternatives(pattern: string): string[] | null {
  if (pattern.includes('(?')) return null;
  const parts = pattern.split('|');
  for (const p of parts) if (META.test(p)) return null;
  return parts;
}

const cache = new Map<string, ValueMatcher>();
const CACHE_LIMIT = 1000;

/** Compiles a fully anchored matcher for `pattern`, or throws RegexError. */
export function compileRegex(pattern: string): ValueMatcher {
  const hit = cache.get(pattern);
  if (hit) return hit;
  const m = build(pattern);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(pattern, m);
  return m;
}

function build(pattern: string): ValueMatcher {
  // Alternatives of plain text (Grafana's multi-value variables) are valid RE2 of any length and need no program.
  const plain = /[\uD800-\uDFFF]/.test(pattern) ? null : literalAlternatives(pattern);
  if (plain !== null) {
    if (plain.length === 1) {
      const lit = plain[0]!;
      return (v) => v === lit;
    }
    const set = new Set(plain);
    return (v) => set.has(v);
  }
  checkRegexSize(pattern);
  let re: RE2JS;
  try {
    re = RE2JS.compile(`^(?s:${pattern})$`);
  } catch (e) {
    throw new RegexError((e as Error).message, pattern);
  }
  if (pattern === '.*') return () => true;
  if (pattern === '.+') return (v) => v !== '';
  const prefix = /^([^\\.+*?()|[\]{}^$]+)\.\*$/.exec(pattern);
  if (prefix) {
    const p = prefix[1]!;
    return (v) => v.startsWith(p);
  }
  return (v) => re.matches(v);
}
