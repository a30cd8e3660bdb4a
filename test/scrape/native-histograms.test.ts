// Scraping native histograms: the Accept header scrape_native_histograms
// sends, the protobuf body stored as histogram samples (recorded through
// appendHistogram), classic series kept on request, max schema and bucket
// limits, the config fields, and staleness of a vanished histogram.

import { describe, expect, it } from 'vitest';
import { openDB, Matcher } from '../../src/index.js';
import { ScrapeManager } from '../../src/scrape/manager.js';
import { scrapeConfigs } from '../../src/scrape/targets.js';
import { encodeMetricFamilies } from '../../src/exposition/protobuf-write.js';
import { MetricType, PROTOBUF_CONTENT_TYPE } from '../../src/exposition/protobuf-proto.js';
import { acceptHeader, limitHistogram } from '../../src/scrape/native-histograms.js';
import { isStaleNaN } from '../../src/model/stale.js';
import { CounterResetHint, type FloatHistogram } from '../../src/model/histogram.js';
import { recordingAppendable } from '../support/histogram-appender.js';
import { checkConfig } from '../../src/node/check-config.js';
import { ExemplarStore, attachExemplarStore } from '../../src/storage/exemplars.js';

const T0 = Date.UTC(2026, 0, 1);

const family = (count: number) => ({
  name: 'rpc_seconds', help: 'RPC latency.', type: MetricType.HISTOGRAM,
  metric: [{
    histogram: {
      sampleCount: count, sampleSum: 1.5, schema: 2, zeroThreshold: 1e-10, zeroCount: 0,
      bucket: [{ cumulativeCount: count, upperBound: 1 }],
      positiveSpan: [{ offset: 0, length: 4 }], positiveDelta: [1, 0, 0, count - 4 > 0 ? count - 4 : 0],
    },
  }],
});

function protoFetch(bodies: () => Uint8Array | string, seen: string[]): () => typeof fetch {
  return () => (async (_url: string | URL | Request, init?: RequestInit) => {
    const accept = (init?.headers as Record<string, string>).accept;
    seen.push(accept!);
    const b = bodies();
    if (typeof b === 'string') return new Response(b, { headers: { 'content-type': 'text/plain; version=0.0.4' } });
    return new Response(b as Uint8Array<ArrayBuffer>, { headers: { 'content-type': PROTOBUF_CONTENT_TYPE } });
  }) as typeof fetch;
}

const config = (job: Record<string, unknown> = {}, global: Record<string, unknown> = {}) => ({
  global: { scrape_interval: '15s', ...global },
  scrape_configs: [{ job_name: 'app', static_configs: [{ targets: ['app:8080'] }], ...job }],
});

