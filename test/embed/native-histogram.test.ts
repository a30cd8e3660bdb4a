// The embedded native histogram: client_golang's bucket choice and its
// bucket-limit strategy (checked against client_golang itself, fed the same
// exactly representable values), recording into the database, and the
// protobuf exposition a scraper negotiates.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPromlet, Registry, openDB } from '../../src/index.js';
import { bucketIndex, schemaForFactor } from '../../src/embed/native-histogram.js';
import { NativeHistogram } from '../../src/embed/metrics.js';
import { parseProtobufExposition } from '../../src/exposition/protobuf-parse.js';
import { PROTOBUF_CONTENT_TYPE } from '../../src/exposition/protobuf-proto.js';
import { buildHistogramExporter, startHistogramExporter, type RunningExporter } from '../support/histogram-exporter.js';

const ACCEPT_PROTO = 'application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.6,text/plain;version=0.0.4;q=0.3';

describe('native histogram buckets', () => {
  it('picks the schema from the bucket factor and the bucket of a value as client_golang does', () => {
    expect([1.1, 1.5, 2, 1.0001, 1e9].map(schemaForFactor)).toEqual([3, 1, 0, 8, -4]);
    // Bucket i of schema s is (2^((i-1)/2^s), 2^(i/2^s)]: upper bounds inclusive.
    expect(bucketIndex(1, 0)).toBe(0);
    expect(bucketIndex(1.5, 0)).toBe(1);
    expect(bucketIndex(2, 0)).toBe(1);
    expect(bucketIndex(2.0000001, 0)).toBe(2);
    expect(bucketIndex(2, 3)).toBe(8);
    expect(bucketIndex(-0.75, 1)).toBe(0);
    expect(bucketIndex(16, -2)).toBe(1);
    expect(bucketIndex(17, -2)).toBe(2);
    // ceil(key / 2^-schema), as client_golang since 1.15 (1.14 truncated toward zero).
    expect(bucketIndex(2 ** -6, -2)).toBe(-1);
    expect(bucketIndex(Infinity, 0)).toBe(1025);
  });

  it('records histogram samples a PromQL query reads, and serves protobuf only to a scraper asking for it', async () => {
    const p = await createPromlet({ interval: 0, labels: { job: 'svc' } });
    const h = p.nativeHistogram({ name: 'latency_seconds', help: 'Latency.', labelNames: ['route'] });
    for (const v of [0.1, 0.2, 0.2, 3, 0, -1]) h.observe({ route: '/a' }, v);
    expect(h.get({ route: '/a' })).toMatchObject({ schema: 3, count: 6, zeroCount: 1, sum: 2.5 });
    await p.collect(1_000_000);
    const r = await p.query('histogram_count(latency_seconds)', 1_000_000);
    expect(r.resultType === 'vector' && r.result.map((s) => Number((s.value as [number, string])[1]))).toEqual([6]);

    const text = p.registry.exposition('text/plain');
    expect(text.contentType).toMatch(/^text\/plain/);
    expect(text.body).toContain('latency_seconds_count{job="svc",route="/a"} 6');
    const proto = p.registry.exposition(ACCEPT_PROTO);
    expect(proto.contentType).toBe(PROTOBUF_CONTENT_TYPE);
    const parsed = parseProtobufExposition(proto.body as Uint8Array, { nativeHistograms: true, alwaysClassic: false });
    expect(parsed.samples.map((s) => s.labels)).toEqual([[{ name: '__name__', value: 'latency_seconds' }, { name: 'job', value: 'svc' }, { name: 'route', value: '/a' }]]);
    expect(parsed.samples[0]!.histogram).toEqual(h.get({ route: '/a' }));
    await p.close();
  });

  it('serves counters, gauges and classic histograms in protobuf too', async () => {
    const reg = new Registry(await openDB());
    reg.counter({ name: 'c_total', help: 'c' }).inc(3);
    reg.gauge({ name: 'g', help: 'g' }).set(-2);
    reg.histogram({ name: 'classic', help: 'h', buckets: [1, 2] }).observe(1.5);
    const parsed = parseProtobufExposition(reg.exposition(ACCEPT_PROTO).body as Uint8Array, { nativeHistograms: true, alwaysClassic: false });
    expect(parsed.samples.map((s) => [s.labels.map((l) => l.value).join(','), s.value])).toEqual([
      ['c_total', 3], ['g', -2], ['classic_count', 1], ['classic_sum', 1.5], ['classic_bucket,1.0', 0], ['classic_bucket,2.0', 1], ['classic_bucket,+Inf', 1],
    ]);
  });
});

/** The exporter's exact batch k: its LCG in 64-bit integers, then IEEE arithmetic both languages do alike. */
function exactBatch(k: number): number[] {
  const M = (1n << 64n) - 1n;
  let s = BigInt(k) * 104729n + 3n;
  const out: number[] = [];
  for (let i = 0; i < 40; i++) {
    s = (s * 6364136223846793005n + 1442695040888963407n) & M;
    const u = Number(s >> 11n) / 2 ** 53;
    const e = Number(s % 10n) - 4;
    out.push((u - 0.3) * 2 ** e);
  }
  return out;
}

describe('native histogram against client_golang', () => {
  let build: ReturnType<typeof buildHistogramExporter>;
  let exporter: RunningExporter;
  beforeAll(async () => {
    build = buildHistogramExporter();
    exporter = await startHistogramExporter(build.binary);
  }, 180_000);
  afterAll(async () => {
    await exporter?.stop();
    build?.cleanup();
  });

  it('ends with the same buckets after every batch, reducing resolution and widening the zero bucket alike', async () => {
    const limited = new NativeHistogram({ name: 'exact_limited', help: '', bucketFactor: 1.1, maxBuckets: 40 });
    const widened = new NativeHistogram({ name: 'exact_widened', help: '', bucketFactor: 1.2, zeroThreshold: 1e-6, maxBuckets: 30, maxZeroThreshold: 0.01 });
    const schemas = new Set<number>();
    for (let k = 1; k <= 8; k++) {
      for (const v of exactBatch(k)) {
        limited.observe(v);
        widened.observe(v);
      }
      const res = await fetch(`http://${exporter.address}/metrics`, { headers: { accept: ACCEPT_PROTO } });
      const go = parseProtobufExposition(new Uint8Array(await res.arrayBuffer()), { nativeHistograms: true, alwaysClassic: false });
      const of = (name: string) => go.samples.find((s) => s.labels[0]!.value === name)!.histogram!;
      expect(limited.get(), `exact_limited after batch ${k}`).toEqual(of('exact_limited'));
      expect(widened.get(), `exact_widened after batch ${k}`).toEqual(of('exact_widened'));
      schemas.add(limited.get().schema);
    }
    // The limit was hit: resolution went down from schema 3, not below 0 (see the exporter on client_golang 1.14).
    expect(Math.min(...schemas)).toBe(0);
    expect(widened.get().zeroThreshold).toBeGreaterThan(1e-6);
  });
});
