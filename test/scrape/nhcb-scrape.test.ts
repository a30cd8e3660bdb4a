// convert_classic_histograms_to_nhcb: classic histograms scraped as text or
// protobuf stored as native histograms with custom buckets named after the
// family, the classic series kept only with always_scrape_classic_histograms,
// unsorted and missing buckets, non-histogram families left alone, exemplars
// carried over, and staleness of the NHCB when the histogram or target goes.

import { describe, expect, it } from 'vitest';
import { openDB, Matcher, createEngine } from '../../src/index.js';
import { ScrapeManager } from '../../src/scrape/manager.js';
import { encodeMetricFamilies } from '../../src/exposition/protobuf-write.js';
import { MetricType, PROTOBUF_CONTENT_TYPE } from '../../src/exposition/protobuf-proto.js';
import { isStaleNaN } from '../../src/model/stale.js';
import { CUSTOM_BUCKETS_SCHEMA } from '../../src/model/histogram.js';
import { ClassicHistogramBuilder } from '../../src/model/histogram-nhcb.js';
import { recordingAppendable } from '../support/histogram-appender.js';
import { checkConfig } from '../../src/node/check-config.js';
import { ExemplarStore, attachExemplarStore } from '../../src/storage/exemplars.js';

const T0 = Date.UTC(2026, 0, 1);

const TEXT = `# TYPE req_seconds histogram
req_seconds_bucket{path="/a",le="0.5"} 3
req_seconds_bucket{path="/a",le="0.1"} 1
req_seconds_bucket{path="/a",le="+Inf"} 7
req_seconds_count{path="/a"} 7
req_seconds_sum{path="/a"} 4.25
req_seconds_bucket{path="/b",le="1"} 2
req_seconds_count{path="/b"} 5
req_seconds_sum{path="/b"} 9
# TYPE other_bucket gauge
other_bucket{le="1"} 3
# TYPE plain counter
plain_total 1
`;

function fetchOf(body: () => string | Uint8Array): () => typeof fetch {
  return () => (async () => {
    const b = body();
    if (typeof b === 'string') return new Response(b, { headers: { 'content-type': 'text/plain; version=0.0.4' } });
    return new Response(b as Uint8Array<ArrayBuffer>, { headers: { 'content-type': PROTOBUF_CONTENT_TYPE } });
  }) as typeof fetch;
}

const config = (job: Record<string, unknown> = {}, global: Record<string, unknown> = {}) => ({
  global: { scrape_interval: '15s', ...global },
  scrape_configs: [{ job_name: 'app', static_configs: [{ targets: ['app:8080'] }], ...job }],
});

function names(db: Awaited<ReturnType<typeof openDB>>): string[] {
  const q = db.querier(0, T0 + 60_000);
  const out = q.select([new Matcher('=~', '__name__', '.+')]).map((s) => s.labels.find((l) => l.name === '__name__')!.value);
  q.close();
  return [...new Set(out)].sort();
}

