// Out-of-order samples (storage.tsdb.out_of_order_time_window): taken within
// the window, refused outside it with Prometheus's errors, queryable at once
// merged with in-order data, replayed after a crash and cut into blocks.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDB } from '../../src/index.js';
import { STALE_NAN, isStaleNaN } from '../../src/model/stale.js';
import { openDiskDB } from '../../src/node/disk-db.js';
import { crash, readMetric } from '../support/disk.js';

const M = { __name__: 'm', job: 'j' };

describe('out-of-order samples', () => {
  it('are refused as "out of order sample" while the window is 0 (the default)', async () => {
    const db = await openDB();
    const app = db.appender();
    app.append(M, 10_000, 1);
    await app.commit();
    const late = db.appender();
    expect(() => late.append(M, 5_000, 2)).toThrow(/^out of order sample: /);
    expect(db.stats().outOfOrderSamples).toBe(1);
  });

  it('within the window are accepted, queryable at once and merged in time order with in-order samples', async () => {
    const db = await openDB({ outOfOrderTimeWindow: '15m' });
    const app = db.appender();
    for (let t = 0; t <= 600_000; t += 60_000) app.append(M, t + 1_000_000, t);
    await app.commit();
    // Older samples between and before the stored ones, in one batch with a newer one, in any order.
    const late = db.appender();
    late.append(M, 1_000_000 + 90_000, -1);
    late.append(M, 1_000_000 + 700_000, 700_000);
    late.append(M, 1_000_000 + 30_000, -2);
    late.append(M, 1_000_000 - 1_000, STALE_NAN);
    await late.commit();
    const [s] = readMetric(db, 'm');
    const want = [999_000, 1_000_000, 1_030_000, 1_060_000, 1_090_000, ...Array.from({ length: 9 }, (_, i) => 1_120_000 + i * 60_000), 1_700_000];
    expect(s!.ts).toEqual(want);
    expect(s!.vs[2]).toBe(-2);
    expect(s!.vs[4]).toBe(-1);
    expect(isStaleNaN(s!.vs[0]!)).toBe(true);
    expect(db.stats().outOfOrderAppendedSamples).toBe(3);
    expect(db.stats().headSamples).toBe(15);
    // Reductions over the merged chunks see the new samples too.
    const q = db.querier(-Infinity, Infinity);
    const [series] = q.select([]);
    expect(series!.reduce(1_000_000, 1_100_000).count).toBe(4);
    q.close();
  });

  it('older than the window are refused as "too old sample"; an equal timestamp is a duplicate unless the value is the same', async () => {
    const db = await openDB({ outOfOrderTimeWindow: 60_000 });
    const app = db.appender();
    app.append(M, 100_000, 1);
    app.append(M, 200_000, 2);
    await app.commit();
    const late = db.appender();
    expect(() => late.append(M, 139_999, 3)).toThrow(/^too old sample: /);
    late.append(M, 140_000, 3);
    late.append(M, 140_000, 3);
    expect(() => late.append(M, 140_000, 4)).toThrow(/^duplicate sample for timestamp: /);
    expect(() => late.append(M, 150_000, 5)).not.toThrow();
    await late.commit();
    const again = db.appender();
    again.append(M, 150_000, 5);
    expect(() => again.append(M, 150_000, 6)).toThrow(/^duplicate sample for timestamp: /);
    await again.commit();
    expect(readMetric(db, 'm')[0]!.ts).toEqual([100_000, 140_000, 150_000, 200_000]);
    expect(db.stats()).toMatchObject({ tooOldSamples: 1, outOfOrderSamples: 0, outOfOrderAppendedSamples: 2, duplicateSamples: 2 });
  });

  it('a changed window applies to the next appends', async () => {
    const db = await openDB({ outOfOrderTimeWindow: '1h' });
    const app = db.appender();
    app.append(M, 3_600_000, 1);
    await app.commit();
    db.setOutOfOrderTimeWindow(0);
    expect(() => db.appender().append(M, 3_000_000, 1)).toThrow(/^out of order sample/);
    db.setOutOfOrderTimeWindow('30m');
    const late = db.appender();
    late.append(M, 3_000_000, 2);
    await late.commit();
    expect(readMetric(db, 'm')[0]!.ts).toEqual([3_000_000, 3_600_000]);
    expect(() => db.setOutOfOrderTimeWindow('-1m')).toThrow(/out_of_order_time_window/);
  });

  it('keep start timestamps in time order', async () => {
    const db = await openDB({ outOfOrderTimeWindow: '1h' });
    const app = db.appender();
    app.append(M, 100_000, 1, 50_000);
    app.append(M, 300_000, 3, 50_000);
    await app.commit();
    const late = db.appender();
    late.append(M, 200_000, 2, 60_000);
    await late.commit();
    expect(readMetric(db, 'm')[0]!.sts).toEqual([50_000, 60_000, 50_000]);
  });

  it('survive a crash: the log replays them after the newer samples', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'promlet-ooo-'));
    const a = await openDiskDB(dir, { outOfOrderTimeWindow: '10m' });
    const app = a.db.appender();
    for (let t = 1; t <= 10; t++) app.append(M, t * 60_000, t);
    await app.commit();
    const late = a.db.appender();
    late.append(M, 90_000, 1.5);
    late.append(M, 11 * 60_000, 11);
    late.append(M, 150_000, 2.5);
    await late.commit();
    const before = readMetric(a.db, 'm');
    await crash(a);
    // Restarted with the window closed: what the log holds was accepted once and is replayed.
    const b = await openDiskDB(dir);
    expect(b.replay.skipped).toBe(0);
    expect(readMetric(b.db, 'm')).toEqual(before);
    expect(before[0]!.ts.length).toBe(13);
    // And after a checkpoint (the merged chunks persisted) and a clean restart.
    await b.close();
    const c = await openDiskDB(dir);
    expect(readMetric(c.db, 'm')).toEqual(before);
    await c.close();
  });

  it('land in the block cut from the head', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'promlet-ooo-'));
    const h = 3_600_000;
    const d = await openDiskDB(dir, { outOfOrderTimeWindow: '2h', blockRange: 2 * h });
    const app = d.db.appender();
    for (let t = 0; t < 2 * h; t += 60_000) app.append(M, t + 60_000, t);
    await app.commit();
    const late = d.db.appender();
    late.append(M, 90_000, -1);
    await late.commit();
    // Past 1.5 ranges, [0, 2h) is cut into a block (after the commit), the out-of-order sample with it.
    const more = d.db.appender();
    more.append(M, 4 * h, 1);
    await more.commit();
    await d.maintenance();
    const st = d.db.stats();
    expect(st.blocks.length).toBe(1);
    // 119 in-order samples in [0, 2h) and the out-of-order one.
    expect(st.blocks[0]!.samples).toBe(120);
    const [s] = readMetric(d.db, 'm');
    expect(s!.ts.slice(0, 3)).toEqual([60_000, 90_000, 120_000]);
    expect(s!.vs[1]).toBe(-1);
    await d.close();
  });

  it('rewrite only the chunks from the first late sample on, exactly, across checkpoints and restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'promlet-ooo-'));
    const a = await openDiskDB(dir, { outOfOrderTimeWindow: '1d', checkpointInterval: 0 });
    const want = new Map<number, number>();
    const app = a.db.appender();
    // Several closed chunks (50 minutes, no block cut), persisted by the checkpoint below.
    for (let i = 0; i < 3000; i++) {
      app.append(M, i * 1000, Math.sin(i) * 1000);
      want.set(i * 1000, Math.sin(i) * 1000);
    }
    await app.commit();
    a.checkpoint();
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 20; round++) {
      const late = a.db.appender();
      for (let k = 0; k < 5; k++) {
        const t = Math.floor(rand() * 2999) * 1000 + 1 + Math.floor(rand() * 998);
        if (want.has(t)) continue;
        late.append(M, t, -round);
        want.set(t, -round);
      }
      await late.commit();
      if (round === 10) a.checkpoint();
    }
    const sorted = [...want.keys()].sort((x, y) => x - y);
    const expectExact = (db: typeof a.db) => {
      const [s] = readMetric(db, 'm');
      expect(s!.ts).toEqual(sorted);
      expect(s!.vs).toEqual(sorted.map((t) => want.get(t)));
      expect(db.stats().headSamples).toBe(sorted.length);
    };
    expectExact(a.db);
    // Chunk bookkeeping stays true: as many chunks as a series written in order would about need.
    expect(a.db.stats().chunks).toBeLessThan(sorted.length / 20);
    await crash(a);
    const b = await openDiskDB(dir, { checkpointInterval: 0 });
    expectExact(b.db);
    await b.close();
    const c = await openDiskDB(dir, { checkpointInterval: 0 });
    expectExact(c.db);
    await c.close();
  });
});
