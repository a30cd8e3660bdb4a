// Blocks in a data directory: cut from the head as it passes 1.5 block
// ranges, read back on demand after restarts and crashes, merged by
// compaction, deleted whole by retention (saying so), and half-written
// ones removed at start.

import { mkdirSync, mkdtempSync, readFileSync, readdirSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDiskDB, type DiskDB } from '../../src/node/disk-db.js';
import { openDB, type DB } from '../../src/storage/db.js';
import { Matcher } from '../../src/model/matcher.js';
import { crash } from '../support/disk.js';
import { isULID } from '../../src/storage/block-format.js';
import { tsdbStatus } from '../../src/api/tsdb-status.js';

const H = 3600_000;
const tmp = () => mkdtempSync(join(tmpdir(), 'promlet-blocks-'));
const blockDirs = (dir: string) => readdirSync(dir).filter(isULID).sort();

/**
 * Appends 4 series from `from` to `to`, one commit per step. A data directory's cut and compaction run
 * after commits, in the background: each is awaited (unless a querier holds it back), as time passing
 * between a server's commits would let it finish.
 */
async function fill(dbs: (DB | DiskDB)[], from: number, to: number, step: number): Promise<void> {
  for (let t = from; t < to; t += step) {
    for (const x of dbs) {
      const db = 'maintenance' in x ? x.db : x;
      const app = db.appender();
      for (let s = 0; s < 4; s++) app.append({ __name__: 'm', s: String(s) }, t, s === 0 ? t / 1000 : Math.sin(t / 7e5 + s) * 100 + ((t / step) % 13), s === 3 ? t - 1 : 0);
      await app.commit();
      if ('maintenance' in x && !db.hasOpenQueriers()) await x.maintenance();
    }
  }
}

function answers(db: DB, mint: number, maxt: number) {
  const q = db.querier(mint, maxt);
  try {
    return q.select([new Matcher('=', '__name__', 'm')]).map((s) => {
      const b = s.samples(mint, maxt);
      return {
        labels: s.labels, ts: [...b.timestamps], vs: [...b.values], sts: b.startTimestamps ? [...b.startTimestamps] : null,
        reduce: s.reduce(mint, maxt),
        windows: [...s.reduceWindows(mint, mint + H, H / 2, Math.floor((maxt - mint - H) / (H / 2)) + 1)],
      };
    });
  } finally {
    q.close();
  }
}

