import { describe, expect, it } from 'vitest';
import { STALE_NAN, staleFlags, staleFlagsOrNull } from '../../src/model/stale.js';

describe('stale flags', () => {
  it('flags only the marker bit pattern, and is null without a marker', () => {
    const values = Float64Array.of(1, NaN, 2, -0, Infinity);
    expect(staleFlagsOrNull(values)).toBeNull();
    values[1] = STALE_NAN;
    values[4] = STALE_NAN;
    expect([...staleFlagsOrNull(values)!]).toEqual([0, 1, 0, 0, 1]);
    expect(staleFlagsOrNull(values)).toEqual(staleFlags(values));
  });

  it('reads a view at an offset into a larger buffer', () => {
    const whole = Float64Array.of(STALE_NAN, 5, 6, STALE_NAN);
    expect([...staleFlagsOrNull(whole.subarray(1))!]).toEqual([0, 0, 1]);
    expect(staleFlagsOrNull(whole.subarray(1, 3))).toBeNull();
  });
});
