// Remote write 2.0 end to end: one promlet sends with protobuf_message
// io.prometheus.write.v2.Request to another promlet (which stores every
// sample) and to Debian's Prometheus 2.42 and victoria-metrics 1.79, 1.0-only
// receivers, which do not confirm what they wrote: those samples count as
// failed, as Prometheus 3's sender counts them.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { servePromlet } from '../../src/node/serve.js';
import { startDaemon, startPrometheus } from '../support/prometheus.js';

async function until(what: string, ok: () => Promise<boolean>, tries = 300): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await ok().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

const metric = (text: string, name: string, remote: string) =>
  Number(new RegExp(`^${name}\\{remote_name="${remote}",url="[^"]+"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

describe('remote write 2.0 between promlets and to a 1.0 receiver', () => {
  it('stores everything in a promlet receiver, and counts unconfirmed samples as failed', async () => {
    const receiver = await servePromlet({ listen: '127.0.0.1:0', remoteWriteReceiver: true });
    const prom = await startPrometheus({ args: ['--web.enable-remote-write-receiver'] });
    const vm = await startDaemon('victoria-metrics', (p, d) => [`-httpListenAddr=127.0.0.1:${p}`, `-storageDataPath=${d}`, '-search.latencyOffset=0s']);
    const dir = mkdtempSync(join(tmpdir(), 'promlet-rw2-'));
    const configFile = join(dir, 'prometheus.yml');
    writeFileSync(configFile, `
global: { external_labels: { sender: a } }
scrape_configs: [{ job_name: none, static_configs: [] }]
remote_write:
  - { url: '${receiver.url}/api/v1/write', name: promlet, protobuf_message: io.prometheus.write.v2.Request, queue_config: { batch_send_deadline: 100ms } }
  - { url: '${prom.url}/api/v1/write', name: prometheus, protobuf_message: io.prometheus.write.v2.Request, queue_config: { batch_send_deadline: 100ms } }
  - { url: '${vm.url}/api/v1/write', name: victoriametrics, protobuf_message: io.prometheus.write.v2.Request, queue_config: { batch_send_deadline: 100ms } }
`);
    const s = await servePromlet({ listen: '127.0.0.1:0', configFile });
    try {
      const t0 = Date.now() - 60_000;
      for (let k = 0; k < 30; k++) {
        const app = s.db.appender();
        for (let i = 0; i < 5; i++) app.append({ __name__: 'rw2_test_total', series: String(i) }, t0 + k * 1000, k, t0 - 10_000);
        await app.commit();
      }
      const q = async (base: string, expr: string) => {
        const r = (await (await fetch(`${base}/api/v1/query?query=${encodeURIComponent(expr)}`)).json()) as { data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
        return r.data.result;
      };
      await until('the promlet receiver has every sample', async () => (await q(receiver.url, 'sum(count_over_time(rw2_test_total{sender="a"}[5m]))'))[0]?.value[1] === '150');
      // Start timestamps travel too.
      const rq = receiver.db.querier(-Infinity, Infinity);
      const stored = rq.select([])
        .filter((x) => x.labels.some((l) => l.value === 'rw2_test_total'))
        .map((x) => [...(x.samples(-Infinity, Infinity).startTimestamps ?? [])]);
      rq.close();
      expect(stored.length).toBe(5);
      for (const sts of stored) expect(sts).toEqual(Array(30).fill(t0 - 10_000));
      let text = '';
      await until('the samples sent to Prometheus 2.42 count as failed', async () => {
        text = await (await fetch(`${s.url}/metrics`)).text();
        return metric(text, 'prometheus_remote_storage_samples_failed_total', 'prometheus') === 150
          && metric(text, 'prometheus_remote_storage_samples_failed_total', 'victoriametrics') === 150;
      });
      expect(metric(text, 'prometheus_remote_storage_samples_total', 'victoriametrics')).toBe(0);
      expect(metric(text, 'prometheus_remote_storage_samples_total', 'promlet')).toBe(150);
      expect(metric(text, 'prometheus_remote_storage_samples_total', 'prometheus')).toBe(0);
      expect(await q(prom.url, 'count(rw2_test_total)')).toEqual([]);
    } finally {
      await s.stop();
      await receiver.stop();
      await prom.stop();
      await vm.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
