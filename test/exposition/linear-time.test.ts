// Hostile exposition lines (issue 15, row 4): an 80,000-space # HELP, an
// 80,000-digit value or timestamp. Each is answered with a clean,
// line-numbered error or parsed, and costs about what a harmless line of the
// same length costs: the scanners are single passes. The bound is relative
// to that same-size baseline measured here and generous (a quadratic scan
// was ~25,000× it), never a wall-clock limit.

import { describe, expect, it } from 'vitest';
import { parseExposition, ExpositionError, type ExpositionFormat } from '../../src/exposition/parse.js';

const N = 80_000;

/**
 * The fastest of several runs of each, taken in turn: other load on the machine only ever adds time, and it falls on
 * both alike, so a burst of it does not pass for a slow scan.
 */
function fastest(a: () => void, b: () => void): [number, number] {
  let ta = Infinity, tb = Infinity;
  for (let i = 0; i < 7; i++) {
    let t0 = performance.now();
    a();
    ta = Math.min(ta, performance.now() - t0);
    t0 = performance.now();
    b();
    tb = Math.min(tb, performance.now() - t0);
  }
  return [ta, tb];
}

function attempt(text: string, format: ExpositionFormat): unknown {
  try {
    return parseExposition(text, format);
  } catch (e) {
    return e;
  }
}

describe('exposition parsing is linear in the line length', () => {
  const hostile: [string, string, ExpositionFormat, RegExp | null][] = [
    ['HELP of spaces', `# HELP${' '.repeat(N)}\nx 1\n`, 'text', null],
    ['HELP with a name and spaces', `# HELP x${' '.repeat(N)}y\nx 1\n`, 'text', null],
    ['TYPE with spaces', `# TYPE x${' '.repeat(N)}counter\n`, 'text', null],
    ['value of digits', `x ${'1'.repeat(N)}\n`, 'text', null],
    ['value of digits, then a letter', `x ${'1'.repeat(N)}z\n`, 'text', /^line 1: invalid value "1{40}"…$/],
    ['value of digits, then an e', `x ${'1'.repeat(N)}e\n`, 'text', /^line 1: invalid value/],
    ['fraction of digits, then a dot', `x .${'1'.repeat(N)}.\n`, 'text', /^line 1: invalid value/],
    ['timestamp of digits, then a letter', `x 1 ${'1'.repeat(N)}z\n`, 'text', /^line 1: invalid timestamp/],
    ['OpenMetrics timestamp of digits', `x 1 ${'1'.repeat(N)}z\n# EOF\n`, 'openmetrics', /^line 1: invalid timestamp/],
    ['OpenMetrics HELP of spaces', `# HELP x${' '.repeat(N)}\n# EOF\n`, 'openmetrics', null],
  ];

  for (const [what, text, format, error] of hostile) {
    it(what, () => {
      const r = attempt(text, format);
      if (error) {
        expect(r).toBeInstanceOf(ExpositionError);
        expect((r as Error).message).toMatch(error);
        expect((r as Error).message.length).toBeLessThan(200);
      } else {
        expect(r).not.toBeInstanceOf(Error);
      }
      const baselineText = `x{a="${'b'.repeat(N)}"} 1\n${format === 'openmetrics' ? '# EOF\n' : ''}`;
      const [baseline, cost] = fastest(() => attempt(baselineText, format), () => attempt(text, format));
      expect(cost).toBeLessThan(50 * baseline + 20);
    });
  }
});
