// `/-/reload` applies the otlp block, storage.exemplars.max_exemplars and the
// statsd mapping file; a bad block is refused and the old one kept.

import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSocket } from 'node:dgram';
import { servePromlet } from '../../src/node/serve.js';

const dir = mkdtempSync(join(tmpdir(), 'promlet-intake-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const udpPort = () => new Promise<number>((resolve) => {
  const s = createSocket('udp4');
  s.bind(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});

describe('reloading the ways in', () => {
  it('applies otlp, exemplar and statsd mapping changes on /-/reload', async () => {
    const config = join(dir, 'prometheus.yml');
    const mapping = join(dir, 'mapping.yml');
    writeFileSync(config, 'otlp:\n  translation_strategy: UnderscoreEscapingWithSuffixes\nstorage:\n  exemplars:\n    max_exemplars: 10\n');
    writeFileSync(mapping, 'mappings:\n  - match: "a.*"\n    name: "first_$1"\n');
    const port = await udpPort();
    const s = await servePromlet({ listen: '127.0.0.1:0', configFile: config, otlpReceiver: true, statsd: { udp: `127.0.0.1:${port}`, mappingConfig: mapping, recordInterval: 50 } });
    const names = async () => ((await (await fetch(`${s.url}/api/v1/label/__name__/values`)).json()) as { data: string[] }).data;
    const post = (metric: string, t: number) => fetch(`${s.url}/api/v1/otlp/v1/metrics`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: metric, unit: 's', gauge: { dataPoints: [{ timeUnixNano: `${t}000000`, asDouble: 1 }] } }] }] }] }),
    });
    const udp = (line: string) => new Promise<void>((r) => {
      const c = createSocket('udp4');
      c.send(line, port, '127.0.0.1', () => c.close(() => r()));
    });
    const until = async (ok: () => Promise<boolean>) => {
      for (let i = 0; i < 200 && !(await ok()); i++) await new Promise((r) => setTimeout(r, 25));
    };
    const flag = async (n: string) => ((await (await fetch(`${s.url}/metrics`)).text()).match(new RegExp(`^${n} (\\S+)$`, 'm')) ?? [])[1];
    try {
      expect((await post('up.time', Date.now() - 1000)).status).toBe(200);
      await udp('a.x:1|c');
      await until(async () => (await names()).includes('first_x'));
      expect(await flag('promlet_tsdb_exemplar_max_exemplars')).toBe('10');

      writeFileSync(config, 'otlp:\n  translation_strategy: NoTranslation\nstorage:\n  exemplars:\n    max_exemplars: 3\n');
      writeFileSync(mapping, 'mappings:\n  - match: "a.*"\n    name: "second_$1"\n');
      expect((await fetch(`${s.url}/-/reload`, { method: 'POST' })).status).toBe(200);
      expect((await post('up.time', Date.now())).status).toBe(200);
      await udp('a.y:1|c');
      await until(async () => (await names()).includes('second_y'));
      expect(await names()).toEqual(expect.arrayContaining(['up_time_seconds', 'up.time', 'first_x', 'second_y']));
      expect(await flag('promlet_tsdb_exemplar_max_exemplars')).toBe('3');

      writeFileSync(config, 'otlp:\n  translation_strategy: Sideways\n');
      const bad = await fetch(`${s.url}/-/reload`, { method: 'POST' });
      expect(bad.status).toBe(500);
      expect(await bad.text()).toMatch(/unsupported OTLP translation strategy "Sideways"/);
      expect(await flag('promlet_tsdb_exemplar_max_exemplars')).toBe('3');
    } finally {
      await s.stop();
    }
  });
});
