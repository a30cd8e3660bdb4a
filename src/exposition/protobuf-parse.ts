// Prometheus's protobuf exposition format (length-delimited
// io.prometheus.client.MetricFamily messages) read into samples the way
// Prometheus's textparse.ProtobufParser does: counters, gauges and untyped
// as one sample, summaries and classic histograms as their _count, _sum,
// quantile and _bucket series, native histograms as one histogram sample
// (integer or float, gauge histograms hinted as such), and exemplars.

import protobuf from 'protobufjs/light.js';
import { type Label, compareStrings, labelsKey } from '../model/labels.js';
import { formatOpenMetricsFloat } from '../model/float.js';
import { CounterResetHint, type FloatHistogram, type Span } from '../model/histogram.js';
import { compact } from '../model/histogram-compact.js';
import { absoluteCounts } from '../model/histogram-layout.js';
import type { Exemplar, MetricMetadata } from './parse.js';
import {
  MetricFamilyType, MetricType, int64,
  type PbExemplar, type PbHistogram, type PbLabelPair, type PbMetric, type PbMetricFamily, type PbSpan, type PbTimestamp,
} from './protobuf-proto.js';

export interface ProtobufParseOptions {
  /** Read native histograms as such (scrape_native_histograms); otherwise only their classic buckets are read. */
  nativeHistograms: boolean;
  /** Also read the classic buckets of a histogram that is native (always_scrape_classic_histograms). */
  alwaysClassic: boolean;
}

export interface ProtobufSample {
  /** Labels including __name__, sorted by name; labels set to "" left out (see emptyLabels). */
  labels: Label[];
  /** Identifies the series within a scrape (name and labels). */
  key: string;
  value: number;
  /** Set for a native histogram sample; value is then unused. */
  histogram?: FloatHistogram;
  /** ms, when the metric carries a timestamp. */
  timestamp?: number;
  emptyLabels?: string[];
  exemplars: Exemplar[];
}

export interface ParsedProtobuf {
  samples: ProtobufSample[];
  metadata: Map<string, MetricMetadata>;
}

export class ProtobufExpositionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufExpositionError';
  }
}

const TYPE_NAMES: Record<number, string> = {
  [MetricType.COUNTER]: 'counter', [MetricType.GAUGE]: 'gauge', [MetricType.SUMMARY]: 'summary',
  [MetricType.UNTYPED]: 'unknown', [MetricType.HISTOGRAM]: 'histogram', [MetricType.GAUGE_HISTOGRAM]: 'gaugehistogram',
};

/** Decodes a whole delimited protobuf body. Throws ProtobufExpositionError saying what and where. */
export function parseProtobufExposition(body: Uint8Array, opts: ProtobufParseOptions): ParsedProtobuf {
  const samples: ProtobufSample[] = [];
  const metadata = new Map<string, MetricMetadata>();
  const reader = protobuf.Reader.create(body);
  let index = 0;
  while (reader.pos < reader.len) {
    const at = reader.pos;
    let fam: PbMetricFamily;
    try {
      const len = reader.uint32();
      if (reader.pos + len > reader.len) throw new Error(`message of ${len} bytes runs past the end of the body`);
      fam = MetricFamilyType.decode(reader, len) as unknown as PbMetricFamily;
    } catch (e) {
      throw new ProtobufExpositionError(`metric family ${index + 1} at byte ${at}: ${(e as Error).message}`);
    }
    index++;
    readFamily(fam, opts, samples, metadata);
  }
  return { samples, metadata };
}

