// The HTTP API handler with standard Request objects: paths, parameters,
// JSON shapes, error bodies and status codes as Prometheus's.

import { beforeAll, describe, expect, it } from 'vitest';
import { openDB, createEngine, type DB } from '../../src/index.js';
import { createApiHandler, decodeLabelName, type Handler } from '../../src/api/handler.js';
import { goFormatG } from '../../src/model/float.js';
import { STALE_NAN } from '../../src/model/stale.js';

const T0 = Date.UTC(2026, 0, 1);
const sec = (ms: number) => String(ms / 1000);

let db: DB;
let handler: Handler;

beforeAll(async () => {
  db = await openDB();
  const app = db.appender();
  for (let i = 0; i <= 40; i++) {
    app.append({ __name__: 'http_requests_total', job: 'api', instance: 'a' }, T0 + i * 15_000, i * 10);
    app.append({ __name__: 'http_requests_total', job: 'web', instance: 'b' }, T0 + i * 15_000, i * 2);
    app.append({ __name__: 'cpu', job: 'api', 'dotted.name': 'x' }, T0 + i * 15_000, 0.5);
  }
  app.append({ __name__: 'gone', job: 'api' }, T0, 1);
  app.append({ __name__: 'gone', job: 'api' }, T0 + 15_000, STALE_NAN);
  await app.commit();
  handler = createApiHandler({
    db, engine: createEngine(db), now: () => T0 + 600_000,
    info: { version: 'test', startTime: new Date(T0), flags: { 'query.timeout': '2m' }, configYaml: () => 'global: {}\n' },
  });
});

async function call(path: string, params: Record<string, string | string[]> = {}, method = 'GET') {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) sp.append(k, x);
  const req = method === 'GET'
    ? new Request(`http://localhost${path}?${sp}`)
    : new Request(`http://localhost${path}`, { method, body: sp, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const res = await handler(req);
  const body = res.headers.get('content-type')?.startsWith('application/json') ? await res.json() : await res.text();
  return { status: res.status, body };
}

describe('query endpoints', () => {
  it('answers instant queries by GET and POST with Prometheus JSON', async () => {
    for (const method of ['GET', 'POST']) {
      const r = await call('/api/v1/query', { query: 'sum by (job) (http_requests_total)', time: sec(T0 + 150_000) }, method);
      expect(r.status).toBe(200);
      expect(r.body).toEqual({
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: { job: 'api' }, value: [(T0 + 150_000) / 1000, '100'] }, { metric: { job: 'web' }, value: [(T0 + 150_000) / 1000, '20'] }] },
      });
    }
  });

  it('accepts RFC 3339 times and defaults time to now', async () => {
    const a = await call('/api/v1/query', { query: 'cpu', time: new Date(T0 + 60_000).toISOString() });
    expect(a.body.data.result[0].value[0]).toBe((T0 + 60_000) / 1000);
    const b = await call('/api/v1/query', { query: 'time()' });
    expect(b.body.data.result).toEqual([(T0 + 600_000) / 1000, String((T0 + 600_000) / 1000)]);
  });

  it('answers range queries', async () => {
    const r = await call('/api/v1/query_range', { query: 'http_requests_total{job="api"}', start: sec(T0), end: sec(T0 + 60_000), step: '30s' });
    expect(r.body.data).toEqual({
      resultType: 'matrix',
      result: [{ metric: { __name__: 'http_requests_total', job: 'api', instance: 'a' }, values: [[T0 / 1000, '0'], [(T0 + 30_000) / 1000, '20'], [(T0 + 60_000) / 1000, '40']] }],
    });
  });

  it('reports bad parameters as bad_data with HTTP 400', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ query: 'sum(' }, 'invalid parameter "query": 1:5: parse error: unclosed left parenthesis'],
      [{ query: 'up', time: 'yesterday' }, 'invalid parameter "time": cannot parse "yesterday" to a valid timestamp'],
    ];
    for (const [params, error] of cases) {
      expect(await call('/api/v1/query', params)).toEqual({ status: 400, body: { status: 'error', errorType: 'bad_data', error } });
    }
    const range = (p: Record<string, string>) => call('/api/v1/query_range', { query: 'up', start: '100', end: '200', ...p });
    expect((await range({ step: '0' })).body.error).toBe('invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer');
    expect((await range({ step: '1', end: '50' })).body.error).toBe('invalid parameter "end": end timestamp must not be before start time');
    expect((await range({ step: '0.001', end: '112' })).body.error).toBe('exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)');
    expect((await range({ step: '1' })).status).toBe(200);
  });

  it('reports execution errors with 422 and timeouts with 503', async () => {
    const r = await call('/api/v1/query', { query: 'http_requests_total + on() http_requests_total', time: sec(T0) });
    expect(r.status).toBe(422);
    expect(r.body.errorType).toBe('execution');
    const t = await call('/api/v1/query_range', { query: 'http_requests_total', start: sec(T0), end: sec(T0 + 600_000), step: '1', timeout: '-1' });
    expect(t).toMatchObject({ status: 503, body: { errorType: 'timeout' } });
  });

  it('limits series with a warning, and returns stats on request', async () => {
    const r = await call('/api/v1/query', { query: 'http_requests_total', time: sec(T0), limit: '1', stats: 'all' });
    expect(r.body.data.result).toHaveLength(1);
    expect(r.body.warnings).toEqual(['results truncated due to limit']);
    expect(r.body.data.stats.samples.totalQueryableSamples).toBeGreaterThan(0);
    expect(Object.keys(r.body.data.stats.timings)).toContain('execTotalTime');
  });

  it('returns infos beside the data', async () => {
    const r = await call('/api/v1/query', { query: 'rate(cpu[5m])', time: sec(T0 + 300_000) });
    expect(r.body.infos).toEqual(['PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "cpu" (1:6)']);
  });
});

