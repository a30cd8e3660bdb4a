// `promlet serve` over real HTTP: the prometheus-query npm client (written
// for Prometheus, not for promlet) and the requests Grafana's Prometheus data
// source sends must work; authentication and body limits hold.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrometheusDriver } from 'prometheus-query';
import { servePromlet, type RunningPromlet } from '../../src/node/serve.js';
import { startServer } from '../../src/node/server.js';

let p: RunningPromlet;
const NOW = Date.now();
const T0 = Math.floor((NOW - 3600_000) / 60_000) * 60_000;

beforeAll(async () => {
  p = await servePromlet({ listen: '127.0.0.1:0' });
  const app = p.db.appender();
  for (let i = 0; i <= 240; i++) {
    for (const [job, k] of [['api', 3], ['web', 1]] as const) {
      app.append({ __name__: 'http_requests_total', job, code: '200' }, T0 + i * 15_000, i * k);
    }
  }
  await app.commit();
});

afterAll(async () => {
  await p?.stop();
});

describe('the prometheus-query client', () => {
  const client = () => new PrometheusDriver({ endpoint: p.url, baseURL: '/api/v1' });

  it('runs instant and range queries', async () => {
    const up = await client().instantQuery('up');
    expect(up.resultType).toBe('vector');
    expect(up.result[0].metric.labels).toMatchObject({ job: 'promlet' });
    expect(up.result[0].value.value).toBe(1);
    const r = await client().rangeQuery('sum by (job) (rate(http_requests_total[5m]))', new Date(T0 + 600_000), new Date(T0 + 1200_000), 60);
    expect(r.resultType).toBe('matrix');
    expect(r.result.map((s: { metric: { labels: Record<string, string> } }) => s.metric.labels.job).sort()).toEqual(['api', 'web']);
    const api = r.result.find((s: { metric: { labels: Record<string, string> } }) => s.metric.labels.job === 'api');
    expect(api.values).toHaveLength(11);
    expect(api.values[0].value).toBeCloseTo(0.2, 10);
  });

  it('reads series, label names and values', async () => {
    const series = await client().series('http_requests_total', new Date(T0), new Date(NOW));
    expect(series.map((m) => (m.labels as Record<string, string>).job)).toEqual(['api', 'web']);
    expect(await client().labelNames()).toEqual(expect.arrayContaining(['__name__', 'code', 'instance', 'job']));
    expect(await client().labelValues('job')).toEqual(['api', 'promlet', 'web']);
  });

  it('reads targets, rules, alerts and status', async () => {
    const targets = (await client().targets()) as { activeTargets: { labels: Record<string, string>; health: string }[] };
    expect(targets.activeTargets[0]).toMatchObject({ labels: { job: 'promlet' }, health: 'up' });
    expect(await client().rules()).toEqual([]);
    expect(await client().alerts()).toEqual([]);
    expect((await client().statusBuildinfo()).version).toMatch(/^3\./);
    expect(await client().statusTSDB()).toHaveProperty('headStats');
  });

  it('surfaces API errors', async () => {
    await expect(client().instantQuery('sum(')).rejects.toMatchObject({ httpStatus: 400, prometheus: { status: 'error', errorType: 'bad_data' } });
  });
});

