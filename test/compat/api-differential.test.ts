// Prometheus's HTTP API and promlet's, serving the same data, asked the
// same requests: the JSON must agree (query values within 1e-6).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/index.js';
import { createApiHandler } from '../../src/api/handler.js';
import { startServer, type RunningServer } from '../../src/node/server.js';
import { START, loadPeers, type Peers } from './peers.js';
import { diff } from './compare-results.js';

let peers: Peers;
let ours: RunningServer;

beforeAll(async () => {
  peers = await loadPeers();
  const handler = createApiHandler({
    db: peers.db, engine: createEngine(peers.db),
    info: { version: 'test', startTime: new Date(), flags: {}, configYaml: () => '' },
    now: () => START + 90 * 60_000,
  });
  ours = await startServer({ listen: '127.0.0.1:0', handler });
}, 120_000);

afterAll(async () => {
  await ours?.close();
  await peers?.stop();
});

const s = (minutes: number) => String((START + minutes * 60_000) / 1000);

async function both(path: string, params: Record<string, string | string[]>) {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) form.append(k, x);
  const get = async (base: string) => {
    const r = await fetch(`${base}${path}?${form}`);
    const type = r.headers.get('content-type') ?? '';
    return { status: r.status, body: type.includes('json') ? await r.json() : await r.text() };
  };
  return { theirs: await get(peers.prom.url), ours: await get(ours.url) };
}

describe('the HTTP API answers as Prometheus does', () => {
  const queries = ['sum by (job) (rate(http_requests_total[5m]))', 'temperature_celsius', 'histogram_quantile(0.9, sum by (le) (rate(request_seconds_bucket[5m])))', 'scalar(count(up))'];

  for (const q of queries) {
    it(`query and query_range: ${q}`, async () => {
      const inst = await both('/api/v1/query', { query: q, time: s(60) });
      expect(inst.ours.status).toBe(inst.theirs.status);
      expect(inst.ours.body.status).toBe(inst.theirs.body.status);
      expect(diff(inst.ours.body.data, inst.theirs.body.data)).toEqual([]);
      const range = await both('/api/v1/query_range', { query: q, start: s(30), end: s(150), step: '300' });
      expect(range.ours.status).toBe(range.theirs.status);
      expect(diff(range.ours.body.data, range.theirs.body.data)).toEqual([]);
    });
  }

  it('series', async () => {
    for (const match of [['temperature_celsius'], ['http_requests_total{code="500"}', '{__name__=~"request_seconds_(sum|count)", job="api"}']]) {
      const r = await both('/api/v1/series', { 'match[]': match, start: s(0), end: s(180) });
      expect(r.ours).toEqual(r.theirs);
    }
  });

  it('labels and label values', async () => {
    for (const [path, params] of [
      ['/api/v1/labels', {}], ['/api/v1/labels', { 'match[]': 'request_seconds_bucket' }],
      ['/api/v1/label/job/values', {}], ['/api/v1/label/__name__/values', {}], ['/api/v1/label/le/values', { 'match[]': '{job="web"}' }],
    ] as [string, Record<string, string>][]) {
      const r = await both(path, { ...params, start: s(0), end: s(180) });
      expect(r.ours, path).toEqual(r.theirs);
    }
  });

  it('errors: status and errorType', async () => {
    for (const [path, params] of [
      ['/api/v1/query', { query: 'sum(' }], ['/api/v1/query', { query: 'up', time: 'soon' }],
      ['/api/v1/query_range', { query: 'up', start: s(10), end: s(0), step: '15' }],
      ['/api/v1/query_range', { query: 'up', start: s(0), end: s(10), step: '0' }],
      ['/api/v1/series', {}],
    ] as [string, Record<string, string>][]) {
      const r = await both(path, params);
      expect(r.ours.status, path).toBe(r.theirs.status);
      expect(r.ours.body.errorType, path).toBe(r.theirs.body.errorType);
    }
  });

  it('format_query', async () => {
    const r = await both('/api/v1/format_query', { query: 'sum(rate(x{a="b"}[5m]))by(job)/ignoring(c)group_left y' });
    expect(r.ours).toEqual(r.theirs);
  });
});
