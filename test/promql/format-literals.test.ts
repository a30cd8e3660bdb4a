// format() prints number literals as Prometheus's printer does
// (strconv.FormatFloat(v, 'f', -1, 64)): infinities as +Inf / -Inf and huge
// or tiny finite values in full, and every printed form parses back to the
// same value.

import { describe, expect, it } from 'vitest';
import { format, parse } from '../../src/index.js';

const value = (q: string): number => {
  const e = parse(q);
  if (e.type === 'NumberLiteral') return e.val;
  if (e.type === 'UnaryExpr' && e.expr.type === 'NumberLiteral') return e.op === '-' ? -e.expr.val : e.expr.val;
  throw new Error(`not a number literal: ${q}`);
};

describe('format() of number literals', () => {
  it('prints what Prometheus prints', () => {
    expect(format('1e999')).toBe('+Inf');
    expect(format('-1e999')).toBe('-Inf');
    expect(format('1e21')).toBe('1000000000000000000000');
    expect(format('1e-7')).toBe('0.0000001');
    expect(format('0x1f')).toBe('31');
  });

  it('prints forms that parse back to the same value', () => {
    for (const q of ['1e999', '-1e999', '1.7976931348623157e308', '5e-324', '123456789012345678901234567890', '-0.000000000001', '0x7fffffffffffffff']) {
      const printed = format(q);
      expect(value(printed), `${q} printed as ${printed}`).toBe(value(q));
    }
    expect(format(format('foo > bool 1e999'))).toBe('foo > bool +Inf');
  });
});
