import { describe, expect, it } from 'vitest';
import type { FloatHistogram } from '../../src/model/histogram.js';
import { addHistogram, subHistogram, kahanAddHistogram, mulHistogram, divHistogram, intersectCustomBounds, IncompatibleSchemaError } from '../../src/model/histogram-arith.js';
import { compact } from '../../src/model/histogram-compact.js';
import { detectReset } from '../../src/model/histogram-reset.js';
import { histogramEquals, histogramSize } from '../../src/model/histogram-equal.js';
import { copyHistogram } from '../../src/model/histogram-resolution.js';

function h(over: Partial<FloatHistogram>): FloatHistogram {
  return {
    counterResetHint: 0, schema: 0, zeroThreshold: 0, zeroCount: 0, count: 0, sum: 0,
    positiveSpans: [], positiveBuckets: [], negativeSpans: [], negativeBuckets: [], ...over,
  };
}

describe('addHistogram', () => {
  it('adds buckets of the same schema, filling gaps', () => {
    const a = h({ count: 3, sum: 3, positiveSpans: [{ offset: 0, length: 1 }, { offset: 2, length: 1 }], positiveBuckets: [1, 2] });
    const b = h({ count: 4, sum: 5, positiveSpans: [{ offset: 1, length: 3 }], positiveBuckets: [1, 1, 2] });
    addHistogram(a, b);
    expect(a.count).toBe(7);
    expect(a.sum).toBe(8);
    expect(a.positiveSpans).toEqual([{ offset: 0, length: 4 }]);
    expect(a.positiveBuckets).toEqual([1, 1, 1, 4]);
  });
  it('reduces to the smaller schema', () => {
    const a = h({ schema: 1, count: 2, positiveSpans: [{ offset: 1, length: 2 }], positiveBuckets: [1, 1] });
    const b = h({ schema: 0, count: 1, positiveSpans: [{ offset: 1, length: 1 }], positiveBuckets: [1] });
    addHistogram(a, b);
    expect(a.schema).toBe(0);
    expect(a.positiveSpans).toEqual([{ offset: 1, length: 1 }]);
    expect(a.positiveBuckets).toEqual([3]);
  });
  it('widens the zero bucket to the wider threshold and folds buckets inside it', () => {
    const a = h({ zeroThreshold: 0.001, zeroCount: 1, count: 3, positiveSpans: [{ offset: -1, length: 2 }], positiveBuckets: [1, 1] });
    const b = h({ zeroThreshold: 0.5, zeroCount: 2, count: 2 });
    addHistogram(a, b);
    // Bucket -1 is (0.25, 0.5], inside the new zero bucket; bucket 0 is (0.5, 1].
    expect(a.zeroThreshold).toBe(0.5);
    expect(a.zeroCount).toBe(4);
    compact(a);
    expect(a.positiveSpans).toEqual([{ offset: 0, length: 1 }]);
    expect(a.positiveBuckets).toEqual([1]);
  });
  it('intersects differing custom bounds and reports it', () => {
    const a = h({ schema: -53, customValues: [1, 2, 3], count: 6, positiveSpans: [{ offset: 0, length: 4 }], positiveBuckets: [1, 2, 2, 1] });
    const b = h({ schema: -53, customValues: [1, 3], count: 3, positiveSpans: [{ offset: 0, length: 3 }], positiveBuckets: [1, 1, 1] });
    const r = addHistogram(a, b);
    expect(r.nhcbBoundsReconciled).toBe(true);
    expect(a.customValues).toEqual([1, 3]);
    expect(a.positiveBuckets).toEqual([2, 5, 2]);
    expect(intersectCustomBounds([1, 2, 5], [2, 5, 7])).toEqual([2, 5]);
  });
  it('refuses to mix custom and exponential buckets', () => {
    expect(() => addHistogram(h({ schema: -53, customValues: [1] }), h({}))).toThrow(IncompatibleSchemaError);
  });
  it('reports a reset and a not-reset hint colliding', () => {
    expect(addHistogram(h({ counterResetHint: 1 }), h({ counterResetHint: 2 })).counterResetCollision).toBe(true);
    const g = h({ counterResetHint: 0 });
    addHistogram(g, h({ counterResetHint: 3 }));
    expect(g.counterResetHint).toBe(3);
  });
});

