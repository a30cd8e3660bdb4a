// OTLP requests (as JSON bodies and protobuf) through the receiver into a
// database: resource attributes, promotion, target_info, histograms,
// summaries, exemplars, staleness, and the refusals with their reasons.

import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { openDB, Matcher, labelsToRecord, type DB } from '../../src/index.js';
import { OtlpReceiver } from '../../src/otlp/receiver.js';
import { otlpConfig } from '../../src/otlp/config.js';
import { ExportMetricsServiceRequest } from '../../src/otlp/proto.js';
import { attachExemplarStore, ExemplarStore } from '../../src/storage/exemplars.js';

const T = 1_700_000_000_000;
const ns = (ms: number) => `${ms}000000`;
const kv = (key: string, v: string) => ({ key, value: { stringValue: v } });

function request(metrics: unknown[], resource = [kv('service.name', 'api'), kv('service.instance.id', 'i-1'), kv('cloud.region', 'eu')]) {
  return { resourceMetrics: [{ resource: { attributes: resource }, scopeMetrics: [{ scope: { name: 'lib', version: '1.0' }, metrics }] }] };
}

async function setup(config: unknown = undefined) {
  const db = await openDB();
  const store = new ExemplarStore(100);
  attachExemplarStore(db, store);
  const rx = new OtlpReceiver(db, { config: () => otlpConfig(config), now: () => T });
  const post = (body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    rx.handle(new Request('http://x/api/v1/otlp/v1/metrics', { method: 'POST', headers, body: typeof body === 'string' ? body : body instanceof Uint8Array ? new Uint8Array(body) as Uint8Array<ArrayBuffer> : JSON.stringify(body) }));
  return { db, store, rx, post };
}

/** Sample values' bits, so a staleness marker stays one (a plain array would quiet it). */
function bits(db: DB, name: string): string[] {
  const q = db.querier(0, Number.MAX_SAFE_INTEGER);
  const out: string[] = [];
  for (const s of q.select([new Matcher('=', '__name__', name)])) {
    const { values } = s.samples(0, Number.MAX_SAFE_INTEGER);
    out.push(...[...new Uint32Array(Float64Array.from(values).buffer)].map((x) => x.toString(16)));
  }
  q.close();
  return out;
}

function all(db: DB): Record<string, [number, number][]> {
  const q = db.querier(0, Number.MAX_SAFE_INTEGER);
  const out: Record<string, [number, number][]> = {};
  for (const s of q.select([new Matcher('=~', '__name__', '.+')])) {
    const { timestamps, values } = s.samples(0, Number.MAX_SAFE_INTEGER);
    out[JSON.stringify(labelsToRecord(s.labels))] = [...timestamps].map((t, i) => [t, values[i]!]);
  }
  q.close();
  return out;
}

const sum = (name: string, points: unknown[], extra: Record<string, unknown> = {}) =>
  ({ name, ...extra, sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: points } });

