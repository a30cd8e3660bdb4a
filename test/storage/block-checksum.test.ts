// A block's CRC-32s are checked when bytes come from the files into the
// cache, not again on every read of the cached page; damage on disk is
// still found, with the same error, when the bytes are read again.

import { describe, expect, it, vi } from 'vitest';
import { openDB } from '../../src/storage/db.js';
import { Matcher } from '../../src/model/matcher.js';
import { BlockWriter } from '../../src/storage/block-writer.js';
import { Block } from '../../src/storage/block.js';
import { MemoryBlockFiles } from '../../src/storage/block-memory.js';
import { ByteCache } from '../../src/storage/byte-cache.js';
import { newULID } from '../../src/storage/block-format.js';
import { crc32 } from '../../src/storage/persist-format.js';

vi.mock('../../src/storage/persist-format.js', async (original) => {
  const mod = await original<typeof import('../../src/storage/persist-format.js')>();
  return { ...mod, crc32: vi.fn(mod.crc32) };
});

const H = 3600_000;
const hashed = crc32 as unknown as ReturnType<typeof vi.fn>;

async function blockOver(series: number, cache: ByteCache) {
  const db = await openDB();
  for (let t = 0; t < 2 * H; t += 15_000) {
    const app = db.appender();
    for (let s = 0; s < series; s++) app.append({ __name__: 'm', i: String(s) }, t, Math.sin(t / 1e6 + s) * 100);
    await app.commit();
  }
  const files = new MemoryBlockFiles('blk');
  const w = new BlockWriter(db.encoding, files);
  db.writeHeadBlock(0, 2 * H, w);
  const { index, meta } = w.finish(newULID(), 0, 2 * H);
  files.index = index;
  const reader = await openDB();
  reader.setBlocks([new Block(meta, files, cache)]);
  return { files, reader };
}

function readAll(db: Awaited<ReturnType<typeof openDB>>): number[] {
  const q = db.querier(0, 2 * H);
  try {
    return q.select([new Matcher('=', '__name__', 'm')]).flatMap((s) => [...s.samples(0, 2 * H).values]);
  } finally {
    q.close();
  }
}

describe('block checksums', () => {
  it('checks a cached chunk once, and a chunk damaged on disk when it is read from disk again', async () => {
    const cache = new ByteCache(1 << 20);
    const { files, reader } = await blockOver(20, cache);
    hashed.mockClear();
    const first = readAll(reader);
    expect(first.length).toBe(20 * 480);
    // Chunks, series entries and postings lists were all checked on the way in.
    const onFirstRead = hashed.mock.calls.length;
    expect(onFirstRead).toBeGreaterThan(20);
    hashed.mockClear();
    expect(readAll(reader)).toEqual(first);
    expect(hashed).not.toHaveBeenCalled();
    expect(cache.hits).toBeGreaterThan(0);

    // Damage every chunk file past its header: cached pages still answer (they are what was checked)...
    for (const [n, f] of files.chunkFiles) {
      const bad = f.slice();
      for (let i = 100; i < bad.length; i += 97) bad[i] = bad[i]! ^ 0xff;
      files.chunkFiles.set(n, bad);
    }
    expect(readAll(reader)).toEqual(first);
    // ...and once they are evicted, the bytes read from disk again are checked again, and fail as before.
    cache.resize(0);
    cache.resize(1 << 20);
    expect(() => readAll(reader)).toThrow(/blk\/chunks\/000001: checksum mismatch in the chunk at byte \d+/);
  });

  it('checks again a page read into a reused buffer', async () => {
    // Two pages of cache under a chunk file of several: each read evicts pages and settle() reuses their buffers.
    const cache = new ByteCache(2 * 64 * 1024);
    const { files, reader } = await blockOver(150, cache);
    expect(files.chunkFiles.get(1)!.length).toBeGreaterThan(4 * 64 * 1024);
    const first = readAll(reader);
    expect(cache.reused).toBeGreaterThan(0);
    const bad = files.chunkFiles.get(1)!.slice();
    const at = bad.length - 5000;
    bad[at] = bad[at]! ^ 0xff;
    files.chunkFiles.set(1, bad);
    // The damaged page was evicted by the time the read comes back to it: read from disk into a reused buffer, it is checked.
    expect(() => readAll(reader)).toThrow(/blk\/chunks\/000001: checksum mismatch in the chunk at byte \d+/);
    files.chunkFiles.set(1, bad.map((b, i) => (i === at ? b ^ 0xff : b)));
    expect(readAll(reader)).toEqual(first);
  });
});
