import { beforeAll, describe, expect, it } from 'vitest';
import { openDB, type DB } from '../../src/storage/db.js';
import { Matcher } from '../../src/model/matcher.js';
import { labelsFrom } from '../../src/model/labels.js';
import { remoteQuery, type RemoteReadSet } from '../../src/remote/fanout.js';
import { createFanoutEngine } from '../../src/node/remote-read-engine.js';
import { RemoteReadClient } from '../../src/remote/read-client.js';
import { remoteReadConfigs } from '../../src/remote/read-config.js';
import { createRemoteReadHandler } from '../../src/remote/read-handler.js';
import { ArraySeries } from '../../src/remote/array-series.js';
import { R_SIZE } from '../../src/storage/interfaces.js';

const STALE = new Float64Array(new BigUint64Array([0x7ff0000000000002n]).buffer)[0]!;
const eq = (n: string, v: string) => new Matcher('=', n, v);

function client(cfg: Record<string, unknown>, db?: DB, ext: Record<string, string> = {}): RemoteReadClient {
  const handler = db ? createRemoteReadHandler(db, { externalLabels: () => ext }) : null;
  return new RemoteReadClient(remoteReadConfigs({ remote_read: [{ url: 'http://remote/api/v1/read', ...cfg }] })[0]!, async (url, init) => {
    if (!handler) throw new Error('connect ECONNREFUSED');
    return handler(new Request(url, init));
  });
}

describe('which remote queries a selector makes', () => {
  const q = { matchers: [eq('__name__', 'up'), eq('job', 'api')], start: 1000, end: 9000 };
  it('needs every required matcher as an equality matcher of the selector', () => {
    expect(remoteQuery(client({ required_matchers: { job: 'api' } }), q, {}, Infinity)).not.toBeNull();
    expect(remoteQuery(client({ required_matchers: { job: 'api', env: 'prod' } }), q, {}, Infinity)).toBeNull();
    expect(remoteQuery(client({ required_matchers: { job: 'api' } }), { ...q, matchers: [new Matcher('=~', 'job', 'api')] }, {}, Infinity)).toBeNull();
  });
  it('asks only for what is older than the local start time unless read_recent', () => {
    expect(remoteQuery(client({}), q, {}, 5000)!.query.end).toBe(5000);
    expect(remoteQuery(client({}), q, {}, 500)).toBeNull();
    expect(remoteQuery(client({ read_recent: true }), q, {}, 500)!.query.end).toBe(9000);
  });
  it('adds external labels as matchers and strips them from results, unless filter_external_labels is false', () => {
    const r = remoteQuery(client({}), q, { job: 'other', dc: 'eu' }, Infinity)!;
    expect(r.query.matchers.map(String)).toEqual(['__name__="up"', 'job="api"', 'dc="eu"']);
    expect(r.strip).toEqual(['dc']);
    expect(remoteQuery(client({ filter_external_labels: false }), q, { dc: 'eu' }, Infinity)!.query.matchers.length).toBe(2);
  });
});

describe('series read from arrays', () => {
  it('reduce as the head does in WebAssembly', async () => {
    const db = await openDB();
    const app = db.appender();
    const ts = new Float64Array(400), vs = new Float64Array(400);
    let seed = 3;
    for (let i = 0; i < 400; i++) {
      ts[i] = i * 1000 + (i % 3) * 100;
      seed = (seed * 48271) % 2147483647;
      vs[i] = i % 50 === 7 ? STALE : i % 41 === 0 ? NaN : (seed % 1000) / 7 - (i % 13 === 0 ? 500 : 0);
      app.append({ __name__: 'x' }, ts[i]!, vs[i]!);
    }
    await app.commit();
    const q = db.querier(-Infinity, Infinity);
    const head = q.select([eq('__name__', 'x')])[0]!;
    const arr = new ArraySeries(labelsFrom({ __name__: 'x' }), ts, vs);
    const bits = (a: Float64Array) => [...new BigUint64Array(a.slice().buffer)];
    expect(arr.reduce(5000, 250_000)).toEqual(head.reduce(5000, 250_000));
    expect(bits(arr.reduceWindows(-30_000, 10_000, 7000, 60))).toEqual(bits(head.reduceWindows(-30_000, 10_000, 7000, 60)));
    expect(arr.reduceWindows(0, 1, 1, 3).length).toBe(3 * R_SIZE);
    expect(bits(arr.samples(1000, 9000).values)).toEqual(bits(head.samples(1000, 9000).values));
    expect([...arr.samples(0, 400_000, { skipStale: true }).timestamps]).toEqual([...head.samples(0, 400_000, { skipStale: true }).timestamps]);
    q.close();
  });
});

describe('the fanout engine', () => {
  let local: DB, remote: DB;
  beforeAll(async () => {
    local = await openDB();
    remote = await openDB();
    const a = local.appender(), b = remote.appender();
    for (let t = 0; t <= 600_000; t += 15_000) {
      if (t >= 300_000) a.append({ __name__: 'both', job: 'x' }, t, 1); // local holds the later half, overlapping the remote at 300 s
      if (t <= 300_000) b.append({ __name__: 'both', job: 'x' }, t, t === 300_000 ? 99 : 2);
      b.append({ __name__: 'remote_only', job: 'y' }, t, t / 1000);
    }
    await a.commit();
    await b.commit();
  });

  const engine = (set: RemoteReadSet, localStart = Infinity) => createFanoutEngine(local, () => set, () => localStart);

  it('merges remote series by labels, keeping the local sample where both have one', async () => {
    const e = engine({ clients: [client({}, remote, { dc: 'eu' })], externalLabels: { dc: 'eu' } });
    const r = await e.rangeQuery('both', 0, 600_000, 60_000);
    expect(r.resultType).toBe('matrix');
    const vals = (r.result as { values: [number, string][] }[])[0]!.values.map(([, v]) => v);
    expect(vals).toEqual(['2', '2', '2', '2', '2', '1', '1', '1', '1', '1', '1']);
    const only = await e.instantQuery('remote_only', 600_000);
    // The external label the remote added is stripped again (filter_external_labels).
    expect(only.result).toEqual([{ metric: { __name__: 'remote_only', job: 'y' }, value: [600, '600'] }]);
    expect(only.warnings).toEqual([]);
  });

  it('reads locally only, with a warning, when a remote fails', async () => {
    const e = engine({ clients: [client({ name: 'down' })], externalLabels: {} });
    const r = await e.instantQuery('both', 600_000);
    expect(r.result).toEqual([{ metric: { __name__: 'both', job: 'x' }, value: [600, '1'] }]);
    expect(r.warnings).toEqual(['remote_read: remote_read down: error sending request: connect ECONNREFUSED']);
  });

  it('reports a bad query as the local engine does', async () => {
    const e = engine({ clients: [client({}, remote)], externalLabels: {} });
    await expect(e.instantQuery('sum(', 0)).rejects.toThrow(/1:5: parse error: unclosed left paren/);
  });
});
