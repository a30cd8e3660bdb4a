// VictoriaMetrics as a remote-write destination: promlet serve (with a data
// directory) writes to Debian's victoria-metrics with external labels and
// write relabeling; VictoriaMetrics is stopped for a while and started again
// on the same storage; every sample promlet stored, and nothing relabeling
// dropped, is then there by VictoriaMetrics' own export API.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { servePromlet } from '../../src/node/serve.js';
import { freePort, startDaemon, type PrometheusPeer } from '../support/prometheus.js';

const startVM = (port: number, dataDir: string): Promise<PrometheusPeer> =>
  startDaemon('victoria-metrics', (p, d) => [`-httpListenAddr=127.0.0.1:${p}`, `-storageDataPath=${d}`, '-search.latencyOffset=0s'], { port, dataDir });

interface Exported {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

/** /api/v1/export: raw samples of every matching series, one JSON object a line. */
async function exported(vm: PrometheusPeer, match: string): Promise<Exported[]> {
  const r = await fetch(`${vm.url}/api/v1/export?match[]=${encodeURIComponent(match)}&start=0`);
  const text = await r.text();
  if (r.status !== 200) throw new Error(`export: ${r.status} ${text}`);
  return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Exported)
    .sort((a, b) => JSON.stringify(a.metric).localeCompare(JSON.stringify(b.metric)));
}

async function until(what: string, ok: () => Promise<boolean>, tries = 300): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await ok().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('remote write to VictoriaMetrics', () => {
  it('delivers relabeled series with external labels, through a receiver outage', async () => {
    const port = await freePort();
    const vmDir = mkdtempSync(join(tmpdir(), 'promlet-vm-'));
    let vm = await startVM(port, vmDir);
    const dir = mkdtempSync(join(tmpdir(), 'promlet-rw-vm-'));
    const configFile = join(dir, 'prometheus.yml');
    writeFileSync(configFile, `
global:
  external_labels: { cluster: eu-1, job: not-this-one }
scrape_configs: [{ job_name: none, static_configs: [] }]
remote_write:
  - url: http://127.0.0.1:${port}/api/v1/write
    name: victoriametrics
    write_relabel_configs:
      - { source_labels: [__name__], regex: 'debug_.*', action: drop }
      - { target_label: via, replacement: promlet }
    queue_config: { batch_send_deadline: 100ms, max_samples_per_send: 500, min_backoff: 50ms, max_backoff: 500ms }
`);
    const s = await servePromlet({ listen: '127.0.0.1:0', configFile, dataDir: join(dir, 'data') });
    const SERIES = 10;
    const start = Date.now() - 120_000;
    const want = new Map<string, { t: number[]; v: number[] }>();
    const write = async (from: number, n: number) => {
      for (let k = from; k < from + n; k++) {
        const app = s.db.appender();
        for (let i = 0; i < SERIES; i++) {
          const v = i === 0 ? k / 3 : k * 1e9 + i;
          app.append({ __name__: 'vm_test', job: 'api', series: String(i) }, start + k * 1000, v);
          app.append({ __name__: 'debug_noise', job: 'api', series: String(i) }, start + k * 1000, 1);
          const w = want.get(String(i)) ?? { t: [], v: [] };
          want.set(String(i), w);
          w.t.push(start + k * 1000);
          w.v.push(v);
        }
        await app.commit();
      }
    };
    const total = async () => (await exported(vm, 'vm_test')).reduce((n, e) => n + e.values.length, 0);
    try {
      await write(0, 20);
      await until('the first samples', async () => (await total()) === 20 * SERIES);

      await vm.stop();
      await write(20, 30);
      // The receiver is down: the queue retries (waited for, not slept on: shared machines).
      const retried = /prometheus_remote_storage_samples_retried_total\{remote_name="victoriametrics",url="[^"]+"\} [1-9]/;
      await until('retries while the receiver is down', async () => retried.test(await (await fetch(`${s.url}/metrics`)).text()));
      await write(50, 10);

      vm = await startVM(port, vmDir);
      await until('every sample after the outage', async () => (await total()) === 60 * SERIES);
      const got = await exported(vm, '{__name__=~"vm_test|debug_noise"}');
      expect(got.map((e) => e.metric)).toEqual([...want.keys()].sort().map((i) => ({
        // The series' own job wins over the external label's.
        __name__: 'vm_test', cluster: 'eu-1', job: 'api', series: i, via: 'promlet',
      })));
      for (const e of got) {
        const w = want.get(e.metric.series!)!;
        expect(e.timestamps).toEqual(w.t);
        // VictoriaMetrics keeps 12 significant decimal digits of a float (its documented precision).
        expect(e.values.length).toBe(w.v.length);
        e.values.forEach((v, i) => expect(Math.abs(v - w.v[i]!)).toBeLessThanOrEqual(1e-11 * Math.abs(w.v[i]!)));
      }
    } finally {
      await s.stop();
      await vm.stop();
      rmSync(vmDir, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