describe('subHistogram and scaling', () => {
  it('subtracts bucket by bucket on both sides', () => {
    const a = h({ count: 5, sum: 5, zeroCount: 1, positiveSpans: [{ offset: 0, length: 2 }], positiveBuckets: [2, 1], negativeSpans: [{ offset: 0, length: 1 }], negativeBuckets: [1] });
    const b = copyHistogram(a);
    subHistogram(a, b);
    expect([a.count, a.sum, a.zeroCount]).toEqual([0, 0, 0]);
    expect(a.positiveBuckets).toEqual([0, 0]);
    expect(a.negativeBuckets).toEqual([0]);
  });
  it('multiplies and divides every count, and a negative factor makes a gauge', () => {
    const a = h({ count: 4, sum: 2, zeroCount: 2, positiveSpans: [{ offset: 0, length: 1 }], positiveBuckets: [2] });
    mulHistogram(a, -2);
    expect([a.count, a.sum, a.zeroCount, a.positiveBuckets[0], a.counterResetHint]).toEqual([-8, -4, -4, -4, 3]);
    divHistogram(a, 0);
    expect(a.count).toBe(-Infinity);
    expect(a.positiveBuckets).toEqual([]);
  });
});

describe('kahanAddHistogram', () => {
  it('keeps the rounding error in the compensation histogram', () => {
    const a = h({ count: 1e16, sum: 1e16, positiveSpans: [{ offset: 0, length: 1 }], positiveBuckets: [1e16] });
    const one = h({ count: 1, sum: 1, positiveSpans: [{ offset: 0, length: 1 }], positiveBuckets: [1] });
    let c: FloatHistogram | undefined;
    for (let i = 0; i < 10; i++) c = kahanAddHistogram(a, one, c).c;
    addHistogram(a, c!);
    expect(a.count).toBe(1e16 + 10);
    expect(a.positiveBuckets[0]).toBe(1e16 + 10);
  });
});

describe('detectReset', () => {
  const prev = h({ count: 5, zeroCount: 1, positiveSpans: [{ offset: 0, length: 2 }], positiveBuckets: [2, 2] });
  it('trusts explicit hints', () => {
    expect(detectReset(h({ counterResetHint: 1, count: 10 }), prev)).toBe(true);
    expect(detectReset(h({ counterResetHint: 2, count: 0 }), prev)).toBe(false);
  });
  it('sees counts, buckets and schema going the wrong way', () => {
    expect(detectReset(h({ count: 4 }), prev)).toBe(true);
    expect(detectReset(h({ count: 6, zeroCount: 1, positiveSpans: [{ offset: 0, length: 2 }], positiveBuckets: [3, 1] }), prev)).toBe(true);
    expect(detectReset(h({ count: 6, zeroCount: 1, positiveSpans: [{ offset: 0, length: 3 }], positiveBuckets: [2, 2, 1] }), prev)).toBe(false);
    expect(detectReset(h({ schema: 1, count: 6 }), prev)).toBe(true);
    expect(detectReset(h({ count: 6, zeroCount: 1, positiveSpans: [{ offset: 0, length: 1 }], positiveBuckets: [5] }), prev)).toBe(true);
  });
  it('compares custom buckets over the bounds both share', () => {
    const p = h({ schema: -53, customValues: [1, 2], count: 3, positiveSpans: [{ offset: 0, length: 3 }], positiveBuckets: [1, 1, 1] });
    expect(detectReset(h({ schema: -53, customValues: [2], count: 3, positiveSpans: [{ offset: 0, length: 2 }], positiveBuckets: [2, 1] }), p)).toBe(false);
    expect(detectReset(h({ schema: -53, customValues: [2], count: 3, positiveSpans: [{ offset: 0, length: 2 }], positiveBuckets: [1, 2] }), p)).toBe(true);
  });
});

describe('equality and size', () => {
  it('ignores how spans split the same buckets, but not the values', () => {
    const a = h({ count: 1, positiveSpans: [{ offset: 0, length: 1 }, { offset: 0, length: 1 }], positiveBuckets: [1, 2] });
    const b = h({ count: 1, positiveSpans: [{ offset: 0, length: 2 }], positiveBuckets: [1, 2] });
    expect(histogramEquals(a, b)).toBe(true);
    expect(histogramEquals(a, h({ ...b, positiveBuckets: [1, 3] }))).toBe(false);
    expect(histogramSize(b)).toBe(168 + 8 * 3);
  });
});
