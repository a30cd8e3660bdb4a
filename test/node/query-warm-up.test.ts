// The start-up warm-up evaluates every one of its queries over data of its
// own (each answering something), in a temporary directory it removes, and
// leaves the server's own answers exactly as they were: before, during and
// after it, over the server's blocks and head. It is not counted among the
// server's queries and gives way to them.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDiskDB, type DiskDB } from '../../src/node/disk-db.js';
import { createEngine } from '../../src/promql/engine/engine.js';
import { createOffThreadEngine, type OffThreadEngine } from '../../src/node/offthread-engine.js';
import { WARM_UP_QUERIES, warmUpQueryWorkers } from '../../src/node/query-warm-up.js';
import { servePromlet } from '../../src/node/serve.js';
import { STALE_NAN } from '../../src/model/stale.js';

const H = 3600_000;
const OPTS = { features: ['promql-experimental-functions'] as const };
let root: string;
let dir: string;
let disk: DiskDB;
let off: OffThreadEngine;
const savedTmp = process.env.TMPDIR;

const strip = (r: { stats?: unknown }) => ({ ...r, stats: undefined });
const bits = (r: unknown) => JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));

const QUERIES = ['sum by (job) (rate(c_total[5m]))', 'topk(2, m)', 'avg_over_time(m[30m])', 'm / on(s) group_left c_total'];

async function expectSameAnswers(): Promise<void> {
  const local = createEngine(disk.db, OPTS);
  for (const q of QUERIES) {
    expect(bits(strip(await off.rangeQuery(q, 1 * H, 7.9 * H, '1m'))), q).toBe(bits(strip(local.rangeQuerySync(q, 1 * H, 7.9 * H, '1m'))));
    expect(bits(strip(await off.instantQuery(q, 7.5 * H))), q).toBe(bits(strip(local.instantQuerySync(q, 7.5 * H))));
  }
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'promlet-warm-up-test-'));
  dir = join(root, 'data');
  // The warm-up's directory goes under the temporary directory: a fresh one, to see it removed.
  mkdirSync(join(root, 'tmp'));
  process.env.TMPDIR = join(root, 'tmp');
  disk = await openDiskDB(dir, { checkpointInterval: 0, compaction: false, retention: '100y' });
  for (let t = 0; t < 8 * H; t += 60_000) {
    const app = disk.db.appender();
    for (let s = 0; s < 4; s++) {
      app.append({ __name__: 'm', s: String(s), job: s % 2 ? 'odd' : 'even' }, t, s === 2 && t % (97 * 60_000) === 0 ? STALE_NAN : Math.sin(t / 7e5 + s) * 100);
      app.append({ __name__: 'c_total', s: String(s), job: s % 2 ? 'odd' : 'even' }, t, (t / 1000) % (5000 + s * 700));
    }
    await app.commit();
    await disk.maintenance();
  }
  off = createOffThreadEngine(disk.db, OPTS, { workers: 2, blocks: { dataDir: dir, db: disk.db } });
});

afterAll(async () => {
  await off?.close();
  await disk?.close();
  process.env.TMPDIR = savedTmp;
  if (savedTmp === undefined) delete process.env.TMPDIR;
  rmSync(root, { recursive: true, force: true });
});

describe('the query workers\' start-up warm-up', () => {
  it('evaluates each of its queries over data of its own, leaving no directory behind', async () => {
    expect(disk.db.blockList().length).toBeGreaterThanOrEqual(2);
    const seriesBefore = disk.db.stats().series;
    const r = await warmUpQueryWorkers(off, { rounds: 2 });
    // Each query cut over the workers, whole on two workers at once, and at one instant.
    expect(r).toMatchObject({ queries: 2 * WARM_UP_QUERIES.length * 4, failed: 0, empty: 0 });
    expect(readdirSync(join(root, 'tmp')).filter((f) => f.startsWith('promlet-warm-up-'))).toEqual([]);
    // Neither its series nor its queries are the server's.
    expect(disk.db.stats().series).toBe(seriesBefore);
    expect(off.queriesSplit).toBe(0);
    expect(off.queriesJoined).toBe(0);
  });

  it('leaves the server\'s answers over its blocks and head as they were, before, during and after it', async () => {
    await expectSameAnswers();
    const warming = warmUpQueryWorkers(off, { rounds: 1 });
    await expectSameAnswers();
    expect((await warming).failed).toBe(0);
    await expectSameAnswers();
    // The workers' blocks of the server's directory stay open for it: a deletion of the warm-up's is no concern of theirs.
    expect(existsSync(dir)).toBe(true);
  });

  it('waits for the server\'s queries to end before each of its own', async () => {
    const order: string[] = [];
    const server = off.rangeQuery('count_over_time(m[1h])', 0, 8 * H, '10s').then(() => order.push('server'));
    const warm = off.warmUpQuery({ db: disk.db }, 'vector(1)', 0, 0, 0, 'whole').then(() => order.push('warm-up'));
    await Promise.all([server, warm]);
    expect(order).toEqual(['server', 'warm-up']);
  });

  it('stops early when asked, and counts a query the closing engine refused', async () => {
    const stop = new AbortController();
    const warming = warmUpQueryWorkers(off, { rounds: 5, signal: stop.signal });
    stop.abort();
    const r = await warming;
    expect(r.queries).toBeLessThan(5 * WARM_UP_QUERIES.length * 4);
    const closed = createOffThreadEngine(disk.db, OPTS, { workers: 1 });
    await closed.close();
    const refused = await warmUpQueryWorkers(closed, { rounds: 1, blocks: false });
    expect(refused.failed).toBe(refused.queries);
    expect(refused.firstError).toContain('closed');
  });

  it('is on for a server asked for it, and shown among its flags', async () => {
    const warmed = await servePromlet({ listen: '127.0.0.1:0', queryWarmUp: true });
    try {
      const flags = await (await fetch(`${warmed.url}/api/v1/status/flags`)).json() as { data: Record<string, string> };
      expect(flags.data['query.warm-up']).toBe('true');
      const r = await (await fetch(`${warmed.url}/api/v1/query?query=vector(2)`)).json() as { data: { result: { value: [number, string] }[] } };
      expect(r.data.result[0]!.value[1]).toBe('2');
    } finally {
      await warmed.stop();
    }
  });
});
