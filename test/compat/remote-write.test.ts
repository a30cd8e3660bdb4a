// Debian's Prometheus scrapes itself and remote-writes to promlet; what
// arrives answers queries as Prometheus answers them.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servePromlet, type RunningPromlet } from '../../src/node/serve.js';
import { startPrometheus, type PrometheusPeer } from '../support/prometheus.js';

let ours: RunningPromlet;
let prom: PrometheusPeer;
let dir: string;

const query = async (base: string, q: string, t: number) => {
  const r = await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}&time=${t / 1000}`);
  const body = (await r.json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  return body.data.result.map((s) => JSON.stringify([Object.entries(s.metric).sort(), s.value[1]])).sort();
};

beforeAll(async () => {
  ours = await servePromlet({ listen: '127.0.0.1:0', remoteWriteReceiver: true, configFile: undefined });
  dir = mkdtempSync(join(tmpdir(), 'promlet-rw-'));
  const config = join(dir, 'prometheus.yml');
  // Prometheus scrapes its own /metrics; the placeholder target is rewritten to its address below.
  const write = (addr: string) => writeFileSync(config, `global:
  scrape_interval: 1s
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ['${addr}']
remote_write:
  - url: ${ours.url}/api/v1/write
    queue_config: { batch_send_deadline: 200ms, min_backoff: 50ms, max_backoff: 200ms }
`);
  write('127.0.0.1:1');
  prom = await startPrometheus({ configFile: config });
  write(new URL(prom.url).host);
  await fetch(`${prom.url}/-/reload`, { method: 'POST' });
}, 60_000);

afterAll(async () => {
  await prom?.stop();
  await ours?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('remote write from Prometheus', () => {
  it('delivers what Prometheus scraped', async () => {
    let t = 0;
    for (let i = 0; i < 300 && t === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const r = (await (await fetch(`${ours.url}/api/v1/query?query=${encodeURIComponent('timestamp(up{job="prometheus"})')}`)).json()) as { data: { result: { value: [number, string] }[] } };
      if (r.data.result.length > 0) t = Math.round(Number(r.data.result[0]!.value[1]) * 1000);
    }
    expect(t).toBeGreaterThan(0);
    // The rest of that scrape's series travel in several shards: wait until they are all here
    // (bounded; a mismatch that persists is reported below), rather than sleeping a fixed time.
    const count = async (url: string) => JSON.stringify(await query(url, 'count({job="prometheus"})', t));
    for (let i = 0; i < 150 && (await count(ours.url)) !== (await count(prom.url)); i++) await new Promise((r) => setTimeout(r, 200));
    for (const q of ['up{job="prometheus"}', 'prometheus_build_info', 'count({job="prometheus"})', 'sum(scrape_samples_scraped{job="prometheus"})']) {
      expect(await query(ours.url, q, t), q).toEqual(await query(prom.url, q, t));
    }
  });
});
