// The start-up warm-up evaluates every one of its queries over data of its
// own (each answering something), in a temporary directory it removes, and
// leaves the server's own answers exactly as they were: before, during and
// after it, over the server's blocks and head. It is not counted among the
// server's queries and gives way to them.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDiskDB, type DiskDB } from '../../src/node/disk-db.js';
import { createEngine } from '../../src/promql/engine/engine.js';
import { createOffThreadEngine, type OffThreadEngine } from '../../src/node/offthread-engine.js';
import { RUNS_PER_QUERY, WARM_UP_QUERIES, WARM_UP_ROUNDS, warmUpQueryWorkers } from '../../src/node/query-warm-up.js';
import { servePromlet } from '../../src/node/serve.js';
import { STALE_NAN } from '../../src/model/stale.js';
import { wasm } from '../../src/wasm/loader.js';

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

/** Descriptors this process (its worker threads included) holds open on files under `root`. */
function fdsUnder(root: string): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(join('/proc/self/fd', fd));
      if (target.startsWith(root)) out.push(`${fd} ${target}`);
    } catch {
      // closed meanwhile
    }
  }
  return out.sort();
}

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
    // Left by a server that died while warming up: removed once old enough and its lock's owner is gone.
    const left = join(root, 'tmp', 'promlet-warm-up-left'), recent = join(root, 'tmp', 'promlet-warm-up-recent');
    for (const d of [left, recent]) {
      mkdirSync(join(d, 'wal'), { recursive: true });
      writeFileSync(join(d, 'lock'), '2147483646 1');
    }
    utimesSync(left, new Date(Date.now() - 3600_000), new Date(Date.now() - 3600_000));
    const wasmBefore = wasm.memory.buffer.byteLength;
    const r = await warmUpQueryWorkers(off, { rounds: 2 });
    // Its data was committed a few scrapes at a time: the thread's WebAssembly memory, which is never given back, grew little.
    expect(wasm.memory.buffer.byteLength - wasmBefore).toBeLessThan(32 << 20);
    expect(existsSync(left)).toBe(false);
    expect(existsSync(recent)).toBe(true);
    rmSync(recent, { recursive: true });
    // Each query cut over the workers, whole on two workers at once, at one instant, and on this thread.
    expect(r).toMatchObject({ queries: 2 * WARM_UP_QUERIES.length * RUNS_PER_QUERY, failed: 0, empty: 0 });
    expect(readdirSync(join(root, 'tmp')).filter((f) => f.startsWith('promlet-warm-up-'))).toEqual([]);
    // Neither its series nor its queries are the server's.
    expect(disk.db.stats().series).toBe(seriesBefore);
    expect(off.queriesSplit).toBe(0);
    expect(off.queriesJoined).toBe(0);
    expect(off.queriesInline).toBe(0);
  });

  it('leaves the server\'s answers over its blocks and head as they were, before, during and after it', async () => {
    await expectSameAnswers();
    // The workers keep the server's blocks open through the warm-up, which reads blocks of another directory.
    const open = fdsUnder(dir);
    expect(open.length).toBeGreaterThan(0);
    expect((await warmUpQueryWorkers(off, { rounds: 1 })).failed).toBe(0);
    expect(fdsUnder(dir)).toEqual(open);
    // And close the warm-up's once its directory is gone (they look every second).
    for (let i = 0; i < 50 && fdsUnder(join(root, 'tmp')).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(fdsUnder(join(root, 'tmp'))).toEqual([]);
    const warming = warmUpQueryWorkers(off, { rounds: 1 });
    await expectSameAnswers();
    expect((await warming).failed).toBe(0);
    await expectSameAnswers();
  });

  it('waits for the server\'s queries to end before each of its own', async () => {
    // Both workers started and idle, so the warm-up's query would not wait for a worker anyway.
    await off.rangeQuery('sum(m)', 0, 8 * H, '1h');
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
    expect(r.queries).toBeLessThan(5 * WARM_UP_QUERIES.length * RUNS_PER_QUERY);
    const closed = createOffThreadEngine(disk.db, OPTS, { workers: 1 });
    await closed.close();
    const refused = await warmUpQueryWorkers(closed, { rounds: 1, blocks: false });
    expect(refused.failed).toBe(refused.queries);
    expect(refused.firstError).toContain('closed');
  });

  it('is on for a server asked for it, and shown among its flags', async () => {
    const warmed = await servePromlet({ listen: '127.0.0.1:0', queryWarmUp: true });
    const plain = await servePromlet({ listen: '127.0.0.1:0' });
    try {
      expect(await plain.warmUp).toBeNull();
      expect(await warmed.warmUp).toMatchObject({ queries: WARM_UP_ROUNDS * WARM_UP_QUERIES.length * RUNS_PER_QUERY, failed: 0, empty: 0 });
      const flags = await (await fetch(`${warmed.url}/api/v1/status/flags`)).json() as { data: Record<string, string> };
      expect(flags.data['query.warm-up']).toBe('true');
      const r = await (await fetch(`${warmed.url}/api/v1/query?query=vector(2)`)).json() as { data: { result: { value: [number, string] }[] } };
      expect(r.data.result[0]!.value[1]).toBe('2');
    } finally {
      await plain.stop();
      await warmed.stop();
    }
  });
});
