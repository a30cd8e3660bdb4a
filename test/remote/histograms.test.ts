// Native histograms over remote write (1.0 and 2.0) and the shared
// prometheus.Histogram codec: the hand-written codec checked against
// protobufjs reading types.proto's definition, the receivers appending
// through appendHistogram, the sender with send_native_histograms.

import { describe, expect, it } from 'vitest';
import protobuf from 'protobufjs/light.js';
import { compress, uncompress } from 'snappyjs';
import { openDB } from '../../src/index.js';
import { decodeHistogram, encodeHistogram } from '../../src/remote/histogram-proto.js';
import { handleRemoteWrite } from '../../src/remote/write-handler.js';
import { WriteRequest } from '../../src/remote/proto.js';
import { writeV2, encodeV2 } from '../../src/remote/write-v2.js';
import { remoteWriteConfigs } from '../../src/remote/config.js';
import { QueueManager } from '../../src/remote/queue-manager.js';
import { WriteV2Request } from '../../src/remote/write-v2-proto.js';
import { CounterResetHint, type FloatHistogram } from '../../src/model/histogram.js';
import { labelsFrom } from '../../src/model/labels.js';
import { recordingAppendable } from '../support/histogram-appender.js';

// prompb/types.proto's Histogram, as protobufjs reads a .proto.
const { Histogram } = (() => {
  const root = protobuf.Root.fromJSON({
    nested: {
      BucketSpan: { fields: { offset: { type: 'sint32', id: 1 }, length: { type: 'uint32', id: 2 } } },
      Histogram: {
        oneofs: { count: { oneof: ['countInt', 'countFloat'] }, zeroCount: { oneof: ['zeroCountInt', 'zeroCountFloat'] } },
        fields: {
          countInt: { type: 'uint64', id: 1 }, countFloat: { type: 'double', id: 2 }, sum: { type: 'double', id: 3 }, schema: { type: 'sint32', id: 4 },
          zeroThreshold: { type: 'double', id: 5 }, zeroCountInt: { type: 'uint64', id: 6 }, zeroCountFloat: { type: 'double', id: 7 },
          negativeSpans: { rule: 'repeated', type: 'BucketSpan', id: 8 }, negativeDeltas: { rule: 'repeated', type: 'sint64', id: 9 },
          negativeCounts: { rule: 'repeated', type: 'double', id: 10 }, positiveSpans: { rule: 'repeated', type: 'BucketSpan', id: 11 },
          positiveDeltas: { rule: 'repeated', type: 'sint64', id: 12 }, positiveCounts: { rule: 'repeated', type: 'double', id: 13 },
          resetHint: { type: 'int32', id: 14 }, timestamp: { type: 'int64', id: 15 }, customValues: { rule: 'repeated', type: 'double', id: 16 },
        },
      },
    },
  });
  return { Histogram: root.lookupType('Histogram') };
})();

const T0 = Date.UTC(2026, 0, 1);

const intHist = (): FloatHistogram => ({
  integer: true, counterResetHint: CounterResetHint.NotCounterReset, schema: -2, zeroThreshold: 0.001, zeroCount: 3, count: 19, sum: -7.25,
  positiveSpans: [{ offset: -3, length: 2 }, { offset: 4, length: 1 }], positiveBuckets: [5, 2, 7],
  negativeSpans: [{ offset: 1, length: 1 }], negativeBuckets: [2],
});
const floatHist = (): FloatHistogram => ({
  counterResetHint: CounterResetHint.Gauge, schema: -53, zeroThreshold: 0, zeroCount: 0, count: 4.5, sum: 10,
  positiveSpans: [{ offset: 0, length: 3 }], positiveBuckets: [1.5, 0, 3], negativeSpans: [], negativeBuckets: [], customValues: [0.5, 1, 2.5],
});

