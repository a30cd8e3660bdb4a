// The forward searches agree with a plain binary search, whatever order the
// positions come in (forward, backward, repeated, far jumps).

import { describe, expect, it } from 'vitest';
import { advanceTo, upperBoundFromLast } from '../../../src/promql/engine/forward-search.js';
import { upperBound } from '../../../src/promql/engine/selection.js';
import { rng } from '../../../bench/data.js';

describe('forward search', () => {
  it('upperBoundFromLast equals upperBound for any sequence of positions', () => {
    const r = rng(3);
    for (let trial = 0; trial < 50; trial++) {
      let t0 = 0;
      const t = Float64Array.from({ length: Math.floor(r() * 200) }, () => (t0 += 1 + Math.floor(r() * 3) * 1000));
      let x = -5;
      for (let k = 0; k < 400; k++) {
        const move = r();
        // Mostly small steps forward, sometimes a jump, sometimes back.
        x = move < 0.7 ? x + r() * 2000 : move < 0.85 ? x + r() * 100_000 : x - r() * 50_000;
        expect(upperBoundFromLast(t, x), `trial ${trial} x ${x}`).toBe(upperBound(t, x));
      }
    }
  });

  it('advanceTo equals upperBound from any valid starting point', () => {
    const t = Float64Array.from({ length: 100 }, (_, i) => i * 10);
    for (let x = -1; x <= 1000; x += 7) {
      const exact = upperBound(t, x);
      for (let from = 0; from <= exact; from++) expect(advanceTo(t, x, from)).toBe(exact);
    }
  });
});