describe('scraping native histograms', () => {
  it('asks for protobuf first and stores the histogram, with exemplars and without classic series', async () => {
    const db = await openDB();
    const rec = recordingAppendable(db);
    const store = new ExemplarStore(100);
    attachExemplarStore(rec, store);
    const seen: string[] = [];
    const withExemplars = family(6);
    const ex = (id: string, v: number, s: number) => ({ label: [{ name: 'trace_id', value: id }], value: v, timestamp: { seconds: s } });
    // Two timestamped exemplars, and one without a timestamp that a native histogram does not keep.
    Object.assign(withExemplars.metric[0]!.histogram, { exemplars: [ex('a', 0.5, 1_700_000_000), ex('b', 1.5, 1_700_000_001), { label: [{ name: 'trace_id', value: 'c' }], value: 2 }] });
    const m = new ScrapeManager(rec, protoFetch(() => encodeMetricFamilies([withExemplars]), seen));
    await m.apply(config({ scrape_native_histograms: true }));
    await m.scrapeAll(T0);
    await m.scrapeAll(T0 + 15_000);
    m.stop();
    expect(seen[0]).toBe('application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,'
      + 'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,'
      + 'text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1');
    expect(rec.histograms.map((r) => r.t)).toEqual([T0, T0 + 15_000]);
    expect(rec.histograms[0]!.labels).toEqual({ __name__: 'rpc_seconds', instance: 'app:8080', job: 'app' });
    expect(rec.histograms[0]!.h).toMatchObject({ integer: true, schema: 2, count: 6, positiveSpans: [{ offset: 0, length: 4 }], positiveBuckets: [1, 1, 1, 3] });
    const [stored] = store.select(-Infinity, Infinity, [[new Matcher('=', '__name__', 'rpc_seconds')]]);
    expect(stored!.exemplars.map((e) => [e.labels, e.value, e.timestamp])).toEqual([
      [[{ name: 'trace_id', value: 'a' }], 0.5, 1_700_000_000_000], [[{ name: 'trace_id', value: 'b' }], 1.5, 1_700_000_001_000],
    ]);
    const q = db.querier(0, T0 + 15_000);
    expect(q.select([new Matcher('=~', '__name__', 'rpc_seconds.*')]).length).toBe(0);
    const up = q.select([new Matcher('=', '__name__', 'scrape_samples_scraped')])[0]!.samples(0, T0 + 15_000);
    expect([...up.values]).toEqual([1, 1]);
    q.close();
  });

  it('keeps the classic series too with always_scrape_classic_histograms, and only those with native histograms off', async () => {
    for (const [job, wantHist, wantClassic] of [[{ scrape_native_histograms: true, always_scrape_classic_histograms: true }, 1, 4], [{}, 0, 4]] as const) {
      const db = await openDB();
      const rec = recordingAppendable(db);
      const m = new ScrapeManager(rec, protoFetch(() => encodeMetricFamilies([family(6)]), []));
      await m.apply(config({ ...job, scrape_protocols: ['PrometheusProto'] }));
      await m.scrapeAll(T0);
      m.stop();
      expect(rec.histograms.length).toBe(wantHist);
      const q = db.querier(0, T0);
      expect(q.select([new Matcher('=~', '__name__', 'rpc_seconds_.*')]).length).toBe(wantClassic);
      q.close();
    }
  });

  it('reads an unlabelled body as protobuf with fallback_scrape_protocol: PrometheusProto', async () => {
    const db = await openDB();
    const rec = recordingAppendable(db);
    const body = encodeMetricFamilies([family(6)]);
    const m = new ScrapeManager(rec, () => (async () => new Response(body as Uint8Array<ArrayBuffer>, { headers: { 'content-type': 'application/octet-stream' } })) as unknown as typeof fetch);
    await m.apply(config({ scrape_native_histograms: true, fallback_scrape_protocol: 'PrometheusProto' }));
    await m.scrapeAll(T0);
    m.stop();
    expect(m.targets().activeTargets[0]).toMatchObject({ health: 'up' });
    expect(rec.histograms).toHaveLength(1);
  });

  it('ends a vanished histogram series with a staleness marker', async () => {
    const db = await openDB();
    const rec = recordingAppendable(db);
    let n = 0;
    const m = new ScrapeManager(rec, protoFetch(() => (n++ === 0 ? encodeMetricFamilies([family(6)]) : encodeMetricFamilies([])), []));
    await m.apply(config({ scrape_native_histograms: true }));
    await m.scrapeAll(T0);
    await m.scrapeAll(T0 + 15_000);
    m.stop();
    const q = db.querier(0, T0 + 15_000);
    const s = q.select([new Matcher('=', '__name__', 'rpc_seconds')]);
    expect(s.length).toBe(1);
    const b = s[0]!.samples(0, T0 + 15_000);
    expect([...b.timestamps]).toEqual([T0 + 15_000]);
    expect(isStaleNaN(b.values[0]!)).toBe(true);
    q.close();
  });

  it('fails the scrape when a histogram cannot be brought under native_histogram_bucket_limit', async () => {
    const db = await openDB();
    const rec = recordingAppendable(db);
    const m = new ScrapeManager(rec, protoFetch(() => encodeMetricFamilies([{
      name: 'wide', type: MetricType.HISTOGRAM,
      metric: [{ histogram: { sampleCount: 3, schema: -4, positiveSpan: [{ offset: 0, length: 1 }, { offset: 5, length: 1 }, { offset: 5, length: 1 }], positiveDelta: [1, 0, 0] } }],
    }]), []));
    await m.apply(config({ scrape_native_histograms: true, native_histogram_bucket_limit: 2 }));
    await m.scrapeAll(T0);
    m.stop();
    expect(rec.histograms).toEqual([]);
    expect(m.targets().activeTargets[0]).toMatchObject({ health: 'down', lastError: 'histogram bucket limit exceeded' });
  });
});

