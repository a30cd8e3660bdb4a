// Remote read both ways with Debian's Prometheus 2.42: Prometheus's
// remote_read reads a series only promlet holds (from promlet's
// /api/v1/read), and promlet's remote_read reads a series only Prometheus
// holds (Prometheus answers STREAMED_XOR_CHUNKS, so promlet decodes
// Prometheus's own XOR chunks), each answering as the other does.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servePromlet, type RunningPromlet } from '../../src/node/serve.js';
import { startPrometheus, type PrometheusPeer } from '../support/prometheus.js';
import { RemoteReadClient } from '../../src/remote/read-client.js';
import { remoteReadConfigs } from '../../src/remote/read-config.js';
import { Matcher } from '../../src/model/matcher.js';

let ours: RunningPromlet;
let prom: PrometheusPeer;
let dir: string;
let ourConfig: string;
const now = Math.floor(Date.now() / 15_000) * 15_000;
const T0 = now - 60 * 60_000;

type Vec = { metric: Record<string, string>; value: [number, string] }[];
type Mat = { metric: Record<string, string>; values: [number, string][] }[];

async function api<T>(base: string, path: string, params: Record<string, string | number>): Promise<{ data: { result: T }; warnings?: string[] }> {
  const qs = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  const r = await fetch(`${base}${path}?${qs}`);
  const body = (await r.json()) as { status: string; error?: string; data: { result: T }; warnings?: string[] };
  if (body.status !== 'success') throw new Error(`${base}${path}: ${body.error}`);
  return body;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'promlet-rr-'));
  ourConfig = join(dir, 'promlet.yml');
  writeFileSync(ourConfig, 'global: { external_labels: { site: promlet } }\nscrape_configs: [{ job_name: none, static_configs: [] }]\n');
  ours = await servePromlet({ listen: '127.0.0.1:0', configFile: ourConfig });
  // An hour of a counter, a gauge with fractional values and a staleness marker, only in promlet.
  const app = ours.db.appender();
  for (let t = T0, i = 0; t <= now; t += 15_000, i++) {
    app.append({ __name__: 'promlet_only_total', job: 'a' }, t, i * 3);
    if (i < 200) app.append({ __name__: 'promlet_only_gauge', job: 'a' }, t, Math.sin(i) * 1e3);
  }
  app.append({ __name__: 'promlet_only_gauge', job: 'a' }, T0 + 200 * 15_000, new Float64Array(new BigUint64Array([0x7ff0000000000002n]).buffer)[0]!);
  await app.commit();

  const promConfig = join(dir, 'prometheus.yml');
  const promRead = `remote_read:
  - url: ${ours.url}/api/v1/read
    # Not for what promlet asks of Prometheus (which would come back round).
    required_matchers: { job: a }
`;
  writeFileSync(promConfig, `global: { scrape_interval: 1s }
scrape_configs:
  - job_name: prometheus
    static_configs: [{ targets: ['127.0.0.1:1'] }]
${promRead}`);
  prom = await startPrometheus({ configFile: promConfig, args: ['--web.enable-lifecycle'] });
  // Prometheus scrapes itself: series promlet does not have.
  writeFileSync(promConfig, `global: { scrape_interval: 1s }
scrape_configs:
  - job_name: prometheus
    static_configs: [{ targets: ['${new URL(prom.url).host}'] }]
${promRead}`);
  expect((await fetch(`${prom.url}/-/reload`, { method: 'POST' })).status).toBe(200);
  writeFileSync(ourConfig, `global: { external_labels: { site: promlet } }
scrape_configs: [{ job_name: none, static_configs: [] }]
remote_read:
  - url: ${prom.url}/api/v1/read
    name: prometheus
    # Prometheus's series do not carry promlet's external label: do not require it.
    filter_external_labels: false
    required_matchers: { job: prometheus }
`);
  const r = await fetch(`${ours.url}/-/reload`, { method: 'POST' });
  expect(r.status).toBe(200);
}, 60_000);

afterAll(async () => {
  await prom?.stop();
  await ours?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Prometheus remote-reads promlet', () => {
  it('answers queries over a series only promlet has, as promlet does', async () => {
    for (const q of ['promlet_only_total{job="a"}', 'rate(promlet_only_total{job="a"}[5m])', 'promlet_only_gauge{job="a"}', 'max_over_time(promlet_only_gauge{job="a"}[10m])']) {
      // Steps 7 s off the 15 s sample grid: Prometheus 2.42's range windows include their left edge, 3.x's do not.
      const params = { query: q, start: (T0 + 67_000) / 1000, end: now / 1000, step: 60 };
      const theirs = await api<Mat>(prom.url, '/api/v1/query_range', params);
      const mine = await api<Mat>(ours.url, '/api/v1/query_range', params);
      // Prometheus 2.42 and promlet (3.x) compute rate's extrapolation in a different order: the last bits may differ.
      if (q.startsWith('rate')) {
        for (const m of [theirs, mine]) for (const s of m.data.result) s.values = s.values.map(([t, v]) => [t, Number(v).toPrecision(12)]);
      }
      expect(theirs.data.result.length, q).toBeGreaterThan(0);
      // Prometheus sees promlet's series with promlet's external label added, as its remote read handler sends them.
      expect(theirs.data.result.map((s) => s.metric.site)).toEqual(theirs.data.result.map(() => 'promlet'));
      const strip = (m: Mat) => m.map((s) => ({ metric: Object.fromEntries(Object.entries(s.metric).filter(([k]) => k !== 'site')), values: s.values }));
      expect(strip(theirs.data.result), q).toEqual(mine.data.result);
    }
  });
});

