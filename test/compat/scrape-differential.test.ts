// Prometheus and promlet scrape the same target with the same scrape config
// (target and metric relabeling included); the series they store must match.

import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servePromlet, type RunningPromlet } from '../../src/node/serve.js';
import { startPrometheus, type PrometheusPeer } from '../support/prometheus.js';

const BODY = `# HELP app_requests_total Requests.
# TYPE app_requests_total counter
app_requests_total{code="200",path="/a"} 10
app_requests_total{code="500",path="/a",instance="inner"} 2
app_requests_total{code="200",path="/debug"} 5
# TYPE app_latency_seconds histogram
app_latency_seconds_bucket{le="0.25"} 3
app_latency_seconds_bucket{le="+Inf"} 4
app_latency_seconds_sum 1.5
app_latency_seconds_count 4
# TYPE app_temperature gauge
app_temperature{job="exposed"} 21.5
`;

let target: Server;
let prom: PrometheusPeer;
let ours: RunningPromlet;
let dir: string;

beforeAll(async () => {
  target = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(BODY);
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
  const port = (target.address() as { port: number }).port;
  dir = mkdtempSync(join(tmpdir(), 'promlet-scrape-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, `global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: app
    static_configs:
      - targets: ['127.0.0.1:${port}']
        labels: { env: test }
      - targets: ['127.0.0.2:9']
    relabel_configs:
      - source_labels: [__address__]
        regex: '127\\.0\\.0\\.2:.*'
        action: drop
      - source_labels: [__address__]
        regex: '([^:]+):.*'
        target_label: host
    metric_relabel_configs:
      - source_labels: [path]
        regex: /debug
        action: drop
      - regex: code
        replacement: status
        action: labelmap
`);
  prom = await startPrometheus({ configFile: config });
  ours = await servePromlet({ listen: '127.0.0.1:0', configFile: config });
  // Prometheus's discovery hands over targets after about 5 s; then let both scrape twice more.
  for (let i = 0; i < 200; i++) {
    const r = (await (await fetch(`${prom.url}/api/v1/query?query=up`)).json()) as { data: { result: unknown[] } };
    if (r.data.result.length > 0) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  // Waited for (bounded), not slept on: a loaded machine may scrape late.
  const scrapes = async (base: string) => {
    const r = (await (await fetch(`${base}/api/v1/query?query=${encodeURIComponent('count_over_time(up{job="app"}[1m])')}`)).json()) as { data: { result: { value: [number, string] }[] } };
    return Number(r.data.result[0]?.value[1] ?? 0);
  };
  for (let i = 0; i < 300 && ((await scrapes(prom.url)) < 3 || (await scrapes(ours.url)) < 3); i++) await new Promise((res) => setTimeout(res, 100));
}, 60_000);

afterAll(async () => {
  await ours?.stop();
  await prom?.stop();
  target?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const series = async (base: string) => {
  const r = await fetch(`${base}/api/v1/series?match%5B%5D=${encodeURIComponent('{job="app"}')}`);
  const body = (await r.json()) as { data: Record<string, string>[] };
  return body.data.map((s) => JSON.stringify(Object.entries(s).sort(([a], [b]) => (a < b ? -1 : 1)))).sort();
};

describe('scraping matches Prometheus', () => {
  it('stores the same series', async () => {
    const theirs = await series(prom.url);
    const mine = await series(ours.url);
    expect(theirs.length).toBeGreaterThan(5);
    expect(mine).toEqual(theirs);
  });

  it('reports the same targets', async () => {
    const get = async (base: string) => ((await (await fetch(`${base}/api/v1/targets`)).json()) as { data: { activeTargets: { labels: Record<string, string>; scrapeUrl: string; health: string }[]; droppedTargets: unknown[] } }).data;
    const [t, m] = [await get(prom.url), await get(ours.url)];
    expect(m.activeTargets.map((x) => [x.labels, x.scrapeUrl, x.health])).toEqual(t.activeTargets.map((x) => [x.labels, x.scrapeUrl, x.health]));
    expect(m.droppedTargets.length).toBe(t.droppedTargets.length);
  });

  it('answers a query over the scraped data the same way', async () => {
    const q = async (base: string) => ((await (await fetch(`${base}/api/v1/query?query=${encodeURIComponent('sum by (status) (app_requests_total)')}`)).json()) as { data: { result: { metric: unknown; value: [number, string] }[] } }).data.result.map((r) => [r.metric, r.value[1]]);
    const sort = (x: unknown[]) => x.map((y) => JSON.stringify(y)).sort();
    expect(sort(await q(ours.url))).toEqual(sort(await q(prom.url)));
  });
});

describe('metadata from the scrape', () => {
  it('/api/v1/metadata lists the same families, types and help as Prometheus', async () => {
    const get = async (base: string) => ((await (await fetch(`${base}/api/v1/metadata`)).json()) as { data: unknown }).data;
    const mine = await get(ours.url);
    expect(mine).toEqual(await get(prom.url));
    expect((mine as Record<string, unknown>).app_requests_total).toEqual([{ type: 'counter', help: 'Requests.', unit: '' }]);
  });
});