function readFamily(fam: PbMetricFamily, opts: ProtobufParseOptions, out: ProtobufSample[], metadata: Map<string, MetricMetadata>): void {
  const name = fam.name ?? '';
  if (name === '') throw new ProtobufExpositionError('invalid metric name: ""');
  const type = fam.type ?? MetricType.COUNTER;
  const typeName = TYPE_NAMES[type];
  if (typeName === undefined) throw new ProtobufExpositionError(`unknown metric type for metric ${JSON.stringify(name)}: ${type}`);
  metadata.set(name, { type: typeName, help: fam.help ?? '', unit: fam.unit ?? '' });
  for (const m of fam.metric ?? []) {
    const base = metricLabels(name, m.label ?? []);
    // As Prometheus: a timestamp of 0 means none.
    const ts = int64(m.timestampMs) || undefined;
    const add = (metric: string, value: number, extra?: Label, exemplars: Exemplar[] = [], histogram?: FloatHistogram) => {
      out.push(sample(metric, base, extra, value, ts, exemplars, histogram));
    };
    switch (type) {
      case MetricType.COUNTER:
        add(name, m.counter?.value ?? 0, undefined, exemplarsOf(m.counter?.exemplar ? [m.counter.exemplar] : [], false));
        break;
      case MetricType.GAUGE:
        add(name, m.gauge?.value ?? 0);
        break;
      case MetricType.UNTYPED:
        add(name, m.untyped?.value ?? 0);
        break;
      case MetricType.SUMMARY: {
        const s = m.summary ?? {};
        add(`${name}_count`, int64(s.sampleCount));
        add(`${name}_sum`, s.sampleSum ?? 0);
        for (const q of s.quantile ?? []) add(name, q.value ?? 0, { name: 'quantile', value: formatOpenMetricsFloat(q.quantile ?? 0) });
        break;
      }
      default: {
        const h = m.histogram ?? {};
        const native = opts.nativeHistograms && isNativeHistogram(h);
        if (native) {
          add(name, 0, undefined, nativeExemplars(h), nativeHistogram(name, h, type === MetricType.GAUGE_HISTOGRAM));
          if (!opts.alwaysClassic || (h.bucket ?? []).length === 0) break;
        }
        classicHistogram(name, h, add);
      }
    }
  }
}

function metricLabels(name: string, pairs: PbLabelPair[]): { labels: Label[]; empty: string[] } {
  const labels: Label[] = [];
  const empty: string[] = [];
  for (const p of pairs) {
    const n = p.name ?? '';
    if (n === '') throw new ProtobufExpositionError(`metric ${JSON.stringify(name)}: label with an empty name`);
    if (n === '__name__') throw new ProtobufExpositionError(`metric ${JSON.stringify(name)}: label named __name__`);
    if ((p.value ?? '') === '') empty.push(n);
    else labels.push({ name: n, value: p.value! });
  }
  return { labels, empty };
}

function sample(
  metric: string, base: { labels: Label[]; empty: string[] }, extra: Label | undefined, value: number, timestamp: number | undefined,
  exemplars: Exemplar[], histogram: FloatHistogram | undefined,
): ProtobufSample {
  const labels: Label[] = [{ name: '__name__', value: metric }, ...base.labels];
  if (extra) labels.push(extra);
  labels.sort((a, b) => compareStrings(a.name, b.name));
  for (let i = 1; i < labels.length; i++) {
    if (labels[i]!.name === labels[i - 1]!.name) throw new ProtobufExpositionError(`metric ${JSON.stringify(metric)}: duplicate label ${JSON.stringify(labels[i]!.name)}`);
  }
  const s: ProtobufSample = { labels, key: labelsKey(labels), value, exemplars };
  if (histogram) s.histogram = histogram;
  if (timestamp !== undefined) s.timestamp = timestamp;
  if (base.empty.length > 0) s.emptyLabels = base.empty;
  return s;
}

type Add = (metric: string, value: number, extra?: Label, exemplars?: Exemplar[]) => void;

/** _count, _sum, then one _bucket per upper bound, +Inf added when the exposition leaves it out. */
function classicHistogram(name: string, h: PbHistogram, add: Add): void {
  const count = h.sampleCountFloat || int64(h.sampleCount);
  add(`${name}_count`, count);
  add(`${name}_sum`, h.sampleSum ?? 0);
  let sawInf = false;
  for (const b of h.bucket ?? []) {
    const ub = b.upperBound ?? 0;
    add(`${name}_bucket`, b.cumulativeCountFloat || int64(b.cumulativeCount), { name: 'le', value: formatOpenMetricsFloat(ub) }, exemplarsOf(b.exemplar ? [b.exemplar] : [], false));
    if (ub === Infinity) {
      sawInf = true;
      break;
    }
  }
  if (!sawInf) add(`${name}_bucket`, count, { name: 'le', value: '+Inf' });
}

