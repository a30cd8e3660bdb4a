// Native histograms through blocks: cut from the head, read back merged with
// the head, compacted, tombstoned; answers equal the head alone's.

import { describe, expect, it } from 'vitest';
import { openDB, type DB } from '../../src/storage/db.js';
import { Matcher } from '../../src/model/matcher.js';
import { BlockWriter } from '../../src/storage/block-writer.js';
import { Block } from '../../src/storage/block.js';
import { MemoryBlockFiles } from '../../src/storage/block-memory.js';
import { newULID } from '../../src/storage/block-format.js';
import { mergeBlocks } from '../../src/storage/compact.js';
import { CounterResetHint, type FloatHistogram } from '../../src/model/histogram.js';
import { STALE_NAN } from '../../src/model/stale.js';
import { floatHistogram, latencySeries, randomHistogram, rng } from '../fixtures/histograms.js';

const H = 3600_000;
const T0 = 10 * H;
const STEP = 60_000;
const N = (7 * H) / STEP;

async function fill(db: DB): Promise<void> {
  const lat = latencySeries(N, 5);
  const r = rng(11);
  const nhcb = Array.from({ length: N }, () => randomHistogram(r, true, true));
  for (let i = 0; i < N; i++) {
    const t = T0 + i * STEP;
    const app = db.appender();
    app.appendHistogram!({ __name__: 'lat', job: 'a' }, t, lat[i]!);
    app.appendHistogram!({ __name__: 'gauge' }, t + 7, floatHistogram(1 + (i % 17)));
    app.appendHistogram!({ __name__: 'nhcb' }, t, { ...nhcb[i]!, counterResetHint: CounterResetHint.Unknown });
    // A series that switches between floats and histograms every 50 minutes, with a staleness marker between.
    if (Math.floor(i / 50) % 2 === 0) app.append({ __name__: 'mixed' }, t, i % 50 === 49 ? STALE_NAN : i);
    else app.appendHistogram!({ __name__: 'mixed' }, t, lat[i]!);
    app.append({ __name__: 'plain' }, t, i);
    await app.commit();
  }
}

function cut(db: DB, mint: number, maxt: number): Block {
  const files = new MemoryBlockFiles('mem');
  const w = new BlockWriter(db.encoding, files, 5_000, 2_000);
  db.writeHeadBlock(mint, maxt, w);
  const { index, meta } = w.finish(newULID(), mint, maxt);
  files.index = index;
  return new Block(meta, files, db.cache);
}

function compact(db: DB, blocks: Block[], mint: number, maxt: number): Block {
  const files = new MemoryBlockFiles('mem');
  const w = new BlockWriter(db.encoding, files);
  mergeBlocks(blocks, w, mint, maxt);
  const { index, meta } = w.finish(newULID(), mint, maxt);
  files.index = index;
  return new Block(meta, files, db.cache);
}

function everything(db: DB, mint: number, maxt: number) {
  const q = db.querier(mint, maxt);
  try {
    // Series with nothing in the window may or may not be selected (the head alone selects by its bounds): left out.
    return q.select([new Matcher('=~', '__name__', '.+')]).map((s) => ({
      labels: s.labels,
      samples: s.samples(mint, maxt),
      has: s.hasHistograms!(mint, maxt),
    })).filter((s) => s.samples.timestamps.length > 0 || s.samples.histograms);
  } finally {
    q.close();
  }
}

const windows: [number, number][] = [[T0, T0 + 7 * H], [T0 + 2 * H - 1, T0 + 2 * H + 1], [T0 + H, T0 + 5 * H], [T0 + 3 * H + 7, T0 + 3 * H + 7]];

function expectSame(got: DB, want: DB) {
  for (const [lo, hi] of windows) {
    const g = everything(got, lo, hi), w = everything(want, lo, hi);
    expect(g.map((s) => s.labels.map((l) => l.value).join()), `${lo} ${hi}`).toEqual(w.map((s) => s.labels.map((l) => l.value).join()));
    for (let i = 0; i < w.length; i++) {
      expect(g[i]!.has, `${lo} ${hi} ${i}`).toBe(w[i]!.has);
      expect(g[i]!.samples, `${lo} ${hi} ${i}`).toEqual(w[i]!.samples);
    }
  }
}

describe('native histograms in blocks', () => {
  it('answers from blocks plus head exactly as from the head alone, hints included, and after compaction', async () => {
    const ref = await openDB();
    const db = await openDB({ cacheSize: 64 * 1024 });
    await fill(ref);
    await fill(db);
    const blocks = [cut(db, T0, T0 + 2 * H), cut(db, T0 + 2 * H, T0 + 4 * H)];
    db.setBlocks(blocks);
    db.setHeadMinValidTime(T0 + 4 * H);
    db.truncateHead(T0 + 4 * H);
    expect(db.stats().headSamples).toBeLessThan(ref.stats().samples);
    expect(db.stats().samples).toBe(ref.stats().samples);
    expectSame(db, ref);
    // A histogram the blocks cover is out of bounds; a newer one is taken.
    const app = db.appender();
    expect(() => app.appendHistogram!({ __name__: 'lat', job: 'a' }, T0 + H, latencySeries(1)[0]!)).toThrow(/out of bounds/);
    app.rollback();

    const merged = compact(db, blocks, T0, T0 + 4 * H);
    expect(merged.meta.stats.numSamples).toBe(blocks.reduce((n, b) => n + b.meta.stats.numSamples, 0));
    db.setBlocks([merged]);
    expectSame(db, ref);
    await db.close();
    await ref.close();
  });

  it('deletes histograms in blocks (tombstones, then compaction) and in the head', async () => {
    const ref = await openDB();
    const db = await openDB();
    await fill(ref);
    await fill(db);
    db.setBlocks([cut(db, T0, T0 + 2 * H)]);
    db.setHeadMinValidTime(T0 + 2 * H);
    db.truncateHead(T0 + 2 * H);
    const del = [new Matcher('=~', '__name__', 'lat|mixed')];
    const [lo, hi] = [T0 + H, T0 + 3 * H];
    expect(db.deleteSeries(del, lo, hi)).toBe(ref.deleteSeries(del, lo, hi));
    expectSame(db, ref);
    const gone = everything(db, lo, hi).find((s) => s.labels.some((l) => l.value === 'lat'));
    expect(gone).toBeUndefined();
    db.setBlocks([compact(db, db.blockList() as Block[], T0, T0 + 2 * H)]);
    expectSame(db, ref);
    await db.close();
    await ref.close();
  });

  it('keeps a series that switches between floats and histograms apart, with hints where chunks start', async () => {
    const db = await openDB();
    await fill(db);
    const q = db.querier(T0, T0 + 7 * H);
    const [mixed] = q.select([new Matcher('=', '__name__', 'mixed')]);
    const b = mixed!.samples(T0, T0 + 7 * H);
    expect(b.timestamps.length + b.histograms!.timestamps.length).toBe(N);
    const hs = b.histograms!.histograms as FloatHistogram[];
    const starts = b.histograms!.timestamps.map((t, i) => (i === 0 || t - b.histograms!.timestamps[i - 1]! > STEP ? i : -1)).filter((i) => i >= 0);
    // Each run of histograms after floats starts a chunk whose reset state is unknown.
    for (const i of starts) expect(hs[i]!.counterResetHint).toBe(CounterResetHint.Unknown);
    expect(mixed!.hasHistograms!(T0, T0 + 49 * STEP)).toBe(false);
    expect(mixed!.hasHistograms!(T0, T0 + 50 * STEP)).toBe(true);
    q.close();
    await db.close();
  });
});
