// The off-thread engine with remote_read endpoints answers as the fan-out
// engine that evaluates on the calling thread (src/node/remote-read-engine.ts):
// the same merged series, the same warnings; and an abort or the query's
// timeout ends the remote fetch itself.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDB, QueryCanceledError, QueryTimeoutError, type DB } from '../../src/index.js';
import { createOffThreadEngine } from '../../src/node/offthread-engine.js';
import { createFanoutEngine } from '../../src/node/remote-read-engine.js';
import type { RemoteReadSet } from '../../src/remote/fanout.js';
import { RemoteReadClient } from '../../src/remote/read-client.js';
import { remoteReadConfigs } from '../../src/remote/read-config.js';
import { createRemoteReadHandler } from '../../src/remote/read-handler.js';

let local: DB, remote: DB;

function client(cfg: Record<string, unknown>, answer: (req: Request) => Promise<Response>): RemoteReadClient {
  return new RemoteReadClient(remoteReadConfigs({ remote_read: [{ url: 'http://remote/api/v1/read', ...cfg }] })[0]!, (url, init) => answer(new Request(url, init)));
}

beforeAll(async () => {
  local = await openDB();
  remote = await openDB();
  const a = local.appender(), b = remote.appender();
  for (let t = 0; t <= 3600_000; t += 15_000) {
    // Local holds the later half of `both`, overlapping the remote at 30 min. (The remote's
    // external label dc="eu" is added by its read handler and stripped again by the client.)
    if (t >= 1800_000) a.append({ __name__: 'both', job: 'x', instance: 'a' }, t, t / 1000);
    if (t <= 1800_000) b.append({ __name__: 'both', job: 'x', instance: 'a' }, t, t === 1800_000 ? -1 : t / 2000);
    b.append({ __name__: 'both', job: 'x', instance: 'b' }, t, 5);
    b.append({ __name__: 'remote_only', job: 'y' }, t, Math.sin(t / 60_000));
    a.append({ __name__: 'local_only', job: 'z' }, t, t % 7);
  }
  await a.commit();
  await b.commit();
});

const handler = () => createRemoteReadHandler(remote, { externalLabels: () => ({ dc: 'eu' }) });
const QUERIES = [
  'both',
  'sum by (instance) (rate(both[5m]))',
  'max_over_time(remote_only[10m:1m])',
  'local_only + on() group_left remote_only',
  'count({job=~"x|y"})',
  'remote_only offset 20m',
];

describe('the off-thread engine reading remotes', () => {
  // Made per request: the remote database is opened in beforeAll.
  const h = (req: Request) => handler()(req);
  const set: RemoteReadSet = {
    clients: [client({}, async (req) => h(req)), client({ name: 'down' }, async () => { throw new Error('connect ECONNREFUSED'); })],
    externalLabels: { dc: 'eu' },
  };
  let off: ReturnType<typeof createOffThreadEngine>, onThread: ReturnType<typeof createFanoutEngine>;
  beforeAll(() => {
    off = createOffThreadEngine(local, {}, { workers: 1, remote: { set: () => set, localStartTime: () => Infinity } });
    onThread = createFanoutEngine(local, () => set, () => Infinity);
  });
  afterAll(() => off?.close());
  const strip = (r: { stats?: unknown }) => ({ ...r, stats: undefined });

  for (const q of QUERIES) {
    it(`answers as the fan-out engine: ${q}`, async () => {
      const inst = await off.instantQuery(q, 2400_000);
      expect(strip(inst)).toEqual(strip(await onThread.instantQuery(q, 2400_000)));
      expect(inst.result).not.toEqual([]);
      expect(inst.warnings).toEqual(['remote_read: remote_read down: error sending request: connect ECONNREFUSED']);
      expect(strip(await off.rangeQuery(q, 600_000, 3600_000, '1m'))).toEqual(strip(await onThread.rangeQuery(q, 600_000, 3600_000, '1m')));
    });
  }

  it('merges remote series in (local wins where both have a sample)', async () => {
    const r = await off.instantQuery('both{instance="a"}', 1800_000);
    expect(r.result).toEqual([{ metric: { __name__: 'both', job: 'x', instance: 'a' }, value: [1800, '1800'] }]);
    expect((await off.instantQuery('remote_only', 600_000)).result).toHaveLength(1);
  });

  const hanging = (fetched: () => void): RemoteReadSet => ({
    clients: [client({}, (req) => new Promise((_, reject) => {
      fetched();
      req.signal.addEventListener('abort', () => reject(req.signal.reason));
    }))],
    externalLabels: {},
  });

  it('ends the remote fetch when the query is aborted', async () => {
    let asked = false;
    const set = hanging(() => (asked = true));
    const e = createOffThreadEngine(local, {}, { workers: 1, remote: { set: () => set, localStartTime: () => Infinity } });
    try {
      const ac = new AbortController();
      const q = e.instantQuery('both', 2400_000, { signal: ac.signal });
      // Aborted once the remote has the request.
      for (let i = 0; i < 1000 && !asked; i++) await new Promise((r) => setTimeout(r, 5));
      ac.abort();
      await expect(q).rejects.toBeInstanceOf(QueryCanceledError);
    } finally {
      await e.close();
    }
  });

  it('counts the remote fetch toward the query timeout', async () => {
    const set = hanging(() => {});
    // The remote never answers, so only the timeout can end the first query; the second,
    // which must succeed, has the engine's roomy timeout (shared machines can be slow).
    const e = createOffThreadEngine(local, { timeout: '10m' }, { workers: 1, remote: { set: () => set, localStartTime: () => Infinity } });
    try {
      await expect(e.instantQuery('both', 2400_000, { timeout: '50ms' })).rejects.toThrow(new QueryTimeoutError('remote read'));
      // A query without selectors asks no remote.
      expect((await e.instantQuery('1 + 1', 0)).result).toEqual([0, '2']);
    } finally {
      await e.close();
    }
  });
});
