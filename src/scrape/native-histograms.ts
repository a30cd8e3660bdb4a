// Native histograms in scrapes: the scrape config fields that turn them on
// and bound them (Prometheus 3.8's scrape_native_histograms,
// always_scrape_classic_histograms, native_histogram_bucket_limit,
// native_histogram_min_bucket_factor, scrape_protocols), the Accept header
// they imply, and the per-sample limits applied before appending.

import type { Appender } from '../storage/interfaces.js';
import { UnknownSeriesError } from '../storage/errors.js';
import type { FloatHistogram } from '../model/histogram.js';
import type { Labels } from '../model/labels.js';
import type { Exemplar as ScrapedExemplar } from '../exposition/parse.js';
import type { Exemplar } from '../storage/exemplars.js';
import { bucketCount, isExponentialSchema, schemaForBucketFactor } from '../model/histogram-layout.js';
import { reduceResolution } from '../model/histogram-resolution.js';
import { EXPONENTIAL_SCHEMA_MIN } from '../model/histogram.js';

export interface NativeHistogramScrapeConfig {
  /** scrape_native_histograms: negotiate the protobuf format and store native histograms. */
  scrapeNativeHistograms: boolean;
  /** always_scrape_classic_histograms: keep the classic series of a native histogram too. */
  alwaysScrapeClassicHistograms: boolean;
  /** convert_classic_histograms_to_nhcb: classic histograms also (or instead) stored as native histograms with custom buckets. */
  convertClassicHistogramsToNhcb: boolean;
  /** native_histogram_bucket_limit (0: none). */
  nativeHistogramBucketLimit: number;
  /** Highest schema kept, from native_histogram_min_bucket_factor (8 when unset). */
  nativeHistogramMaxSchema: number;
  /** scrape_protocols, in the order offered. */
  scrapeProtocols: string[];
}

export class ScrapeConfigFieldError extends Error {}

/** Media types of the scrape protocols (config.ScrapeProtocolsHeaders). */
export const SCRAPE_PROTOCOL_HEADERS: Record<string, string> = {
  PrometheusProto: 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited',
  'PrometheusText0.0.4': 'text/plain;version=0.0.4',
  'PrometheusText1.0.0': 'text/plain;version=1.0.0',
  'OpenMetricsText0.0.1': 'application/openmetrics-text;version=0.0.1',
  'OpenMetricsText1.0.0': 'application/openmetrics-text;version=1.0.0',
};
const DEFAULT_PROTOCOLS = ['OpenMetricsText1.0.0', 'OpenMetricsText0.0.1', 'PrometheusText1.0.0', 'PrometheusText0.0.4'];
const PROTO_FIRST_PROTOCOLS = ['PrometheusProto', ...DEFAULT_PROTOCOLS];

function bool(v: unknown, what: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new ScrapeConfigFieldError(`${what}: not a boolean: ${JSON.stringify(v)}`);
  return v;
}

function protocols(v: unknown, what: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length === 0) throw new ScrapeConfigFieldError(`${what}: scrape_protocols cannot be empty`);
  const seen = new Set<string>();
  return v.map((p) => {
    const s = String(p);
    if (!(s in SCRAPE_PROTOCOL_HEADERS)) throw new ScrapeConfigFieldError(`${what}: unknown scrape protocol ${s}, supported: ${Object.keys(SCRAPE_PROTOCOL_HEADERS).join(', ')}`);
    if (seen.has(s)) throw new ScrapeConfigFieldError(`${what}: duplicated protocol in scrape_protocols, got [${v.join(' ')}]`);
    seen.add(s);
    return s;
  });
}

