// OTLP metrics to Prometheus samples, as Prometheus 3.x's otlptranslator
// converts them: resource attributes service.namespace/service.name become
// `job`, service.instance.id `instance`, the remaining ones a `target_info`
// series (or labels, when promoted); data point attributes become labels;
// sums, gauges, explicit-bucket histograms (`_bucket`/`_sum`/`_count`) and
// summaries become float series; exponential histograms native histograms
// (exponential.ts). Delta temporality is refused unless enabled.

import type { OtlpConfig } from './config.js';
import {
  anyValueString, double, idHex, int64, nanosToMillis, temporality,
  type KeyValue, type OtlpExemplar, type OtlpMetric, type OtlpRequest,
} from './decode.js';
import { labelName, metricName, NamingError, shouldEscape, unitName, type MetricKind } from './naming.js';
import { STALE_NAN } from '../model/stale.js';
// le and quantile values as Go's strconv.FormatFloat(f, 'f', -1, 64) writes them.
import { formatFloat } from '../model/float.js';
import { MAX_EXEMPLAR_LABEL_RUNES } from '../storage/exemplars.js';
import type { FloatHistogram } from '../model/histogram.js';
import { explicitToCustomBuckets } from './custom-buckets.js';
import { ExponentialScaleError, exponentialToNative } from './exponential.js';

export interface OtlpSample {
  labels: Record<string, string>;
  t: number;
  v: number;
  /** Start (created) time in ms, 0 when unknown. */
  st: number;
  /** Set for a native histogram sample (v is then unused). */
  h?: FloatHistogram;
  exemplars?: { labels: Record<string, string>; value: number; timestamp: number }[];
}

export interface OtlpMetadata {
  type: string;
  help: string;
  unit: string;
}

export interface TranslateOptions {
  config: OtlpConfig;
  /** Store delta sums and histograms as they come (Prometheus's otlp-native-delta-ingestion); otherwise they are refused. */
  allowDelta?: boolean;
  /** The query lookback (ms): target_info gets a sample every half of it. */
  lookbackDelta?: number;
  /**
   * Most target_info samples one resource may need (its points' time span
   * over half the lookback); past it the request is refused rather than
   * written as millions of samples (default 10,000: 25 days at 5m lookback).
   */
  maxTargetInfoSamples?: number;
}

export interface Translation {
  samples: OtlpSample[];
  metadata: Map<string, OtlpMetadata>;
  /** Metrics refused, each with its reason (Prometheus's joined errors). */
  errors: string[];
  warnings: string[];
}

const SERVICE_NAME = 'service.name', SERVICE_NAMESPACE = 'service.namespace', SERVICE_INSTANCE_ID = 'service.instance.id';
const DELTA = 1, CUMULATIVE = 2;
const NO_RECORDED_VALUE = 1;

const kindOf = (m: OtlpMetric): MetricKind | null => {
  if (m.gauge) return 'gauge';
  if (m.sum) return m.sum.isMonotonic ? 'counter' : 'non-monotonic-counter';
  if (m.histogram) return 'histogram';
  if (m.exponentialHistogram) return 'exponential-histogram';
  if (m.summary) return 'summary';
  return null;
};

const promType = (k: MetricKind) => (k === 'counter' ? 'counter' : k === 'non-monotonic-counter' ? 'gauge' : k === 'exponential-histogram' ? 'histogram' : k);

