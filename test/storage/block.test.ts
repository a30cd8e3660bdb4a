import { describe, expect, it } from 'vitest';
import { openDB, type DB } from '../../src/storage/db.js';
import { Matcher } from '../../src/model/matcher.js';
import { BlockWriter } from '../../src/storage/block-writer.js';
import { Block } from '../../src/storage/block.js';
import { MemoryBlockFiles } from '../../src/storage/block-memory.js';
import { ByteCache } from '../../src/storage/byte-cache.js';
import { newULID, usedChunkBytes, BlockCorruptionError } from '../../src/storage/block-format.js';
import { encodeChunksWithMeta, decodeList, chunkFromBytes } from '../../src/wasm/codec.js';
import { wasm } from '../../src/wasm/loader.js';
import { ENCODING_IDS, type ChunkEncoding } from '../../src/wasm/codec.js';
import { CHUNK_LEN } from '../../src/wasm/layout.js';

const H = 3600_000;

/** Deterministic pseudo-random numbers. */
function rng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
}

async function fill(db: DB, series: number, from: number, to: number, step: number, seed = 1): Promise<void> {
  const r = rng(seed);
  for (let t = from; t < to; t += step) {
    const app = db.appender();
    for (let s = 0; s < series; s++) {
      const v = s % 3 === 0 ? Math.floor(t / 1000) : s % 3 === 1 ? r() * 100 : Math.round(r() * 10);
      app.append({ __name__: 'm', i: String(s), kind: String(s % 3) }, t + (s % 7), v, s === 4 ? t - 5 : 0);
    }
    await app.commit();
  }
}

function cut(db: DB, mint: number, maxt: number): Block {
  const files = new MemoryBlockFiles('mem');
  // Small files and flushes: references across several chunk files, each written in pieces.
  const w = new BlockWriter(db.encoding, files, 5_000, 2_000);
  db.writeHeadBlock(mint, maxt, w);
  const ulid = newULID();
  const { index, meta } = w.finish(ulid, mint, maxt);
  files.index = index;
  return new Block(meta, files, db.cache);
}

function everything(db: DB, matchers: Matcher[], mint: number, maxt: number) {
  const q = db.querier(mint, maxt);
  try {
    return q.select(matchers).map((s) => ({
      labels: s.labels,
      samples: s.samples(mint, maxt),
      reduce: s.reduce(mint, maxt),
      // Windows within the querier's range, as the engine asks.
      windows: maxt - mint >= 600_000
        ? [...s.reduceWindows(mint, mint + 600_000, 420_000, Math.floor((maxt - mint - 600_000) / 420_000) + 1)]
        : [...s.reduceWindows(mint, maxt, 1, 1)],
    }));
  } finally {
    q.close();
  }
}

