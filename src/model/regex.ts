// Label-value regular expressions with Prometheus 3.x semantics: RE2
// syntax (re2js is a port of RE2, so syntax, errors and matching are RE2's),
// fully anchored, and `.` matching newlines (`^(?s:re)$`). Common shapes get
// a fast path that never enters the regex engine.

import { RE2JS } from 're2js';

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
  let re: RE2JS;
  try {
    re = RE2JS.compile(`^(?s:${pattern})$`);
  } catch (e) {
    throw new RegexError((e as Error).message, pattern);
  }
  if (pattern === '.*') return () => true;
  if (pattern === '.+') return (v) => v !== '';
  const alts = literalAlternatives(pattern);
  if (alts !== null) {
    if (alts.length === 1) {
      const lit = alts[0]!;
      return (v) => v === lit;
    }
    const set = new Set(alts);
    return (v) => set.has(v);
  }
  const prefix = /^([^\\.+*?()|[\]{}^$]+)\.\*$/.exec(pattern);
  if (prefix) {
    const p = prefix[1]!;
    return (v) => v.startsWith(p);
  }
  return (v) => re.matches(v);
}
