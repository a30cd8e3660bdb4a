// A database in memory that cannot grow its WebAssembly memory refuses the
// commit with a StorageFullError: nothing of that commit is stored, what was
// stored stays exact, and the database keeps answering (and takes commits
// again once they fit).

import { describe, expect, it } from 'vitest';
import { openDB, StorageFullError, Matcher } from '../../src/index.js';
import { mem } from '../../src/wasm/loader.js';

// Varbit closes a chunk on a gap of 2^24 ms or more, so every sample here takes a chunk of its own.
const GAP = 2 ** 25;

describe('storage full', () => {
  it('refuses the commit that cannot fit, keeps everything before it, and keeps serving', async () => {
    const limit = mem().u8.byteLength + 24 * 1024 * 1024;
    const db = await openDB({ memoryLimit: limit });
    let t = 0, committed = 0, error: unknown = null;
    for (let round = 0; round < 10_000 && !error; round++) {
      const app = db.appender();
      for (let s = 0; s < 100; s++) app.append({ __name__: 'x', s: String(s) }, t, s + t / GAP);
      try {
        await app.commit();
        committed += 100;
        t += GAP;
      } catch (e) {
        error = e;
      }
    }
    expect(error).toBeInstanceOf(StorageFullError);
    expect((error as Error).message).toMatch(/^storage full: WebAssembly memory \(\d+ bytes, limit \d+\) cannot grow by the \d+ bytes a commit of 100 samples may need; nothing of this commit was stored$/);
    expect(committed).toBeGreaterThan(1000);
    const st = db.stats();
    expect(st.samples).toBe(committed);
    expect(st.storageFullCommits).toBe(1);
    // Exactly the committed samples answer.
    const q = db.querier(-Infinity, Infinity);
    const series = q.select([new Matcher('=', '__name__', 'x')]);
    expect(series).toHaveLength(100);
    const [seven] = q.select([new Matcher('=', 's', '7')]);
    const b = seven!.samples(-Infinity, Infinity);
    expect(b.timestamps.length).toBe(committed / 100);
    expect([...b.values]).toEqual([...b.timestamps].map((ts) => 7 + ts / GAP));
    q.close();
    // The refused samples can be committed later, once they fit (here: a smaller commit).
    const app = db.appender();
    app.append({ __name__: 'x', s: '7' }, t, 1);
    await app.commit();
    expect(db.stats().samples).toBe(committed + 1);
    await db.close();
  });
});
