// The protobuf exposition format read as Prometheus's ProtobufParser reads
// it: every metric type, integer and float native histograms, gauge
// histograms, classic buckets beside native ones, exemplars and errors.

import { describe, expect, it } from 'vitest';
import { parseProtobufExposition } from '../../src/exposition/protobuf-parse.js';
import { encodeMetricFamilies } from '../../src/exposition/protobuf-write.js';
import { MetricType } from '../../src/exposition/protobuf-proto.js';
import { CounterResetHint } from '../../src/model/histogram.js';

const rec = (labels: { name: string; value: string }[]) => Object.fromEntries(labels.map((l) => [l.name, l.value]));

// client_golang's rpc_durations_seconds example: classic buckets and a native histogram in one message.
const histogramFamily = {
  name: 'rpc_durations_seconds', help: 'RPC latency.', type: MetricType.HISTOGRAM,
  metric: [{
    label: [{ name: 'service', value: 'a' }],
    histogram: {
      sampleCount: 6, sampleSum: 1.5, schema: 3, zeroThreshold: 2.938735877055719e-39, zeroCount: 1,
      bucket: [
        { cumulativeCount: 2, upperBound: 0.1, exemplar: { label: [{ name: 'trace_id', value: 'x' }], value: 0.05, timestamp: { seconds: 1700000000, nanos: 5e8 } } },
        { cumulativeCount: 6, upperBound: 1 },
      ],
      positiveSpan: [{ offset: -10, length: 2 }, { offset: 3, length: 1 }],
      positiveDelta: [2, -1, 1],
      negativeSpan: [{ offset: 0, length: 1 }],
      negativeDelta: [1],
    },
  }],
};

