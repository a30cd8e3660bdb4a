// A data directory's work after commits: the checkpoint that a full log
// segment calls for runs after the commit that filled it (and one taken
// meanwhile wins over it); a commit waits for the cut under way only once
// the head spans three block ranges; leftovers of a checkpoint cut short are
// removed at start.

import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDiskDB } from '../../src/node/disk-db.js';
import type { DB } from '../../src/storage/db.js';
import { crash, readMetric } from '../support/disk.js';

const H = 3600_000;
const tmp = () => mkdtempSync(join(tmpdir(), 'promlet-maint-'));
const walFiles = (dir: string) => readdirSync(join(dir, 'wal'));
const segmentsOf = (dir: string) => walFiles(dir).filter((f) => /^\d{8}$/.test(f));

async function commitAt(db: DB, t: number, series = 4): Promise<void> {
  const app = db.appender();
  for (let s = 0; s < series; s++) app.append({ __name__: 'm', s: String(s) }, t, t / 1000 + s);
  await app.commit();
}

describe('data directory maintenance', () => {
  it('checkpoints after the commit that filled a log segment, not inside it', async () => {
    const dir = tmp();
    const a = await openDiskDB(dir, { segmentSize: 4096, checkpointInterval: 0 });
    let t = 1000;
    while (segmentsOf(dir).length < 2) await commitAt(a.db, (t += 1000));
    // That commit returned with the segment cut and no checkpoint written yet.
    expect(existsSync(join(dir, 'index'))).toBe(false);
    expect(walFiles(dir).filter((f) => f.startsWith('checkpoint.'))).toEqual([]);
    await a.maintenance();
    expect(existsSync(join(dir, 'index'))).toBe(true);
    expect(walFiles(dir).filter((f) => f.startsWith('checkpoint.'))).toHaveLength(1);
    // The log the checkpoint covers is gone: only the segment after it is left.
    expect(segmentsOf(dir)).toHaveLength(1);
    const before = readMetric(a.db, 'm');
    await crash(a);
    const b = await openDiskDB(dir, { checkpointInterval: 0 });
    expect(readMetric(b.db, 'm')).toEqual(before);
    expect(b.replay.chunks).toBeGreaterThan(0);
    await b.close();
  });

  it('lets a checkpoint taken at once win over one under way in the background', async () => {
    const dir = tmp();
    const a = await openDiskDB(dir, { segmentSize: 4096, checkpointInterval: 0 });
    let t = 1000;
    while (segmentsOf(dir).length < 2) await commitAt(a.db, (t += 1000));
    // The background checkpoint has not captured the head yet; these commits come before it does.
    for (let i = 0; i < 50; i++) await commitAt(a.db, (t += 1000));
    const now = a.checkpoint();
    await a.maintenance();
    const files = walFiles(dir);
    expect(files.filter((f) => f.startsWith('checkpoint.')).length).toBe(1);
    expect(files.filter((f) => f.includes('.tmp'))).toEqual([]);
    // The background one ran after it and covers at least as much.
    expect(Number(files.find((f) => f.startsWith('checkpoint.'))!.slice('checkpoint.'.length))).toBeGreaterThanOrEqual(now.segment);
    const before = readMetric(a.db, 'm');
    await crash(a);
    const b = await openDiskDB(dir, { checkpointInterval: 0 });
    expect(readMetric(b.db, 'm')).toEqual(before);
    await b.close();
  });

  it('removes what a checkpoint cut short left behind', async () => {
    const dir = tmp();
    const a = await openDiskDB(dir, { checkpointInterval: 0 });
    await commitAt(a.db, 1000);
    await a.close();
    mkdirSync(join(dir, 'chunks'), { recursive: true });
    for (const f of ['index.tmp-checkpoint', 'chunks/00000007.tmp-checkpoint', 'wal/checkpoint.00000003.tmp-checkpoint']) writeFileSync(join(dir, f), 'half');
    const b = await openDiskDB(dir, { checkpointInterval: 0 });
    for (const d of [dir, join(dir, 'chunks'), join(dir, 'wal')]) expect(readdirSync(d).filter((f) => f.endsWith('.tmp-checkpoint'))).toEqual([]);
    expect(readMetric(b.db, 'm')[0]!.ts).toEqual([1000]);
    await b.close();
  });

  it('holds a commit back only while the head spans more than three block ranges', async () => {
    const dir = tmp();
    const a = await openDiskDB(dir, { blockRange: H, checkpointInterval: 0, retention: '0s' });
    for (let t = 0; t <= 2 * H; t += 10 * 60_000) await commitAt(a.db, t);
    // 2 h: past 1.5 ranges, so a cut starts after this commit, but nothing waits for it.
    expect(a.db.headRange()).toEqual({ minTime: 0, maxTime: 2 * H });
    await a.maintenance();
    expect(a.db.headRange().minTime).toBe(H);
    // A commit that takes the head past three ranges returns once the cut it started is done.
    expect(a.heldCommits.commits).toBe(0);
    await commitAt(a.db, 5 * H);
    expect(a.heldCommits.commits).toBe(1);
    const { minTime, maxTime } = a.db.headRange();
    expect(maxTime! - minTime!).toBeLessThanOrEqual(1.5 * H);
    expect(a.db.stats().blocks.at(-1)!.maxTime).toBe(3 * H);
    // Nothing was lost on the way: every sample is in a block or the head.
    expect(readMetric(a.db, 'm')[0]!.ts).toEqual([...Array.from({ length: 13 }, (_, i) => i * 10 * 60_000), 5 * H]);
    await a.close();
  });

  it('merges blocks without filling the query cache', async () => {
    const dir = tmp();
    const a = await openDiskDB(dir, { blockRange: H, checkpointInterval: 0, retention: '0s' });
    for (let t = 0; t <= 8 * H; t += 10 * 60_000) {
      await commitAt(a.db, t);
      await a.maintenance();
    }
    expect(Math.max(...a.db.stats().blocks.map((b) => b.level))).toBeGreaterThanOrEqual(2);
    // Merges read their parents past the cache: what queries keep there stays.
    expect(a.db.stats().cache.bytes).toBe(0);
    expect(readMetric(a.db, 'm')[0]!.ts).toHaveLength(8 * 6 + 1);
    expect(a.db.stats().cache.bytes).toBeGreaterThan(0);
    await a.close();
  });
});
