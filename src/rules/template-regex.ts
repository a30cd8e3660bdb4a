// The regex functions of Prometheus's templates (`match`, `reReplaceAll`)
// with Go's regexp semantics through re2js: RE2 syntax and linear-time
// matching, so a label value fed to a template cannot make evaluation hang
// the way a backtracking engine does on patterns like `^(a+)+$`.

import { RE2JS } from 're2js';
import { expandTemplate } from '../model/expand-template.js';

const cache = new Map<string, RE2JS>();
const CACHE_LIMIT = 200;

function compile(pattern: string): RE2JS {
  const hit = cache.get(pattern);
  if (hit) return hit;
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (e) {
    throw new Error(`error parsing regexp: ${(e as Error).message}`);
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(pattern, re);
  return re;
}

/** Go's regexp.MatchString: whether the pattern matches anywhere in s (unanchored). */
export function regexMatch(pattern: string, s: string): boolean {
  return compile(pattern).matcher(s).find();
}

/**
 * Go's Regexp.ReplaceAllString: every non-overlapping match replaced by repl
 * with $1, ${1}, $name and $$ expanded; an empty match right after a match
 * is not replaced.
 */
export function regexReplaceAll(pattern: string, repl: string, src: string): string {
  const re = compile(pattern);
  const named = re.namedGroups() as Record<string, number>;
  const n = re.groupCount();
  const m = re.matcher(src);
  let out = '';
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length && m.find(searchPos)) {
    const start = m.start(), end = m.end();
    out += src.slice(lastMatchEnd, start);
    if (end > lastMatchEnd || start === 0) {
      const groups: (string | null)[] = [];
      for (let i = 0; i <= n; i++) groups.push(m.group(i));
      out += expandTemplate(repl, groups, named);
    }
    lastMatchEnd = end;
    // Always advance at least one character (a whole code point).
    const width = (src.codePointAt(searchPos) ?? 0) > 0xffff ? 2 : 1;
    searchPos = searchPos + width > end ? searchPos + width : end;
  }
  return out + src.slice(lastMatchEnd);
}
