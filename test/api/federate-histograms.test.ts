// /federate with native histograms: protobuf when Accept asks for it (exponential
// histograms natively, NHCB as classic buckets), the text format without
// exponential histograms but with NHCB as classic histograms, families split
// where float and histogram samples of one name meet.

import protobuf from 'protobufjs/light.js';
import { describe, expect, it } from 'vitest';
import { openDB } from '../../src/index.js';
import { createApiHandler } from '../../src/api/handler.js';
import { createEngine } from '../../src/promql/engine/engine.js';
import { MetricFamily, PROTO_DELIMITED, acceptsProtobuf } from '../../src/api/federate-proto.js';
import { CounterResetHint, type FloatHistogram } from '../../src/model/histogram.js';

const T = Date.UTC(2026, 0, 1, 12);

const EXP: FloatHistogram = {
  counterResetHint: CounterResetHint.Unknown, schema: 1, zeroThreshold: 0.001, zeroCount: 2, count: 9, sum: 12.5,
  positiveSpans: [{ offset: 0, length: 2 }], positiveBuckets: [3, 1], negativeSpans: [{ offset: 1, length: 1 }], negativeBuckets: [3],
};
const NHCB: FloatHistogram = {
  counterResetHint: CounterResetHint.Gauge, schema: -53, zeroThreshold: 0, zeroCount: 0, count: 6, sum: 30,
  positiveSpans: [{ offset: 0, length: 1 }, { offset: 1, length: 2 }], positiveBuckets: [1, 2, 3], customValues: [0.5, 1, 5],
  negativeSpans: [], negativeBuckets: [],
};

async function server() {
  const db = await openDB();
  const app = db.appender();
  app.append({ __name__: 'a_float', job: 'x' }, T - 1000, 1.5);
  app.appendHistogram!({ __name__: 'b_exp', job: 'x' }, T - 1000, EXP);
  app.appendHistogram!({ __name__: 'c_nhcb', job: 'x' }, T - 2000, NHCB);
  // One name, a float series and a histogram series: two families.
  app.append({ __name__: 'd_mixed', job: 'x', kind: 'float' }, T - 1000, 7);
  app.appendHistogram!({ __name__: 'd_mixed', job: 'x', kind: 'hist' }, T - 1000, EXP);
  await app.commit();
  const handler = createApiHandler({
    db, engine: createEngine(db), now: () => T, externalLabels: () => ({ dc: 'eu' }),
    info: { version: 't', startTime: new Date(T), flags: {}, configYaml: () => '' },
  });
  return (accept?: string) => handler(new Request(`http://x/federate?match[]=${encodeURIComponent('{job="x"}')}`, { headers: accept ? { accept } : {} }));
}

describe('/federate with native histograms', () => {
  it('negotiates delimited protobuf only when Accept asks for it before text', () => {
    expect(acceptsProtobuf(`${PROTO_DELIMITED};q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.2`)).toBe(true);
    expect(acceptsProtobuf('text/plain;version=0.0.4;q=0.9,application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.5')).toBe(false);
    expect(acceptsProtobuf('application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text')).toBe(false);
    expect(acceptsProtobuf(null)).toBe(false);
    expect(acceptsProtobuf('*/*')).toBe(false);
  });

  it('writes text without exponential histograms, NHCB as a classic histogram with le last', async () => {
    const r = await (await server())('text/plain');
    expect(r.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await r.text()).toBe(`# TYPE a_float untyped
a_float{job="x",dc="eu",instance=""} 1.5 ${T - 1000}
# TYPE c_nhcb histogram
c_nhcb_bucket{job="x",dc="eu",instance="",le="0.5"} 1 ${T - 2000}
c_nhcb_bucket{job="x",dc="eu",instance="",le="1"} 1 ${T - 2000}
c_nhcb_bucket{job="x",dc="eu",instance="",le="5"} 3 ${T - 2000}
c_nhcb_bucket{job="x",dc="eu",instance="",le="+Inf"} 6 ${T - 2000}
c_nhcb_sum{job="x",dc="eu",instance=""} 30 ${T - 2000}
c_nhcb_count{job="x",dc="eu",instance=""} 6 ${T - 2000}
# TYPE d_mixed untyped
d_mixed{job="x",kind="float",dc="eu",instance=""} 7 ${T - 1000}
`);
  });

  it('writes protobuf families: untyped floats, native histograms, NHCB as a gauge histogram with classic buckets', async () => {
    const r = await (await server())(PROTO_DELIMITED);
    expect(r.headers.get('content-type')).toBe(PROTO_DELIMITED);
    const reader = protobuf.Reader.create(new Uint8Array(await r.arrayBuffer()));
    const fams: Record<string, unknown>[] = [];
    while (reader.pos < reader.len) fams.push(MetricFamily.toObject(MetricFamily.decodeDelimited(reader), { longs: Number }));
    const labels = (extra: Record<string, string> = {}) => [{ name: 'job', value: 'x' }, ...Object.entries(extra).map(([name, value]) => ({ name, value })), { name: 'dc', value: 'eu' }, { name: 'instance', value: '' }];
    const native = {
      sampleCountFloat: 9, sampleSum: 12.5, schema: 1, zeroThreshold: 0.001, zeroCountFloat: 2,
      positiveSpan: [{ offset: 0, length: 2 }], positiveCount: [3, 1], negativeSpan: [{ offset: 1, length: 1 }], negativeCount: [3],
    };
    expect(fams).toEqual([
      { name: 'a_float', type: 3, metric: [{ label: labels(), untyped: { value: 1.5 }, timestampMs: T - 1000 }] },
      { name: 'b_exp', type: 4, metric: [{ label: labels(), histogram: native, timestampMs: T - 1000 }] },
      {
        name: 'c_nhcb', type: 5, metric: [{
          label: labels(), timestampMs: T - 2000,
          histogram: { sampleCountFloat: 6, sampleSum: 30, bucket: [{ upperBound: 0.5, cumulativeCountFloat: 1 }, { upperBound: 1, cumulativeCountFloat: 1 }, { upperBound: 5, cumulativeCountFloat: 3 }] },
        }],
      },
      { name: 'd_mixed', type: 3, metric: [{ label: labels({ kind: 'float' }), untyped: { value: 7 }, timestampMs: T - 1000 }] },
      { name: 'd_mixed', type: 4, metric: [{ label: labels({ kind: 'hist' }), histogram: native, timestampMs: T - 1000 }] },
    ]);
  });
});