describe('blocks', () => {
  for (const encoding of ['varbit', 'double-delta'] as ChunkEncoding[]) {
    it(`stores only the bytes a ${encoding} chunk's decoder reads`, () => {
      const enc = ENCODING_IDS[encoding];
      const r = rng(7);
      for (const kind of [0, 1, 2, 3]) {
        const n = 1 + Math.floor(r() * 2000);
        const ts = new Float64Array(n), vs = new Float64Array(n);
        let t = 1e12;
        for (let i = 0; i < n; i++) {
          t += kind === 3 ? 1000 + Math.floor(r() * 5e7) : 15000 + (kind === 2 ? Math.floor(r() * 30) : 0);
          ts[i] = t;
          vs[i] = kind === 0 ? 5 : kind === 1 ? i * 3 : r() * 1e6;
        }
        const chunks = encodeChunksWithMeta(enc, ts, vs);
        let at = 0;
        for (const c of chunks) {
          const used = usedChunkBytes(c.bytes, enc);
          expect(used).toBeLessThanOrEqual(CHUNK_LEN);
          const trimmed = new Uint8Array(CHUNK_LEN);
          trimmed.set(c.bytes.subarray(0, used));
          const p = chunkFromBytes(trimmed, enc);
          const d = decodeList([p], enc, -Infinity, Infinity, false);
          wasm.chunkFree(p);
          expect(d.timestamps.length).toBe(c.samples);
          expect([...d.timestamps]).toEqual([...ts.subarray(at, at + c.samples)]);
          expect([...d.values]).toEqual([...vs.subarray(at, at + c.samples)]);
          expect(d.timestamps[0]).toBe(c.minT);
          expect(d.timestamps[c.samples - 1]).toBe(c.maxT);
          at += c.samples;
        }
        expect(at).toBe(n);
      }
    });

    it(`answers from ${encoding} blocks plus head exactly as from the head alone`, async () => {
      const ref = await openDB({ encoding });
      const db = await openDB({ encoding, cacheSize: 64 * 1024 });
      const t0 = 10 * H;
      await fill(ref, 30, t0, t0 + 7 * H, 60_000);
      await fill(db, 30, t0, t0 + 7 * H, 60_000);
      const blocks = [cut(db, t0, t0 + 2 * H), cut(db, t0 + 2 * H, t0 + 4 * H)];
      expect((blocks[0]!.files as MemoryBlockFiles).chunkFiles.size).toBeGreaterThan(1);
      db.setBlocks(blocks);
      db.setHeadMinValidTime(t0 + 4 * H);
      db.truncateHead(t0 + 4 * H);
      expect(db.stats().headSamples).toBeLessThan(ref.stats().samples);
      expect(db.stats().samples).toBe(ref.stats().samples);
      expect(db.stats().blocks.map((b) => b.samples).every((n) => n > 0)).toBe(true);
      for (const m of [[new Matcher('=', '__name__', 'm')], [new Matcher('=~', 'i', '1.*'), new Matcher('!=', 'kind', '1')], [new Matcher('=', 'i', 'nope')]]) {
        for (const [lo, hi] of [[t0, t0 + 7 * H], [t0 + 2 * H - 1, t0 + 2 * H + 1], [t0 + H, t0 + 5 * H]] as const) {
          const got = everything(db, m, lo, hi), want = everything(ref, m, lo, hi);
          for (let i = 0; i < want.length; i++) {
            expect(got[i]!.labels).toEqual(want[i]!.labels);
            expect(got[i]!.samples).toEqual(want[i]!.samples);
            expect(got[i]!.reduce).toEqual(want[i]!.reduce);
            expect(got[i]!.windows, `${lo} ${hi} ${i}`).toEqual(want[i]!.windows);
          }
          expect(got.length).toBe(want.length);
        }
      }
      const q = db.querier(t0, t0 + 7 * H);
      expect(q.labelValues('kind')).toEqual(['0', '1', '2']);
      expect(q.labelNames()).toEqual(['__name__', 'i', 'kind']);
      expect(q.labelValues('i', [new Matcher('=', 'kind', '0')])).toHaveLength(10);
      q.close();
      // The small cache stayed within its budget while answering.
      expect(db.cache.bytes + db.cache.pooledBytes).toBeLessThanOrEqual(64 * 1024);
      expect(db.cache.misses).toBeGreaterThan(0);
      // Pages were read into the buffers of evicted ones, and every answer above stayed exact.
      expect(db.cache.reused).toBeGreaterThan(0);
      // Appends the blocks cover are out of bounds; newer ones are taken.
      const app = db.appender();
      expect(() => app.append({ __name__: 'm', i: '0', kind: '0' }, t0 + H, 1)).toThrow(/out of bounds/);
      await db.close();
      await ref.close();
    });
  }

  it('merges a block that overlaps the head or another block, newest source winning', async () => {
    const a = await openDB();
    await fill(a, 3, 0, 2 * H, 60_000, 1);
    const b1 = cut(a, 0, 2 * H);
    const b = await openDB();
    await fill(b, 3, H, 3 * H, 30_000, 2);
    const both = await openDB();
    both.setBlocks([b1]);
    // Data overlapping the block arrives in another block over the same range.
    const b2 = cut(b, 0, 2 * H);
    both.setBlocks([b1, b2]);
    const q = both.querier(0, 3 * H);
    const [s] = q.select([new Matcher('=', 'i', '1')]);
    const got = s!.samples(0, 3 * H);
    const qa = a.querier(0, 2 * H), qb = b.querier(0, 2 * H);
    const fromA = qa.select([new Matcher('=', 'i', '1')])[0]!.samples(0, 2 * H);
    const fromB = qb.select([new Matcher('=', 'i', '1')])[0]!.samples(0, 2 * H);
    const want = new Map<number, number>();
    fromA.timestamps.forEach((t, i) => want.set(t, fromA.values[i]!));
    fromB.timestamps.forEach((t, i) => want.set(t, fromB.values[i]!));
    const sorted = [...want.entries()].sort((x, y) => x[0] - y[0]);
    expect([...got.timestamps]).toEqual(sorted.map((e) => e[0]));
    expect([...got.values]).toEqual(sorted.map((e) => e[1]));
    expect(s!.reduce(0, 3 * H).count).toBe(sorted.length);
    q.close(); qa.close(); qb.close();
  });

  it('reports a damaged block chunk or index with its place', async () => {
    const db = await openDB();
    await fill(db, 3, 0, 2 * H, 60_000);
    const files = new MemoryBlockFiles('blk');
    const w = new BlockWriter(db.encoding, files);
    db.writeHeadBlock(0, 2 * H, w);
    const { index, meta } = w.finish(newULID(), 0, 2 * H);
    files.index = index.slice();
    const cf = files.chunkFiles.get(1)!;
    cf[100] = cf[100]! ^ 0xff;
    const blk = new Block(meta, files, new ByteCache(1 << 20));
    const other = await openDB();
    other.setBlocks([blk]);
    const q = other.querier(0, 2 * H);
    expect(() => q.select([new Matcher('=', '__name__', 'm')]).map((s) => s.samples(0, 2 * H))).toThrow(/blk\/chunks\/000001: checksum mismatch in the chunk at byte \d+/);
    q.close();
    // The postings offset table's checksum: opening reads only the header and the table of contents,
    // so the damage is found, and named, by the first read that needs the table.
    const bad = index.slice();
    bad[bad.length - 40] = bad[bad.length - 40]! ^ 0xff;
    files.index = bad;
    const opened = new Block(meta, files, new ByteCache(1 << 20));
    expect(() => opened.labelNames()).toThrow(/blk\/index: postings offset table checksum mismatch/);
    expect(() => opened.get('__name__', 'm')).toThrow(BlockCorruptionError);
    // The table of contents itself is checked at open.
    const badToc = index.slice();
    badToc[badToc.length - 20] = badToc[badToc.length - 20]! ^ 0xff;
    files.index = badToc;
    expect(() => new Block(meta, files, new ByteCache(1 << 20))).toThrow(/blk\/index: table of contents checksum mismatch/);
  });
});
