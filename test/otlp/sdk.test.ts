// The real OpenTelemetry JS SDK exporting to `promlet serve
// --web.enable-otlp-receiver`, over OTLP/HTTP protobuf and JSON.

import { afterEach, describe, expect, it } from 'vitest';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { OTLPMetricExporter as ProtoExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPMetricExporter as JsonExporter, AggregationTemporalityPreference } from '@opentelemetry/exporter-metrics-otlp-http';
import { servePromlet, type RunningPromlet } from '../../src/node/serve.js';

let server: RunningPromlet | null = null;
afterEach(async () => {
  await server?.stop();
  server = null;
});

async function query(url: string, q: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}`);
  const body = (await r.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  return body.data.result;
}

function instrumented(exporter: ProtoExporter | JsonExporter) {
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({
      'service.name': 'checkout', 'service.namespace': 'shop', 'service.instance.id': 'pod-7', 'deployment.environment': 'test', 'host.name': 'h1',
    }),
    readers: [reader],
  });
  const meter = provider.getMeter('checkout-meter', '1.2.3');
  const requests = meter.createCounter('http.server.requests', { description: 'Requests served.', unit: '{request}' });
  const bytes = meter.createCounter('http.server.response.size', { unit: 'By' });
  const inflight = meter.createUpDownCounter('http.server.active_requests');
  const temp = meter.createGauge('room.temperature', { unit: 'Cel' });
  const latency = meter.createHistogram('http.server.duration', { unit: 's', advice: { explicitBucketBoundaries: [0.1, 0.5, 1] } });
  requests.add(3, { 'http.method': 'GET', 'http.route': '/cart' });
  requests.add(1, { 'http.method': 'POST', 'http.route': '/cart' });
  bytes.add(2048);
  inflight.add(5);
  inflight.add(-2);
  temp.record(21.5);
  for (const v of [0.05, 0.3, 0.7, 2]) latency.record(v, { 'http.route': '/cart' });
  return provider;
}

describe('OpenTelemetry SDK to promlet', () => {
  for (const [name, make] of [
    ['protobuf', (url: string) => new ProtoExporter({ url })],
    ['JSON', (url: string) => new JsonExporter({ url })],
  ] as const) {
    it(`stores what the SDK exports over ${name}`, async () => {
      server = await servePromlet({ listen: '127.0.0.1:0', otlpReceiver: true, scrapeInterval: '1h' });
      const provider = instrumented(make(`${server.url}/api/v1/otlp/v1/metrics`));
      await provider.forceFlush();
      await provider.shutdown();
      const url = server.url;

      const reqs = await query(url, 'http_server_requests_total');
      expect(reqs.map((r) => [r.metric, r.value[1]])).toEqual([
        [{ __name__: 'http_server_requests_total', job: 'shop/checkout', instance: 'pod-7', http_method: 'GET', http_route: '/cart' }, '3'],
        [{ __name__: 'http_server_requests_total', job: 'shop/checkout', instance: 'pod-7', http_method: 'POST', http_route: '/cart' }, '1'],
      ].sort((a, b) => JSON.stringify(a[0]).localeCompare(JSON.stringify(b[0]))).map(([m, v]) => [m, v]));
      expect((await query(url, 'http_server_response_size_bytes_total'))[0]!.value[1]).toBe('2048');
      expect((await query(url, 'http_server_active_requests'))[0]!.value[1]).toBe('3');
      expect((await query(url, 'room_temperature_celsius'))[0]!.value[1]).toBe('21.5');
      const buckets = await query(url, 'http_server_duration_seconds_bucket');
      expect(Object.fromEntries(buckets.map((b) => [b.metric.le, b.value[1]]))).toEqual({ '0.1': '1', '0.5': '2', '1': '3', '+Inf': '4' });
      expect((await query(url, 'http_server_duration_seconds_count'))[0]!.value[1]).toBe('4');
      expect(Number((await query(url, 'http_server_duration_seconds_sum'))[0]!.value[1])).toBeCloseTo(3.05, 10);
      const info = await query(url, 'target_info');
      expect(info.map((r) => r.metric)).toEqual([
        { __name__: 'target_info', job: 'shop/checkout', instance: 'pod-7', deployment_environment: 'test', host_name: 'h1',
          ...Object.fromEntries(Object.entries(info[0]!.metric).filter(([k]) => k.startsWith('telemetry_'))) },
      ]);
      // Metadata from the SDK: type, unit and help.
      const md = (await (await fetch(`${url}/api/v1/metadata?metric=http_server_requests_total`)).json()) as { data: Record<string, unknown[]> };
      expect(md.data.http_server_requests_total).toEqual([{ type: 'counter', help: 'Requests served.', unit: '' }]);
      const own = await (await fetch(`${url}/metrics`)).text();
      // forceFlush and shutdown each export once.
      expect(own).toMatch(/promlet_api_otlp_requests_total\{code="200"\} 2\n/);
      expect(own).toMatch(/promlet_api_otlp_refused_metrics_total 0\n/);
    });
  }

  it('refuses delta temporality with a reason, and stores it with otlp-native-delta-ingestion', async () => {
    for (const features of [[], ['otlp-native-delta-ingestion']]) {
      server = await servePromlet({ listen: '127.0.0.1:0', otlpReceiver: true, scrapeInterval: '1h', features });
      const res = await fetch(`${server.url}/api/v1/otlp/v1/metrics`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          resourceMetrics: [{
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
            scopeMetrics: [{ metrics: [{ name: 'jobs', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ timeUnixNano: String(Date.now() * 1e6), asInt: '4' }] } }] }],
          }],
        }),
      });
      if (features.length === 0) {
        expect(res.status).toBe(400);
        expect(await res.text()).toMatch(/invalid temporality and type combination for metric "jobs"/);
        expect(await query(server.url, 'jobs_total')).toEqual([]);
      } else {
        expect(res.status).toBe(200);
        expect((await query(server.url, 'jobs_total'))[0]!.value[1]).toBe('4');
      }
      await server.stop();
      server = null;
    }
  });

  it('adds up an SDK\'s delta exports with otlp-deltatocumulative', async () => {
    server = await servePromlet({ listen: '127.0.0.1:0', otlpReceiver: true, scrapeInterval: '1h', features: ['otlp-deltatocumulative'] });
    const exporter = new ProtoExporter({ url: `${server.url}/api/v1/otlp/v1/metrics`, temporalityPreference: AggregationTemporalityPreference.DELTA });
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'worker' }), readers: [reader] });
    const jobs = provider.getMeter('m').createCounter('jobs.done');
    const latency = provider.getMeter('m').createHistogram('job.duration', { unit: 's', advice: { explicitBucketBoundaries: [1] } });
    jobs.add(3);
    latency.record(0.5);
    await provider.forceFlush();
    jobs.add(2);
    latency.record(2);
    await provider.forceFlush();
    await provider.shutdown();
    expect((await query(server.url, 'jobs_done_total'))[0]!.value[1]).toBe('5');
    const buckets = await query(server.url, 'job_duration_seconds_bucket');
    expect(Object.fromEntries(buckets.map((b) => [b.metric.le, b.value[1]]))).toEqual({ '1': '1', '+Inf': '2' });
    const own = await (await fetch(`${server.url}/metrics`)).text();
    expect(own).toMatch(/promlet_api_otlp_refused_metrics_total 0\n/);
    await server.stop();
    // The same exports without the feature are refused: the SDK really sends delta temporality.
    server = await servePromlet({ listen: '127.0.0.1:0', otlpReceiver: true, scrapeInterval: '1h' });
    const plain = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'worker' }),
      readers: [new PeriodicExportingMetricReader({ exporter: new ProtoExporter({ url: `${server.url}/api/v1/otlp/v1/metrics`, temporalityPreference: AggregationTemporalityPreference.DELTA }), exportIntervalMillis: 3_600_000 })],
    });
    plain.getMeter('m').createCounter('jobs.done').add(1);
    await plain.forceFlush().catch(() => {});
    await plain.shutdown().catch(() => {});
    expect(await query(server.url, 'jobs_done_total')).toEqual([]);
    expect(await (await fetch(`${server.url}/metrics`)).text()).toMatch(/promlet_api_otlp_requests_total\{code="400"\} [1-9]/);
  });

  it('is not there without --web.enable-otlp-receiver', async () => {
    server = await servePromlet({ listen: '127.0.0.1:0', scrapeInterval: '1h' });
    const res = await fetch(`${server.url}/api/v1/otlp/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('otlp write receiver needs to be enabled with --web.enable-otlp-receiver\n');
  });
});
