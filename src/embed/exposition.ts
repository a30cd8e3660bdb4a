// What a service's /metrics answers: the protobuf exposition format when
// the scraper's Accept header offers it (as client_golang's promhttp
// negotiates), which is the only format carrying native histograms;
// otherwise the text format.

import { encodeMetricFamilies, histogramToProto } from '../exposition/protobuf-write.js';
import { MetricType, PROTOBUF_CONTENT_TYPE, type PbMetric, type PbMetricFamily } from '../exposition/protobuf-proto.js';
import type { FloatHistogram } from '../model/histogram.js';

export interface Exposition {
  contentType: string;
  body: Uint8Array | string;
}

/** The shape of a registry's metric that this file reads. */
interface ExposedMetric {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  samples(): { name: string; labels: Record<string, string>; value: number }[];
  histograms?(): { labels: Record<string, string>; h: FloatHistogram }[];
}

/** Whether an Accept header offers the delimited protobuf exposition format. */
export function acceptsProtobuf(accept: string): boolean {
  return accept.split(',').some((part) => {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    if (type?.toLowerCase() !== 'application/vnd.google.protobuf') return false;
    const p = new Map(params.map((x) => x.split('=').map((y) => y.trim()) as [string, string]));
    return p.get('proto') === 'io.prometheus.client.MetricFamily' && p.get('encoding') === 'delimited' && p.get('q') !== '0';
  });
}

const pairs = (labels: Record<string, string>) => Object.entries(labels).map(([name, value]) => ({ name, value }));

function family(m: ExposedMetric, constLabels: Record<string, string>): PbMetricFamily {
  const withConst = (l: Record<string, string>) => pairs({ ...constLabels, ...l });
  let metric: PbMetric[];
  if (m.histograms) {
    metric = m.histograms().map((s) => ({ label: withConst(s.labels), histogram: histogramToProto(s.h) }));
    return { name: m.name, help: m.help, type: MetricType.HISTOGRAM, metric };
  }
  const samples = m.samples();
  if (m.type === 'histogram') {
    // Classic buckets: one Metric per label set, its _bucket/_sum/_count folded back in.
    const byKey = new Map<string, PbMetric & { histogram: NonNullable<PbMetric['histogram']> }>();
    for (const s of samples) {
      const { le, ...labels } = s.labels;
      const key = JSON.stringify(Object.entries(labels).sort());
      let e = byKey.get(key);
      if (!e) byKey.set(key, (e = { label: withConst(labels), histogram: { bucket: [] } }));
      if (s.name.endsWith('_bucket') && le !== '+Inf') e.histogram.bucket!.push({ upperBound: Number(le), cumulativeCount: s.value });
      else if (s.name.endsWith('_sum')) e.histogram.sampleSum = s.value;
      else if (s.name.endsWith('_count')) e.histogram.sampleCount = s.value;
    }
    return { name: m.name, help: m.help, type: MetricType.HISTOGRAM, metric: [...byKey.values()] };
  }
  metric = samples.map((s) => (m.type === 'counter'
    ? { label: withConst(s.labels), counter: { value: s.value } }
    : { label: withConst(s.labels), gauge: { value: s.value } }));
  return { name: m.name, help: m.help, type: m.type === 'counter' ? MetricType.COUNTER : MetricType.GAUGE, metric };
}

export function exposition(metrics: readonly ExposedMetric[], constLabels: Record<string, string>, accept: string, text: () => string): Exposition {
  if (!acceptsProtobuf(accept)) return { contentType: 'text/plain; version=0.0.4; charset=utf-8', body: text() };
  return { contentType: PROTOBUF_CONTENT_TYPE, body: encodeMetricFamilies(metrics.map((m) => family(m, constLabels))) };
}