describe('blocks in a data directory', () => {
  it('cuts the head into 2h blocks, answers as the head alone would, across restarts and crashes', async () => {
    const dir = tmp();
    const ref = await openDB();
    const a = await openDiskDB(dir, { checkpointInterval: 0, compaction: false });
    await fill([ref, a], 0, 11 * H, 60_000);
    const blocks = blockDirs(dir);
    // Head spans at most 1.5 ranges after each cut: [0,2h) .. [6h,8h) are blocks, the head holds 8h..11h.
    expect(blocks).toHaveLength(4);
    const metas = blocks.map((b) => JSON.parse(readFileSync(join(dir, b, 'meta.json'), 'utf8')));
    expect(metas.map((m) => [m.minTime, m.maxTime])).toEqual([[0, 2 * H], [2 * H, 4 * H], [4 * H, 6 * H], [6 * H, 8 * H]]);
    expect(metas.every((m) => m.stats.numSeries === 4 && m.stats.numSamples === 4 * 120)).toBe(true);
    const st = a.db.stats();
    expect(st.headSamples).toBe(4 * 180);
    expect(st.samples).toBe(ref.stats().samples);
    expect(st.minTime).toBe(0);
    for (const [lo, hi] of [[0, 11 * H], [2 * H - 30_000, 8 * H + 30_000], [7 * H, 10 * H]]) {
      expect(answers(a.db, lo!, hi!)).toEqual(answers(ref, lo!, hi!));
    }
    // /api/v1/status/tsdb: the head's stats and cardinalities, and the blocks.
    const status = tsdbStatus(a.db, 10);
    expect(status.headStats).toEqual({ numSeries: 4, numLabelPairs: 5, chunkCount: a.db.stats().head.chunks, minTime: 8 * H, maxTime: 11 * H - 60_000 });
    expect(status.headStats.chunkCount).toBeGreaterThanOrEqual(4);
    expect(status.seriesCountByMetricName).toEqual([{ name: 'm', value: 4 }]);
    expect(status.blocks.map((b) => [b.minTime, b.maxTime, b.numSeries, b.numSamples, b.compactionLevel])).toEqual(
      [0, 2, 4, 6].map((h) => [h * H, (h + 2) * H, 4, 480, 1]));
    expect(status.blocks.every((b) => b.numBytes > 0 && b.numChunks >= 4)).toBe(true);
    // Appending into a range a block holds is out of bounds.
    expect(() => a.db.appender().append({ __name__: 'm', s: '0' }, 7 * H, 1)).toThrow(/out of bounds/);
    await a.close();

    const b = await openDiskDB(dir, { checkpointInterval: 0, compaction: false });
    expect(b.replay.blocks).toBe(4);
    expect(answers(b.db, 0, 11 * H)).toEqual(answers(ref, 0, 11 * H));
    await fill([ref, b], 11 * H, 13 * H, 60_000);
    expect(blockDirs(dir)).toHaveLength(5);
    await crash(b);

    const c = await openDiskDB(dir, { checkpointInterval: 0, compaction: false });
    expect(answers(c.db, 0, 13 * H)).toEqual(answers(ref, 0, 13 * H));
    expect(c.replay.skipped).toBe(0);
    await c.close();
    await ref.close();
  });

  it('cuts while a querier is open, and keeps in the head what that querier selected until it closes', async () => {
    const dir = tmp();
    const ref = await openDB();
    const a = await openDiskDB(dir, { checkpointInterval: 0 });
    await fill([ref, a], 0, 3 * H, 60_000);
    const q = a.db.querier(0, 5 * H);
    const [s0] = q.select([new Matcher('=', 's', '0')]);
    await fill([ref, a], 3 * H, 5 * H, 60_000);
    // The cut does not wait for the querier: its block joins the set, and later queriers read it.
    while (a.db.blockList().length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(blockDirs(dir)).toHaveLength(1);
    expect(answers(a.db, 0, 5 * H)).toEqual(answers(ref, 0, 5 * H));
    // The head lets go of the block's range only after the querier opened before it: it still reads all it selected.
    expect(a.db.headRange().minTime).toBe(0);
    expect(s0!.samples(0, 3 * H).timestamps.length).toBe(181);
    q.close();
    await a.maintenance();
    expect(a.db.headRange().minTime).toBeGreaterThanOrEqual(2 * H);
    expect(a.db.deferredHeadWork).toEqual({ chunks: 0, actions: 0 });
    await fill([ref, a], 5 * H, 5 * H + 60_000, 60_000);
    expect(blockDirs(dir)).toHaveLength(1);
    expect(answers(a.db, 0, 6 * H)).toEqual(answers(ref, 0, 6 * H));
    await a.close();
  });

  it('cuts after the commit returns, and a sample appended into the range before it closed reaches the block', async () => {
    const dir = tmp();
    const a = await openDiskDB(dir, { checkpointInterval: 0 });
    await fill([a], 0, 3 * H, 60_000);
    // Appended while [0, 2h) is still the head's, committed only once its cut is under way.
    const late = a.db.appender();
    late.append({ __name__: 'late' }, H, 42);
    const q = a.db.querier(0, 4 * H);
    const app = a.db.appender();
    app.append({ __name__: 'm', s: '0' }, 3 * H + 60_000, 1);
    await app.commit();
    // The commit did not cut; the cut runs next and does not wait for the querier: its block joins at once,
    // and the head keeps the range until the querier opened before it closes.
    expect(a.db.blockList()).toHaveLength(0);
    while (a.db.blockList().length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(blockDirs(dir)).toHaveLength(1);
    expect(q.select([new Matcher('=', '__name__', 'm')])[0]!.samples(0, 4 * H).timestamps[0]).toBe(0);
    await late.commit();
    q.close();
    await a.maintenance();
    expect(a.db.blockList().map((b) => [b.minTime, b.maxTime])).toEqual([[0, 2 * H]]);
    // The block written before that commit was dropped for one written again with it.
    expect(blockDirs(dir)).toHaveLength(1);
    await a.close();
    const b = await openDiskDB(dir, { checkpointInterval: 0 });
    const r = b.db.querier(0, 4 * H);
    const [s] = r.select([new Matcher('=', '__name__', 'late')]);
    expect([...s!.samples(0, 4 * H).values]).toEqual([42]);
    r.close();
    await b.close();
  });

  it('compacts 2h blocks into 6h ones (×3 steps), keeping every sample', async () => {
    const dir = tmp();
    const ref = await openDB();
    const a = await openDiskDB(dir, { checkpointInterval: 0 });
    await fill([ref, a], 0, 15 * H, 120_000);
    const metas = blockDirs(dir).map((b) => JSON.parse(readFileSync(join(dir, b, 'meta.json'), 'utf8')));
    // [0,6h) and [6h,12h) are merged (level 2, three parents each); the head holds 12h..15h.
    expect(metas.map((m) => [m.minTime, m.maxTime, m.compaction.level])).toEqual([[0, 6 * H, 2], [6 * H, 12 * H, 2]]);
    expect(metas[0].compaction.parents).toHaveLength(3);
    expect(metas[0].stats.numSamples).toBe(4 * 180);
    expect(answers(a.db, 0, 15 * H)).toEqual(answers(ref, 0, 15 * H));
    await a.close();
    const b = await openDiskDB(dir, { checkpointInterval: 0 });
    expect(answers(b.db, 0, 15 * H)).toEqual(answers(ref, 0, 15 * H));
    await b.close();
  });

  it('deletes whole blocks past the retention time and says which, when and why', async () => {
    const dir = tmp();
    const logs: string[] = [];
    const a = await openDiskDB(dir, { checkpointInterval: 0, compaction: false, retention: '5h', warn: (m) => logs.push(m) });
    await fill([a], 0, 12 * H, 120_000);
    const kept = blockDirs(dir).map((b) => JSON.parse(readFileSync(join(dir, b, 'meta.json'), 'utf8')));
    // The newest sample is at 11h58m: blocks ending at or before 6h58m are gone, each as soon as it fell out.
    expect(kept.map((m) => m.minTime)).toEqual([6 * H, 8 * H]);
    expect(logs.filter((l) => l.startsWith('retention: deleting block'))).toHaveLength(3);
    expect(logs[0]).toMatch(/^retention: deleting block \w{26} \(1970-01-01T00:00:00.000Z to 1970-01-01T02:00:00.000Z, 240 samples of 4 series\): it ends before 1970-01-01T02:02:00.000Z, the newest sample \(1970-01-01T07:02:00.000Z\) minus the retention time$/);
    await a.close();
  });

  it('says what head data retention drops at start, which range and why', async () => {
    const dir = tmp();
    const T0 = Date.UTC(2026, 0, 1);
    const a = await openDiskDB(dir, { checkpointInterval: 0 });
    for (let i = 0; i < 30; i++) {
      const app = a.db.appender();
      for (let s = 0; s < 10; s++) app.append({ __name__: 'old', s: String(s) }, T0 + i * 60_000, i);
      await app.commit();
    }
    await a.close();
    // Served again with a 1h retention; the first sample of "now" (promlet's own metrics, say) moves the newest sample 10h on.
    const logs: string[] = [];
    const b = await openDiskDB(dir, { checkpointInterval: 0, retention: '1h', warn: (m) => logs.push(m) });
    expect(logs.filter((l) => l.startsWith('retention:'))).toEqual([]);
    const app = b.db.appender();
    app.append({ __name__: 'up' }, T0 + 10 * H, 1);
    await app.commit();
    expect(logs.filter((l) => l.startsWith('retention:'))).toEqual([
      'retention: dropping 300 samples of 10 series from the head (2026-01-01T00:00:00.000Z to 2026-01-01T00:29:00.000Z, 10 chunks; ' +
      '10 series left with no samples): they end before 2026-01-01T09:00:00.000Z, the newest sample (2026-01-01T10:00:00.000Z) minus the retention time',
    ]);
    const q = b.db.querier(T0, T0 + 10 * H);
    expect(q.select([new Matcher('=', '__name__', 'old')])).toEqual([]);
    q.close();
    await b.close();
  });

  it('removes a half-written block at start; a damaged one is refused with its place, at open or at its first read', async () => {
    const dir = tmp();
    const a = await openDiskDB(dir, { checkpointInterval: 0, compaction: false });
    await fill([a], 0, 4 * H, 120_000);
    await a.close();
    mkdirSync(join(dir, '01HZZZZZZZZZZZZZZZZZZZZZZZ.tmp-for-creation', 'chunks'), { recursive: true });
    const logs: string[] = [];
    const b = await openDiskDB(dir, { checkpointInterval: 0, warn: (m) => logs.push(m) });
    expect(existsSync(join(dir, '01HZZZZZZZZZZZZZZZZZZZZZZZ.tmp-for-creation'))).toBe(false);
    expect(logs.some((l) => l.includes('left by an interrupted block write'))).toBe(true);
    await b.close();
    const [first] = blockDirs(dir);
    const index = join(dir, first!, 'index');
    const good = readFileSync(index);
    // The postings offset table is read when a query first needs it, not at open: the directory opens, the read fails.
    const bytes = good.slice();
    bytes[bytes.length - 40] = bytes[bytes.length - 40]! ^ 0xff;
    writeFileSync(index, bytes);
    const c = await openDiskDB(dir, { checkpointInterval: 0, compaction: false });
    const q = c.db.querier(0, 4 * H);
    expect(() => q.select([new Matcher('=', '__name__', 'm')])).toThrow(`${index}: postings offset table checksum mismatch`);
    q.close();
    await c.close();
    // The table of contents is read at open.
    const toc = good.slice();
    toc[toc.length - 20] = toc[toc.length - 20]! ^ 0xff;
    writeFileSync(index, toc);
    await expect(openDiskDB(dir, { checkpointInterval: 0 })).rejects.toThrow(`${index}: table of contents checksum mismatch`);
  });
});

describe('deleting series that blocks hold', () => {
  it('writes tombstones that queries apply at once, survive a restart, and compaction carries out', async () => {
    const dir = tmp();
    const ref = await openDB();
    const a = await openDiskDB(dir, { checkpointInterval: 0, compaction: false });
    await fill([ref, a], 0, 9 * H, 60_000);
    expect(blockDirs(dir)).toHaveLength(3);
    const sel = [new Matcher('=', 's', '1')];
    // From 1h to 7h: two blocks and the head are touched.
    const n = a.db.deleteSeries(sel, H, 7 * H);
    expect(ref.deleteSeries(sel, H, 7 * H)).toBe(n);
    expect(n).toBe(6 * 60 + 1);
    expect(answers(a.db, 0, 9 * H)).toEqual(answers(ref, 0, 9 * H));
    const stoned = blockDirs(dir).filter((b) => existsSync(join(dir, b, 'tombstones')));
    expect(stoned).toHaveLength(3);
    await a.close();

    const b = await openDiskDB(dir, { checkpointInterval: 0, compaction: false });
    expect(answers(b.db, 0, 9 * H)).toEqual(answers(ref, 0, 9 * H));
    await b.close();

    // Compaction writes the blocks again without the deleted samples and without tombstones.
    const c = await openDiskDB(dir, { checkpointInterval: 0 });
    expect(blockDirs(dir).filter((x) => existsSync(join(dir, x, 'tombstones')))).toEqual([]);
    const metas = blockDirs(dir).map((x) => JSON.parse(readFileSync(join(dir, x, 'meta.json'), 'utf8')));
    expect(metas.reduce((k, m) => k + m.stats.numSamples, 0)).toBe(4 * 360 - (6 * 60 + 1 - 61)); // 61 of the deleted samples (6h..7h) were in the head
    expect(answers(c.db, 0, 9 * H)).toEqual(answers(ref, 0, 9 * H));
    // clean_tombstones carries a deletion out at once.
    const more = [new Matcher('=', 's', '2')];
    expect(c.db.deleteSeries(more, H, 2 * H)).toBe(ref.deleteSeries(more, H, 2 * H));
    expect(blockDirs(dir).filter((x) => existsSync(join(dir, x, 'tombstones')))).toHaveLength(1);
    c.cleanTombstones();
    expect(blockDirs(dir).filter((x) => existsSync(join(dir, x, 'tombstones')))).toEqual([]);
    expect(answers(c.db, 0, 9 * H)).toEqual(answers(ref, 0, 9 * H));
    await c.close();
  });
});
