import { describe, expect, it } from 'vitest';
import type { FloatHistogram } from '../../src/model/histogram.js';
import { bucketBound, exponentialBound, targetIndex } from '../../src/model/histogram-bounds.js';
import { allBuckets, positiveBuckets, negativeBuckets, sideBuckets } from '../../src/model/histogram-buckets.js';
import { reduceResolution, copyToSchema } from '../../src/model/histogram-resolution.js';

function h(over: Partial<FloatHistogram>): FloatHistogram {
  return {
    counterResetHint: 0, schema: 0, zeroThreshold: 0, zeroCount: 0, count: 0, sum: 0,
    positiveSpans: [], positiveBuckets: [], negativeSpans: [], negativeBuckets: [], ...over,
  };
}

describe('bucket bounds', () => {
  it('are powers of 2^(2^-schema)', () => {
    expect(exponentialBound(0, 0)).toBe(1);
    expect(exponentialBound(1, 0)).toBe(2);
    expect(exponentialBound(-1, 0)).toBe(0.5);
    expect(exponentialBound(1, 1)).toBeCloseTo(Math.SQRT2, 15);
    expect(exponentialBound(1, -2)).toBe(16);
    expect(exponentialBound(3, 3)).toBeCloseTo(2 ** (3 / 8), 15);
    // Bounds at and beyond the float64 range clamp as Prometheus's do.
    expect(exponentialBound(1024, 0)).toBe(Number.MAX_VALUE);
    expect(exponentialBound(256, -2)).toBe(Number.MAX_VALUE);
  });
  it("are Prometheus's constants, within a few units in the last place of the true power of two", () => {
    // Prometheus's table, not the nearest float64 (1.4142135623730951, 1.681792830507429):
    // its JSON and histogram_quantile use these (test/compat/histogram-output-differential.test.ts).
    expect(exponentialBound(1, 1)).toBe(1.414213562373095);
    expect(exponentialBound(3, 2)).toBe(1.6817928305074288);
    for (let s = 0; s <= 8; s++) {
      for (let k = 0; k < 1 << s; k++) {
        const b = exponentialBound(k, s);
        expect(b).toBeGreaterThanOrEqual(1);
        expect(b).toBeLessThan(2);
        expect(Math.abs(b - 2 ** (k / (1 << s)))).toBeLessThanOrEqual(2 ** -50);
      }
    }
  });
  it('of custom buckets come from the custom values, with -Inf and +Inf at the ends', () => {
    expect(bucketBound(-1, -53, [1, 2])).toBe(-Infinity);
    expect(bucketBound(0, -53, [1, 2])).toBe(1);
    expect(bucketBound(2, -53, [1, 2])).toBe(Infinity);
    expect(() => bucketBound(3, -53, [1, 2])).toThrow(/out of bounds/);
  });
  it('map indexes into a coarser schema', () => {
    expect(targetIndex(1, 1, 0)).toBe(1);
    expect(targetIndex(2, 1, 0)).toBe(1);
    expect(targetIndex(3, 1, 0)).toBe(2);
    expect(targetIndex(0, 1, 0)).toBe(0);
    expect(targetIndex(-1, 1, 0)).toBe(0);
    expect(targetIndex(-2, 1, 0)).toBe(-1);
  });
});

describe('bucket iteration', () => {
  const x = h({
    schema: 0, zeroThreshold: 0.001, zeroCount: 2, count: 12, sum: 10,
    positiveSpans: [{ offset: 0, length: 2 }, { offset: 1, length: 1 }], positiveBuckets: [1, 2, 3],
    negativeSpans: [{ offset: 1, length: 1 }], negativeBuckets: [4],
  });
  it('walks each side with bounds and inclusivity', () => {
    expect(positiveBuckets(x).map((b) => [b.lower, b.upper, b.count, b.index, b.lowerInclusive, b.upperInclusive])).toEqual([
      [0.5, 1, 1, 0, false, true], [1, 2, 2, 1, false, true], [4, 8, 3, 3, false, true],
    ]);
    expect(negativeBuckets(x).map((b) => [b.lower, b.upper, b.count, b.lowerInclusive, b.upperInclusive])).toEqual([[-2, -1, 4, true, false]]);
  });
  it('walks all buckets in ascending order with the zero bucket between the sides', () => {
    expect(allBuckets(x).map((b) => [b.lower, b.upper, b.count])).toEqual([[-2, -1, 4], [-0.001, 0.001, 2], [0.5, 1, 1], [1, 2, 2], [4, 8, 3]]);
  });
  it('merges buckets into a coarser schema and skips those inside a start value', () => {
    const y = h({ schema: 1, positiveSpans: [{ offset: -1, length: 5 }], positiveBuckets: [1, 2, 3, 4, 5] });
    // Schema-1 indexes -1..3 land in schema-0 indexes 0,0,1,1,2.
    expect(sideBuckets(y, true, 0).map((b) => [b.index, b.count])).toEqual([[0, 3], [1, 7], [2, 5]]);
    expect(sideBuckets(y, true, 0, 1).map((b) => [b.index, b.count])).toEqual([[1, 7], [2, 5]]);
  });
  it('gives custom buckets their bounds', () => {
    const c = h({ schema: -53, customValues: [1, 5], positiveSpans: [{ offset: 0, length: 3 }], positiveBuckets: [1, 0, 2] });
    expect(allBuckets(c).map((b) => [b.lower, b.upper, b.lowerInclusive, b.count])).toEqual([
      [-Infinity, 1, true, 1], [1, 5, false, 0], [5, Infinity, false, 2],
    ]);
  });
});

describe('reduceResolution', () => {
  it('merges neighbouring buckets on both sides and keeps the totals', () => {
    const y = h({
      schema: 2, count: 20,
      positiveSpans: [{ offset: 0, length: 2 }, { offset: 3, length: 2 }], positiveBuckets: [1, 2, 3, 4],
      negativeSpans: [{ offset: -2, length: 3 }], negativeBuckets: [1, 1, 1],
    });
    reduceResolution(y, 0);
    expect(y.schema).toBe(0);
    // Schema-2 indexes 0,1,5,6 map to schema-0 indexes 0,1,2,2.
    expect(y.positiveSpans).toEqual([{ offset: 0, length: 3 }]);
    expect(y.positiveBuckets).toEqual([1, 2, 7]);
    // -2,-1,0 map to 0,0,0.
    expect(y.negativeSpans).toEqual([{ offset: 0, length: 1 }]);
    expect(y.negativeBuckets).toEqual([3]);
  });
  it('leaves gaps as spans', () => {
    const y = h({ schema: 1, positiveSpans: [{ offset: 0, length: 1 }, { offset: 6, length: 1 }], positiveBuckets: [1, 2] });
    const c = copyToSchema(y, 0);
    expect(c.positiveSpans).toEqual([{ offset: 0, length: 1 }, { offset: 3, length: 1 }]);
    expect(y.schema).toBe(1);
  });
  it('refuses custom buckets and higher schemas', () => {
    expect(() => reduceResolution(h({ schema: -53, customValues: [1] }), 0)).toThrow(/custom buckets/);
    expect(() => reduceResolution(h({ schema: 0 }), 1)).toThrow(/cannot reduce/);
  });
});
