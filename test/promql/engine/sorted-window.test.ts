// quantile_over_time's moving window (src/promql/engine/sorted-window.ts)
// must hold, after any forward move, exactly the array a stable sort of the
// window in time order gives (quantile()'s order: NaN first, -0 and 0 and
// NaNs in time order), element for element by Object.is.

import { describe, expect, it } from 'vitest';
import { SortedWindow, byValue } from '../../../src/promql/engine/sorted-window.js';
import { seededRandom } from '../../../src/model/seeded-random.js';

describe('SortedWindow', () => {
  it('holds the stable sort of each window as it moves forward by steps small and large', () => {
    const rnd = seededRandom(5);
    const n = 6000;
    // Few distinct values, so runs of equal values (and of -0 and 0, and of NaNs) are long.
    const pool = [NaN, -0, 0, 1, -1, 2.5, Infinity, -Infinity, 1e-300];
    const v = Float64Array.from({ length: n }, () => pool[Math.floor(rnd() * pool.length)]!);
    const w = new SortedWindow();
    let lo = 0, hi = 0, checked = 0;
    while (hi < n) {
      const r = rnd();
      // Mostly a sample or two at either end; now and then a jump past the window, a wide window, or a narrow one.
      hi = Math.min(n, hi + (r < 0.98 ? Math.floor(rnd() * 3) : Math.floor(rnd() * 300)));
      lo = Math.min(hi, lo + Math.floor(rnd() * 3));
      if (hi - lo > 300 || rnd() < 0.01) lo = Math.max(lo, hi - Math.floor(rnd() * 40));
      if (hi === lo) continue; // an empty window: quantile_over_time asks nothing of it
      w.moveTo(v, lo, hi);
      const want = Array.from(v.subarray(lo, hi)).sort(byValue);
      const got = Array.from(w.values.subarray(0, w.size));
      expect(got.length).toBe(want.length);
      const same = got.every((x, i) => Object.is(x, want[i]));
      if (!same) expect(got.map(String), `window [${lo}, ${hi})`).toEqual(want.map(String));
      checked++;
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('interpolates between ranks as quantile() does', () => {
    const w = new SortedWindow();
    const v = Float64Array.from([3, NaN, 1, 2]);
    w.moveTo(v, 0, 4);
    expect(w.quantile(0)).toBeNaN();
    expect(w.quantile(1)).toBe(3);
    expect(w.quantile(0.25)).toBeNaN(); // NaN sorts first: between NaN and 1
    expect(w.quantile(0.5)).toBe(1.5);
    w.moveTo(v, 2, 4);
    expect(w.quantile(0.25)).toBe(1.25);
    expect(w.quantile(-1)).toBe(-Infinity);
    expect(w.quantile(2)).toBe(Infinity);
    expect(w.quantile(NaN)).toBeNaN();
  });
});
