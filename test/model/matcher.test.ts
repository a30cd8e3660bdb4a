import { describe, expect, it } from 'vitest';
import { Matcher, RegexError } from '../../src/index.js';

describe('regex matchers follow Prometheus 3.x (RE2, anchored, dot matches newline)', () => {
  const cases: [string, string, boolean][] = [
    ['foo', 'foo', true],
    ['foo', 'foobar', false], // fully anchored
    ['fo+', 'xfoo', false],
    ['.*', '', true],
    ['.+', '', false],
    ['a.c', 'a\nc', true], // (?s) in 3.x
    ['(?i)FOO', 'foo', true],
    ['foo|bar', 'bar', true],
    ['foo|bar', 'foobar', false],
    ['api.*', 'api-server', true],
    ['\\d+', '123', true],
    ['\\pL+', 'héllo', true],
    ['[[:alpha:]]+', 'abc', true],
    ['^foo$', 'foo', true],
    ['a|', '', true],
    ['', '', true],
    ['', 'x', false],
    ['.', '😀', true], // one code point, not one UTF-16 unit
  ];
  for (const [re, value, want] of cases) {
    it(`${JSON.stringify(re)} on ${JSON.stringify(value)} is ${want}`, () => {
      expect(new Matcher('=~', 'l', re).matches(value)).toBe(want);
      expect(new Matcher('!~', 'l', re).matches(value)).toBe(!want);
    });
  }

  it('rejects what RE2 rejects with Go\'s message', () => {
    expect(() => new Matcher('=~', 'l', '(a)\\1')).toThrow(RegexError);
    expect(() => new Matcher('=~', 'l', '(a)\\1')).toThrow('error parsing regexp: invalid escape sequence: `\\1`');
    expect(() => new Matcher('=~', 'l', 'a(?=b)')).toThrow(/invalid or unsupported Perl syntax/);
    expect(() => new Matcher('=~', 'l', 'a(?<=b)')).toThrow(RegexError);
    expect(() => new Matcher('!~', 'l', '[a')).toThrow(/missing closing \]/);
  });

  it('= and != compare whole values', () => {
    expect(new Matcher('=', 'l', 'a').matches('a')).toBe(true);
    expect(new Matcher('!=', 'l', 'a').matches('')).toBe(true);
    expect(new Matcher('=', 'l', '').matches('')).toBe(true);
    expect(new Matcher('=', 'job', 'x').toString()).toBe('job="x"');
  });
});