describe('prometheus.Histogram codec', () => {
  it('writes what protobufjs reads as types.proto, integer with deltas and float with counts', () => {
    const a = Histogram.toObject(Histogram.decode(encodeHistogram(T0, intHist())), { longs: Number, defaults: false });
    expect(a).toEqual({
      countInt: 19, sum: -7.25, schema: -2, zeroThreshold: 0.001, zeroCountInt: 3, negativeSpans: [{ offset: 1, length: 1 }], negativeDeltas: [2],
      positiveSpans: [{ offset: -3, length: 2 }, { offset: 4, length: 1 }], positiveDeltas: [5, -3, 5], resetHint: 2, timestamp: T0,
    });
    const b = Histogram.toObject(Histogram.decode(encodeHistogram(-5, floatHist())), { longs: Number, defaults: false });
    expect(b).toEqual({ countFloat: 4.5, sum: 10, schema: -53, zeroCountFloat: 0, positiveSpans: [{ length: 3 }], positiveCounts: [1.5, 0, 3], resetHint: 3, timestamp: -5, customValues: [0.5, 1, 2.5] });
  });

  it('reads what protobufjs writes, packed or not, and round-trips its own output', () => {
    const bytes = Histogram.encode(Histogram.fromObject({
      countInt: 19, sum: -7.25, schema: -2, zeroThreshold: 0.001, zeroCountInt: 3, negativeSpans: [{ offset: 1, length: 1 }], negativeDeltas: [2],
      positiveSpans: [{ offset: -3, length: 2 }, { offset: 4, length: 1 }], positiveDeltas: [5, -3, 5], resetHint: 2, timestamp: T0,
    })).finish();
    expect(decodeHistogram(bytes, 0, bytes.length)).toEqual({ t: T0, h: intHist() });
    const f = encodeHistogram(-5, floatHist());
    expect(decodeHistogram(f, 0, f.length)).toEqual({ t: -5, h: floatHist() });
    expect(() => decodeHistogram(f, 0, f.length - 2)).toThrow(/truncated|overruns/);
  });
});

