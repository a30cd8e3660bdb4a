// Start timestamps of native histogram samples: aligned with the histograms
// on read (beside the floats' of a series that switches kind), kept for
// out-of-order samples, and back the same after log replay, a checkpoint,
// and blocks cut and compacted on disk.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidSampleError, Matcher } from '../../src/index.js';
import { openDiskDB } from '../../src/node/disk-db.js';
import { openDB, type DB } from '../../src/storage/db.js';
import { crash } from '../support/disk.js';
import { histogramAt } from '../fixtures/wal/histogram-at.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'promlet-hist-st-'));
const H = 3600_000;
/** Every seventh second has no start timestamp; the others one a varying time before theirs. */
const stOf = (t: number, s: number) => ((t / 1000) % 7 === 0 ? 0 : t - 1000 * (1 + s + ((t / 1000) % 3)));

function read(db: DB, name = 'h') {
  const q = db.querier(-Infinity, Infinity);
  try {
    return q.select([new Matcher('=', '__name__', name)]).map((s) => {
      const b = s.samples(-1e15, 1e15);
      const hb = b.histograms;
      return {
        labels: s.labels,
        ts: [...(hb?.timestamps ?? [])],
        sts: hb?.startTimestamps ? [...hb.startTimestamps] : null,
        floats: [...b.timestamps],
        floatSts: b.startTimestamps ? [...b.startTimestamps] : null,
      };
    });
  } finally {
    q.close();
  }
}

async function fill(db: DB, from: number, n: number, step = 1000, series = 2) {
  for (let k = from; k < from + n; k++) {
    const app = db.appender();
    for (let s = 0; s < series; s++) app.appendHistogram!({ __name__: 'h', s: String(s) }, k * step, histogramAt(k, s), stOf(k * step, s));
    await app.commit();
  }
}

function expectStarts(rows: ReturnType<typeof read>): void {
  for (const r of rows) {
    const s = Number(r.labels.find((l) => l.name === 's')!.value);
    expect(r.sts).not.toBeNull();
    expect(r.sts).toEqual(r.ts.map((t) => stOf(t, s)));
  }
}

describe('start timestamps of native histogram samples', () => {
  it('come back aligned with the histograms, apart from the floats\', and only where a sample has one', async () => {
    const db = await openDB();
    const app = db.appender();
    app.append({ __name__: 'm' }, 1000, 1, 500);
    app.appendHistogram!({ __name__: 'm' }, 2000, histogramAt(2, 0), 1500);
    app.appendHistogram!({ __name__: 'm' }, 3000, histogramAt(3, 0));
    app.append({ __name__: 'm' }, 4000, 2);
    app.appendHistogram!({ __name__: 'plain' }, 1000, histogramAt(1, 0));
    expect(() => app.appendHistogram!({ __name__: 'm' }, 5000, histogramAt(5, 0), 0.5)).toThrow(InvalidSampleError);
    await app.commit();
    const [m] = read(db, 'm');
    expect(m!.ts).toEqual([2000, 3000]);
    expect(m!.sts).toEqual([1500, 0]);
    expect(m!.floats).toEqual([1000, 4000]);
    expect(m!.floatSts).toEqual([500, 0]);
    const [plain] = read(db, 'plain');
    expect(plain!.sts).toBeNull();
    // A window whose samples have none says so.
    const q = db.querier(-Infinity, Infinity);
    const [s] = q.select([new Matcher('=', '__name__', 'm')]);
    expect(s!.samples(3000, 4000).histograms!.startTimestamps).toBeUndefined();
    q.close();
    await db.close();
  });

  it('are kept for out-of-order histograms and dropped with a rolled-back batch', async () => {
    const db = await openDB({ outOfOrderTimeWindow: H });
    await fill(db, 10, 5);
    const app = db.appender();
    app.appendHistogram!({ __name__: 'h', s: '0' }, 4000, histogramAt(4, 0), stOf(4000, 0));
    app.appendHistogram!({ __name__: 'h', s: '1' }, 5000, histogramAt(5, 1), stOf(5000, 1));
    await app.commit();
    const rolled = db.appender();
    rolled.appendHistogram!({ __name__: 'h', s: '0' }, 20_000, histogramAt(20, 0), 19_000);
    rolled.rollback();
    const rows = read(db);
    expect(rows.map((r) => r.ts.length)).toEqual([6, 6]);
    expectStarts(rows);
    await db.close();
  });

  it('come back after a crash (log replay, out-of-order ones included) and through a checkpoint', async () => {
    const dir = tmp();
    const a = await openDiskDB(dir, { checkpointInterval: 0, outOfOrderTimeWindow: '1h' });
    // One series holds floats (in closed chunks) before its histograms.
    const floats = a.db.appender();
    for (let t = 0; t < 5000; t += 20) floats.append({ __name__: 'h', s: '0' }, t, t);
    await floats.commit();
    await fill(a.db, 5, 300);
    const late = a.db.appender();
    late.appendHistogram!({ __name__: 'h', s: '1' }, 2000, histogramAt(2, 1), stOf(2000, 1));
    await late.commit();
    const before = read(a.db);
    expectStarts(before);
    await crash(a);

    const b = await openDiskDB(dir, { checkpointInterval: 0 });
    expect(read(b.db)).toEqual(before);
    b.checkpoint();
    await fill(b.db, 305, 20);
    const after = read(b.db);
    await crash(b);

    const c = await openDiskDB(dir, { checkpointInterval: 0 });
    expect(c.replay.samples).toBe(40);
    expect(read(c.db)).toEqual(after);
    expectStarts(after);
    await c.close();
    const d = await openDiskDB(dir, { checkpointInterval: 0 });
    expect(read(d.db)).toEqual(after);
    await d.close();
  });

  it('are kept in blocks cut and compacted on disk, and read back the same after a restart', async () => {
    const dir = tmp();
    const a = await openDiskDB(dir, { checkpointInterval: 0 });
    for (let k = 0; k < (20 * H) / 60_000; k++) {
      await fill(a.db, k, 1, 60_000);
      await a.maintenance();
    }
    const st = a.db.stats();
    expect(st.blocks.some((b) => b.level > 1)).toBe(true);
    const want = read(a.db);
    expect(want[0]!.ts).toHaveLength((20 * H) / 60_000);
    expectStarts(want);
    await a.close();
    const b = await openDiskDB(dir, { checkpointInterval: 0 });
    expect(read(b.db)).toEqual(want);
    await b.close();
  });
});
