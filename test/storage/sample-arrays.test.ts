// Every read decodes into the same WebAssembly scratch memory, which the
// next read overwrites; the arrays a read returns are what the engine keeps
// for the whole query. A series' arrays must be its own: unchanged by every
// read after it, in the same querier or another, and not changed by writes
// into any other series' arrays.

import { describe, expect, it } from 'vitest';
import { openDB, type DB } from '../../src/storage/db.js';
import { Matcher } from '../../src/model/matcher.js';
import { BlockWriter } from '../../src/storage/block-writer.js';
import { Block } from '../../src/storage/block.js';
import { MemoryBlockFiles } from '../../src/storage/block-memory.js';
import { newULID } from '../../src/storage/block-format.js';
import type { SampleBatch } from '../../src/storage/interfaces.js';

const H = 3600_000;
const bytes = (a: Float64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();

async function fill(db: DB, from: number, to: number): Promise<void> {
  for (let t = from; t < to; t += 15_000) {
    const app = db.appender();
    for (let s = 0; s < 60; s++) app.append({ __name__: 'm', i: String(s) }, t + s, s % 2 ? Math.sin(t / 1e6 + s) * 1e3 : Math.floor(t / 15_000) * (s + 1));
    await app.commit();
  }
}

function cut(db: DB, mint: number, maxt: number): Block {
  const files = new MemoryBlockFiles('mem');
  const w = new BlockWriter(db.encoding, files, 50_000, 20_000);
  db.writeHeadBlock(mint, maxt, w);
  const { index, meta } = w.finish(newULID(), mint, maxt);
  files.index = index;
  return new Block(meta, files, db.cache);
}

const readAll = (db: DB, mint: number, maxt: number): { q: ReturnType<DB['querier']>; batches: SampleBatch[] } => {
  const q = db.querier(mint, maxt);
  return { q, batches: q.select([new Matcher('=', '__name__', 'm')]).map((s) => s.samples(mint, maxt)) };
};

describe('sample arrays of a querier', () => {
  it('stay each series\' own across later reads and writes into the others', async () => {
    const t0 = 10 * H;
    const ref = await openDB();
    const db = await openDB();
    await fill(ref, t0, t0 + 7 * H);
    await fill(db, t0, t0 + 7 * H);
    db.setBlocks([cut(db, t0, t0 + 2 * H), cut(db, t0 + 2 * H, t0 + 4 * H)]);
    db.setHeadMinValidTime(t0 + 4 * H);
    db.truncateHead(t0 + 4 * H);

    const want = readAll(ref, t0, t0 + 7 * H);
    const wantBytes = want.batches.map((b) => [bytes(b.timestamps), bytes(b.values)]);
    want.q.close();
    const first = readAll(db, t0, t0 + 7 * H);
    // Reads after them, in this querier and in another over other ranges.
    for (const s of first.q.select([new Matcher('=~', 'i', '1.*')])) s.samples(t0 + H, t0 + 6 * H);
    const second = readAll(db, t0 + 3 * H, t0 + 5 * H);
    first.q.close();
    const check = () => first.batches.forEach((b, i) => {
      expect(bytes(b.timestamps), `series ${i} timestamps`).toEqual(wantBytes[i]![0]);
      expect(bytes(b.values), `series ${i} values`).toEqual(wantBytes[i]![1]);
    });
    check();
    // Writes into the second querier's arrays reach none of the first's, nor each other.
    for (const b of second.batches) {
      b.timestamps.fill(-1);
      b.values.fill(-1);
    }
    second.q.close();
    check();
    for (let i = 0; i < first.batches.length; i++) {
      const b = first.batches[i]!;
      b.values.fill(i);
      for (let j = 0; j < i; j++) expect(first.batches[j]!.values.every((x) => x === j)).toBe(true);
    }
    await db.close();
    await ref.close();
  });
});