describe('remote write receivers with histograms', () => {
  it('1.0: appends histograms beside float samples', async () => {
    const db = await openDB();
    const rec = recordingAppendable(db);
    const body = compress(WriteRequest.encode(WriteRequest.fromObject({
      timeseries: [
        { labels: [{ name: '__name__', value: 'lat' }, { name: 'job', value: 'a' }], histograms: [encodeHistogram(T0, intHist()), encodeHistogram(T0 + 1000, floatHist())] },
        { labels: [{ name: '__name__', value: 'up' }], samples: [{ value: 1, timestamp: T0 }] },
      ],
    })).finish());
    const r = await handleRemoteWrite(rec, body, new Headers({ 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' }));
    expect(r).toMatchObject({ status: 204, appended: 3 });
    expect(rec.histograms).toEqual([{ labels: { __name__: 'lat', job: 'a' }, t: T0, h: intHist() }, { labels: { __name__: 'lat', job: 'a' }, t: T0 + 1000, h: floatHist() }]);
  });

  it('1.0: a storage without histograms answers 400 for them and keeps the floats', async () => {
    const db = await openDB();
    const body = compress(WriteRequest.encode(WriteRequest.fromObject({
      timeseries: [{ labels: [{ name: '__name__', value: 'lat' }], samples: [{ value: 1, timestamp: T0 }], histograms: [encodeHistogram(T0 + 1, intHist())] }],
    })).finish());
    const app = db.appender.bind(db);
    const r = await handleRemoteWrite({ appender: () => Object.assign(app(), { appendHistogram: undefined }) }, body, new Headers({ 'content-type': 'application/x-protobuf' }));
    expect(r).toMatchObject({ status: 400, appended: 1, rejected: 1 });
  });

  it('2.0: appends histograms and counts them as written', async () => {
    const db = await openDB();
    const rec = recordingAppendable(db);
    const raw = encodeV2([{ labels: labelsFrom({ __name__: 'lat' }), ts: new Float64Array(0), vs: new Float64Array(0), sts: null, histograms: [{ t: T0, h: floatHist() }] }]);
    const r = await writeV2(rec, raw);
    expect(r).toMatchObject({ status: 204, written: { samples: 0, histograms: 1 } });
    expect(rec.histograms[0]).toEqual({ labels: { __name__: 'lat' }, t: T0, h: floatHist() });
  });
});

describe('remote write sender with send_native_histograms', () => {
  const cfg = (send: boolean, message = 'prometheus.WriteRequest') => remoteWriteConfigs({
    remote_write: [{ url: 'http://rx.invalid/api/v1/write', send_native_histograms: send, protobuf_message: message, queue_config: { batch_send_deadline: '10ms', max_samples_per_send: 100 } }],
  })[0]!;

  it('sends histogram samples in 1.0 and 2.0 requests, and none when not asked to', async () => {
    for (const [send, message] of [[true, 'prometheus.WriteRequest'], [true, 'io.prometheus.write.v2.Request'], [false, 'prometheus.WriteRequest']] as const) {
      const got: { t: number; h: FloatHistogram }[] = [];
      let floats = 0;
      const fetchFn = async (_url: string, init: RequestInit) => {
        const raw = uncompress(init.body as Uint8Array);
        if (message === 'prometheus.WriteRequest') {
          const req = WriteRequest.decode(raw) as unknown as { timeseries: { samples: unknown[]; histograms: Uint8Array[] }[] };
          for (const ts of req.timeseries) {
            floats += ts.samples.length;
            for (const b of ts.histograms) got.push(decodeHistogram(b, 0, b.length));
          }
          return new Response(null, { status: 204 });
        }
        const req = WriteV2Request.decode(raw) as unknown as { timeseries: { samples: unknown[]; histograms: Uint8Array[] }[] };
        let n = 0, nh = 0;
        for (const ts of req.timeseries) {
          floats += ts.samples.length;
          n += ts.samples.length;
          nh += ts.histograms.length;
          for (const b of ts.histograms) got.push(decodeHistogram(b, 0, b.length));
        }
        // As Prometheus 3's receiver: histograms confirmed in their own header.
        return new Response(null, { status: 204, headers: { 'x-prometheus-remote-write-samples-written': String(n), 'x-prometheus-remote-write-histograms-written': String(nh) } });
      };
      const q = new QueueManager(cfg(send, message), {}, fetchFn);
      q.setSeries(1, labelsFrom({ __name__: 'lat' }));
      q.setSeries(2, labelsFrom({ __name__: 'up' }));
      await q.append(Uint32Array.of(2), Float64Array.of(T0), Float64Array.of(1));
      await q.appendHistograms(Uint32Array.of(1, 1), Float64Array.of(T0, T0 + 1000), [intHist(), floatHist()]);
      await q.stop();
      expect(q.stats).toMatchObject({ samplesFailed: 0, samplesSent: send ? 3 : 1 });
      expect(floats).toBe(1);
      expect(got).toEqual(send ? [{ t: T0, h: intHist() }, { t: T0 + 1000, h: floatHist() }] : []);
    }
  });
});

describe('remote write of native histograms end to end', () => {
  it('sends what one database logs to another database, histograms equal on arrival', async () => {
    const { MemoryWal, WalWatcher } = await import('../../src/remote/watcher.js');
    const { Matcher } = await import('../../src/model/matcher.js');
    const src = await openDB(), dst = await openDB();
    const fetchFn = async (_url: string, init: RequestInit) => {
      const r = await handleRemoteWrite(dst, init.body as Uint8Array, new Headers(init.headers as Record<string, string>));
      return new Response(r.body || null, { status: r.status });
    };
    const q = new QueueManager(remoteWriteConfigs({
      remote_write: [{ url: 'http://rx.invalid/api/v1/write', send_native_histograms: true, queue_config: { batch_send_deadline: '10ms' } }],
    })[0]!, {}, fetchFn);
    const log = new MemoryWal();
    src.attachWal(log);
    const watcher = new WalWatcher(log, [q]);
    watcher.start();
    const sent = [intHist(), { ...intHist(), count: 20, zeroCount: 4, counterResetHint: CounterResetHint.NotCounterReset }];
    for (let i = 0; i < sent.length; i++) {
      const app = src.appender();
      app.appendHistogram!({ __name__: 'lat' }, T0 + i * 1000, sent[i]!);
      await app.commit();
    }
    for (let i = 0; i < 400 && q.stats.samplesSent < 2; i++) await new Promise((r) => setTimeout(r, 10));
    await watcher.stop();
    const qr = dst.querier(0, T0 + 10_000);
    const [s] = qr.select([new Matcher('=', '__name__', 'lat')]);
    const got = s!.samples(0, T0 + 10_000).histograms!;
    expect([...got.timestamps]).toEqual([T0, T0 + 1000]);
    expect(got.histograms.map((h) => ({ ...h, counterResetHint: 0 }))).toEqual(sent.map((h) => ({ ...h, counterResetHint: 0 })));
    qr.close();
  });
});