describe('protobuf exposition', () => {
  it('reads counters, gauges, untyped and summaries with metadata and exemplars', () => {
    const body = encodeMetricFamilies([
      { name: 'req_total', help: 'Requests.', type: MetricType.COUNTER, metric: [{ label: [{ name: 'code', value: '200' }, { name: 'empty', value: '' }], counter: { value: 7, exemplar: { label: [{ name: 'id', value: 'q' }], value: 1 } } }] },
      { name: 'temp', type: MetricType.GAUGE, unit: 'celsius', metric: [{ gauge: { value: -1.5 }, timestampMs: 1234 }] },
      { name: 'thing', type: MetricType.UNTYPED, metric: [{ untyped: { value: 3 } }] },
      { name: 'lat', type: MetricType.SUMMARY, metric: [{ summary: { sampleCount: 4, sampleSum: 2, quantile: [{ quantile: 0.5, value: 0.4 }, { quantile: 1, value: 0.9 }] } }] },
    ]);
    const p = parseProtobufExposition(body, { nativeHistograms: true, alwaysClassic: false });
    expect(p.samples.map((s) => [rec(s.labels), s.value, s.timestamp])).toEqual([
      [{ __name__: 'req_total', code: '200' }, 7, undefined],
      [{ __name__: 'temp' }, -1.5, 1234],
      [{ __name__: 'thing' }, 3, undefined],
      [{ __name__: 'lat_count' }, 4, undefined],
      [{ __name__: 'lat_sum' }, 2, undefined],
      [{ __name__: 'lat', quantile: '0.5' }, 0.4, undefined],
      [{ __name__: 'lat', quantile: '1.0' }, 0.9, undefined],
    ]);
    expect(p.samples[0]!.emptyLabels).toEqual(['empty']);
    expect(p.samples[0]!.exemplars).toEqual([{ labels: [{ name: 'id', value: 'q' }], value: 1 }]);
    expect(p.metadata.get('req_total')).toEqual({ type: 'counter', help: 'Requests.', unit: '' });
    expect(p.metadata.get('temp')).toEqual({ type: 'gauge', help: '', unit: 'celsius' });
    expect(p.metadata.get('thing')!.type).toBe('unknown');
  });

  it('reads an integer native histogram: delta counts made absolute, spans kept, exemplars with timestamps', () => {
    const p = parseProtobufExposition(encodeMetricFamilies([histogramFamily]), { nativeHistograms: true, alwaysClassic: false });
    expect(p.samples).toHaveLength(1);
    const s = p.samples[0]!;
    expect(rec(s.labels)).toEqual({ __name__: 'rpc_durations_seconds', service: 'a' });
    expect(s.histogram).toEqual({
      integer: true, counterResetHint: CounterResetHint.Unknown, schema: 3, zeroThreshold: 2.938735877055719e-39, zeroCount: 1,
      count: 6, sum: 1.5,
      positiveSpans: [{ offset: -10, length: 2 }, { offset: 3, length: 1 }], positiveBuckets: [2, 1, 2],
      negativeSpans: [{ offset: 0, length: 1 }], negativeBuckets: [1],
    });
    expect(s.exemplars).toEqual([{ labels: [{ name: 'trace_id', value: 'x' }], value: 0.05, timestamp: 1700000000500 }]);
  });

  it('reads the classic series of a native histogram only when asked, and only classic ones with native histograms off', () => {
    const both = parseProtobufExposition(encodeMetricFamilies([histogramFamily]), { nativeHistograms: true, alwaysClassic: true });
    expect(both.samples.map((s) => [rec(s.labels).__name__, rec(s.labels).le, s.histogram ? 'h' : s.value])).toEqual([
      ['rpc_durations_seconds', undefined, 'h'],
      ['rpc_durations_seconds_count', undefined, 6],
      ['rpc_durations_seconds_sum', undefined, 1.5],
      ['rpc_durations_seconds_bucket', '0.1', 2],
      ['rpc_durations_seconds_bucket', '1.0', 6],
      ['rpc_durations_seconds_bucket', '+Inf', 6],
    ]);
    const classic = parseProtobufExposition(encodeMetricFamilies([histogramFamily]), { nativeHistograms: false, alwaysClassic: false });
    expect(classic.samples.map((s) => rec(s.labels).__name__)).toEqual(['rpc_durations_seconds_count', 'rpc_durations_seconds_sum', 'rpc_durations_seconds_bucket', 'rpc_durations_seconds_bucket', 'rpc_durations_seconds_bucket']);
    // A classic bucket keeps its exemplar even without a timestamp requirement.
    expect(classic.samples[2]!.exemplars[0]!.value).toBe(0.05);
  });

  it('reads float and gauge histograms, dropping empty buckets as Prometheus compacts them', () => {
    const body = encodeMetricFamilies([{
      name: 'g', type: MetricType.GAUGE_HISTOGRAM,
      metric: [{ histogram: { sampleCountFloat: 3.5, sampleSum: -2, schema: 0, zeroThreshold: 0.001, zeroCountFloat: 0.5, positiveSpan: [{ offset: 1, length: 3 }], positiveCount: [1, 0, 2] } }],
    }]);
    const h = parseProtobufExposition(body, { nativeHistograms: true, alwaysClassic: false }).samples[0]!.histogram!;
    expect(h.integer).toBeUndefined();
    expect(h.counterResetHint).toBe(CounterResetHint.Gauge);
    expect(h.positiveSpans).toEqual([{ offset: 1, length: 1 }, { offset: 1, length: 1 }]);
    expect(h.positiveBuckets).toEqual([1, 2]);
    expect([h.count, h.zeroCount, h.sum]).toEqual([3.5, 0.5, -2]);
  });

  it('refuses spans that do not match the buckets and truncated bodies, saying where', () => {
    const bad = encodeMetricFamilies([{ name: 'h', type: MetricType.HISTOGRAM, metric: [{ histogram: { sampleCount: 1, schema: 0, positiveSpan: [{ offset: 0, length: 2 }], positiveDelta: [1] } }] }]);
    expect(() => parseProtobufExposition(bad, { nativeHistograms: true, alwaysClassic: false })).toThrow('histogram "h": positive side: spans require 2 buckets, have 1');
    const good = encodeMetricFamilies([histogramFamily, histogramFamily]);
    expect(() => parseProtobufExposition(good.subarray(0, good.length - 3), { nativeHistograms: true, alwaysClassic: false })).toThrow(/metric family 2 at byte \d+/);
  });
});
