import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { parse, ParseError } from '../../src/index.js';
import { PromQLParser } from '../../src/promql/parser/parser.js';

const ALL = { experimentalFunctions: true, extendedRangeSelectors: true, binopFillModifiers: true };

function parseOrError(q: string): unknown {
  try {
    return parse(q, ALL);
  } catch (e) {
    return e;
  }
}

function onlyParseErrors(q: string): void {
  const r = parseOrError(q);
  if (r instanceof Error) expect(r, `${JSON.stringify(q)} threw ${String(r)}`).toBeInstanceOf(ParseError);
}

const TOKENS = [
  'foo', 'bar:baz', 'sum', 'rate', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', '@',
  'start()', 'end()', 'step()', 'and', 'or', 'unless', 'atan2', '(', ')', '{', '}', '[', ']', ',', ':', '=', '!=', '=~',
  '!~', '==', '>', '<=', '+', '-', '*', '/', '%', '^', '5m', '1h30m', '0x1f', '1e3', 'Inf', 'NaN', '"a"', "'b'", '`c`',
  'topk', 'count_values', 'fill(0)', 'anchored', 'smoothed', '#c\n', 'min_of', '</', '1', '.5', '"\\x"', 'label_replace',
];

describe('parser fuzzing', () => {
  it('random strings: a tree or a ParseError, nothing else', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60, unit: 'grapheme-ascii' }), onlyParseErrors), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ maxLength: 40, unit: 'binary' }), onlyParseErrors), { numRuns: 1000 });
  });

  it('random token sequences: a tree or a ParseError, nothing else', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 25 }), fc.constantFrom(' ', '', '\n'), (toks, sep) => onlyParseErrors(toks.join(sep))),
      { numRuns: 3000 },
    );
  });

  it('deep nesting is an error or a tree, never a crash', () => {
    for (const q of ['('.repeat(20000) + '1' + ')'.repeat(20000), '-'.repeat(50000) + '1', 'sum('.repeat(5000) + 'x' + ')'.repeat(5000)]) {
      onlyParseErrors(q);
    }
    expect(parse('('.repeat(200) + '1' + ')'.repeat(200))).toMatchObject({ type: 'ParenExpr' });
  });

  it('work grows linearly with nesting depth (lookahead calls counted, not time)', () => {
    const count = (depth: number) => {
      const spy = vi.spyOn(PromQLParser.prototype as unknown as { LA: (n: number) => unknown }, 'LA');
      parse('sum(abs('.repeat(depth) + 'x' + '))'.repeat(depth) + ' + ' + '(-'.repeat(depth) + '1' + ')'.repeat(depth));
      const n = spy.mock.calls.length;
      spy.mockRestore();
      return n;
    };
    const small = count(30);
    const large = count(120);
    expect(large / small).toBeLessThan(4 * 1.5);
  });
});
