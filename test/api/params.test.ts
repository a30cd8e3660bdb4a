// API parameters: Go's ParseFloat shapes recognised by one linear scan, and
// times and durations that overflow rejected with the parameter's name.

import { describe, expect, it } from 'vitest';
import { isDecimalFloat, parseApiDuration, parseTime } from '../../src/api/params.js';

describe('API parameters', () => {
  it('recognises decimal floats as ParseFloat does', () => {
    for (const s of ['1', '-1', '+1', '1.', '.5', '1.5e3', '1E-3', '-.5e+2', '0001']) expect(isDecimalFloat(s), s).toBe(true);
    for (const s of ['', '.', '+', '-', 'e3', '1e', '1e+', '1.5.2', '1x', ' 1', '0x1f', 'Inf', 'NaN', '1_000']) expect(isDecimalFloat(s), s).toBe(false);
  });

  it('reads times as Unix seconds or RFC 3339, and rejects overflow naming the parameter', () => {
    expect(parseTime('1.5')).toBe(1500);
    expect(parseTime('2020-01-01T00:00:00Z')).toBe(Date.UTC(2020, 0, 1));
    expect(() => parseTime('1e400', 'start')).toThrow('invalid parameter "start": cannot parse "1e400" to a valid timestamp');
    expect(() => parseTime(`${'9'.repeat(200)}`, 'end')).toThrow(/^invalid parameter "end": cannot parse "9{100}…" to a valid timestamp$/);
  });

  it('reads durations as seconds or Prometheus durations', () => {
    expect(parseApiDuration('1.5', 'step')).toBe(1500);
    expect(parseApiDuration('1m30s', 'step')).toBe(90_000);
    expect(() => parseApiDuration('1e300', 'step')).toThrow('invalid parameter "step": cannot parse "1e300" to a valid duration. It overflows int64');
    expect(() => parseApiDuration('1.5s', 'timeout')).toThrow('invalid parameter "timeout": cannot parse "1.5s" to a valid duration');
  });
});
