// Native histograms in test scripts: literals, the series notation, the
// NHCB conversion of load_with_nhcb, and that histogram expectations can fail.

import { describe, expect, it } from 'vitest';
import { parseHistogramLiteral, histogramLiteral } from '../../../src/promql/promqltest/histogram-literal.js';
import { parseSeriesSamples, parseSeriesValues } from '../../../src/promql/promqltest/series.js';
import { classicToNhcb } from '../../../src/promql/promqltest/nhcb.js';
import { histogramsMatch } from '../../../src/promql/promqltest/compare.js';
import { runScript } from '../../../src/promql/promqltest/runner.js';
import type { HistogramLiteral } from '../../../src/promql/promqltest/histogram-literal.js';

describe('histogram literals', () => {
  it('read every key, one span per side', () => {
    const { h, hintSet } = parseHistogramLiteral('{{schema:1 sum:5 count:4 z_bucket:1 z_bucket_w:0.001 buckets:[1 2 1] offset:1 n_buckets:[3] n_offset:-2 counter_reset_hint:gauge}}');
    expect(hintSet).toBe(true);
    expect(h).toMatchObject({
      schema: 1, sum: 5, count: 4, zeroCount: 1, zeroThreshold: 0.001, counterResetHint: 3,
      positiveSpans: [{ offset: 1, length: 3 }], positiveBuckets: [1, 2, 1],
      negativeSpans: [{ offset: -2, length: 1 }], negativeBuckets: [3],
    });
    const c = parseHistogramLiteral('{{schema:-53 count:3 custom_values:[1 5] buckets:[1 2]}}');
    expect(c.hintSet).toBe(false);
    expect(c.h.customValues).toEqual([1, 5]);
    expect(parseHistogramLiteral('{{}}').h.count).toBe(0);
  });

  it('refuse unknown and duplicate keys and bad numbers', () => {
    expect(() => parseHistogramLiteral('{{foo:1}}')).toThrow(/unknown histogram key/);
    expect(() => parseHistogramLiteral('{{sum:1 sum:2}}')).toThrow(/duplicate key "sum"/);
    expect(() => parseHistogramLiteral('{{count:x}}')).toThrow(/error parsing count/);
    expect(() => parseHistogramLiteral('{{counter_reset_hint:maybe}}')).toThrow(/counter_reset_hint/);
  });

  it('print back in the script notation', () => {
    const { h } = parseHistogramLiteral('{{schema:1 count:4 sum:5 buckets:[1 2 1] offset:1 counter_reset_hint:not_reset}}');
    expect(histogramLiteral(h)).toBe('{{schema:1 count:4 sum:5 counter_reset_hint:not_reset offset:1 buckets:[1 2 1]}}');
  });
});

describe('histogram series notation', () => {
  const hs = (xs: unknown[]) => xs.map((x) => (x as HistogramLiteral).h);

  it('repeats {{a}}xN N+1 times, and {{a}}+{{b}}xN adds b each step', () => {
    expect(parseSeriesSamples('{{count:1}}x2')).toHaveLength(3);
    const v = hs(parseSeriesSamples('{{count:1 sum:2 buckets:[1]}}+{{count:2 sum:1 buckets:[0 2]}}x2'));
    expect(v.map((h) => h.count)).toEqual([1, 3, 5]);
    expect(v[2]!.positiveBuckets).toEqual([1, 4]);
    const d = hs(parseSeriesSamples('{{count:10}}-{{count:3}}x2'));
    expect(d.map((h) => h.count)).toEqual([10, 7, 4]);
  });

  it('mixes histograms with floats, gaps and stale markers', () => {
    const v = parseSeriesSamples('1 _ {{count:2}} stale {{sum:1}}x1 2');
    expect(v.map((x) => (x !== null && typeof x === 'object' ? 'h' : x))).toEqual([1, null, 'h', 'stale', 'h', 'h', 2]);
  });

  it('is refused where only floats are allowed', () => {
    expect(() => parseSeriesValues('{{count:1}}')).toThrow(/native histogram/);
  });
});

describe('load_with_nhcb', () => {
  it('turns cumulative classic buckets into custom-bucket histograms', () => {
    const series = [
      { labels: [{ name: '__name__', value: 'x_bucket' }, { name: 'le', value: '1' }], values: [1, 2] },
      { labels: [{ name: '__name__', value: 'x_bucket' }, { name: 'le', value: '5' }], values: [3, 5] },
      { labels: [{ name: '__name__', value: 'x_bucket' }, { name: 'le', value: '+Inf' }], values: [4, 7] },
      { labels: [{ name: '__name__', value: 'x_sum' }], values: [10, 20] },
      { labels: [{ name: '__name__', value: 'x_count' }], values: [4, 7] },
    ];
    const [out] = classicToNhcb(series, 60000);
    expect(out!.labels).toEqual([{ name: '__name__', value: 'x' }]);
    expect(out!.samples.map((s) => s.t)).toEqual([0, 60000]);
    expect(out!.samples[1]!.h).toMatchObject({ schema: -53, count: 7, sum: 20, customValues: [1, 5], positiveBuckets: [2, 3, 2] });
  });

  it('refuses buckets that are not cumulative', () => {
    const series = [
      { labels: [{ name: '__name__', value: 'x_bucket' }, { name: 'le', value: '1' }], values: [5] },
      { labels: [{ name: '__name__', value: 'x_bucket' }, { name: 'le', value: '+Inf' }], values: [3] },
    ];
    expect(() => classicToNhcb(series, 1000)).toThrow(/not cumulative/);
  });
});

describe('histogram comparison', () => {
  const a = parseHistogramLiteral('{{count:4 sum:5 buckets:[1 2 1]}}').h;
  it('ignores empty buckets and span layout, tolerates 1e-6, checks the hint only when spelled out', () => {
    expect(histogramsMatch(a, parseHistogramLiteral('{{count:4.000001 sum:5 buckets:[1 2 1 0]}}').h, false)).toBe(true);
    expect(histogramsMatch(a, parseHistogramLiteral('{{count:4 sum:5 buckets:[1 3 1]}}').h, false)).toBe(false);
    const gauge = parseHistogramLiteral('{{count:4 sum:5 buckets:[1 2 1] counter_reset_hint:gauge}}');
    expect(histogramsMatch(gauge.h, a, gauge.hintSet)).toBe(false);
    expect(histogramsMatch(a, gauge.h, false)).toBe(true);
  });

  it('a wrong histogram expectation fails its eval', async () => {
    const r = await runScript(`load 1m
  m {{count:4 sum:5 buckets:[1 2 1]}}x2

eval instant at 1m m
  m {{count:4 sum:5 buckets:[1 2 1]}}

eval instant at 1m m
  m {{count:5 sum:5 buckets:[1 2 1]}}

eval instant at 1m m
  m 4
`);
    expect(r.evals.map((e) => e.ok)).toEqual([true, false, false]);
  });
});
