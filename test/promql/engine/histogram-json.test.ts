// Native histograms in the API's result JSON: the shapes and bucket
// boundary rules of Prometheus's web/api/v1 codec.

import { describe, expect, it } from 'vitest';
import { CounterResetHint, type FloatHistogram } from '../../../src/model/histogram.js';
import { bucketsOf, histogramJSON, histogramOf, matrixElementJSON, vectorElementJSON } from '../../../src/promql/engine/histogram-json.js';
import { seededRandom } from '../../../src/model/seeded-random.js';
import { jsonFloat } from '../../../src/promql/engine/engine.js';
import type { Series } from '../../../src/promql/engine/value.js';

const pair = (t: number, f: number): [number, string] => [t / 1000, jsonFloat(f)];

function h(over: Partial<FloatHistogram>): FloatHistogram {
  return {
    counterResetHint: CounterResetHint.Unknown, schema: 0, zeroThreshold: 0, zeroCount: 0, count: 0, sum: 0,
    positiveSpans: [], positiveBuckets: [], negativeSpans: [], negativeBuckets: [], ...over,
  };
}

const series = (s: Partial<Series>): Series => ({ metric: [{ name: '__name__', value: 'foo' }], floats: [], dropName: false, ...s });

describe('histogram JSON', () => {
  it("writes Prometheus's codec's matrix for an exponential histogram with zero and negative buckets", () => {
    // The case of Prometheus's json_codec_test.go, with its expected bytes.
    const fh = h({
      schema: 2, zeroThreshold: 0.001, zeroCount: 12, count: 10, sum: 20,
      positiveSpans: [{ offset: 3, length: 2 }, { offset: 1, length: 3 }], positiveBuckets: [1, 2, 2, 1, 1],
      negativeSpans: [{ offset: 2, length: 2 }], negativeBuckets: [2, 1],
    });
    const el = matrixElementJSON({ __name__: 'foo' }, series({ histograms: [{ t: 1000, h: fh }] }), pair);
    expect(JSON.stringify(el)).toBe('{"metric":{"__name__":"foo"},"histograms":[[1,{"count":"10","sum":"20","buckets":[[1,"-1.6817928305074288","-1.414213562373095","1"],[1,"-1.414213562373095","-1.189207115002721","2"],[3,"-0.001","0.001","12"],[0,"1.414213562373095","1.6817928305074288","1"],[0,"1.6817928305074288","2","2"],[0,"2.378414230005442","2.82842712474619","2"],[0,"2.82842712474619","3.3635856610148576","1"],[0,"3.3635856610148576","4","1"]]}]]}');
  });

  it('closes the first custom bucket at -Inf and leaves the others open below', () => {
    const fh = h({ schema: -53, count: 6, sum: 30, positiveSpans: [{ offset: 0, length: 2 }, { offset: 1, length: 1 }], positiveBuckets: [1, 2, 3], customValues: [1, 5, 10] });
    expect(histogramJSON(fh)).toEqual({
      count: '6', sum: '30',
      buckets: [[3, '-Inf', '1', '1'], [0, '1', '5', '2'], [0, '10', '+Inf', '3']],
    });
  });

  it('leaves out empty buckets, and the buckets key when all are empty', () => {
    const fh = h({ schema: 0, count: 3, sum: 1e-7, positiveSpans: [{ offset: 0, length: 3 }], positiveBuckets: [1, 0, 2] });
    expect(histogramJSON(fh)).toEqual({ count: '3', sum: '1e-07', buckets: [[0, '0.5', '1', '1'], [0, '2', '4', '2']] });
    expect(histogramJSON(h({ count: 0, sum: 0, positiveSpans: [{ offset: 0, length: 1 }], positiveBuckets: [0] }))).toEqual({ count: '0', sum: '0' });
  });

  it('moves a bucket edge inside the zero bucket to the zero threshold', () => {
    // Bucket (0.5, 1] overlaps the zero bucket [-0.7, 0.7]: it is written from 0.7.
    const fh = h({ zeroThreshold: 0.7, zeroCount: 1, count: 2, sum: 1, positiveSpans: [{ offset: 0, length: 1 }], positiveBuckets: [1] });
    expect(histogramJSON(fh).buckets).toEqual([[3, '-0.7', '0.7', '1'], [0, '0.7', '1', '1']]);
  });

  it('gives an instant element `histogram` instead of `value`, and a matrix series both keys when it has both', () => {
    const fh = h({ count: 1, sum: 2, positiveSpans: [{ offset: 1, length: 1 }], positiveBuckets: [1] });
    const v = vectorElementJSON({ __name__: 'foo' }, series({ histograms: [{ t: 5000, h: fh }] }), 7000, pair);
    expect(v).toEqual({ metric: { __name__: 'foo' }, histogram: [7, { count: '1', sum: '2', buckets: [[0, '1', '2', '1']] }] });
    expect('value' in v).toBe(false);
    expect(histogramOf(v.histogram![1])).toBe(fh);
    expect(vectorElementJSON({}, series({ floats: [{ t: 1, f: 3 }] }), 7000, pair)).toEqual({ metric: {}, value: [7, '3'] });
    const m = matrixElementJSON({}, series({ floats: [{ t: 1000, f: 1 }], histograms: [{ t: 2000, h: fh }] }), pair);
    expect(m).toEqual({ metric: {}, values: [[1, '1']], histograms: [[2, { count: '1', sum: '2', buckets: [[0, '1', '2', '1']] }]] });
    expect(Object.keys(matrixElementJSON({}, series({ histograms: [{ t: 2000, h: fh }] }), pair))).toEqual(['metric', 'histograms']);
  });

  it('writes exponential histograms exactly as the general bucket iterator does', () => {
    // The fast path (cached bound texts, no bucket objects) against allBuckets, over random layouts:
    // every schema, negative offsets, gaps, empty buckets, zero buckets wide enough to swallow buckets.
    const rnd = seededRandom(16);
    const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
    const side = () => {
      const spans = Array.from({ length: int(0, 3) }, (_, i) => ({ offset: i === 0 ? int(-20, 20) : int(0, 4), length: int(0, 5) }));
      const n = spans.reduce((a, sp) => a + sp.length, 0);
      return { spans, buckets: Array.from({ length: n }, () => (rnd() < 0.25 ? 0 : int(1, 1000) / (rnd() < 0.5 ? 1 : 7))) };
    };
    for (let i = 0; i < 2000; i++) {
      const pos = side(), neg = side();
      const fh = h({
        schema: int(-4, 8), zeroThreshold: [0, 1e-128, 0.001, 0.3, 1.5, 5][int(0, 5)]!, zeroCount: rnd() < 0.5 ? 0 : int(1, 9),
        count: 1e6, sum: rnd() * 100 - 50, positiveSpans: pos.spans, positiveBuckets: pos.buckets, negativeSpans: neg.spans, negativeBuckets: neg.buckets,
      });
      expect(histogramJSON(fh).buckets ?? [], JSON.stringify(fh)).toEqual(bucketsOf(fh));
    }
  });
});
