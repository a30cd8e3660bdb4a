// The range functions that write into a column (src/promql/engine/range-into.ts)
// against functions.ts's RangeFn they stand for: the same windows of the same
// samples must give the same value bit for bit (Object.is: -0 and NaN too),
// and no value where the RangeFn returns null. Windows are cut from series
// with counter resets, NaN, ±Inf, -0, duplicate values and equal timestamps,
// with and without start timestamps, anchored and smoothed.

import { describe, expect, it } from 'vitest';
import { RANGE_FUNCTIONS, type RangeCtx } from '../../../src/promql/engine/functions.js';
import { RANGE_FUNCTIONS_INTO } from '../../../src/promql/engine/range-into.js';
import { Annotations } from '../../../src/promql/engine/annotations.js';
import { parse } from '../../../src/promql/parser/index.js';
import type { Call } from '../../../src/promql/parser/ast.js';
import { seededRandom } from '../../../src/model/seeded-random.js';

function series(seed: number, n: number): { t: Float64Array; v: Float64Array; st: Float64Array } {
  const rnd = seededRandom(seed);
  const t = new Float64Array(n), v = new Float64Array(n), st = new Float64Array(n);
  let time = 1_000_000, value = 0;
  for (let i = 0; i < n; i++) {
    time += rnd() < 0.05 ? 0 : Math.floor(rnd() * 30_000) + 1; // now and then two samples at one time
    const r = rnd();
    if (r < 0.05) value = 0; // a counter reset
    else if (r < 0.08) value = NaN;
    else if (r < 0.1) value = r < 0.09 ? Infinity : -Infinity;
    else if (r < 0.12) value = -0;
    else if (Number.isFinite(value) || Number.isNaN(value)) value = (Number.isFinite(value) ? value : 0) + Math.floor(rnd() * 100) / 8;
    else value = 1;
    t[i] = time;
    v[i] = value;
    st[i] = rnd() < 0.1 ? time - 5 : 0;
  }
  return { t, v, st };
}

function callOf(name: string): Call {
  const args = name === 'quantile_over_time' ? '0.3, m[5m]' : name === 'predict_linear' ? 'm[5m], 60' : name === 'double_exponential_smoothing' ? 'm[5m], 0.5, 0.5' : 'm[5m]';
  return parse(`${name}(${args})`, { experimentalFunctions: true }) as Call;
}

describe('range functions writing into columns', () => {
  for (const name of Object.keys(RANGE_FUNCTIONS)) {
    it(`${name} writes what its RangeFn returns`, () => {
      const fn = RANGE_FUNCTIONS[name]!, into = RANGE_FUNCTIONS_INTO[name]!;
      const call = callOf(name);
      const params = name === 'quantile_over_time' ? [0.3] : name === 'predict_linear' ? [60] : name === 'double_exponential_smoothing' ? [0.5, 0.5] : [];
      let compared = 0, values = 0;
      for (let seed = 1; seed <= 3; seed++) {
        const { t, v, st } = series(seed, 300);
        for (const variant of ['plain', 'starts', 'anchored', 'smoothed']) {
          const anchored = variant === 'anchored', smoothed = variant === 'smoothed';
          if ((anchored || smoothed) && !['rate', 'increase', 'delta'].includes(name)) continue;
          const ctx = (): RangeCtx => ({
            ts: 0, rangeStart: 0, rangeEnd: 0, rangeSeconds: 300, params: [...params], annos: new Annotations(), call,
            metric: [], anchored, smoothed, st: variant === 'starts' ? st : null,
          });
          // One context per series for each side, as range-call.ts keeps them.
          const a = ctx(), b = ctx();
          const out = new Float64Array(1);
          for (let lo = 0; lo < t.length; lo += 3) {
            for (const width of [0, 1, 2, 5, 17, 40]) {
              const hi = Math.min(t.length, lo + width);
              const rangeEnd = (hi > 0 ? t[hi - 1]! : t[0]!) + 7_000;
              for (const c of [a, b]) {
                c.ts = rangeEnd;
                c.rangeEnd = rangeEnd;
                c.rangeStart = rangeEnd - 300_000;
              }
              const want = fn(t, v, lo, hi, a);
              out[0] = 12345;
              const wrote = into(t, v, lo, hi, b, out, 0);
              expect(wrote, `${name} ${variant} [${lo}, ${hi})`).toBe(want !== null);
              if (want !== null) {
                expect(Object.is(out[0], want), `${name} ${variant} [${lo}, ${hi}): ${out[0]} against ${want}`).toBe(true);
                values++;
              } else expect(out[0]).toBe(12345);
              compared++;
            }
          }
        }
      }
      expect(compared).toBeGreaterThan(1000);
      expect(values).toBeGreaterThan(100);
    });
  }
});
