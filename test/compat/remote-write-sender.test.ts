// promlet serve with remote_write to Debian's Prometheus running its
// remote-write receiver: samples arrive; with the receiver stopped for a
// while and started again, every sample written meanwhile still arrives,
// read back from promlet's write-ahead log.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { servePromlet } from '../../src/node/serve.js';
import { freePort, startPrometheus, type PrometheusPeer } from '../support/prometheus.js';

async function count(prom: PrometheusPeer, q: string): Promise<number> {
  const r = (await (await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as { data: { result: { value: [number, string] }[] } };
  return r.data.result.reduce((n, s) => n + Number(s.value[1]), 0);
}

async function until(what: string, ok: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await ok().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('remote write to Prometheus', () => {
  it('delivers every sample, also those written while the receiver was down', async () => {
    const port = await freePort();
    const promDir = mkdtempSync(join(tmpdir(), 'promlet-rw-prom-'));
    const args = ['--web.enable-remote-write-receiver'];
    let prom = await startPrometheus({ port, dataDir: promDir, args });
    const dir = mkdtempSync(join(tmpdir(), 'promlet-rw-'));
    const configFile = join(dir, 'prometheus.yml');
    writeFileSync(configFile, `
global:
  external_labels: { replica: a }
scrape_configs: [{ job_name: none, static_configs: [] }]
remote_write:
  - url: http://127.0.0.1:${port}/api/v1/write
    write_relabel_configs: [{ source_labels: [__name__], regex: rw_test, action: keep }]
    queue_config: { batch_send_deadline: 100ms, max_samples_per_send: 500, min_backoff: 50ms, max_backoff: 500ms }
`);
    const s = await servePromlet({ listen: '127.0.0.1:0', configFile, dataDir: join(dir, 'data') });
    const SERIES = 20;
    const start = Date.now() - 60_000;
    let written = 0;
    const write = async (from: number, n: number) => {
      for (let k = from; k < from + n; k++) {
        const app = s.db.appender();
        for (let i = 0; i < SERIES; i++) app.append({ __name__: 'rw_test', series: String(i) }, start + k * 1000, k);
        await app.commit();
        written += SERIES;
      }
    };
    try {
      await write(0, 20);
      await until('the first samples', async () => (await count(prom, 'count_over_time(rw_test{replica="a"}[10m])')) === written);

      await prom.stop();
      await write(20, 20);
      // The receiver is down: the queue retries, nothing is sent.
      const retried = /prometheus_remote_storage_samples_retried_total\{remote_name="remote-0",url="[^"]+"\} [1-9]/;
      await until('retries while the receiver is down', async () => retried.test(await (await fetch(`${s.url}/metrics`)).text()));
      await write(40, 20);

      prom = await startPrometheus({ port, dataDir: promDir, args });
      await until('every sample after the outage', async () => (await count(prom, 'count_over_time(rw_test[10m])')) === written);
      expect(written).toBe(60 * SERIES);
      expect(await count(prom, 'sum(rw_test)')).toBe(59 * SERIES);
      expect(await count(prom, 'count(up)')).toBe(0);
    } finally {
      await s.stop();
      await prom.stop();
    }
  }, 120_000);
});
