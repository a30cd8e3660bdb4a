// A block's reads cost what they should and refuse what a damaged index
// claims: a series entry whose chunk count cannot fit its bytes is a
// corruption error (not a list sized by it), and a chunk in one page is read
// from the files once even when the cache keeps nothing.

import { describe, expect, it } from 'vitest';
import { openDB, type DB } from '../../src/storage/db.js';
import { Matcher } from '../../src/model/matcher.js';
import { BlockWriter } from '../../src/storage/block-writer.js';
import { Block } from '../../src/storage/block.js';
import { MemoryBlockFiles } from '../../src/storage/block-memory.js';
import { BlockCorruptionError, newULID, Reader, Writer } from '../../src/storage/block-format.js';
import { crc32 } from '../../src/storage/persist-format.js';
import { ByteCache } from '../../src/storage/byte-cache.js';

const H = 3600_000;
const T0 = 10 * H;

async function blockOf(db: DB, series: number): Promise<{ files: MemoryBlockFiles; index: Uint8Array; meta: ReturnType<BlockWriter['finish']>['meta'] }> {
  for (let t = T0; t < T0 + 3 * H; t += 15_000) {
    const app = db.appender();
    for (let s = 0; s < series; s++) app.append({ __name__: 'm', i: String(s) }, t + s, Math.sin(t / 1e6 + s) * 1e3);
    await app.commit();
  }
  const files = new MemoryBlockFiles('mem');
  const w = new BlockWriter(db.encoding, files, 50_000, 20_000);
  db.writeHeadBlock(T0, T0 + 2 * H, w);
  const { index, meta } = w.finish(newULID(), T0, T0 + 2 * H);
  files.index = index;
  return { files, index, meta };
}

/** The index with the first series entry's chunk count replaced by `count`, its CRC made valid again. */
function withChunkCount(index: Uint8Array, ref: number, count: number): Uint8Array {
  const head = new Reader(index.subarray(ref), 'entry');
  const len = head.uvarint();
  const bodyAt = ref + head.off;
  const r = new Reader(index.subarray(bodyAt, bodyAt + len), 'entry');
  for (let n = r.uvarint() * 2; n > 0; n--) r.uvarint();
  const labelsEnd = r.off;
  r.uvarint();
  const body = new Writer();
  body.bytes(index.subarray(bodyAt, bodyAt + labelsEnd));
  body.uvarint(count);
  body.bytes(index.subarray(bodyAt + r.off, bodyAt + len));
  const b = body.view();
  const entry = new Writer();
  entry.uvarint(b.length);
  entry.bytes(b);
  entry.u32(crc32(b));
  const patched = index.slice();
  patched.set(entry.view(), ref);
  return patched;
}

describe('block reads', () => {
  for (const count of [3e7, 2 ** 32]) {
    it(`refuses a series entry claiming ${count} chunks as corrupt`, async () => {
      const db = await openDB();
      try {
        const { files, index, meta } = await blockOf(db, 1);
        const ref = [...new Block(meta, files, new ByteCache(0)).all()][0]!;
        files.index = withChunkCount(index, ref, count);
        const block = new Block(meta, files, new ByteCache(0));
        expect(() => block.chunkMetas(ref)).toThrow(BlockCorruptionError);
      } finally {
        await db.close();
      }
    });
  }

  for (const capacity of [0, 64 << 20]) {
    it(`reads a chunk's page from the files once per chunk read (cache of ${capacity} bytes)`, async () => {
      const db = await openDB();
      try {
        const { files, meta } = await blockOf(db, 20);
        let reads = 0;
        const read = files.readChunkFile.bind(files);
        files.readChunkFile = (f: number, o: number, l: number) => {
          reads++;
          return read(f, o, l);
        };
        const block = new Block(meta, files, new ByteCache(capacity));
        let chunks = 0;
        const chunk = block.chunk.bind(block);
        block.chunk = (c, cached) => {
          chunks++;
          return chunk(c, cached);
        };
        db.setBlocks([block]);
        db.setHeadMinValidTime(T0 + 2 * H);
        db.truncateHead(T0 + 2 * H);
        const q = db.querier(T0, T0 + 2 * H);
        let samples = 0;
        for (const s of q.select([new Matcher('=', '__name__', 'm')])) samples += s.samples(T0, T0 + 2 * H).timestamps.length;
        q.close();
        expect(samples).toBeGreaterThanOrEqual(20 * 480);
        expect(chunks).toBeGreaterThan(0);
        // A chunk reads one page, two where it crosses a page boundary; never its page twice.
        if (capacity === 0) expect(reads).toBeLessThan(1.5 * chunks);
        else expect(reads).toBeLessThan(chunks);
      } finally {
        await db.close();
      }
    });
  }
});