describe('native histogram limits and config', () => {
  const h = (): FloatHistogram => ({
    integer: true, counterResetHint: CounterResetHint.Unknown, schema: 1, zeroThreshold: 0, zeroCount: 0, count: 10, sum: 0,
    // Buckets 1..4 of schema 1; at schema 0 they fall in buckets 1,1,2,2; at -1 in 1,1,1,1.
    positiveSpans: [{ offset: 1, length: 4 }], positiveBuckets: [1, 2, 3, 4], negativeSpans: [], negativeBuckets: [],
  });

  it('reduces resolution until under the bucket limit, and to the schema the minimum bucket factor allows', () => {
    expect(limitHistogram(h(), { nativeHistogramBucketLimit: 2, nativeHistogramMaxSchema: 8 })).toMatchObject({ schema: 0, positiveSpans: [{ offset: 1, length: 2 }], positiveBuckets: [3, 7] });
    expect(limitHistogram(h(), { nativeHistogramBucketLimit: 1, nativeHistogramMaxSchema: 8 })).toMatchObject({ schema: -1, positiveSpans: [{ offset: 1, length: 1 }], positiveBuckets: [10] });
    expect(limitHistogram(h(), { nativeHistogramBucketLimit: 0, nativeHistogramMaxSchema: 0 })).toMatchObject({ schema: 0, positiveBuckets: [3, 7] });
    const custom = { ...h(), schema: -53, customValues: [1, 2, 3, 4] };
    expect(() => limitHistogram(custom, { nativeHistogramBucketLimit: 2, nativeHistogramMaxSchema: 8 })).toThrow('histogram bucket limit exceeded');
  });

  it('reads the fields with global defaults and Prometheus pickSchema for the bucket factor', () => {
    const [a, b] = scrapeConfigs({
      global: { scrape_native_histograms: true, always_scrape_classic_histograms: true },
      scrape_configs: [
        { job_name: 'a', native_histogram_min_bucket_factor: 1.1, native_histogram_bucket_limit: 160 },
        { job_name: 'b', scrape_native_histograms: false, scrape_protocols: ['PrometheusText0.0.4'] },
      ],
    });
    expect(a).toMatchObject({ scrapeNativeHistograms: true, alwaysScrapeClassicHistograms: true, nativeHistogramBucketLimit: 160, nativeHistogramMaxSchema: 2 });
    expect(a!.scrapeProtocols![0]).toBe('PrometheusProto');
    expect(b).toMatchObject({ scrapeNativeHistograms: false, nativeHistogramMaxSchema: 8, scrapeProtocols: ['PrometheusText0.0.4'] });
    expect(acceptHeader(b!.scrapeProtocols!)).toBe('text/plain;version=0.0.4;q=0.6,*/*;q=0.5');
    expect(() => scrapeConfigs({ scrape_configs: [{ job_name: 'c', scrape_protocols: ['Nope'] }] })).toThrow(/unknown scrape protocol Nope/);
    expect(() => scrapeConfigs({ scrape_configs: [{ job_name: 'c', scrape_native_histograms: 'yes' }] })).toThrow(/not a boolean/);
  });

  it('are checked by promlet check config', () => {
    const ok = 'global: {scrape_native_histograms: true}\nscrape_configs:\n- job_name: a\n  native_histogram_bucket_limit: 160\n  native_histogram_min_bucket_factor: 1.1\n  always_scrape_classic_histograms: true\n  scrape_protocols: [PrometheusProto, PrometheusText0.0.4]\n';
    expect(checkConfig(ok)).toEqual([]);
    expect(checkConfig('scrape_configs:\n- job_name: b\n  scrape_protocols: [Nope]\n')).toEqual([expect.stringContaining('scrape_configs[b]: unknown scrape protocol Nope')]);
    expect(checkConfig('scrape_configs:\n- job_name: c\n  native_histogram_bucket_limit: -1\n')).toEqual([expect.stringContaining('native_histogram_bucket_limit')]);
  });
});
