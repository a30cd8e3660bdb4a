// Regexes whose compiled program would be huge are refused before re2js
// spends seconds building it (a 2.4 KB query held the event loop for 2 s);
// long alternations of plain values need no program at all.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { regexSize } from '../../src/model/regex-size.js';
import { compileRegex, MAX_REGEX_SIZE, RegexError } from '../../src/model/regex.js';
import { parse, ParseError } from '../../src/index.js';

describe('regex size', () => {
  it('estimates the program from the pattern text', () => {
    expect(regexSize('abc')).toBe(3);
    expect(regexSize('[a-z]{1,999}')).toBe(1000);
    expect(regexSize('(?P<x>a{10}){10}')).toBe(171);
    expect(regexSize('(?i)foo.*bar')).toBe(8);
    expect(regexSize('\\Qa.b\\E{5}')).toBe(8);
    expect(regexSize('[]a]{3}|[[:alpha:]]')).toBe(6);
    // It stops counting once past the limit.
    expect(regexSize('a{1000}'.repeat(1000), 5000)).toBeLessThan(10_000);
  });

  it('refuses a pattern past the limit with a parse error, and compiles those below', () => {
    const big = '[a-z]{1,999}'.repeat(200);
    expect(() => compileRegex(big)).toThrow(RegexError);
    expect(() => compileRegex(big)).toThrow(/^error parsing regexp: expression too large/);
    const q = `x{a=~"${big}"}`;
    expect(() => parse(q)).toThrow(ParseError);
    expect(compileRegex('[a-z]{1,999}')('abc')).toBe(true);
    expect(regexSize('.{0,1000}'.repeat(40))).toBeLessThan(MAX_REGEX_SIZE);
  });

  it('takes alternations of plain values of any length without compiling them', () => {
    const values = Array.from({ length: 20_000 }, (_, i) => `instance-${i}`);
    const m = compileRegex(values.join('|'));
    expect(m('instance-19999')).toBe(true);
    expect(m('instance-20000')).toBe(false);
  });

  it('reads any pattern to its end, and compileRegex answers a matcher or a RegexError', () => {
    const piece = fc.constantFrom('a', '.', '*', '+', '?', '{2}', '{1,3}', '{', '}', '(', ')', '(?:', '(?i)', '(?P<n>', '[', ']', '[^', '[:alpha:]', '\\', '\\Q', '\\E', '\\p{L}', '\\x{41}', '|', '^', '$', '-', ',');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (parts) => {
        const pattern = parts.join('');
        expect(Number.isFinite(regexSize(pattern))).toBe(true);
        try {
          compileRegex(pattern);
        } catch (e) {
          expect(e).toBeInstanceOf(RegexError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