describe('convert_classic_histograms_to_nhcb', () => {
  it('converts text classic histograms into NHCBs named after the family, dropping the classic series', async () => {
    const db = await openDB();
    const rec = recordingAppendable(db);
    const m = new ScrapeManager(rec, fetchOf(() => TEXT));
    await m.apply(config({}, { convert_classic_histograms_to_nhcb: true }));
    await m.scrapeAll(T0);
    m.stop();
    expect(rec.histograms).toHaveLength(2);
    const [a, b] = rec.histograms;
    expect(a!.labels).toEqual({ __name__: 'req_seconds', instance: 'app:8080', job: 'app', path: '/a' });
    expect(a!.t).toBe(T0);
    // Buckets given out of order come out sorted, cumulative counts made per bucket.
    expect(a!.h).toMatchObject({ schema: CUSTOM_BUCKETS_SCHEMA, integer: true, count: 7, sum: 4.25, customValues: [0.1, 0.5], positiveBuckets: [1, 2, 4] });
    // No +Inf bucket: it is added from _count.
    expect(b!.labels.path).toBe('/b');
    expect(b!.h).toMatchObject({ count: 5, sum: 9, customValues: [1], positiveBuckets: [2, 3] });
    // A gauge named like a bucket, and other families, stay floats.
    expect(names(db)).toEqual(['other_bucket', 'plain_total', 'scrape_duration_seconds', 'scrape_samples_post_metric_relabeling',
      'scrape_samples_scraped', 'scrape_series_added', 'up']);
    const q = db.querier(0, T0);
    const scraped = q.select([new Matcher('=', '__name__', 'scrape_samples_scraped')])[0]!.samples(0, T0);
    expect([...scraped.values]).toEqual([4]); // two NHCBs, other_bucket, plain_total
    q.close();
  });

  it('keeps the classic series too with always_scrape_classic_histograms, and the job setting wins over global', async () => {
    const db = await openDB();
    const rec = recordingAppendable(db);
    const m = new ScrapeManager(rec, fetchOf(() => TEXT));
    await m.apply(config({ convert_classic_histograms_to_nhcb: true, always_scrape_classic_histograms: true }, { convert_classic_histograms_to_nhcb: false }));
    await m.scrapeAll(T0);
    m.stop();
    expect(rec.histograms.map((r) => r.labels.path)).toEqual(['/a', '/b']);
    expect(names(db)).toContain('req_seconds_bucket');
    expect(names(db)).toContain('req_seconds_count');
    expect(names(db)).toContain('req_seconds_sum');
  });

  it('does nothing when off', async () => {
    const db = await openDB();
    const rec = recordingAppendable(db);
    const m = new ScrapeManager(rec, fetchOf(() => TEXT));
    await m.apply(config());
    await m.scrapeAll(T0);
    m.stop();
    expect(rec.histograms).toHaveLength(0);
    expect(names(db)).toContain('req_seconds_bucket');
  });

  it('gives no NHCB for a histogram whose buckets are not cumulative, keeping nothing of it', async () => {
    const db = await openDB();
    const rec = recordingAppendable(db);
    const bad = '# TYPE h histogram\nh_bucket{le="1"} 5\nh_bucket{le="2"} 3\nh_count 5\nh_sum 1\n# TYPE g gauge\ng 1\n';
    const m = new ScrapeManager(rec, fetchOf(() => bad));
    await m.apply(config({ convert_classic_histograms_to_nhcb: true }));
    await m.scrapeAll(T0);
    m.stop();
    expect(rec.histograms).toHaveLength(0);
    expect(m.targets().activeTargets[0]).toMatchObject({ health: 'up' });
    expect(names(db)).not.toContain('h_bucket');
    expect(names(db)).toContain('g');
  });

  it('carries the exemplars of the bucket series over to the NHCB (OpenMetrics)', async () => {
    const db = await openDB();
    const rec = recordingAppendable(db);
    const store = new ExemplarStore(100);
    attachExemplarStore(rec, store);
    const om = '# TYPE lat histogram\nlat_bucket{le="1"} 1 # {trace_id="x"} 0.5 1700000000\nlat_bucket{le="+Inf"} 2 # {trace_id="y"} 3\nlat_count 2\nlat_sum 3.5\n# EOF\n';
    const m = new ScrapeManager(rec, () => (async () => new Response(om, { headers: { 'content-type': 'application/openmetrics-text; version=1.0.0' } })) as typeof fetch);
    await m.apply(config({ convert_classic_histograms_to_nhcb: true }));
    await m.scrapeAll(T0);
    m.stop();
    expect(rec.histograms[0]!.h).toMatchObject({ count: 2, sum: 3.5, customValues: [1], positiveBuckets: [1, 1] });
    const [stored] = store.select(-Infinity, Infinity, [[new Matcher('=', '__name__', 'lat')]]);
    expect(stored!.exemplars.map((e) => [e.labels[0]!.value, e.value, e.timestamp])).toEqual([['x', 0.5, 1_700_000_000_000], ['y', 3, T0]]);
  });

  it('converts protobuf classic histograms, and not one that came as a native histogram', async () => {
    const classic = {
      name: 'rpc_seconds', help: '', type: MetricType.HISTOGRAM,
      metric: [{ histogram: { sampleCount: 4, sampleSum: 2, bucket: [{ cumulativeCount: 1, upperBound: 0.25 }, { cumulativeCount: 3, upperBound: 1 }] } }],
    };
    const native = {
      name: 'nat_seconds', help: '', type: MetricType.HISTOGRAM,
      metric: [{ histogram: {
        sampleCount: 2, sampleSum: 1, schema: 0, zeroThreshold: 1e-10, zeroCount: 0,
        bucket: [{ cumulativeCount: 2, upperBound: 1 }], positiveSpan: [{ offset: 0, length: 1 }], positiveDelta: [2],
      } }],
    };
    for (const scrapeNative of [false, true]) {
      const db = await openDB();
      const rec = recordingAppendable(db);
      const m = new ScrapeManager(rec, fetchOf(() => encodeMetricFamilies([classic, native])));
      await m.apply(config({ convert_classic_histograms_to_nhcb: true, scrape_native_histograms: scrapeNative, always_scrape_classic_histograms: scrapeNative }));
      await m.scrapeAll(T0);
      m.stop();
      const byName = Object.fromEntries(rec.histograms.map((r) => [r.labels.__name__, r.h]));
      expect(byName.rpc_seconds).toMatchObject({ schema: CUSTOM_BUCKETS_SCHEMA, count: 4, sum: 2, customValues: [0.25, 1], positiveBuckets: [1, 2, 1] });
      if (scrapeNative) {
        // The native one is stored as it came; its classic buckets stay classic series.
        expect(byName.nat_seconds).toMatchObject({ schema: 0 });
        expect(names(db)).toContain('nat_seconds_bucket');
      } else {
        expect(byName.nat_seconds).toMatchObject({ schema: CUSTOM_BUCKETS_SCHEMA, customValues: [1], positiveBuckets: [2] });
        expect(names(db)).not.toContain('nat_seconds_bucket');
      }
      expect(rec.histograms).toHaveLength(2);
    }
  });

  it('ends an NHCB that vanishes, or whose target goes away, with a staleness marker', async () => {
    const db = await openDB();
    const rec = recordingAppendable(db);
    let n = 0;
    const m = new ScrapeManager(rec, fetchOf(() => (n++ === 0 ? TEXT : TEXT.replace(/^req_seconds\S*\{path="\/b".*\n/gm, ''))));
    await m.apply(config({ convert_classic_histograms_to_nhcb: true }));
    await m.scrapeAll(T0);
    await m.scrapeAll(T0 + 15_000);
    const gone = Date.now();
    await m.apply(config({ convert_classic_histograms_to_nhcb: true, static_configs: [] }));
    m.stop();
    expect(rec.histograms.map((r) => [r.labels.path, r.t])).toEqual([['/a', T0], ['/b', T0], ['/a', T0 + 15_000]]);
    const q = db.querier(0, Date.now() + 60_000);
    const stale = (path: string) => {
      const [s] = q.select([new Matcher('=', '__name__', 'req_seconds'), new Matcher('=', 'path', path)]);
      const b = s!.samples(0, Date.now() + 60_000);
      return [...b.timestamps].filter((_, i) => isStaleNaN(b.values[i]!));
    };
    expect(stale('/b')).toEqual([T0 + 15_000]);
    // The target went away: its NHCB ends at that moment.
    const [end] = stale('/a');
    expect(end).toBeGreaterThanOrEqual(gone);
    q.close();
  });

  it('ends the NHCBs when a scrape fails', async () => {
    const db = await openDB();
    const rec = recordingAppendable(db);
    let n = 0;
    const m = new ScrapeManager(rec, () => (async () => (n++ === 0 ? new Response(TEXT, { headers: { 'content-type': 'text/plain; version=0.0.4' } }) : new Response('', { status: 500 }))) as typeof fetch);
    await m.apply(config({ convert_classic_histograms_to_nhcb: true }));
    await m.scrapeAll(T0);
    await m.scrapeAll(T0 + 15_000);
    m.stop();
    const q = db.querier(0, T0 + 15_000);
    const ends = q.select([new Matcher('=', '__name__', 'req_seconds')]).map((s) => {
      const b = s.samples(0, T0 + 15_000);
      return [...b.timestamps].filter((_, i) => isStaleNaN(b.values[i]!));
    });
    q.close();
    expect(ends).toEqual([[T0 + 15_000], [T0 + 15_000]]);
  });

  it('stores NHCBs in the database that PromQL answers as the classic histogram, relabeling seeing the family name', async () => {
    const db = await openDB();
    const m = new ScrapeManager(db, fetchOf(() => TEXT));
    await m.apply(config({
      convert_classic_histograms_to_nhcb: true, always_scrape_classic_histograms: true,
      metric_relabel_configs: [{ source_labels: ['__name__', 'path'], regex: 'req_seconds;/b', action: 'drop' }],
    }));
    await m.scrapeAll(T0);
    m.stop();
    const engine = createEngine(db);
    const value = (q: string) => engine.instantQuerySync(q, T0).result as { metric: Record<string, string>; value?: [number, string]; histogram?: unknown }[];
    expect(value('histogram_count(req_seconds)')).toMatchObject([{ metric: { path: '/a' }, value: [T0 / 1000, '7'] }]);
    for (const phi of [0.1, 0.5, 0.9]) {
      expect(value(`histogram_quantile(${phi}, req_seconds{path="/a"})`)[0]!.value)
        .toEqual(value(`histogram_quantile(${phi}, req_seconds_bucket{path="/a"})`)[0]!.value);
    }
    // The drop matched the NHCB's name, not the classic series' ones.
    expect(value('req_seconds_count')).toHaveLength(2);
  });

  it('checks the field is a boolean', async () => {
    const errs = checkConfig(JSON.stringify(config({ convert_classic_histograms_to_nhcb: 'yes' })));
    expect(JSON.stringify(errs)).toContain('convert_classic_histograms_to_nhcb: not a boolean');
  });

  it('builds the same histogram whatever the order of the buckets', () => {
    const a = new ClassicHistogramBuilder();
    const b = new ClassicHistogramBuilder();
    for (const [le, c] of [[1, 2], [2, 5], [Infinity, 6]] as const) a.setBucketCount(le, c);
    for (const [le, c] of [[Infinity, 6], [1, 2], [2, 5], [1, 2]] as const) b.setBucketCount(le, c);
    a.setCount(6);
    b.setCount(6);
    expect(b.convert()).toEqual(a.convert());
    const c = new ClassicHistogramBuilder();
    c.setBucketCount(1, 2);
    c.setCount(3);
    c.setBucketCount(Infinity, 4);
    expect(() => c.convert()).toThrow(/count mismatch/);
  });
});
