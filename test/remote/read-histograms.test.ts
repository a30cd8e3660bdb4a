// Remote read's sampled answer carries native histograms (TimeSeries
// field 4): promlet's handler writes them and its client reads them back
// into series whose samples() return them beside the floats.

import { compress, uncompress } from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { Matcher } from '../../src/model/matcher.js';
import { labelsFrom } from '../../src/model/labels.js';
import { RemoteReadClient, type FetchFn } from '../../src/remote/read-client.js';
import { remoteReadConfigs } from '../../src/remote/read-config.js';
import { createRemoteReadHandler } from '../../src/remote/read-handler.js';
import { ReadRequest, SAMPLES } from '../../src/remote/read-proto.js';
import { ArraySeries } from '../../src/remote/array-series.js';
import { mergeQueryable } from '../../src/remote/fanout.js';
import { CounterResetHint, type FloatHistogram } from '../../src/model/histogram.js';
import type { Queryable } from '../../src/storage/interfaces.js';

const h = (n: number): FloatHistogram => ({
  integer: true, counterResetHint: CounterResetHint.Unknown, schema: 0, zeroThreshold: 0.001, zeroCount: 1, count: n + 1, sum: n * 1.5,
  positiveSpans: [{ offset: 0, length: 1 }], positiveBuckets: [n], negativeSpans: [], negativeBuckets: [],
});

const stored = (): Queryable => ({
  querier: () => ({
    select: () => [new ArraySeries(labelsFrom({ __name__: 'lat' }), Float64Array.of(500), Float64Array.of(7), -Infinity, Infinity, { timestamps: Float64Array.of(1000, 2000, 3000), histograms: [h(1), h(2), h(3)] })],
    labelNames: () => [], labelValues: () => [], close: () => {},
  }),
});

describe('remote read with native histograms', () => {
  it('sends histograms in a sampled answer and reads them back', async () => {
    const handler = createRemoteReadHandler(stored());
    const fetchFn: FetchFn = async (url, init) => {
      const req = ReadRequest.decode(uncompress(init.body as Uint8Array)) as unknown as { accepted_response_types: number[] };
      req.accepted_response_types = [SAMPLES];
      return handler(new Request(url, { ...init, body: compress(ReadRequest.encode(req).finish()) as BodyInit }));
    };
    const client = new RemoteReadClient(remoteReadConfigs({ remote_read: [{ url: 'http://r/api/v1/read', name: 'r' }] })[0]!, fetchFn);
    const [series] = await client.read([{ matchers: [new Matcher('=', '__name__', 'lat')], start: 0, end: 2500 }]);
    expect(series).toHaveLength(1);
    expect([...series![0]!.timestamps]).toEqual([500]);
    // The server answers within the query's range.
    expect(series![0]!.histograms).toEqual({ timestamps: Float64Array.of(1000, 2000), histograms: [h(1), h(2)] });
    const empty: Queryable = { querier: () => ({ select: () => [], labelNames: () => [], labelValues: () => [], close: () => {} }) };
    const q = mergeQueryable(empty, series!).querier(0, 2500);
    const [s] = q.select([new Matcher('=', '__name__', 'lat')]);
    expect(s!.hasHistograms!(0, 2500)).toBe(true);
    expect(s!.hasHistograms!(0, 900)).toBe(false);
    expect(s!.samples(1500, 2500).histograms).toEqual({ timestamps: Float64Array.of(2000), histograms: [h(2)] });
  });
});
