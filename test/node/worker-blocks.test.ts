// Query workers that open the data directory's blocks themselves answer as
// the in-process engine over the same database: floats, staleness markers,
// start timestamps, native histograms, out-of-order samples in the head,
// tombstones added between queries, blocks cut and compacted between
// queries (an idle worker closing the files of deleted ones). The main
// thread reads no block for them, and what it pinned for a query (head and
// blocks) is let go when the query ends.

import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Worker } from 'node:worker_threads';
import { openDiskDB, type DiskDB } from '../../src/node/disk-db.js';
import { createEngine } from '../../src/promql/engine/engine.js';
import { createOffThreadEngine } from '../../src/node/offthread-engine.js';
import { Matcher } from '../../src/model/matcher.js';
import { STALE_NAN } from '../../src/model/stale.js';
import { latencySeries } from '../fixtures/histograms.js';

const H = 3600_000;
const OPTS = { features: ['promql-experimental-functions'] as const };
let dir: string;
let disk: DiskDB;
let off: ReturnType<typeof createOffThreadEngine>;
let capacityBefore: number;

async function fill(from: number, to: number): Promise<void> {
  const hs = latencySeries(Math.ceil((to - from) / 60_000) + 1);
  for (let t = from, i = 0; t < to; t += 60_000, i++) {
    const app = disk.db.appender();
    for (let s = 0; s < 6; s++) {
      const v = s === 0 ? t / 1000 : Math.sin(t / 7e5 + s) * 100 + ((t / 60_000) % 13);
      app.append({ __name__: 'm', s: String(s), job: s % 2 ? 'odd' : 'even' }, t, s === 2 && i % 97 === 5 ? STALE_NAN : v, s === 3 ? t - 1 : 0);
    }
    app.append({ __name__: 'c_total', s: 'x' }, t, (t / 1000) % 5000);
    app.appendHistogram!({ __name__: 'lat' }, t, hs[i]!);
    await app.commit();
    if (!disk.db.hasOpenQueriers()) await disk.maintenance();
  }
}

/** Files under `root` this process (its worker threads included) holds open although they were deleted. */
function deletedFilesOpen(root: string): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(join('/proc/self/fd', fd));
      if (target.startsWith(root) && target.endsWith(' (deleted)')) out.push(target);
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

const strip = (r: { stats?: unknown }) => ({ ...r, stats: undefined });
const bits = (r: unknown) => JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));

async function expectSameAnswers(queries: string[], at: number, from: number, to: number): Promise<void> {
  const local = createEngine(disk.db, OPTS);
  for (const q of queries) {
    expect(bits(strip(await off.instantQuery(q, at))), q).toBe(bits(strip(local.instantQuerySync(q, at))));
    expect(bits(strip(await off.rangeQuery(q, from, to, '7m'))), q).toBe(bits(strip(local.rangeQuerySync(q, from, to, '7m'))));
  }
}

const QUERIES = [
  'm',
  'sum by (job) (rate(m[5m]))',
  'avg_over_time(m[30m])',
  'max_over_time(deriv(m[10m])[40m:3m])',
  'increase(c_total[1h])',
  'histogram_quantile(0.9, rate(lat[10m]))',
  'histogram_count(lat) - histogram_count(lat offset 1h)',
  'count_over_time({__name__=~".+"}[3h])',
  'topk(2, m) + on(s) group_left m offset 2h',
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'promlet-worker-blocks-'));
  disk = await openDiskDB(dir, { checkpointInterval: 0, compaction: false, outOfOrderTimeWindow: '2h', cacheSize: 8 << 20 });
  await fill(0, 11 * H);
  // Late samples into the head's out-of-order window.
  const app = disk.db.appender();
  for (let t = 10 * H + 30_000; t < 10.5 * H; t += 60_000) app.append({ __name__: 'm', s: '1', job: 'odd' }, t, -t / 1000);
  await app.commit();
  capacityBefore = disk.db.cache.capacity;
  off = createOffThreadEngine(disk.db, OPTS, { workers: 1, blocks: { dataDir: dir, db: disk.db } });
});

afterAll(async () => {
  await off?.close();
  await disk?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('query workers reading blocks themselves', () => {
  it('answer bit for bit as the in-process engine, across blocks and the head', async () => {
    expect(disk.db.blockList().length).toBeGreaterThanOrEqual(4);
    await expectSameAnswers(QUERIES, 10.2 * H, 1.5 * H, 10.9 * H);
    await expectSameAnswers(QUERIES, 5 * H + 17_000, 0, 3 * H);
  });

  it('read no block on the main thread and release what they pinned', async () => {
    const before = disk.db.stats().cache;
    await off.rangeQuery('sum(count_over_time(m[1h]))', 1 * H, 7 * H, '1m');
    const after = disk.db.stats().cache;
    expect(after.hits + after.misses).toBe(before.hits + before.misses);
    expect(disk.db.hasOpenQueriers()).toBe(false);
    // The workers' share comes out of the database's own budget.
    expect(disk.db.cache.capacity).toBe(capacityBefore - Math.floor(capacityBefore / 2));
  });

  it('pin the head and blocks while a query runs', async () => {
    const heavy = off.instantQuery('count_over_time(rate(m[5m])[3h:50ms])', 10 * H);
    let sawPinned = false;
    for (let i = 0; i < 200 && !sawPinned; i++) {
      sawPinned = disk.db.hasOpenQueriers();
      await new Promise((r) => setTimeout(r, 5));
    }
    await heavy;
    expect(sawPinned).toBe(true);
    expect(disk.db.hasOpenQueriers()).toBe(false);
  });

  it('see tombstones added after they opened a block', async () => {
    await expectSameAnswers(['m'], 3 * H, 0, 5 * H);
    disk.db.deleteSeries([new Matcher('=', 's', '4')], 1 * H, 3.5 * H);
    await expectSameAnswers(['m', 'count_over_time(m[2h])'], 3 * H, 0, 5 * H);
  });

  it('follow blocks cut and compacted between queries', async () => {
    const blocksBefore = disk.db.blockList().map((b) => b.ulid);
    // Over the whole range: the worker opens every block.
    await expectSameAnswers(QUERIES.slice(0, 3), 10 * H, 0, 10.9 * H);
    await fill(11 * H, 14 * H);
    disk.cleanTombstones();
    await disk.maintenance();
    expect(disk.db.blockList().map((b) => b.ulid)).not.toEqual(blocksBefore);
    // The idle worker lets go of the files of blocks deleted since its last query (they hold disk space) without waiting for its next one.
    while (deletedFilesOpen(dir).length > 0) await new Promise((r) => setTimeout(r, 50));
    await expectSameAnswers(QUERIES, 13 * H, 6 * H, 13.9 * H);
  });
});

describe('query workers whose heap grew', () => {
  it('are replaced after answering, and the next query finds a working one', async () => {
    const recycling = createOffThreadEngine(disk.db, OPTS, { workers: 1, recycleHeapBytes: 1, blocks: { dataDir: dir, db: disk.db } });
    const terminated = vi.spyOn(Worker.prototype, 'terminate');
    try {
      const local = createEngine(disk.db, OPTS);
      for (let i = 0; i < 3; i++) {
        const q = QUERIES[i]!;
        expect(bits(strip(await recycling.instantQuery(q, 12 * H)))).toBe(bits(strip(local.instantQuerySync(q, 12 * H))));
      }
      // Each answer left a heap over the 1-byte threshold: the worker was ended and another started.
      expect(terminated.mock.calls.length).toBeGreaterThanOrEqual(3);
    } finally {
      terminated.mockRestore();
      await recycling.close();
    }
  });
});