describe("Grafana's Prometheus data source requests", () => {
  const get = async (path: string) => {
    const res = await fetch(`${p.url}${path}`);
    return { status: res.status, body: (await res.json()) as { status: string; data: unknown } };
  };
  const post = async (path: string, form: Record<string, string>) => {
    const res = await fetch(`${p.url}${path}`, { method: 'POST', body: new URLSearchParams(form) });
    return { status: res.status, body: (await res.json()) as { status: string; data: { resultType: string; result: unknown[] } } };
  };
  const s = (ms: number) => String(ms / 1000);

  it('health check: buildinfo, then a vector(1)+vector(1) query', async () => {
    const info = await get('/api/v1/status/buildinfo');
    expect(info.body).toMatchObject({ status: 'success', data: { version: expect.any(String) } });
    const q = await post('/api/v1/query', { query: '1+1', time: s(NOW) });
    expect(q.body.data).toEqual({ resultType: 'scalar', result: [NOW / 1000, '2'] });
  });

  it('metric browser: labels, label values and series in a time range', async () => {
    const range = `start=${s(T0)}&end=${s(NOW)}`;
    expect((await get(`/api/v1/labels?${range}`)).body.data).toEqual(expect.arrayContaining(['job']));
    expect((await get(`/api/v1/label/__name__/values?${range}`)).body.data).toEqual(expect.arrayContaining(['http_requests_total', 'up']));
    const series = await get(`/api/v1/series?match%5B%5D=${encodeURIComponent('http_requests_total{job="api"}')}&${range}`);
    expect(series.body.data).toEqual([{ __name__: 'http_requests_total', code: '200', job: 'api' }]);
    // Metadata comes from the scrapes: here promlet's own /metrics, scraped at start.
    const metadata = (await get('/api/v1/metadata')).body.data as Record<string, unknown>;
    expect(metadata.process_resident_memory_bytes).toEqual([{ type: 'gauge', help: 'Resident memory size in bytes.', unit: '' }]);
    expect((await get('/api/v1/metadata?metric=up')).body).toEqual({ status: 'success', data: {} });
  });

  it('panels: query_range with step-aligned start and end', async () => {
    const step = 60;
    const start = Math.floor((T0 + 900_000) / 1000 / step) * step, end = Math.floor(NOW / 1000 / step) * step;
    const r = await post('/api/v1/query_range', { query: 'sum(rate(http_requests_total[$__rate_interval]))'.replace('$__rate_interval', '4m'), start: String(start), end: String(end), step: String(step) });
    expect(r.status).toBe(200);
    expect(r.body.data.resultType).toBe('matrix');
    const values = (r.body.data.result[0] as { values: [number, string][] }).values;
    expect(values[0]![0]).toBe(start);
    for (const [t] of values) expect(t % step).toBe(0);
  });
});

