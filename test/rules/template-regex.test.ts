// Template regexes are RE2 with Go's semantics: `match` is unanchored
// regexp.MatchString, `reReplaceAll` is Regexp.ReplaceAllString, and a
// pattern that backtracking engines take exponential time on matches in
// linear time (issue 15, row 7).

import { describe, expect, it } from 'vitest';
import { regexMatch, regexReplaceAll } from '../../src/rules/template-regex.js';
import { expandTemplate } from '../../src/rules/template.js';

describe('template regexes', () => {
  it('row 7: an alert annotation matching ^(a+)+$ against aaaa…a! finishes', () => {
    // JavaScript's backtracking engine needs ~2^n steps here; 5,000 characters would never end.
    const path = `${'a'.repeat(5000)}!`;
    const text = expandTemplate('{{ if match "^(a+)+$" $labels.path }}bad{{ else }}ok{{ end }}', { labels: { path }, externalLabels: {}, value: 1 });
    expect(text).toBe('ok');
    expect(regexMatch('^(a+)+$', 'aaaa')).toBe(true);
  });

  it('match is unanchored, as Go regexp.MatchString', () => {
    expect(regexMatch('b', 'abc')).toBe(true);
    expect(regexMatch('^b', 'abc')).toBe(false);
    expect(() => regexMatch('(', 'x')).toThrow(/error parsing regexp: missing closing \)/);
  });

  it('reReplaceAll expands $1, ${name} and $$ and skips empty matches after a match, as Go', () => {
    expect(regexReplaceAll('a*', 'X', 'baaac')).toBe('XbXcX');
    expect(regexReplaceAll('(\\w+):(\\d+)', '$2/$1', 'host:9090')).toBe('9090/host');
    expect(regexReplaceAll('(?P<word>[a-z]+)', '<${word}>', 'ab cd')).toBe('<ab> <cd>');
    // Go reads "$1x" as the group named "1x", which does not exist.
    expect(regexReplaceAll('(a)', '$1x', 'a')).toBe('');
    expect(regexReplaceAll('(a)', '${1}x$$', 'a')).toBe('ax$');
    expect(regexReplaceAll('', '-', 'héllo')).toBe('-h-é-l-l-o-');
    expect(expandTemplate('{{ reReplaceAll "(.*):.*" "$1" "host:9100" }}', { labels: {}, externalLabels: {}, value: 1 })).toBe('host');
  });
});