export function translateOtlp(req: OtlpRequest, o: TranslateOptions): Translation {
  const cfg = o.config;
  const utf8 = !shouldEscape(cfg.translationStrategy);
  const namerOptions = { utf8, underscoreSanitization: cfg.labelNameUnderscoreSanitization, preserveMultipleUnderscores: cfg.labelNamePreserveMultipleUnderscores };
  // Attribute keys repeat on every data point: sanitise each once per request.
  const names = new Map<string, string>();
  const sanitized = (key: string) => {
    let n = names.get(key);
    if (n === undefined) {
      n = labelName(key, namerOptions);
      names.set(key, n);
    }
    return n;
  };
  const out: Translation = { samples: [], metadata: new Map(), errors: [], warnings: [] };
  const collisions = new Set<string>();
  const lookback = o.lookbackDelta && o.lookbackDelta > 0 ? o.lookbackDelta : 5 * 60_000;
  const seenTargetInfo = new Set<string>();

  /** Attributes as labels: sorted by key, names sanitized, colliding names' values joined with ';'. */
  const attributeLabels = (attrs: KeyValue[] | undefined, ignore: readonly string[], source: string): Record<string, string> => {
    const sorted = (attrs ?? []).filter((a) => !ignore.includes(a.key)).map((a) => ({ key: a.key, value: anyValueString(a.value) }));
    sorted.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const labels: Record<string, string> = {};
    for (const a of sorted) {
      const label = sanitized(a.key);
      const existing = labels[label];
      if (existing !== undefined && existing !== '') {
        labels[label] = `${existing};${a.value}`;
        if (!collisions.has(label)) {
          collisions.add(label);
          const keys = sorted.filter((x) => sanitized(x.key) === label).map((x) => JSON.stringify(x.key)).join(', ');
          out.warnings.push(`OTLP ${source} attributes ${keys} collide as label ${JSON.stringify(label)} after name sanitization, values are concatenated with ';'`);
        }
      } else {
        labels[label] = a.value;
      }
    }
    return labels;
  };

  for (const rm of req.resourceMetrics ?? []) {
    const resAttrs = rm.resource?.attributes ?? [];
    const resGet = (k: string) => {
      const a = resAttrs.find((x) => x.key === k);
      return a ? anyValueString(a.value) : undefined;
    };
    const service = resGet(SERVICE_NAME), namespace = resGet(SERVICE_NAMESPACE);
    const job = service === undefined ? '' : namespace === undefined ? service : `${namespace}/${service}`;
    const instance = resGet(SERVICE_INSTANCE_ID) ?? '';
    const promoted: Record<string, string> = {};
    try {
      for (const a of resAttrs) {
        const listed = (cfg.promoteAllResourceAttributes ? cfg.ignoreResourceAttributes : cfg.promoteResourceAttributes).includes(a.key);
        if (cfg.promoteAllResourceAttributes ? !listed : listed) promoted[sanitized(a.key)] = anyValueString(a.value);
      }
    } catch (e) {
      out.errors.push((e as Error).message);
      continue;
    }
    let earliest = Infinity, latest = -Infinity;

    for (const sm of rm.scopeMetrics ?? []) {
      let scopeLabels: Record<string, string> | null = null;
      if (cfg.promoteScopeMetadata && sm.scope?.name) {
        try {
          scopeLabels = {};
          for (const a of sm.scope.attributes ?? []) scopeLabels[sanitized(`otel_scope_${a.key}`)] = anyValueString(a.value);
          scopeLabels.otel_scope_name = sm.scope.name;
          scopeLabels.otel_scope_version = sm.scope.version ?? '';
          scopeLabels.otel_scope_schema_url = sm.schemaUrl ?? '';
        } catch (e) {
          out.errors.push((e as Error).message);
          continue;
        }
      }
      const baseLabels = (attrs: KeyValue[] | undefined): Record<string, string> => {
        const l = attributeLabels(attrs, ['__name__'], 'data point');
        for (const [k, v] of Object.entries(promoted)) if (!l[k]) l[k] = v;
        if (job !== '') l.job = job;
        if (instance !== '') l.instance = instance;
        if (scopeLabels) Object.assign(l, scopeLabels);
        return l;
      };

      for (const m of sm.metrics ?? []) {
        const metric = m.name ?? '';
        const kind = kindOf(m);
        if (!kind) {
          out.errors.push(`unsupported metric type for metric ${JSON.stringify(metric)}`);
          continue;
        }
        const points: { timeUnixNano?: string | number }[] = (m.gauge?.dataPoints ?? m.sum?.dataPoints ?? m.histogram?.dataPoints
          ?? m.exponentialHistogram?.dataPoints ?? m.summary?.dataPoints ?? []) as { timeUnixNano?: string | number }[];
        for (const p of points) {
          const t = nanosToMillis(p.timeUnixNano);
          earliest = Math.min(earliest, t);
          latest = Math.max(latest, t);
        }
        const temp = m.sum ? temporality(m.sum.aggregationTemporality) : m.histogram ? temporality(m.histogram.aggregationTemporality)
          : m.exponentialHistogram ? temporality(m.exponentialHistogram.aggregationTemporality) : undefined;
        if (temp !== undefined && !(temp === CUMULATIVE || (o.allowDelta && temp === DELTA))) {
          out.errors.push(`invalid temporality and type combination for metric ${JSON.stringify(metric)}`
            + (temp === DELTA ? ' (delta temporality: send cumulative, or start promlet with --enable-feature=otlp-deltatocumulative or otlp-native-delta-ingestion)' : ''));
          continue;
        }
        let family: string;
        try {
          family = metricName(metric, m.unit ?? '', kind, cfg.translationStrategy);
        } catch (e) {
          if (!(e instanceof NamingError)) throw e;
          out.errors.push(e.message);
          continue;
        }
        if (points.length === 0) {
          out.warnings.push(`empty data points. ${metric} is dropped`);
          continue;
        }
        out.metadata.set(family, { type: promType(kind), help: m.description ?? '', unit: unitName(m.unit ?? '', utf8) });
        try {
          if (m.gauge || m.sum) {
            for (const p of m.gauge?.dataPoints ?? m.sum!.dataPoints ?? []) {
              const labels = { ...baseLabels(p.attributes), __name__: family };
              let v = p.asInt !== undefined ? int64(p.asInt) : double(p.asDouble);
              if ((p.flags ?? 0) & NO_RECORDED_VALUE) v = STALE_NAN;
              const s: OtlpSample = { labels, t: nanosToMillis(p.timeUnixNano), v, st: nanosToMillis(p.startTimeUnixNano) };
              if (m.sum && p.exemplars?.length) s.exemplars = exemplars(p.exemplars);
              out.samples.push(s);
            }
          } else if (m.histogram && cfg.convertHistogramsToNHCB) {
            for (const p of m.histogram.dataPoints ?? []) {
              const labels = { ...baseLabels(p.attributes), __name__: family };
              const t = nanosToMillis(p.timeUnixNano), st = nanosToMillis(p.startTimeUnixNano);
              const h = explicitToCustomBuckets(p, temp === DELTA);
              const s: OtlpSample = ((p.flags ?? 0) & NO_RECORDED_VALUE) !== 0 ? { labels, t, v: STALE_NAN, st } : { labels, t, v: 0, st, h };
              if (h.count === 0 && h.sum !== 0) out.warnings.push(`histogram data point has zero count, but non-zero sum: ${h.sum}`);
              if (p.exemplars?.length) s.exemplars = exemplars(p.exemplars);
              out.samples.push(s);
            }
          } else if (m.histogram) {
            for (const p of m.histogram.dataPoints ?? []) {
              const base = baseLabels(p.attributes);
              const t = nanosToMillis(p.timeUnixNano), st = nanosToMillis(p.startTimeUnixNano);
              const stale = ((p.flags ?? 0) & NO_RECORDED_VALUE) !== 0;
              const val = (x: number) => (stale ? STALE_NAN : x);
              if (p.sum !== undefined) out.samples.push({ labels: { ...base, __name__: `${family}_sum` }, t, v: val(double(p.sum)), st });
              const count = int64(p.count);
              out.samples.push({ labels: { ...base, __name__: `${family}_count` }, t, v: val(count), st });
              const exs = exemplars(p.exemplars ?? []);
              let next = 0, cumulative = 0;
              const bounds = (p.explicitBounds ?? []).map(double), counts = (p.bucketCounts ?? []).map(int64);
              for (let i = 0; i < bounds.length && i < counts.length; i++) {
                cumulative += counts[i]!;
                const mine: typeof exs = [];
                while (next < exs.length && exs[next]!.value <= bounds[i]!) mine.push(exs[next++]!);
                const s: OtlpSample = { labels: { ...base, __name__: `${family}_bucket`, le: formatFloat(bounds[i]!) }, t, v: val(cumulative), st };
                if (mine.length) s.exemplars = mine;
                out.samples.push(s);
              }
              const inf: OtlpSample = { labels: { ...base, __name__: `${family}_bucket`, le: '+Inf' }, t, v: val(count), st };
              if (next < exs.length) inf.exemplars = exs.slice(next);
              out.samples.push(inf);
            }
          } else if (m.exponentialHistogram) {
            for (const p of m.exponentialHistogram.dataPoints ?? []) {
              const labels = { ...baseLabels(p.attributes), __name__: family };
              const t = nanosToMillis(p.timeUnixNano), st = nanosToMillis(p.startTimeUnixNano);
              const h = exponentialToNative(p, temp === DELTA);
              // A point without a recorded value ends the series: a stale marker, which is a float sample.
              const s: OtlpSample = ((p.flags ?? 0) & NO_RECORDED_VALUE) !== 0 ? { labels, t, v: STALE_NAN, st } : { labels, t, v: 0, st, h };
              if (h.count === 0 && h.sum !== 0) out.warnings.push(`exponential histogram data point has zero count, but non-zero sum: ${h.sum}`);
              if (p.exemplars?.length) s.exemplars = exemplars(p.exemplars);
              out.samples.push(s);
            }
          } else if (m.summary) {
            for (const p of m.summary.dataPoints ?? []) {
              const base = baseLabels(p.attributes);
              const t = nanosToMillis(p.timeUnixNano), st = nanosToMillis(p.startTimeUnixNano);
              const stale = ((p.flags ?? 0) & NO_RECORDED_VALUE) !== 0;
              const val = (x: number) => (stale ? STALE_NAN : x);
              out.samples.push({ labels: { ...base, __name__: `${family}_sum` }, t, v: val(double(p.sum)), st });
              out.samples.push({ labels: { ...base, __name__: `${family}_count` }, t, v: val(int64(p.count)), st });
              for (const q of p.quantileValues ?? []) {
                out.samples.push({ labels: { ...base, __name__: family, quantile: formatFloat(double(q.quantile)) }, t, v: val(double(q.value)), st });
              }
            }
          }
        } catch (e) {
          if (!(e instanceof NamingError) && !(e instanceof ExponentialScaleError) && !(e instanceof Error && e.name === 'OtlpDecodeError')) throw e;
          out.errors.push(`metric ${JSON.stringify(metric)}: ${(e as Error).message}`);
        }
      }
    }

    // target_info: the resource's other attributes, one sample per half lookback between the resource's first and last points.
    if (earliest !== Infinity && out.errors.length === 0) {
      const identifying = [SERVICE_NAMESPACE, SERVICE_NAME, SERVICE_INSTANCE_ID];
      const nonIdentifying = resAttrs.filter((a) => !identifying.includes(a.key)).length;
      if (nonIdentifying === 0) continue;
      let labels: Record<string, string>;
      try {
        labels = attributeLabels(resAttrs, cfg.keepIdentifyingResourceAttributes ? [] : identifying, 'resource');
      } catch (e) {
        out.errors.push((e as Error).message);
        continue;
      }
      if (job !== '') labels.job = job;
      if (instance !== '') labels.instance = instance;
      labels.__name__ = 'target_info';
      if (!labels.job && !labels.instance) continue;
      const needed = Math.ceil((latest - earliest) / (lookback / 2)) + 1;
      const maxInfo = o.maxTargetInfoSamples ?? 10_000;
      if (needed > maxInfo) {
        out.errors.push(`resource ${JSON.stringify(job || instance)}: its points span ${latest - earliest} ms, which would take ${needed} target_info samples (limit ${maxInfo}); send points of one time range per request`);
        continue;
      }
      const key = JSON.stringify(Object.entries(labels).sort());
      const emit = (t: number) => {
        if (seenTargetInfo.has(`${key}@${t}`)) return;
        seenTargetInfo.add(`${key}@${t}`);
        out.samples.push({ labels, t, v: 1, st: 0 });
      };
      for (let t = earliest; t < latest; t += lookback / 2) emit(t);
      emit(latest);
      out.metadata.set('target_info', { type: 'gauge', help: 'Target metadata', unit: '' });
    }
  }
  return out;
}

/** Exemplars sorted by value (the histogram's buckets take them in order), trace and span ids as labels. */
function exemplars(list: OtlpExemplar[]): NonNullable<OtlpSample['exemplars']> {
  const runes = (s: string) => [...s].length;
  const out = list.map((e) => {
    const labels: Record<string, string> = {};
    let n = 0;
    const trace = idHex(e.traceId), span = idHex(e.spanId);
    if (trace) {
      labels.trace_id = trace;
      n += runes('trace_id') + runes(trace);
    }
    if (span) {
      labels.span_id = span;
      n += runes('span_id') + runes(span);
    }
    const attrs = (e.filteredAttributes ?? []).map((a) => [a.key, anyValueString(a.value)] as const);
    for (const [k, v] of attrs) n += runes(k) + runes(v);
    // Filtered attributes only when they fit in the exemplar's label limit.
    if (n <= MAX_EXEMPLAR_LABEL_RUNES) for (const [k, v] of attrs) labels[k] = v;
    return { labels, value: e.asInt !== undefined ? int64(e.asInt) : double(e.asDouble), timestamp: nanosToMillis(e.timeUnixNano) };
  });
  out.sort((a, b) => a.value - b.value);
  return out;
}