/** As Prometheus: a histogram is native when it has spans, a zero threshold or a zero count. */
function isNativeHistogram(h: PbHistogram): boolean {
  return (h.positiveSpan ?? []).length > 0 || (h.negativeSpan ?? []).length > 0 || (h.zeroThreshold ?? 0) > 0 || int64(h.zeroCount) > 0;
}

function spans(name: string, side: string, pb: PbSpan[], buckets: number): Span[] {
  let total = 0;
  const out = pb.map((s) => {
    total += s.length ?? 0;
    return { offset: s.offset ?? 0, length: s.length ?? 0 };
  });
  if (total !== buckets) throw new ProtobufExpositionError(`histogram ${JSON.stringify(name)}: ${side} side: spans require ${total} buckets, have ${buckets}`);
  return out;
}

/** Delta-encoded integer counts (int64s as protobufjs gives them) to absolute ones. */
function absolute(deltas: Parameters<typeof int64>[0][]): number[] {
  return absoluteCounts(deltas.map(int64));
}

function nativeHistogram(name: string, h: PbHistogram, gauge: boolean): FloatHistogram {
  const isFloat = (h.sampleCountFloat ?? 0) > 0 || (h.zeroCountFloat ?? 0) > 0;
  const positiveBuckets = isFloat ? [...(h.positiveCount ?? [])] : absolute(h.positiveDelta ?? []);
  const negativeBuckets = isFloat ? [...(h.negativeCount ?? [])] : absolute(h.negativeDelta ?? []);
  const out: FloatHistogram = {
    counterResetHint: gauge ? CounterResetHint.Gauge : CounterResetHint.Unknown,
    schema: h.schema ?? 0,
    zeroThreshold: h.zeroThreshold ?? 0,
    zeroCount: isFloat ? (h.zeroCountFloat ?? 0) : int64(h.zeroCount),
    count: isFloat ? (h.sampleCountFloat ?? 0) : int64(h.sampleCount),
    sum: h.sampleSum ?? 0,
    positiveSpans: spans(name, 'positive', h.positiveSpan ?? [], positiveBuckets.length),
    positiveBuckets,
    negativeSpans: spans(name, 'negative', h.negativeSpan ?? [], negativeBuckets.length),
    negativeBuckets,
  };
  if (!isFloat) out.integer = true;
  return compact(out, 0);
}

function timestampMs(t: PbTimestamp): number {
  return int64(t.seconds) * 1000 + Math.trunc((t.nanos ?? 0) / 1_000_000);
}

/** Exemplars as stored; a native histogram keeps only those with a timestamp (as Prometheus). */
function exemplarsOf(pb: PbExemplar[], needTimestamp: boolean): Exemplar[] {
  const out: Exemplar[] = [];
  for (const e of pb) {
    if (needTimestamp && !e.timestamp) continue;
    const labels = (e.label ?? []).map((l) => ({ name: l.name ?? '', value: l.value ?? '' })).sort((a, b) => compareStrings(a.name, b.name));
    const ex: Exemplar = { labels, value: e.value ?? 0 };
    if (e.timestamp) ex.timestamp = timestampMs(e.timestamp);
    out.push(ex);
  }
  return out;
}

/** A native histogram's exemplars: its own list when it has one, else those of its classic buckets. */
function nativeExemplars(h: PbHistogram): Exemplar[] {
  if ((h.exemplars ?? []).length > 0) return exemplarsOf(h.exemplars!, true);
  return exemplarsOf((h.bucket ?? []).flatMap((b) => (b.exemplar ? [b.exemplar] : [])), true);
}
