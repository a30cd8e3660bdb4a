// http_sd_configs: the targets Debian's Prometheus and promlet discover from
// the same HTTP SD endpoint with the same relabelling, compared through
// /api/v1/targets.

import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servePromlet, type RunningPromlet } from '../../src/node/serve.js';
import { startPrometheus, type PrometheusPeer } from '../support/prometheus.js';

let sd: Server;
let prom: PrometheusPeer;
let ours: RunningPromlet;
let dir: string;
let seenHeaders: Record<string, string | string[] | undefined>[] = [];

type Target = { discoveredLabels: Record<string, string>; labels: Record<string, string>; scrapeUrl: string };
const targets = async (base: string): Promise<Target[]> => {
  const body = (await (await fetch(`${base}/api/v1/targets`)).json()) as { data: { activeTargets: Target[] } };
  return body.data.activeTargets.map((t) => ({ discoveredLabels: t.discoveredLabels, labels: t.labels, scrapeUrl: t.scrapeUrl }))
    .sort((a, b) => a.scrapeUrl.localeCompare(b.scrapeUrl));
};

beforeAll(async () => {
  sd = createServer((req, res) => {
    seenHeaders.push(req.headers);
    if (req.headers.authorization !== `Basic ${Buffer.from('sd:pw').toString('base64')}`) {
      res.writeHead(401).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify([
      { targets: ['127.0.0.1:1', '127.0.0.1:2'], labels: { env: 'prod', team: 'a' } },
      { targets: ['127.0.0.1:3'], labels: { env: 'dev', __meta_rack: 'r7' } },
      { targets: ['127.0.0.1:4'] },
    ]));
  });
  await new Promise<void>((r) => sd.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(sd.address() as { port: number }).port}/sd`;
  dir = mkdtempSync(join(tmpdir(), 'promlet-httpsd-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, `
global: { scrape_interval: 1h }
scrape_configs:
  - job_name: sd
    http_sd_configs:
      - url: ${url}
        refresh_interval: 30s
        basic_auth: { username: sd, password: pw }
    relabel_configs:
      - source_labels: [__meta_url]
        target_label: source
      - source_labels: [__meta_rack]
        target_label: rack
      - source_labels: [env]
        regex: dev
        action: drop
`);
  prom = await startPrometheus({ configFile: config });
  ours = await servePromlet({ listen: '127.0.0.1:0', configFile: config });
  for (let i = 0; i < 300; i++) {
    if ((await targets(prom.url)).length > 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
}, 60_000);

afterAll(async () => {
  await ours?.stop();
  await prom?.stop();
  sd?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('http_sd_configs matches Prometheus', () => {
  it('discovers the same targets with the same labels', async () => {
    const want = await targets(prom.url);
    expect(want.length).toBe(3);
    expect(await targets(ours.url)).toEqual(want);
  });

  it('sends the same discovery request headers', () => {
    const pick = (h: Record<string, string | string[] | undefined>) => ({ accept: h.accept, refresh: h['x-prometheus-refresh-interval-seconds'], auth: h.authorization });
    const fromProm = seenHeaders.find((h) => String(h['user-agent']).startsWith('Prometheus'))!;
    const fromOurs = seenHeaders.find((h) => h['user-agent'] === 'promlet')!;
    expect(pick(fromOurs)).toEqual(pick(fromProm));
  });
});