describe('OTLP translation', () => {
  it('maps resources to job, instance and target_info, and attributes to labels', async () => {
    const { db, post } = await setup();
    const res = await post(request([sum('http.requests', [{ timeUnixNano: ns(T), startTimeUnixNano: ns(T - 60_000), asInt: '7', attributes: [kv('http.method', 'GET')] }])]));
    expect(res.status).toBe(200);
    expect(all(db)).toEqual({
      [JSON.stringify({ __name__: 'http_requests_total', http_method: 'GET', instance: 'i-1', job: 'api' })]: [[T, 7]],
      [JSON.stringify({ __name__: 'target_info', cloud_region: 'eu', instance: 'i-1', job: 'api' })]: [[T, 1]],
    });
  });

  it('promotes resource attributes, keeps identifying ones on target_info when asked, and joins colliding names', async () => {
    const { db, post } = await setup({ promote_resource_attributes: ['cloud.region'], keep_identifying_resource_attributes: true });
    await post(request([{ name: 'temp', unit: 'Cel', gauge: { dataPoints: [{ timeUnixNano: ns(T), asDouble: 1.5, attributes: [kv('a.b', 'x'), kv('a_b', 'y')] }] } }]));
    expect(Object.keys(all(db)).sort()).toEqual([
      JSON.stringify({ __name__: 'target_info', cloud_region: 'eu', instance: 'i-1', job: 'api', service_instance_id: 'i-1', service_name: 'api' }),
      JSON.stringify({ __name__: 'temp_celsius', a_b: 'x;y', cloud_region: 'eu', instance: 'i-1', job: 'api' }),
    ]);
  });

  it('promote_all_resource_attributes with ignore_resource_attributes', async () => {
    const { db, post } = await setup({ promote_all_resource_attributes: true, ignore_resource_attributes: ['cloud.region'] });
    await post(request([{ name: 'g', gauge: { dataPoints: [{ timeUnixNano: ns(T), asDouble: 1 }] } }]));
    expect(Object.keys(all(db))).toContain(JSON.stringify({ __name__: 'g', instance: 'i-1', job: 'api', service_instance_id: 'i-1', service_name: 'api' }));
  });

  it('writes histograms and summaries as classic series, with exemplars on their buckets', async () => {
    const { db, store, post } = await setup();
    const trace = '5b8efff798038103d269b633813fc60c';
    await post(request([
      {
        name: 'latency', unit: 'ms', histogram: {
          aggregationTemporality: 2, dataPoints: [{
            timeUnixNano: ns(T), count: '5', sum: 120.5, bucketCounts: ['1', '3', '1'], explicitBounds: [10, 50],
            exemplars: [{ timeUnixNano: ns(T - 1000), asDouble: 42, traceId: trace, spanId: 'eee19b7ec3c1b174' }],
          }],
        },
      },
      { name: 'rpc', summary: { dataPoints: [{ timeUnixNano: ns(T), count: '3', sum: 9, quantileValues: [{ quantile: 0.5, value: 2 }, { quantile: 0.99, value: 5 }] }] } },
    ], [kv('service.name', 'api')]));
    const got = all(db);
    const v = (l: Record<string, string>) => got[JSON.stringify(l)];
    expect(v({ __name__: 'latency_milliseconds_bucket', job: 'api', le: '10' })).toEqual([[T, 1]]);
    expect(v({ __name__: 'latency_milliseconds_bucket', job: 'api', le: '50' })).toEqual([[T, 4]]);
    expect(v({ __name__: 'latency_milliseconds_bucket', job: 'api', le: '+Inf' })).toEqual([[T, 5]]);
    expect(v({ __name__: 'latency_milliseconds_count', job: 'api' })).toEqual([[T, 5]]);
    expect(v({ __name__: 'latency_milliseconds_sum', job: 'api' })).toEqual([[T, 120.5]]);
    expect(v({ __name__: 'rpc', job: 'api', quantile: '0.99' })).toEqual([[T, 5]]);
    expect(v({ __name__: 'rpc_count', job: 'api' })).toEqual([[T, 3]]);
    // No target_info: the resource has nothing beyond service.name.
    expect(Object.keys(got).some((k) => k.includes('target_info'))).toBe(false);
    expect(store.select(0, T, [[new Matcher('=', '__name__', 'latency_milliseconds_bucket')]]).map((r) => ({
      seriesLabels: labelsToRecord(r.seriesLabels), exemplars: r.exemplars.map((e) => ({ ...e, labels: labelsToRecord(e.labels) })),
    }))).toEqual([{
      seriesLabels: { __name__: 'latency_milliseconds_bucket', job: 'api', le: '50' },
      exemplars: [{ labels: { span_id: 'eee19b7ec3c1b174', trace_id: trace }, value: 42, timestamp: T - 1000 }],
    }]);
  });

  it('turns points flagged "no recorded value" into staleness markers', async () => {
    const { db, post } = await setup();
    await post(request([{ name: 'g', gauge: { dataPoints: [{ timeUnixNano: ns(T - 1000), asDouble: 3 }, { timeUnixNano: ns(T), flags: 1 }] } }], [kv('service.name', 'a')]));
    const pts = all(db)[JSON.stringify({ __name__: 'g', job: 'a' })]!;
    expect(pts.map((p) => p[0])).toEqual([T - 1000, T]);
    expect(pts[0]![1]).toBe(3);
    // The second value is the staleness marker 0x7ff0000000000002 (little-endian words).
    expect(bits(db, 'g').slice(2)).toEqual(['2', '7ff00000']);
  });

  it('promotes scope metadata when asked', async () => {
    const { db, post } = await setup({ promote_scope_metadata: true });
    const body = request([{ name: 'g', gauge: { dataPoints: [{ timeUnixNano: ns(T), asDouble: 1 }] } }], [kv('service.name', 'a')]);
    (body.resourceMetrics[0]!.scopeMetrics[0] as Record<string, unknown>).schemaUrl = 'https://opentelemetry.io/schemas/1.21.0';
    (body.resourceMetrics[0]!.scopeMetrics[0]!.scope as Record<string, unknown>).attributes = [kv('lib.kind', 'http')];
    await post(body);
    expect(Object.keys(all(db))).toEqual([JSON.stringify({
      __name__: 'g', job: 'a', otel_scope_lib_kind: 'http', otel_scope_name: 'lib', otel_scope_schema_url: 'https://opentelemetry.io/schemas/1.21.0', otel_scope_version: '1.0',
    })]);
  });

  it('keeps names as sent with NoTranslation', async () => {
    const { db, post } = await setup({ translation_strategy: 'NoTranslation' });
    await post(request([sum('http.requests', [{ timeUnixNano: ns(T), asInt: '1', attributes: [kv('http.method', 'GET')] }])], [kv('service.name', 'a')]));
    expect(Object.keys(all(db))).toEqual([JSON.stringify({ __name__: 'http.requests', 'http.method': 'GET', job: 'a' })]);
  });

  it('decodes protobuf, gzipped or not', async () => {
    const { db, post } = await setup();
    const msg = ExportMetricsServiceRequest.fromObject({
      resourceMetrics: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'p' } }] }, scopeMetrics: [{ metrics: [{ name: 'up_time', unit: 's', gauge: { dataPoints: [{ timeUnixNano: ns(T), asDouble: 9 }] } }] }] }],
    });
    const bytes = ExportMetricsServiceRequest.encode(msg).finish();
    expect((await post(bytes, { 'content-type': 'application/x-protobuf' })).status).toBe(200);
    expect((await post(new Uint8Array(gzipSync(bytes)), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' })).status).toBe(200);
    expect(all(db)[JSON.stringify({ __name__: 'up_time_seconds', job: 'p' })]).toEqual([[T, 9]]);
  });

  it('refuses what it cannot take, with a 4xx and a reason, storing nothing of the request', async () => {
    const { db, rx, post } = await setup();
    const good = { name: 'ok', gauge: { dataPoints: [{ timeUnixNano: ns(T), asDouble: 1 }] } };
    const expo = (await post(request([good, { name: 'lat', exponentialHistogram: { aggregationTemporality: 2, dataPoints: [{ scale: -5 }] } }])));
    expect(expo.status).toBe(400);
    expect(await expo.text()).toMatch(/metric "lat": cannot convert exponential to native histogram. Scale must be >= -4, was -5/);
    expect((await post('{"resourceMetrics": 5}')).status).toBe(400);
    expect(await (await post('not json')).text()).toMatch(/unmarshaling JSON/);
    expect((await post(new Uint8Array([0xff, 0xff, 0xff]), { 'content-type': 'application/x-protobuf' })).status).toBe(400);
    expect((await post('{}', { 'content-type': 'text/plain' })).status).toBe(415);
    expect((await post('{}', { 'content-type': 'application/json', 'content-encoding': 'br' })).status).toBe(415);
    expect((await post('{}', { 'content-type': 'application/json', 'content-encoding': 'gzip' })).status).toBe(400);
    const future = await post(request([{ name: 'f', gauge: { dataPoints: [{ timeUnixNano: ns(T + 3_600_000), asDouble: 1 }] } }]));
    expect(future.status).toBe(400);
    expect(await future.text()).toMatch(/too far in the future/);
    const span = await post(request([{ name: 'g', gauge: { dataPoints: [{ timeUnixNano: '0', asDouble: 1 }, { timeUnixNano: ns(T), asDouble: 1 }] } }]));
    expect(span.status).toBe(400);
    expect(await span.text()).toMatch(/target_info samples \(limit 10000\)/);
    expect(all(db)).toEqual({});
    // An older sample for a series already stored: the whole request is rolled back.
    expect((await post(request([good]))).status).toBe(200);
    const before = all(db);
    const old = await post(request([{ name: 'ok', gauge: { dataPoints: [{ timeUnixNano: ns(T - 5000), asDouble: 2 }] } }, { name: 'other', gauge: { dataPoints: [{ timeUnixNano: ns(T), asDouble: 2 }] } }]));
    expect(old.status).toBe(400);
    expect(all(db)).toEqual(before);
    const text = rx.metrics().map((f) => `${f.name} ${JSON.stringify(f.samples)}`).join('\n');
    expect(text).toMatch(/promlet_api_otlp_requests_total .*"code":"400"\},"value":8/);
    expect(text).toMatch(/promlet_api_otlp_requests_total .*"code":"415"\},"value":2/);
  });
});

