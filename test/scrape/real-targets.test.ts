// Scraping targets nobody here wrote: Debian's node_exporter, Prometheus's
// own /metrics, and a Node app instrumented with prom-client; and targets
// that fail in every way a scrape can, while a healthy one stays up.

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry, Counter, Histogram } from 'prom-client';
import { openDB, createEngine, type DB } from '../../src/index.js';
import { ScrapeManager } from '../../src/scrape/manager.js';
import { startPrometheus, type PrometheusPeer } from '../support/prometheus.js';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

let nodeExporter: ChildProcess;
let nodePort: number;
let prom: PrometheusPeer;
let app: Server;
let appPort: number;

beforeAll(async () => {
  nodePort = await freePort();
  nodeExporter = spawn('prometheus-node-exporter', [`--web.listen-address=127.0.0.1:${nodePort}`, '--collector.disable-defaults', '--collector.cpu', '--collector.meminfo', '--collector.loadavg'], { stdio: 'ignore' });
  await waitFor(`http://127.0.0.1:${nodePort}/metrics`);
  prom = await startPrometheus();
  const registry = new Registry();
  const jobs = new Counter({ name: 'app_jobs_total', help: 'Jobs done.', labelNames: ['kind'], registers: [registry] });
  jobs.inc({ kind: 'email' }, 3);
  new Histogram({ name: 'app_job_seconds', help: 'Job time.', buckets: [0.1, 1], registers: [registry] }).observe(0.5);
  app = createServer(async (_req, res) => {
    res.writeHead(200, { 'content-type': registry.contentType });
    res.end(await registry.metrics());
  });
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', () => r()));
  appPort = (app.address() as { port: number }).port;
}, 60_000);

afterAll(async () => {
  nodeExporter?.kill();
  await prom?.stop();
  app?.close();
});

describe('real targets', () => {
  it('scrapes node_exporter, Prometheus and a prom-client app, and queries the result', async () => {
    const db: DB = await openDB();
    const m = new ScrapeManager(db);
    await m.apply({
      scrape_configs: [
        { job_name: 'node', static_configs: [{ targets: [`127.0.0.1:${nodePort}`] }] },
        { job_name: 'prometheus', static_configs: [{ targets: [new URL(prom.url).host] }] },
        { job_name: 'app', static_configs: [{ targets: [`127.0.0.1:${appPort}`] }] },
      ],
    });
    await m.scrapeAll(Date.now());
    m.stop();
    for (const t of m.targets().activeTargets as { health: string; lastError: string; scrapePool: string }[]) {
      expect(t.lastError, t.scrapePool).toBe('');
      expect(t.health, t.scrapePool).toBe('up');
    }
    const engine = createEngine(db);
    const now = Date.now();
    const cpu = engine.instantQuerySync('count(node_cpu_seconds_total{job="node", mode="idle"})', now);
    expect(Number((cpu.result as { value: [number, string] }[])[0]!.value[1])).toBeGreaterThan(0);
    const build = engine.instantQuerySync('prometheus_build_info{job="prometheus"}', now);
    expect(build.result).toHaveLength(1);
    const jobs = engine.instantQuerySync('app_jobs_total{kind="email"}', now);
    expect((jobs.result as { value: [number, string] }[])[0]!.value[1]).toBe('3');
    const le = engine.instantQuerySync('app_job_seconds_bucket', now);
    expect((le.result as { metric: Record<string, string> }[]).map((s) => s.metric.le).sort()).toEqual(['+Inf', '0.1', '1.0']);
  });
});

describe('faulty targets', () => {
  let faulty: Server;
  let base: string;
  // Answers of /held, sent when the test releases them.
  const held: ServerResponse[] = [];

  beforeAll(async () => {
    faulty = createServer((req, res) => {
      switch (req.url) {
        case '/ok': res.writeHead(200, { 'content-type': 'text/plain' }); res.end('fine 1\n'); return;
        case '/slow': return; // never answers
        case '/held': held.push(res); return;
        case '/500': res.writeHead(500); res.end('boom'); return;
        case '/garbage': res.writeHead(200, { 'content-type': 'text/plain' }); res.end('this is { not metrics\n'); return;
        case '/big': res.writeHead(200, { 'content-type': 'text/plain' }); res.end(`big 1\n${'# padding\n'.repeat(500)}`); return;
        case '/cut': res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' }); res.write('cut 1\n'); setTimeout(() => res.destroy(), 20); return;
        default: res.writeHead(404); res.end();
      }
    });
    await new Promise<void>((r) => faulty.listen(0, '127.0.0.1', () => r()));
    base = `127.0.0.1:${(faulty.address() as { port: number }).port}`;
  });

  afterAll(() => {
    faulty?.closeAllConnections();
    faulty?.close();
  });

  it('marks each failing target down with a clear error, and keeps the healthy one up', async () => {
    const db = await openDB();
    const m = new ScrapeManager(db);
    // Only the target that never answers gets a short timeout; the others have room on a loaded machine.
    const job = (name: string) => ({ job_name: name, metrics_path: `/${name}`, scrape_interval: '10s', scrape_timeout: name === 'slow' ? '500ms' : '10s', body_size_limit: '1KB', static_configs: [{ targets: [base] }] });
    await m.apply({ scrape_configs: ['ok', 'slow', '500', 'garbage', 'big', 'cut'].map(job) });
    await m.scrapeAll(Date.now());
    m.stop();
    const byJob = Object.fromEntries((m.targets().activeTargets as { scrapePool: string; health: string; lastError: string }[]).map((t) => [t.scrapePool, t]));
    expect(byJob.ok).toMatchObject({ health: 'up', lastError: '' });
    expect(byJob.slow!.health).toBe('down');
    expect(byJob.slow!.lastError).toMatch(/timeout|aborted/i);
    expect(byJob['500']).toMatchObject({ health: 'down', lastError: 'server returned HTTP status 500 Internal Server Error' });
    expect(byJob.garbage!.lastError).toMatch(/^line 1: /);
    expect(byJob.big!.lastError).toBe('body size limit exceeded: 1024 bytes');
    expect(byJob.cut!.health).toBe('down');
    const up = createEngine(db).instantQuerySync('up', Date.now());
    expect((up.result as { metric: Record<string, string>; value: [number, string] }[]).map((s) => [s.metric.job, s.value[1]]).sort())
      .toEqual([['500', '0'], ['big', '0'], ['cut', '0'], ['garbage', '0'], ['ok', '1'], ['slow', '0']]);
  });

  it('does not hold a healthy target back behind a slow one', async () => {
    const db = await openDB();
    const m = new ScrapeManager(db);
    // /held answers only once the healthy scrape has finished: a healthy scrape held back behind it
    // would wait for the 30 s timeout instead, and come second.
    const job = (name: string) => ({ job_name: name, metrics_path: `/${name}`, scrape_interval: '1m', scrape_timeout: '30s', static_configs: [{ targets: [base] }] });
    await m.apply({ scrape_configs: ['ok', 'held'].map(job) });
    const order: string[] = [];
    const release = () => {
      for (const res of held.splice(0)) res.writeHead(200, { 'content-type': 'text/plain' }).end('held 1\n');
    };
    const loops = (m as unknown as { running: Map<string, { loop: { cfg: { jobName: string }; scrape(t: number): Promise<void> } }> }).running;
    await Promise.all([...loops.values()].map(({ loop }) => loop.scrape(Date.now()).then(() => {
      order.push(loop.cfg.jobName);
      if (loop.cfg.jobName === 'ok') release();
    })));
    m.stop();
    expect(order).toEqual(['ok', 'held']);
  });
});