describe('promlet remote-reads Prometheus', () => {
  it('answers queries over a series only Prometheus has, as Prometheus does', async () => {
    let t = 0;
    for (let i = 0; i < 300 && t === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const r = await api<Vec>(prom.url, '/api/v1/query', { query: 'timestamp(prometheus_build_info{job="prometheus"})' });
      if (r.data.result.length > 0) t = Number(r.data.result[0]!.value[1]) * 1000;
    }
    expect(t).toBeGreaterThan(0);
    // A few more scrapes, so ranges hold several samples (and Prometheus's head has them).
    await new Promise((r) => setTimeout(r, 3000));
    const at = (t + 2000) / 1000;
    for (const q of ['prometheus_build_info{job="prometheus"}', 'up{job="prometheus"}', 'count by (job) ({job="prometheus",__name__=~"prometheus_tsdb_head_.*"})', 'sum_over_time(up{job="prometheus"}[1m])']) {
      const theirs = await api<Vec>(prom.url, '/api/v1/query', { query: q, time: at });
      const mine = await api<Vec>(ours.url, '/api/v1/query', { query: q, time: at });
      expect(mine.warnings ?? [], q).toEqual([]);
      expect(theirs.data.result.length, q).toBeGreaterThan(0);
      const sorted = (v: Vec) => v.map((s) => JSON.stringify([Object.entries(s.metric).sort(), s.value])).sort();
      expect(sorted(mine.data.result), q).toEqual(sorted(theirs.data.result));
    }
    const metrics = await (await fetch(`${ours.url}/metrics`)).text();
    expect(metrics).toMatch(/prometheus_remote_storage_read_queries_total\{remote_name="prometheus",url="[^"]+",response_type="chunked",code="200"\} [1-9]/);
  });

  it('decodes the XOR chunks Prometheus streams into the samples Prometheus holds', async () => {
    const types: string[] = [];
    const client = new RemoteReadClient(remoteReadConfigs({ remote_read: [{ url: `${prom.url}/api/v1/read` }] })[0]!, async (u, init) => {
      const r = await fetch(u, init);
      types.push(r.headers.get('content-type') ?? '');
      return r;
    });
    const end = Date.now(), start = end - 60_000;
    const [series] = await client.read([{ matchers: [new Matcher('=', '__name__', 'prometheus_tsdb_head_samples_appended_total')], start, end }]);
    expect(types).toEqual(['application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse']);
    expect(series!.length).toBeGreaterThan(0);
    const raw = await api<Mat>(prom.url, '/api/v1/query', { query: `prometheus_tsdb_head_samples_appended_total[${end - start}ms]`, time: end / 1000 });
    const want = raw.data.result.map((s) => ({ labels: Object.entries(s.metric).sort(), values: s.values.map(([t, v]) => [Math.round(t * 1000), Number(v)]) }));
    const got = series!.map((s) => ({ labels: s.labels.map((l) => [l.name, l.value]), values: [...s.timestamps].map((t, i) => [t, s.values[i]!]) }));
    expect(got).toEqual(want);
  });

  it('turns an unreachable remote into a warning, keeping local results', async () => {
    // At the current time: Prometheus's samples started after the test's `now`; promlet's counter is within the lookback.
    const q = { query: 'promlet_only_total or up{job="prometheus"}', time: Date.now() / 1000 };
    const before = await api<Vec>(ours.url, '/api/v1/query', q);
    expect(before.data.result.map((s) => s.metric.__name__).sort()).toEqual(['promlet_only_total', 'up']);
    writeFileSync(ourConfig, `remote_read:
  - url: http://127.0.0.1:1/api/v1/read
    name: gone
    required_matchers: { job: prometheus }
`);
    expect((await fetch(`${ours.url}/-/reload`, { method: 'POST' })).status).toBe(200);
    const r = await api<Vec>(ours.url, '/api/v1/query', q);
    expect(r.data.result.map((s) => s.metric.__name__)).toEqual(['promlet_only_total']);
    expect(r.warnings?.join(' ')).toMatch(/remote_read: remote_read gone: error sending request/);
    const metrics = await (await fetch(`${ours.url}/metrics`)).text();
    expect(metrics).toContain(`prometheus_remote_storage_read_queries_total{remote_name="gone",url="http://127.0.0.1:1/api/v1/read",response_type="none",code="error"} 1`);
  });
});
