// Exemplars scraped from an OpenMetrics target: promlet's
// /api/v1/query_exemplars against Debian's Prometheus (exemplar-storage on)
// scraping the same target, and a second promlet receiving them from that
// Prometheus by remote write (send_exemplars).

import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servePromlet, type RunningPromlet } from '../../src/node/serve.js';
import { startPrometheus, type PrometheusPeer } from '../support/prometheus.js';

// Exemplars carry their own timestamps, so both servers store the same ones whenever they scrape.
const BODY = `# TYPE app_requests counter
app_requests_total{code="200"} 10 # {trace_id="abc123"} 1 1700000000.5
app_requests_total{code="500"} 2 # {trace_id="def456",span_id="01"} 1 1700000001.25
# TYPE app_latency_seconds histogram
app_latency_seconds_bucket{le="0.25"} 3 # {trace_id="t1"} 0.125 1700000002
app_latency_seconds_bucket{le="+Inf"} 4 # {trace_id="t2"} 7.5 1700000003
app_latency_seconds_sum 1.5
app_latency_seconds_count 4
# EOF
`;

let target: Server;
let prom: PrometheusPeer;
let ours: RunningPromlet;
let received: RunningPromlet;
let dir: string;

beforeAll(async () => {
  target = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' });
    res.end(BODY);
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const port = (target.address() as { port: number }).port;
  dir = mkdtempSync(join(tmpdir(), 'promlet-exemplars-'));
  const config = join(dir, 'prometheus.yml');
  const common = `global:\n  scrape_interval: 1s\nstorage:\n  exemplars:\n    max_exemplars: 1000\nscrape_configs:\n  - job_name: app\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`;
  writeFileSync(config, common);
  received = await servePromlet({ listen: '127.0.0.1:0', remoteWriteReceiver: true, scrapeInterval: '1h' });
  const promConfig = join(dir, 'prometheus-rw.yml');
  writeFileSync(promConfig, `${common}remote_write:\n  - url: ${received.url}/api/v1/write\n    send_exemplars: true\n    queue_config: { batch_send_deadline: 100ms }\n`);
  prom = await startPrometheus({ configFile: promConfig, args: ['--enable-feature=exemplar-storage'] });
  ours = await servePromlet({ listen: '127.0.0.1:0', configFile: config });
  for (let i = 0; i < 200; i++) {
    const r = (await (await fetch(`${prom.url}/api/v1/query_exemplars?query=app_requests_total`)).json()) as { data: unknown[] };
    const rw = (await (await fetch(`${received.url}/api/v1/query_exemplars?query=app_requests_total`)).json()) as { data: unknown[] };
    if ((r.data ?? []).length >= 2 && (rw.data ?? []).length >= 2) break;
    await new Promise((res) => setTimeout(res, 100));
  }
}, 60_000);

afterAll(async () => {
  await ours?.stop();
  await received?.stop();
  await prom?.stop();
  target?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const exemplars = async (base: string, q: string, range = '') => {
  const r = await fetch(`${base}/api/v1/query_exemplars?query=${encodeURIComponent(q)}${range}`);
  const text = await r.text();
  return { status: r.status, body: text === '' ? null : JSON.parse(text) };
};

describe('query_exemplars matches Prometheus', () => {
  for (const q of ['app_requests_total', 'app_latency_seconds_bucket', 'sum(rate(app_requests_total{code="500"}[5m])) / on() app_latency_seconds_bucket{le="+Inf"}', 'vector(1)']) {
    it(q, async () => {
      const want = await exemplars(prom.url, q);
      expect(want.status).toBe(q === 'vector(1)' ? 204 : 200);
      expect(await exemplars(ours.url, q)).toEqual(want);
    });
  }

  it('receives the same exemplars by remote write', async () => {
    for (const q of ['app_requests_total', 'app_latency_seconds_bucket']) expect(await exemplars(received.url, q)).toEqual(await exemplars(prom.url, q));
  });

  it('honours start and end', async () => {
    const range = '&start=1700000001&end=1700000002.5';
    const want = await exemplars(prom.url, '{job="app"}', range);
    expect((want.body as { data: unknown[] }).data.length).toBe(2);
    expect(await exemplars(ours.url, '{job="app"}', range)).toEqual(want);
  });

  it('answers a bad query as Prometheus does', async () => {
    const want = await exemplars(prom.url, 'sum(');
    const got = await exemplars(ours.url, 'sum(');
    expect(got.status).toBe(want.status);
    expect((got.body as { errorType: string }).errorType).toBe((want.body as { errorType: string }).errorType);
  });
});