/** The native-histogram fields of one scrape config, defaults from the global section as Prometheus. */
export function nativeHistogramScrapeConfig(raw: Record<string, unknown>, global: Record<string, unknown>, jobName: string): NativeHistogramScrapeConfig {
  const scrapeNative = bool(raw.scrape_native_histograms, `${jobName}: scrape_native_histograms`)
    ?? bool(global.scrape_native_histograms, 'global.scrape_native_histograms') ?? false;
  const alwaysClassic = bool(raw.always_scrape_classic_histograms, `${jobName}: always_scrape_classic_histograms`)
    ?? bool(global.always_scrape_classic_histograms, 'global.always_scrape_classic_histograms') ?? false;
  const toNhcb = bool(raw.convert_classic_histograms_to_nhcb, `${jobName}: convert_classic_histograms_to_nhcb`)
    ?? bool(global.convert_classic_histograms_to_nhcb, 'global.convert_classic_histograms_to_nhcb') ?? false;
  const limit = Number(raw.native_histogram_bucket_limit ?? 0);
  if (!Number.isInteger(limit) || limit < 0) throw new ScrapeConfigFieldError(`${jobName}: native_histogram_bucket_limit: not a non-negative integer: ${JSON.stringify(raw.native_histogram_bucket_limit)}`);
  const factor = Number(raw.native_histogram_min_bucket_factor ?? 0);
  if (!Number.isFinite(factor)) throw new ScrapeConfigFieldError(`${jobName}: native_histogram_min_bucket_factor: not a number: ${JSON.stringify(raw.native_histogram_min_bucket_factor)}`);
  const sps = protocols(raw.scrape_protocols, jobName) ?? protocols(global.scrape_protocols, 'global')
    ?? (scrapeNative ? PROTO_FIRST_PROTOCOLS : DEFAULT_PROTOCOLS);
  return {
    scrapeNativeHistograms: scrapeNative,
    alwaysScrapeClassicHistograms: alwaysClassic,
    convertClassicHistogramsToNhcb: toNhcb,
    nativeHistogramBucketLimit: limit,
    nativeHistogramMaxSchema: schemaForBucketFactor(factor),
    scrapeProtocols: sps,
  };
}

/** The Accept header for the offered protocols, highest weight first (Prometheus's acceptHeader). */
export function acceptHeader(sps: string[]): string {
  let weight = Object.keys(SCRAPE_PROTOCOL_HEADERS).length + 1;
  const vals: string[] = [];
  for (const sp of sps) {
    let v = SCRAPE_PROTOCOL_HEADERS[sp]!;
    if (sp === 'PrometheusText1.0.0' || sp === 'OpenMetricsText1.0.0') v += ';escaping=allow-utf-8';
    vals.push(`${v};q=0.${weight--}`);
  }
  vals.push(`*/*;q=0.${weight}`);
  return vals.join(',');
}

/** Whether a response Content-Type is the protobuf exposition format. */
export function isProtobufContentType(ct: string | null): boolean {
  if (!ct) return false;
  const [type, ...params] = ct.split(';').map((s) => s.trim());
  if (type!.toLowerCase() !== 'application/vnd.google.protobuf') return false;
  const p = new Map(params.map((s) => s.split('=').map((x) => x.trim()) as [string, string]));
  return p.get('proto') === 'io.prometheus.client.MetricFamily' && p.get('encoding') === 'delimited';
}

export class HistogramBucketLimitError extends Error {
  constructor() {
    super('histogram bucket limit exceeded');
  }
}

/**
 * Applies the max schema, then the bucket limit, to a scraped histogram, as
 * Prometheus's maxSchemaAppender and bucketLimitAppender: resolution is
 * reduced until the buckets fit; a custom-bucket histogram over the limit,
 * or one still over it at schema -4, fails the scrape. Changes h in place.
 */
export function limitHistogram(h: FloatHistogram, cfg: Pick<NativeHistogramScrapeConfig, 'nativeHistogramBucketLimit' | 'nativeHistogramMaxSchema'>): FloatHistogram {
  if (isExponentialSchema(h.schema) && h.schema > cfg.nativeHistogramMaxSchema) reduceResolution(h, cfg.nativeHistogramMaxSchema);
  const limit = cfg.nativeHistogramBucketLimit;
  if (limit > 0) {
    if (bucketCount(h) > limit && !isExponentialSchema(h.schema)) throw new HistogramBucketLimitError();
    while (bucketCount(h) > limit) {
      if (h.schema <= EXPONENTIAL_SCHEMA_MIN) throw new HistogramBucketLimitError();
      reduceResolution(h, h.schema - 1);
    }
  }
  return h;
}

/** Refuses a scrape with native histograms into a storage that cannot keep them. */
export function checkHistogramAppender(app: Appender): void {
  if (!app.appendHistogram) throw new Error('native histogram scraped, but this storage cannot store native histograms');
}

/** Appends by the cached ref, or by labels when there is none yet or its series is gone. */
export function appendHistogramTo(app: Appender, e: { ref: number; labels: Labels | null }, t: number, h: FloatHistogram): number {
  if (e.ref >= 0) {
    try {
      return app.appendHistogram!(e.ref, t, h);
    } catch (err) {
      if (!(err instanceof UnknownSeriesError)) throw err;
    }
  }
  return app.appendHistogram!(e.labels!, t, h);
}

/** A native histogram's further exemplars (the scrape loop stores the first like a text line's), at the sample's time when they carry none. */
export function scrapedExemplar(labels: Labels, ex: ScrapedExemplar, t: number): { labels: Labels; ex: Exemplar } {
  return { labels, ex: { labels: ex.labels, value: ex.value, timestamp: ex.timestamp ?? t } };
}
