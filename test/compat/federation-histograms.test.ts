// Native histograms across federation, both ways, with Debian's Prometheus
// (2.42, --enable-feature=native-histograms, which asks for protobuf when it
// scrapes): Prometheus federates from a promlet that scraped a protobuf
// target with scrape_native_histograms, and a promlet federates from that
// Prometheus. Each level must answer the same histogram queries with the
// same JSON as the level below it.

import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servePromlet, type RunningPromlet } from '../../src/node/serve.js';
import { startPrometheus, type PrometheusPeer } from '../support/prometheus.js';
import { PROTO_DELIMITED } from '../../src/api/federate-proto.js';
import { EXPOSED, exposedFamilies } from '../fixtures/native-histograms.js';

// h_empty has no zero bucket: 2.42's protobuf parser takes a histogram
// with float counts for a native one only when it has a zero threshold (3.x
// also looks at the counts), and would read it as an empty classic one.
const MATCH = '{__name__=~"h_schema.*"}';
const FEDERATED = EXPOSED.filter((e) => e.name.startsWith('h_schema'));

let target: Server;
let lower: RunningPromlet;
let prom: PrometheusPeer;
let upper: RunningPromlet;
let dir: string;

interface Element { metric: Record<string, string>; histogram?: [number, unknown]; value?: [number, string] }

async function query(base: string, q: string, time: number): Promise<Element[]> {
  const r = (await (await fetch(`${base}/api/v1/query?query=${encodeURIComponent(q)}&time=${time / 1000}`)).json()) as { status: string; data: { result: Element[] } };
  expect(r.status).toBe('success');
  return r.data.result.sort((a, b) => JSON.stringify(a.metric).localeCompare(JSON.stringify(b.metric)));
}

const federateJob = (host: string) => `
  - job_name: federate
    honor_labels: true
    metrics_path: /federate
    params: { 'match[]': ['${MATCH}'] }
    static_configs: [{ targets: ['${host}'] }]`;

beforeAll(async () => {
  target = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': PROTO_DELIMITED });
    res.end(exposedFamilies());
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  dir = mkdtempSync(join(tmpdir(), 'promlet-fed-hist-'));
  writeFileSync(join(dir, 'lower.yml'), `
global: { scrape_interval: 1h }
scrape_configs:
  - job_name: hist
    scrape_native_histograms: true
    static_configs: [{ targets: ['127.0.0.1:${(target.address() as { port: number }).port}'] }]
`);
  lower = await servePromlet({ listen: '127.0.0.1:0', configFile: join(dir, 'lower.yml') });
  await lower.scrapeOnce();
  writeFileSync(join(dir, 'prometheus.yml'), `global: { scrape_interval: 1s }\nscrape_configs:${federateJob(new URL(lower.url).host)}\n`);
  prom = await startPrometheus({ configFile: join(dir, 'prometheus.yml'), args: ['--enable-feature=native-histograms'] });
  writeFileSync(join(dir, 'upper.yml'), `global: { scrape_interval: 1h }\nscrape_configs:${federateJob(new URL(prom.url).host).replace('metrics_path', 'scrape_native_histograms: true\n    metrics_path')}\n`);
}, 60_000);

afterAll(async () => {
  await upper?.stop();
  await prom?.stop();
  await lower?.stop();
  target?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('native histograms through /federate', () => {
  it('Prometheus federating from promlet stores the same histograms', async () => {
    const at = Date.now();
    const want = await query(lower.url, MATCH, at);
    expect(want.filter((e) => e.histogram)).toHaveLength(FEDERATED.length);
    let got: Element[] = [];
    // Bounded wait for Prometheus's first federation scrape.
    for (let i = 0; i < 100 && got.length < want.length; i++) {
      await new Promise((r) => setTimeout(r, 200));
      got = await query(prom.url, MATCH, at);
    }
    expect(got).toEqual(want);
    for (const e of FEDERATED) {
      for (const q of [`histogram_count(${e.name})`, `histogram_sum(${e.name})`]) expect(await query(prom.url, q, at)).toEqual(await query(lower.url, q, at));
    }
  });

  it('promlet federating from Prometheus stores the same histograms', async () => {
    upper = await servePromlet({ listen: '127.0.0.1:0', configFile: join(dir, 'upper.yml') });
    await upper.scrapeOnce();
    const at = Date.now();
    const want = await query(prom.url, MATCH, at);
    expect(want.filter((e) => e.histogram)).toHaveLength(FEDERATED.length);
    expect(await query(upper.url, MATCH, at)).toEqual(want);
  });
});
