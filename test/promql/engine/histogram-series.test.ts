import { describe, expect, it } from 'vitest';
import type { FloatHistogram } from '../../../src/model/histogram.js';
import { mergeHistogramSamples, statsOnly, statsOnlySelectors } from '../../../src/promql/engine/histogram-series.js';
import { parse } from '../../../src/promql/parser/index.js';

function h(count: number, hint = 0): FloatHistogram {
  return {
    counterResetHint: hint as FloatHistogram['counterResetHint'], schema: 0, zeroThreshold: 0, zeroCount: 0, count, sum: count,
    positiveSpans: [{ offset: 0, length: 1 }], positiveBuckets: [count], negativeSpans: [], negativeBuckets: [],
  };
}

describe('histograms read from storage', () => {
  it('share one timeline with floats, and get the hints Prometheus 3 chunks return', () => {
    const m = mergeHistogramSamples({
      timestamps: Float64Array.of(30), values: Float64Array.of(7),
      histograms: { timestamps: Float64Array.of(10, 20, 40, 50, 60), histograms: [h(1), h(2), h(3), h(1, 1), h(2)] },
    });
    expect(Array.from(m.timestamps)).toEqual([10, 20, 30, 40, 50, 60]);
    expect(m.h!.map((x) => x?.counterResetHint)).toEqual([0, 2, undefined, 0, 0, 2]);
    expect(Number.isNaN(m.values[0]!)).toBe(true);
    expect(m.values[2]).toBe(7);
  });

  it('look before the range only when the first histogram needs it', () => {
    let asked = 0;
    const before = () => {
      asked++;
      return { timestamps: new Float64Array(0), values: new Float64Array(0), histograms: { timestamps: Float64Array.of(5), histograms: [h(1)] } };
    };
    const m = mergeHistogramSamples({ timestamps: new Float64Array(0), values: new Float64Array(0), histograms: { timestamps: Float64Array.of(10), histograms: [h(2)] } }, before);
    expect(m.h![0]!.counterResetHint).toBe(2);
    mergeHistogramSamples({ timestamps: new Float64Array(0), values: new Float64Array(0), histograms: { timestamps: Float64Array.of(10), histograms: [h(2, 2)] } }, before);
    expect(asked).toBe(1);
  });

  it('under histogram_count/sum/avg are read for count and sum only, resets detected on the fly', () => {
    const sel = (q: string) => statsOnlySelectors(parse(q)).size;
    expect(sel('histogram_count(sum(rate(x[5m])))')).toBe(1);
    expect(sel('histogram_count(rate(x[5m:1m]))')).toBe(0);
    expect(sel('histogram_count(histogram_quantile(0.5, x))')).toBe(0);
    expect(sel('histogram_sum(x </ 3)')).toBe(0);
    expect(sel('sum(x)')).toBe(0);
    const s = statsOnly([h(3), h(1), h(2)]);
    expect(s.map((x) => x!.counterResetHint)).toEqual([0, 1, 2]);
    expect(s[1]!.positiveBuckets).toEqual([]);
    expect(s[1]!.count).toBe(1);
  });
});
