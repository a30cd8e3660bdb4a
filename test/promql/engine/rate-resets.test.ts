// rate and increase over long windows take each counter reset from an index
// built once per series; the result must be, bit for bit, the scan over every
// sample of the window, whatever order the windows are asked in.

import { describe, expect, it } from 'vitest';
import { RANGE_FUNCTIONS, extrapolate, type RangeCtx } from '../../../src/promql/engine/functions.js';
import { rng } from '../../../bench/data.js';

function scan(t: Float64Array, v: Float64Array, lo: number, hi: number, ctx: RangeCtx, isRate: boolean): number | null {
  if (hi - lo < 2) return null;
  let result = v[hi - 1]! - v[lo]!;
  for (let i = lo + 1; i < hi; i++) if (v[i]! < v[i - 1]!) result += v[i - 1]!;
  return extrapolate(result, t[lo]!, t[hi - 1]!, v[lo]!, hi - lo - 1, ctx, true, isRate);
}

describe('rate and increase with counter resets', () => {
  it('equal the sample-by-sample scan for windows of every length, in any order', () => {
    const r = rng(11);
    const n = 600;
    const t = Float64Array.from({ length: n }, (_, i) => 1_000_000 + i * 15_000 + Math.floor(r() * 4000));
    let c = 0;
    // Frequent resets, fractional values, a NaN and repeated values, so rounding order would show.
    const v = Float64Array.from({ length: n }, (_, i) => (i === 300 ? NaN : r() < 0.08 ? (c = r() * 3) : (c += r() < 0.2 ? 0 : r() * 1e6 / 7)));
    let checked = 0;
    for (let k = 0; k < 3000; k++) {
      const len = 1 + Math.floor(r() * 80);
      const lo = Math.floor(r() * (n - len));
      const hi = lo + len;
      const rangeEnd = t[hi - 1]! + Math.floor(r() * 15_000);
      const range = 60_000 * (1 + Math.floor(r() * 20));
      const ctx = { ts: rangeEnd, rangeStart: rangeEnd - range, rangeEnd, rangeSeconds: range / 1000, params: [], st: null, anchored: false, smoothed: false } as unknown as RangeCtx;
      for (const [name, isRate] of [['rate', true], ['increase', false]] as const) {
        const got = RANGE_FUNCTIONS[name]!(t, v, lo, hi, ctx);
        const want = scan(t, v, lo, hi, ctx, isRate);
        expect(Object.is(got, want) || (got !== null && want !== null && Number.isNaN(got) && Number.isNaN(want)), `${name} [${lo}, ${hi}): ${got} vs ${want}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBe(6000);
  });
});