describe('server safety', () => {
  it('requires the bearer token or basic auth when configured', async () => {
    const s = await startServer({ listen: '127.0.0.1:0', handler: async () => new Response('ok'), bearerToken: 'secret', basicAuth: { user: 'u', password: 'p:w' } });
    try {
      expect((await fetch(s.url)).status).toBe(401);
      expect((await fetch(s.url, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
      expect((await fetch(s.url, { headers: { authorization: 'Bearer secret' } })).status).toBe(200);
      expect((await fetch(s.url, { headers: { authorization: `Basic ${Buffer.from('u:p:w').toString('base64')}` } })).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('refuses bodies over the limit', async () => {
    const s = await startServer({ listen: '127.0.0.1:0', handler: async () => new Response('ok'), maxBodyBytes: 100 });
    try {
      const r = await fetch(s.url, { method: 'POST', body: 'x'.repeat(1000) });
      expect(r.status).toBe(413);
      expect(await r.json()).toMatchObject({ status: 'error', errorType: 'bad_data' });
    } finally {
      await s.close();
    }
  });

  it('keeps idle connections for --web.read-timeout (5m), as Prometheus does, and closes them after it', async () => {
    const byDefault = await startServer({ listen: '127.0.0.1:0', handler: async () => new Response('ok') });
    const short = await startServer({ listen: '127.0.0.1:0', handler: async () => new Response('ok'), readTimeoutMs: 1000 });
    try {
      // Clients take the hint: with node's 5 s default they reused connections the server was closing.
      expect((await fetch(byDefault.url)).headers.get('keep-alive')).toBe('timeout=300');
      expect((await fetch(short.url)).headers.get('keep-alive')).toBe('timeout=1');
      const { connect } = await import('node:net');
      const u = new URL(short.url);
      const sock = connect(Number(u.port), u.hostname);
      let got = '';
      sock.on('data', (d) => (got += String(d)));
      const closed = new Promise((r) => sock.once('close', r));
      sock.write(`GET / HTTP/1.1\r\nHost: ${u.host}\r\n\r\n`);
      await closed;
      expect(got).toMatch(/^HTTP\/1\.1 200/);
    } finally {
      await byDefault.close();
      await short.close();
    }
  });

  it('binds to the loopback address by default', async () => {
    const { splitHostPort } = await import('../../src/node/server.js');
    expect(splitHostPort('127.0.0.1:9090')).toEqual(['127.0.0.1', '9090']);
    expect(splitHostPort('[::1]:9090')).toEqual(['::1', '9090']);
  });
});

describe('config reload', () => {
  it('re-reads the config file on POST /-/reload and refuses a bad one', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'promlet-reload-')), 'prometheus.yml');
    writeFileSync(file, 'global:\n  scrape_interval: 15s\n');
    const s = await servePromlet({ listen: '127.0.0.1:0', configFile: file });
    try {
      writeFileSync(file, 'global:\n  scrape_interval: 30s\n');
      expect((await fetch(`${s.url}/-/reload`, { method: 'POST' })).status).toBe(200);
      const cfg = (await (await fetch(`${s.url}/api/v1/status/config`)).json()) as { data: { yaml: string } };
      expect(cfg.data.yaml).toContain('30s');
      writeFileSync(file, 'global:\n  scrape_interval: never\n');
      const bad = await fetch(`${s.url}/-/reload`, { method: 'POST' });
      expect(bad.status).toBe(500);
      expect(await bad.text()).toContain('not a valid duration');
      expect((await fetch(`${s.url}/-/reload`)).status).toBe(405);
    } finally {
      await s.stop();
    }
  });
});

describe('rules in promlet serve', () => {
  it('loads rule_files from the config and reports them at /api/v1/rules', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'promlet-rules-'));
    writeFileSync(join(dir, 'up.rules.yml'), 'groups:\n  - name: up\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n      - alert: AlwaysOn\n        expr: vector(1)\n');
    writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  evaluation_interval: 1s\nrule_files: ["*.rules.yml"]\n'
      + 'alerting:\n  alertmanagers:\n    - path_prefix: /am\n      static_configs: [{ targets: ["127.0.0.1:1"] }]\n');
    const s = await servePromlet({ listen: '127.0.0.1:0', configFile: join(dir, 'prometheus.yml'), ruleFileCheckInterval: 100 });
    try {
      const ams = (await (await fetch(`${s.url}/api/v1/alertmanagers`)).json()) as { data: { activeAlertmanagers: { url: string }[] } };
      expect(ams.data.activeAlertmanagers).toEqual([{ url: 'http://127.0.0.1:1/am/api/v2/alerts' }]);
      const rules = (await (await fetch(`${s.url}/api/v1/rules`)).json()) as { data: { groups: { name: string; file: string; interval: number; rules: { name: string; type: string }[] }[] } };
      expect(rules.data.groups.map((g) => [g.name, g.interval, g.rules.map((r) => [r.name, r.type])])).toEqual([['up', 1, [['job:up:sum', 'recording'], ['AlwaysOn', 'alerting']]]]);
      for (let i = 0; i < 50; i++) {
        const a = (await (await fetch(`${s.url}/api/v1/alerts`)).json()) as { data: { alerts: { labels: Record<string, string>; state: string }[] } };
        if (a.data.alerts.length > 0) {
          expect(a.data.alerts[0]).toMatchObject({ labels: { alertname: 'AlwaysOn' }, state: 'firing' });
          // A new file matching the glob is picked up without a reload, and the firing alert keeps its state.
          const activeAt = (a.data.alerts[0] as unknown as { activeAt: string }).activeAt;
          writeFileSync(join(dir, 'more.rules.yml'), 'groups:\n  - name: more\n    rules:\n      - record: two\n        expr: vector(2)\n');
          for (let j = 0; j < 50; j++) {
            const r = (await (await fetch(`${s.url}/api/v1/rules`)).json()) as { data: { groups: { name: string }[] } };
            if (r.data.groups.length === 2) {
              expect(r.data.groups.map((g) => g.name).sort()).toEqual(['more', 'up']);
              const after = (await (await fetch(`${s.url}/api/v1/alerts`)).json()) as { data: { alerts: { activeAt: string }[] } };
              expect(after.data.alerts[0]!.activeAt).toBe(activeAt);
              const metrics = await (await fetch(`${s.url}/metrics`)).text();
              expect(metrics).toMatch(/^prometheus_rule_group_rules\{rule_group="[^"]*more\.rules\.yml;more"\} 1$/m);
              expect(metrics).toMatch(/^prometheus_notifications_alertmanagers_discovered 1$/m);
              return;
            }
            await new Promise((r) => setTimeout(r, 100));
          }
          throw new Error('the new rule file was never loaded');
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the alert never fired');
    } finally {
      await s.stop();
    }
  });

  it('keeps what it stored across a restart with --data-dir', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dataDir = join(mkdtempSync(join(tmpdir(), 'promlet-data-')), 'data');
    const messages: string[] = [];
    const first = await servePromlet({ listen: '127.0.0.1:0', dataDir, warn: (m) => messages.push(m) });
    const before = first.db.stats().samples;
    expect(before).toBeGreaterThan(0);
    const off = await fetch(`${first.url}/api/v1/admin/tsdb/snapshot`, { method: 'POST' });
    expect(off.status).toBe(503);
    expect(await off.json()).toEqual({ status: 'error', errorType: 'unavailable', error: 'admin APIs disabled' });
    await first.stop();
    const second = await servePromlet({ listen: '127.0.0.1:0', dataDir, adminApi: true, warn: (m) => messages.push(m) });
    try {
      // The clean stop checkpointed: the open head chunks come back from the checkpoint.
      expect(messages[1]).toMatch(/^data dir .*: opened 0 blocks, loaded [1-9]\d* head series and [1-9]\d* chunks, replayed 0 samples from \d+ log records, in \d+ ms$/);
      // The first server's self-scrape (its own instance) is still there.
      const snap = (await (await fetch(`${second.url}/api/v1/admin/tsdb/snapshot`, { method: 'POST' })).json()) as { data: { name: string } };
      expect(snap.data.name).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{16}$/);
      const { openDiskDB } = await import('../../src/node/disk-db.js');
      const copy = await openDiskDB(join(dataDir, 'snapshots', snap.data.name));
      expect(copy.db.stats().samples).toBeGreaterThanOrEqual(before);
      await copy.close();
      const q = encodeURIComponent(`count_over_time(up{instance="${new URL(first.url).host}"}[1h])`);
      const r = (await (await fetch(`${second.url}/api/v1/query?query=${q}`)).json()) as { data: { result: { value: [number, string] }[] } };
      expect(r.data.result.map((x) => x.value[1])).toEqual(['1']);
      // delete_series removes the first server's samples; clean_tombstones has nothing left to do.
      const match = encodeURIComponent(`{instance="${new URL(first.url).host}"}`);
      expect((await fetch(`${second.url}/api/v1/admin/tsdb/delete_series?match[]=${match}`, { method: 'POST' })).status).toBe(204);
      expect((await fetch(`${second.url}/api/v1/admin/tsdb/clean_tombstones`, { method: 'POST' })).status).toBe(204);
      expect((await fetch(`${second.url}/api/v1/admin/tsdb/delete_series`, { method: 'POST' })).status).toBe(400);
      const gone = (await (await fetch(`${second.url}/api/v1/query?query=${q}`)).json()) as { data: { result: unknown[] } };
      expect(gone.data.result).toEqual([]);
    } finally {
      await second.stop();
    }
  });
});
