// The hand-written WriteRequest reader against protobufjs's generic decoder
// on the same bytes: labels, samples (negative and large timestamps, NaN
// payloads), unknown fields, interleaved labels, and clean errors for
// truncated or malformed input.

import { describe, expect, it } from 'vitest';
import protobuf from 'protobufjs/light.js';
import { WriteRequestReader, ProtoDecodeError } from '../../src/remote/write-decoder.js';

const root = protobuf.Root.fromJSON({
  nested: {
    WriteRequest: { fields: { timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 }, metadata: { rule: 'repeated', type: 'bytes', id: 3 } } },
    TimeSeries: {
      fields: {
        labels: { rule: 'repeated', type: 'Label', id: 1 }, samples: { rule: 'repeated', type: 'Sample', id: 2 },
        exemplars: { rule: 'repeated', type: 'Exemplar', id: 3 }, histograms: { rule: 'repeated', type: 'bytes', id: 4 },
      },
    },
    Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
    Exemplar: { fields: { labels: { rule: 'repeated', type: 'Label', id: 1 }, value: { type: 'double', id: 2 }, timestamp: { type: 'int64', id: 3 } } },
    Sample: { fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } } },
  },
});
const WriteRequest = root.lookupType('WriteRequest');

function rng(seed: number) {
  return () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

function readAll(bytes: Uint8Array) {
  const r = new WriteRequestReader(bytes);
  const out: { labels: Record<string, string>; samples: [number, number][]; histograms: number; exemplars: unknown[] }[] = [];
  while (r.nextSeries()) {
    const samples: [number, number][] = [];
    for (let i = 0; i < r.sampleCount; i++) samples.push([r.ts[i]!, r.vs[i]!]);
    out.push({ labels: r.labels(), samples, histograms: r.histogramCount, exemplars: r.exemplars() });
  }
  return out;
}

describe('WriteRequestReader', () => {
  it('decodes what protobufjs encodes, series by series', () => {
    const r = rng(7);
    for (let round = 0; round < 50; round++) {
      const series = Array.from({ length: 1 + Math.floor(r() * 20) }, (_, s) => ({
        labels: [{ name: '__name__', value: `m_${s}` }, { name: 'job', value: `j${round}` }, { name: 'ü', value: 'ünïcode ✓' }],
        samples: Array.from({ length: Math.floor(r() * 300) }, () => ({
          value: r() < 0.1 ? NaN : (r() - 0.5) * 1e12,
          timestamp: Math.floor((r() - 0.2) * 2 ** 52),
        })),
        histograms: r() < 0.2 ? [new Uint8Array([8, 1])] : [],
        exemplars: r() < 0.2 ? [{ labels: [{ name: 'trace_id', value: `t${s}` }, { name: 'span_id', value: 'ff' }], value: r(), timestamp: Math.floor(r() * 2 ** 41) }] : [],
      }));
      const bytes = WriteRequest.encode(WriteRequest.fromObject({ timeseries: series, metadata: [new Uint8Array([8, 2])] })).finish();
      const got = readAll(bytes);
      expect(got).toEqual(series.map((s) => ({
        labels: Object.fromEntries(s.labels.map((l) => [l.name, l.value])),
        samples: s.samples.map((x) => [x.timestamp, x.value]),
        histograms: s.histograms.length,
        exemplars: s.exemplars,
      })));
    }
  });

  it('keeps the exact bits of a value (the staleness marker NaN)', () => {
    const stale = new Uint8Array([0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x7f]);
    // TimeSeries { samples { value: stale, timestamp: 5 } }
    const sample = [0x09, ...stale, 0x10, 0x05];
    const bytes = new Uint8Array([0x0a, sample.length + 2, 0x12, sample.length, ...sample]);
    const r = new WriteRequestReader(bytes);
    expect(r.nextSeries()).toBe(true);
    expect(new Uint8Array(r.vs.buffer, 0, 8)).toEqual(stale);
    expect(r.ts[0]).toBe(5);
  });

  it('gives a byte range for adjacent labels only', () => {
    const label = [0x0a, 0x03, 0x0a, 0x01, 0x61];
    const sample = [0x12, 0x02, 0x10, 0x01];
    const adjacent = [...label, ...label, ...sample];
    const interleaved = [...label, ...sample, ...label];
    const r1 = new WriteRequestReader(new Uint8Array([0x0a, adjacent.length, ...adjacent]));
    r1.nextSeries();
    expect([r1.labelsStart, r1.labelsEnd]).toEqual([2, 12]);
    const r2 = new WriteRequestReader(new Uint8Array([0x0a, interleaved.length, ...interleaved]));
    r2.nextSeries();
    expect(r2.labelsStart).toBe(-1);
  });

  it('reports truncated and malformed input with its offset', () => {
    const good = WriteRequest.encode(WriteRequest.fromObject({ timeseries: [{ labels: [{ name: 'a', value: 'b' }], samples: [{ value: 1, timestamp: 1 }] }] })).finish();
    for (let cut = 1; cut < good.length; cut++) {
      expect(() => readAll(good.subarray(0, cut))).toThrow(ProtoDecodeError);
    }
    expect(() => readAll(new Uint8Array([0x0b]))).toThrow(/wrong wire type at byte 0/);
    expect(() => readAll(new Uint8Array([0x0a, 0x02, 0x0b, 0x00]))).toThrow(/unsupported wire type 3/);
    expect(() => readAll(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toThrow(ProtoDecodeError);
  });

  it('answers any mutation of a request with samples or a ProtoDecodeError, nothing else', () => {
    const r = rng(99);
    const good = WriteRequest.encode(WriteRequest.fromObject({ timeseries: Array.from({ length: 5 }, (_, s) => ({
      labels: [{ name: '__name__', value: `m${s}` }, { name: 'job', value: 'j' }],
      samples: Array.from({ length: 6 }, (_, i) => ({ value: i * 1.5, timestamp: 1_700_000_000_000 + i * 15_000 })),
    })) })).finish();
    let errors = 0;
    for (let round = 0; round < 20_000; round++) {
      const bytes = Uint8Array.from(good);
      for (let k = 1 + Math.floor(r() * 4); k > 0; k--) bytes[Math.floor(r() * bytes.length)] = Math.floor(r() * 256);
      const cut = r() < 0.2 ? bytes.subarray(0, Math.floor(r() * bytes.length)) : bytes;
      try {
        readAll(cut);
      } catch (e) {
        if (!(e instanceof ProtoDecodeError)) throw e;
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(1000);
  });
});
