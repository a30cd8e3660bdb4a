// Deleting samples: the range is gone from queries and label lookups, what
// is left keeps its bits and start timestamps, open queriers stay usable, and
// a data directory deletes the same samples again after a crash.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Matcher, openDB } from '../../src/index.js';
import { STALE_NAN, isStaleNaN } from '../../src/model/stale.js';
import { openDiskDB } from '../../src/node/disk-db.js';
import type { DB } from '../../src/storage/db.js';
import { crash, readMetric } from '../support/disk.js';
import { decodeIndex } from '../../src/storage/persist-format.js';

async function fill(db: DB) {
  for (let i = 1; i <= 3000; i++) {
    const app = db.appender();
    app.append({ __name__: 'm', s: 'a' }, i * 1000, i % 1000 === 0 ? STALE_NAN : Math.sin(i) * 100, i === 2500 ? 2_400_000 : 0);
    app.append({ __name__: 'm', s: 'b' }, i * 1000, i);
    await app.commit();
  }
}

const eq = (name: string, value: string) => new Matcher('=', name, value);

describe('deleting samples', () => {
  it('removes a time range of matching series and keeps everything else exactly', async () => {
    const db = await openDB();
    await fill(db);
    const before = readMetric(db, 'm');
    const open = db.querier(-Infinity, Infinity);
    const held = open.select([eq('s', 'a')])[0]!;
    expect(db.deleteSeries([eq('s', 'a')], 1_000_000, 1_999_000)).toBe(1000);
    // A querier opened before stays usable (the freed chunks wait for it to close) and sees what is left.
    expect(held.samples(0, 1e9).timestamps.length).toBe(2000);
    open.close();
    const after = readMetric(db, 'm');
    const a = after.find((s) => s.labels.some((l) => l.value === 'a'))!;
    const keep = before[0]!.ts.map((t, i) => [t, i] as const).filter(([t]) => t < 1_000_000 || t > 1_999_000);
    expect(a.ts).toEqual(keep.map(([t]) => t));
    a.vs.forEach((v, k) => {
      const was = before[0]!.vs[keep[k]![1]]!;
      expect(isStaleNaN(v) ? 'stale' : v).toEqual(isStaleNaN(was) ? 'stale' : was);
    });
    expect(a.sts!.filter((x) => x !== 0)).toEqual([2_400_000]);
    expect(after[1]).toEqual(before[1]);
    expect(db.stats().samples).toBe(5000);
    // Appending goes on after the rewritten series' last sample.
    const app = db.appender();
    app.append({ __name__: 'm', s: 'a' }, 3_001_000, 1);
    await app.commit();
    // Deleting everything of a series removes it.
    expect(db.deleteSeries([eq('s', 'b')])).toBe(3000);
    const q = db.querier(-Infinity, Infinity);
    expect(q.labelValues('s')).toEqual(['a']);
    q.close();
    expect(db.deleteSeries([eq('s', 'nope')])).toBe(0);
  });

  it('a deletion between a checkpoint and its store completing makes the next checkpoint write the series again', async () => {
    const db = await openDB();
    await fill(db);
    const first = db.checkpoint(1, 0);
    // As an asynchronous store (IndexedDB) allows: the data changes before markPersisted runs.
    db.deleteSeries([eq('s', 'a')], 0, 500_000);
    first.markPersisted();
    const second = db.checkpoint(2, 0);
    // Only series a has full chunks (the others fit in their open chunk); all of them are in the new file,
    // beside every series' open chunk.
    const [a, ...others] = decodeIndex(second.index, 'index').series;
    expect(others.length).toBeGreaterThan(0);
    expect(others.every((o) => o.chunks.length === 0 && o.open?.file === 2)).toBe(true);
    expect(a!.labels.find((l) => l.name === 's')!.value).toBe('a');
    expect(a!.chunks.length).toBeGreaterThan(0);
    expect(a!.chunks.map((c) => c.file)).toEqual(a!.chunks.map(() => 2));
    expect(second.newChunks).toBe(a!.chunks.length + 1 + others.length);
  });

  it('logs the deletion, so a restart deletes the same samples; a checkpoint persists the result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'promlet-delete-'));
    const a = await openDiskDB(dir, { checkpointInterval: 0 });
    await fill(a.db);
    a.checkpoint();
    a.db.deleteSeries([eq('s', 'b')], 0, 1_500_000);
    const want = readMetric(a.db, 'm');
    await crash(a);
    const b = await openDiskDB(dir, { checkpointInterval: 0 });
    expect(readMetric(b.db, 'm')).toEqual(want);
    await b.close();
    const c = await openDiskDB(dir, { checkpointInterval: 0 });
    expect(readMetric(c.db, 'm')).toEqual(want);
    expect(c.replay.records).toBeLessThan(5);
    await c.close();
  });
});
