// `promlet query`'s text for histogram results.

import { describe, expect, it } from 'vitest';
import { matrixPointsText, vectorElementText } from '../../src/node/query-text.js';
import { histogramText } from '../../src/model/histogram-api.js';

const H = { count: '5', sum: '9.5', buckets: [[3, '-0.001', '0.001', '1'], [0, '1', '2', '3'], [1, '-Inf', '-4', '1'], [2, '4', '8', '1']] as [0 | 1 | 2 | 3, string, string, string][] };

describe('query text', () => {
  it("writes a histogram on one line with each bucket's inclusive ends", () => {
    expect(histogramText(H)).toBe('{count:5, sum:9.5, [-0.001,0.001]:1, (1,2]:3, [-Inf,-4):1, (4,8):1}');
    expect(histogramText({ count: '0', sum: '0' })).toBe('{count:0, sum:0}');
  });
  it('writes a float or a histogram element, and a series that switches in time order', () => {
    expect(vectorElementText({ metric: {}, value: [1, '2.5'] })).toBe('2.5');
    expect(vectorElementText({ metric: {}, histogram: [1, { count: '1', sum: '2' }] })).toBe('{count:1, sum:2}');
    expect(matrixPointsText({ metric: {}, values: [[1, '1'], [4, '4']], histograms: [[2, { count: '1', sum: '2' }], [3, { count: '2', sum: '3' }]] }))
      .toEqual([[1, '1'], [2, '{count:1, sum:2}'], [3, '{count:2, sum:3}'], [4, '4']]);
  });
});
