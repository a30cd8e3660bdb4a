// Native histograms out of promlet against Debian's Prometheus (2.42, with
// --enable-feature=native-histograms) scraping a protobuf target: the API's
// JSON for each histogram (count, sum, buckets with boundary rules) must be
// what promlet writes for the same histogram, and /federate's protobuf
// answer must decode to the same MetricFamily messages promlet encodes.

import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import protobuf from 'protobufjs/light.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type PrometheusPeer } from '../support/prometheus.js';
import { MetricFamily, PROTO_DELIMITED } from '../../src/api/federate-proto.js';
import { federateResponse } from '../../src/api/federate.js';
import { histogramJSON } from '../../src/promql/engine/histogram-json.js';
import { Matcher } from '../../src/model/matcher.js';
import { EXPOSED, asFloatHistogram, exposedFamilies, fakeQueryable } from '../fixtures/native-histograms.js';

let target: Server;
let prom: PrometheusPeer;
let dir: string;

interface PromVector { metric: Record<string, string>; histogram?: [number, unknown]; value?: [number, string] }

async function promQuery(q: string): Promise<PromVector[]> {
  const r = (await (await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as { status: string; data: { result: PromVector[] } };
  expect(r.status).toBe('success');
  return r.data.result;
}

beforeAll(async () => {
  target = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': PROTO_DELIMITED });
    res.end(exposedFamilies());
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const port = (target.address() as { port: number }).port;
  dir = mkdtempSync(join(tmpdir(), 'promlet-hist-out-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, `
global: { scrape_interval: 1s }
scrape_configs:
  - job_name: hist
    static_configs: [{ targets: ['127.0.0.1:${port}'] }]
`);
  prom = await startPrometheus({ configFile: config, args: ['--enable-feature=native-histograms'] });
  // Bounded wait for the first scrape of every series.
  for (let i = 0; i < 100; i++) {
    const got = await promQuery('{job="hist"}');
    if (got.filter((s) => s.histogram).length === EXPOSED.length) break;
    await new Promise((r) => setTimeout(r, 200));
  }
}, 60_000);

afterAll(async () => {
  await prom?.stop();
  target?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('native histograms out, against Prometheus', () => {
  it('query results carry the same histogram JSON', async () => {
    const got = await promQuery('{job="hist"}');
    expect(got.filter((s) => s.histogram).length).toBe(EXPOSED.length);
    for (const e of EXPOSED) {
      const theirs = got.find((s) => s.metric.__name__ === e.name);
      expect(theirs, e.name).toBeDefined();
      expect(histogramJSON(asFloatHistogram(e)), e.name).toEqual(theirs!.histogram![1]);
    }
  });

  it('/federate in protobuf decodes to the same families', async () => {
    const accept = `${PROTO_DELIMITED};q=0.7,text/plain;version=0.0.4;q=0.3`;
    const r = await fetch(`${prom.url}/federate?match[]=${encodeURIComponent('{__name__=~"h_schema.*"}')}`, { headers: { accept } });
    expect(r.headers.get('content-type')).toContain('encoding=delimited');
    const theirs = decodeAll(new Uint8Array(await r.arrayBuffer()));
    // The same series, labels and timestamps in a promlet storage.
    const t = Number(theirs[0]!.metric[0]!.timestampMs);
    const db = fakeQueryable(EXPOSED.filter((e) => e.name !== 'h_empty').map((e) => ({ labels: { __name__: e.name, instance: theirs[0]!.metric[0]!.label.find((l) => l.name === 'instance')!.value, job: 'hist' }, t, h: asFloatHistogram(e) })));
    const ours = federateResponse(db, [[new Matcher('=~', '__name__', 'h_schema.*')]], t + 1000, 300_000, {}, accept);
    expect(ours.headers.get('content-type')).toBe(PROTO_DELIMITED);
    const mine = decodeAll(new Uint8Array(await ours.arrayBuffer()));
    expect(mine).toEqual(theirs);
  });
});

function decodeAll(bytes: Uint8Array) {
  const reader = protobuf.Reader.create(bytes);
  const out: { name: string; type: number; metric: { label: { name: string; value: string }[]; timestampMs: string; histogram?: unknown; untyped?: unknown }[] }[] = [];
  while (reader.pos < reader.len) {
    out.push(MetricFamily.toObject(MetricFamily.decodeDelimited(reader), { longs: String, defaults: false }) as (typeof out)[number]);
  }
  return out;
}