describe('otlp config block', () => {
  it('validates as Prometheus does', () => {
    expect(otlpConfig(undefined).translationStrategy).toBe('UnderscoreEscapingWithSuffixes');
    expect(() => otlpConfig({ translation_strategy: 'Bogus' })).toThrow('unsupported OTLP translation strategy "Bogus"');
    expect(() => otlpConfig({ promote_all_resource_attributes: true, promote_resource_attributes: ['a'] }))
      .toThrow("'promote_all_resource_attributes' and 'promote_resource_attributes' cannot be configured simultaneously");
    expect(() => otlpConfig({ ignore_resource_attributes: ['a'] })).toThrow("'ignore_resource_attributes' cannot be configured unless 'promote_all_resource_attributes' is true");
    expect(() => otlpConfig({ promote_resource_attributes: ['a', ' a ', ''] })).toThrow(/duplicated promoted OTel resource attribute "a"\nempty promoted OTel resource attribute/);
    expect(() => otlpConfig({ promote_scope: true })).toThrow('field promote_scope not found in type config.OTLPConfig');
    expect(otlpConfig({ promote_resource_attributes: [' service.version '] }).promoteResourceAttributes).toEqual(['service.version']);
  });
});

describe('delta to cumulative', () => {
  it('adds deltas per stream, drops out-of-order points, restarts on new bounds', async () => {
    const { DeltaToCumulative } = await import('../../src/otlp/delta.js');
    const d = new DeltaToCumulative({ now: () => T });
    const req = (points: { st: number; t: number; v: number; a?: string }[]) => ({
      resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'n', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: points.map((p) => ({ startTimeUnixNano: ns(p.st), timeUnixNano: ns(p.t), asDouble: p.v, attributes: p.a ? [kv('a', p.a)] : [] })) } }] }] }],
    });
    const values = (r: ReturnType<typeof req>) => r.resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!.sum.dataPoints.map((p) => [p.asDouble, p.startTimeUnixNano]);
    const r1 = req([{ st: T - 20, t: T - 10, v: 2 }, { st: T - 20, t: T - 10, v: 7, a: 'x' }]);
    d.convert(r1 as never);
    expect(values(r1)).toEqual([[2, ns(T - 20)], [7, ns(T - 20)]]);
    const r2 = req([{ st: T - 10, t: T, v: 3 }, { st: T - 15, t: T, v: 100, a: 'x' }]);
    d.convert(r2 as never);
    // The second stream's point starts before its last one ended: dropped.
    expect(values(r2)).toEqual([[5, ns(T - 20)]]);
    expect(r2.resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!.sum.aggregationTemporality).toBe(2);
    expect(d.dropped.outOfOrder).toBe(1);
  });

  it('keeps apart streams whose names and units would join to the same text', async () => {
    const { DeltaToCumulative } = await import('../../src/otlp/delta.js');
    const d = new DeltaToCumulative({ now: () => T });
    const metric = (name: string, unit: string, v: number, st: number, t: number) => ({
      name, unit, sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ startTimeUnixNano: ns(st), timeUnixNano: ns(t), asDouble: v, attributes: [] }] },
    });
    const req = (v1: number, v2: number, st: number, t: number) => ({ resourceMetrics: [{ scopeMetrics: [{ metrics: [metric('aÿb', 'c', v1, st, t), metric('a', 'bÿc', v2, st, t)] }] }] });
    d.convert(req(1, 10, T - 20, T - 10) as never);
    const r = req(2, 20, T - 10, T);
    d.convert(r as never);
    expect(r.resourceMetrics[0]!.scopeMetrics[0]!.metrics.map((m) => m.sum.dataPoints.map((p) => p.asDouble))).toEqual([[3], [30]]);
  });
});

describe('promlet check config', () => {
  it('validates the otlp block and storage.exemplars', async () => {
    const { checkConfig } = await import('../../src/node/check-config.js');
    expect(checkConfig('otlp:\n  translation_strategy: NoTranslation\n  promote_resource_attributes: [service.version]\nstorage:\n  exemplars:\n    max_exemplars: 500\n')).toEqual([]);
    expect(checkConfig('otlp:\n  translation_strategy: Nope\n')).toEqual(['unsupported OTLP translation strategy "Nope"']);
    expect(checkConfig('global:\n  metric_name_validation_scheme: legacy\notlp:\n  translation_strategy: NoTranslation\n'))
      .toEqual(['OTLP translation strategy "NoTranslation" is not allowed when UTF8 is disabled']);
    expect(checkConfig('otlp:\n  convert_histograms_to_nhcb: true\n')).toEqual([]);
    expect(checkConfig('storage:\n  exemplars:\n    max_exemplars: -1\n')).toEqual(['storage.exemplars.max_exemplars must be a non-negative integer, got -1']);
  });
});
