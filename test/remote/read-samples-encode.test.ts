import { describe, expect, it } from 'vitest';
import { encodeSamplesResponse } from '../../src/remote/read-samples-encode.js';
import { ReadResponse } from '../../src/remote/read-proto.js';

describe('SAMPLES response encoding', () => {
  it('writes the bytes protobufjs writes for the same ReadResponse', () => {
    const values = Float64Array.of(0, -1.5, NaN, Infinity, 1e300, 42);
    new BigUint64Array(values.buffer)[5] = 0x7ff0000000000002n; // staleness marker
    const timestamps = Float64Array.of(-5_000, 0, 1, 127, 16_384, 2 ** 52);
    const results = [
      [
        { labels: [{ name: '__name__', value: 'ä_metric' }, { name: 'job', value: '' }], timestamps, values },
        { labels: [{ name: '__name__', value: 'b' }], timestamps: new Float64Array(0), values: new Float64Array(0) },
      ],
      [],
      [{ labels: [{ name: 'x', value: 'y'.repeat(300) }], timestamps: timestamps.subarray(0, 2), values: values.subarray(0, 2) }],
    ];
    const mine = encodeSamplesResponse(results);
    const theirs = ReadResponse.encode(ReadResponse.fromObject({
      results: results.map((r) => ({
        timeseries: r.map((s) => ({ labels: s.labels, samples: [...s.timestamps].map((t, i) => ({ value: s.values[i]!, timestamp: t })) })),
      })),
    })).finish();
    expect([...mine]).toEqual([...theirs]);
  });
});
