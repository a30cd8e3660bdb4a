import { describe, expect, it } from 'vitest';
import type { FloatHistogram } from '../../src/model/histogram.js';
import { trimBuckets } from '../../src/model/histogram-trim.js';

function h(over: Partial<FloatHistogram>): FloatHistogram {
  return {
    counterResetHint: 0, schema: 0, zeroThreshold: 0, zeroCount: 0, count: 0, sum: 0,
    positiveSpans: [], positiveBuckets: [], negativeSpans: [], negativeBuckets: [], ...over,
  };
}

describe('trimBuckets', () => {
  // Buckets (0.5,1]:2, (1,2]:4, (2,4]:2.
  const x = () => h({ count: 8, sum: 12, positiveSpans: [{ offset: 0, length: 3 }], positiveBuckets: [2, 4, 2] });

  it('keeps whole buckets below the threshold and recomputes count and sum from geometric midpoints', () => {
    const t = trimBuckets(x(), 2, true);
    expect(t.positiveBuckets).toEqual([2, 4]);
    expect(t.count).toBe(6);
    expect(t.sum).toBeCloseTo(2 * Math.sqrt(0.5) + 4 * Math.sqrt(2), 12);
  });

  it('splits the bucket the threshold falls in exponentially', () => {
    // 2^1.5 lies half-way (in log scale) through (2,4]: half of its 2 observations stay.
    const t = trimBuckets(x(), 2 ** 1.5, false);
    expect(t.positiveBuckets).toHaveLength(1);
    expect(t.positiveBuckets[0]).toBeCloseTo(1, 12);
    expect(t.positiveSpans).toEqual([{ offset: 2, length: 1 }]);
    expect(t.count).toBeCloseTo(1, 12);
  });

  it('interpolates custom buckets linearly and leaves an untouched histogram as it was', () => {
    const c = h({ schema: -53, customValues: [10, 20], count: 10, sum: 100, positiveSpans: [{ offset: 0, length: 3 }], positiveBuckets: [0, 10, 0] });
    const t = trimBuckets(c, 15, true);
    expect(t.positiveBuckets).toEqual([5]);
    expect(t.sum).toBe(5 * 12.5);
    const same = trimBuckets(x(), 100, true);
    expect([same.count, same.sum]).toEqual([8, 12]);
  });
});
