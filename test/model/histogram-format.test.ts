// Histograms as Prometheus prints them: String() and TestExpression().

import { describe, expect, it } from 'vitest';
import { CounterResetHint, type FloatHistogram } from '../../src/model/histogram.js';
import { histogramString, histogramTestExpression } from '../../src/model/histogram-format.js';

function h(over: Partial<FloatHistogram>): FloatHistogram {
  return {
    counterResetHint: CounterResetHint.Unknown, schema: 0, zeroThreshold: 0, zeroCount: 0, count: 0, sum: 0,
    positiveSpans: [], positiveBuckets: [], negativeSpans: [], negativeBuckets: [], ...over,
  };
}

describe('histogramString', () => {
  // The cases of Prometheus's TestFloatHistogramString, with its expected text.
  it('writes negative, zero and positive buckets with their inclusive ends', () => {
    const fh = h({
      schema: 1, zeroThreshold: 0.01, zeroCount: 5.5, count: 3493.3, sum: 2349209.324,
      positiveSpans: [{ offset: -2, length: 1 }, { offset: 2, length: 3 }], positiveBuckets: [1, 3.3, 4.2, 0.1],
      negativeSpans: [{ offset: 3, length: 2 }, { offset: 3, length: 2 }], negativeBuckets: [3.1, 3, 1.234e5, 1000],
    });
    expect(histogramString(fh)).toBe('{count:3493.3, sum:2.349209324e+06, [-22.62741699796952,-16):1000, [-16,-11.31370849898476):123400, [-4,-2.82842712474619):3, [-2.82842712474619,-2):3.1, [-0.01,0.01]:5.5, (0.35355339059327373,0.5]:1, (1,1.414213562373095]:3.3, (1.414213562373095,2]:4.2, (2,2.82842712474619]:0.1}');
  });
  it('writes custom buckets from -Inf to +Inf', () => {
    const fh = h({
      schema: -53, count: 3493.3, sum: 2349209.324, positiveSpans: [{ offset: 0, length: 1 }, { offset: 2, length: 4 }],
      positiveBuckets: [1, 3.3, 4.2, 0.1, 5], customValues: [1, 2, 5, 10, 15, 20],
    });
    expect(histogramString(fh)).toBe('{count:3493.3, sum:2.349209324e+06, [-Inf,1]:1, (5,10]:3.3, (10,15]:4.2, (15,20]:0.1, (20,+Inf]:5}');
  });
});

describe('histogramTestExpression', () => {
  it('compacts each side into one span and leaves out zero fields', () => {
    const fh = h({
      schema: 1, count: 32.1, sum: -0.3, zeroCount: 7.1, zeroThreshold: 0.05,
      positiveSpans: [{ offset: -4, length: 2 }, { offset: 1, length: 2 }], positiveBuckets: [0, 5.1, 10, 7],
      negativeSpans: [{ offset: -5, length: 2 }, { offset: 0, length: 1 }], negativeBuckets: [4.1, 5, 0],
    });
    expect(histogramTestExpression(fh)).toBe('{{schema:1 count:32.1 sum:-0.3 z_bucket:7.1 z_bucket_w:0.05 offset:-3 buckets:[5.1 0 10 7] n_offset:-5 n_buckets:[4.1 5]}}');
    expect(histogramTestExpression(h({}))).toBe('{{}}');
  });
  it('writes the counter-reset hint and custom values', () => {
    expect(histogramTestExpression(h({ count: 2, sum: 3, counterResetHint: CounterResetHint.NotCounterReset, positiveSpans: [{ offset: 0, length: 1 }], positiveBuckets: [2] })))
      .toBe('{{count:2 sum:3 counter_reset_hint:not_reset buckets:[2]}}');
    expect(histogramTestExpression(h({ schema: -53, count: 3, sum: 1e6, counterResetHint: CounterResetHint.Gauge, customValues: [0.5, 1], positiveSpans: [{ offset: 1, length: 2 }], positiveBuckets: [1, 2] })))
      .toBe('{{schema:-53 count:3 sum:1e+06 custom_values:[0.5 1] counter_reset_hint:gauge offset:1 buckets:[1 2]}}');
  });
});