describe('metadata endpoints', () => {
  it('lists series for match[] sets, sorted and unioned', async () => {
    const r = await call('/api/v1/series', { 'match[]': ['cpu', 'http_requests_total{job="web"}'], start: sec(T0), end: sec(T0 + 60_000) });
    expect(r.body.data).toEqual([
      { __name__: 'cpu', 'dotted.name': 'x', job: 'api' },
      { __name__: 'http_requests_total', instance: 'b', job: 'web' },
    ]);
    expect(await call('/api/v1/series')).toEqual({ status: 400, body: { status: 'error', errorType: 'bad_data', error: 'no match[] parameter provided' } });
    expect((await call('/api/v1/series', { 'match[]': '{job=""}' })).status).toBe(400);
  });

  it('lists label names and values, with U__ escaped names', async () => {
    expect((await call('/api/v1/labels')).body.data).toEqual(['__name__', 'dotted.name', 'instance', 'job']);
    expect((await call('/api/v1/labels', { 'match[]': 'cpu' })).body.data).toEqual(['__name__', 'dotted.name', 'job']);
    expect((await call('/api/v1/label/job/values')).body.data).toEqual(['api', 'web']);
    expect((await call('/api/v1/label/__name__/values', { 'match[]': '{job="web"}' })).body.data).toEqual(['http_requests_total']);
    expect((await call('/api/v1/label/U__dotted_2e_name/values')).body.data).toEqual(['x']);
    expect(decodeLabelName('U__a__b_2e_c')).toBe('a_b.c');
    expect((await call('/api/v1/label/nope/values')).body.data).toEqual([]);
  });

  it('formats queries and reports build information and status', async () => {
    expect((await call('/api/v1/format_query', { query: 'sum(rate(x[5m]))by(job)' })).body.data).toBe('sum by (job) (rate(x[5m]))');
    expect((await call('/api/v1/status/buildinfo')).body.data.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect((await call('/api/v1/status/config')).body.data).toEqual({ yaml: 'global: {}\n' });
    const tsdb = (await call('/api/v1/status/tsdb')).body.data;
    expect(tsdb.headStats.numSeries).toBe(4);
    expect(tsdb.seriesCountByMetricName[0]).toEqual({ name: 'http_requests_total', value: 2 });
    expect((await call('/api/v1/targets')).body.data.activeTargets).toEqual([]);
    expect((await call('/api/v1/rules')).body.data).toEqual({ groups: [] });
    expect((await call('/api/v1/alerts')).body.data).toEqual({ alerts: [] });
    expect((await call('/api/v1/metadata')).body.data).toEqual({});
  });

  it('serves metric metadata from a provider, with metric= and limit=', async () => {
    const meta = {
      b_total: [{ type: 'counter', help: 'B.', unit: '' }],
      a_seconds: [{ type: 'histogram', help: 'A.', unit: 'seconds' }],
    };
    const h = createApiHandler({ db, engine: createEngine(db), info: { version: 'test', startTime: new Date(T0), flags: {}, configYaml: () => '', metadata: () => meta } });
    const get = async (q: string) => ((await (await h(new Request(`http://localhost/api/v1/metadata${q}`))).json()) as { data: unknown }).data;
    expect(await get('')).toEqual(meta);
    expect(Object.keys(await get('') as object)).toEqual(['a_seconds', 'b_total']);
    expect(await get('?metric=b_total')).toEqual({ b_total: meta.b_total });
    expect(await get('?limit=1')).toEqual({ a_seconds: meta.a_seconds });
  });

  it('answers health checks and 404s unknown endpoints', async () => {
    expect((await call('/-/healthy')).status).toBe(200);
    expect((await call('/-/ready')).status).toBe(200);
    expect(await call('/api/v1/nope')).toEqual({ status: 404, body: { status: 'error', errorType: 'not_found', error: 'unknown API endpoint /api/v1/nope' } });
  });
});

describe('federation', () => {
  it('writes the newest sample of each matched series with its timestamp and the external labels, leaving out stale series', async () => {
    const h = createApiHandler({
      db, engine: createEngine(db), now: () => T0 + 40 * 15_000, externalLabels: () => ({ dc: 'eu', job: 'not-this' }),
      info: { version: 'test', startTime: new Date(T0), flags: {}, configYaml: () => '' },
    });
    const res = await h(new Request(`http://localhost/federate?match[]=${encodeURIComponent('{job="api"}')}`));
    // As Prometheus: external labels (and an empty instance) follow a series' own labels where it lacks them.
    expect(await res.text()).toBe([
      '# TYPE cpu untyped',
      `cpu{"dotted.name"="x",job="api",dc="eu",instance=""} 0.5 ${T0 + 600_000}`,
      '# TYPE http_requests_total untyped',
      `http_requests_total{instance="a",job="api",dc="eu"} 400 ${T0 + 600_000}`,
      '',
    ].join('\n'));
    // "gone" ends with a staleness marker: left out although an older sample is within the lookback.
    const early = createApiHandler({ db, engine: createEngine(db), now: () => T0 + 60_000, info: { version: 'test', startTime: new Date(T0), flags: {}, configYaml: () => '' } });
    const gone = await early(new Request(`http://localhost/federate?match[]=gone`));
    expect(await gone.text()).toBe('');
    const cpu = await early(new Request(`http://localhost/federate?match[]=cpu`));
    expect(await cpu.text()).toContain(`cpu{"dotted.name"="x",job="api",instance=""} 0.5 ${T0 + 60_000}`);
  });

  it('writes floats as Go does in the text format', () => {
    expect(goFormatG(1234567)).toBe('1.234567e+06');
    expect(goFormatG(123456)).toBe('123456');
    expect(goFormatG(0.0001)).toBe('0.0001');
    expect(goFormatG(0.00001)).toBe('1e-05');
    expect(goFormatG(NaN)).toBe('NaN');
    expect(goFormatG(-Infinity)).toBe('-Inf');
  });
});

describe('parse_query', () => {
  it('returns the syntax tree in the shape of Prometheus 3', async () => {
    const r = await call('/api/v1/parse_query', { query: 'sum by (job) (rate(x{a="b"}[5m] offset 1m)) / on(job) group_left y' });
    expect(r.body.data).toEqual({
      type: 'binaryExpr', op: '/', bool: false,
      matching: { card: 'many-to-one', labels: ['job'], on: true, include: [], fillValues: { lhs: null, rhs: null } },
      lhs: {
        type: 'aggregation', op: 'sum', grouping: ['job'], without: false, param: null,
        expr: {
          type: 'call', func: { name: 'rate', argTypes: ['matrix'], variadic: 0, returnType: 'vector' },
          args: [{
            type: 'matrixSelector', name: 'x', range: 300000, offset: 60000, timestamp: null, startOrEnd: null, anchored: false, smoothed: false,
            matchers: [{ name: 'a', value: 'b', type: '=' }, { name: '__name__', value: 'x', type: '=' }],
          }],
        },
      },
      rhs: { type: 'vectorSelector', name: 'y', offset: 0, timestamp: null, startOrEnd: null, anchored: false, smoothed: false, matchers: [{ name: '__name__', value: 'y', type: '=' }] },
    });
    expect((await call('/api/v1/parse_query', { query: '1 +' })).status).toBe(400);
  });
});
