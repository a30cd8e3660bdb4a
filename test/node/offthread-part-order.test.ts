// A query cut over the workers gives each stretch of its steps to the same
// worker every time it is asked, so a refreshed dashboard query finds each
// stretch's chunks in the chunk cache of the worker that read them last. In
// the order idle workers happen to be in (the one that finished last is
// taken first) the stretches swap workers from one run to the next and each
// is read from the files again: the process's bytes read (/proc/self/io)
// tell the two apart.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDiskDB, type DiskDB } from '../../src/node/disk-db.js';
import { createOffThreadEngine } from '../../src/node/offthread-engine.js';

const H = 3600_000;
let dir: string;
let disk: DiskDB;

/** Bytes this process (its worker threads included) has read with read(2) and its kind so far. */
function bytesRead(): number {
  return Number(/^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'latin1'))![1]);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'promlet-part-order-'));
  disk = await openDiskDB(dir, { checkpointInterval: 0, compaction: false, blockRange: H });
  for (let t = 0; t < 4 * H; t += 15_000) {
    const app = disk.db.appender();
    // The later stretch holds five times the series: its worker finishes last.
    for (let s = 0; s < (t < 2 * H ? 40 : 200); s++) app.append({ __name__: 'c_total', s: String(s) }, t, (t / 1000) * (1 + s / 50) + ((t / 15_000) % 7));
    await app.commit();
    await disk.maintenance();
  }
}, 120_000);

afterAll(async () => {
  await disk?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the stretches of a cut query', () => {
  it('go to the same workers on every run, whose caches hold their chunks', async () => {
    expect(disk.db.blockList().length).toBeGreaterThanOrEqual(3);
    const off = createOffThreadEngine(disk.db, {}, { workers: 2, blocks: { dataDir: dir, db: disk.db }, splitMinSteps: 2, splitMinMs: 0, splitWhen: () => true });
    try {
      const q = () => off.rangeQuery('sum by (s) (rate(c_total[5m]))', 10 * 60_000, 4 * H - 15_000, 15_000);
      // Both workers started and idle, then each stretch read once.
      await Promise.all([off.instantQuery('vector(1)', 0), off.instantQuery('vector(1)', 0)]);
      const first = bytesRead();
      await q();
      const once = bytesRead() - first;
      expect(off.queriesJoined).toBe(1);
      const again: number[] = [];
      for (let run = 0; run < 3; run++) {
        const before = bytesRead();
        await q();
        again.push(bytesRead() - before);
      }
      expect(off.queriesJoined).toBe(4);
      // Reading the stretches the first time took their chunks from the files; later runs find them cached.
      expect(once).toBeGreaterThan(100_000);
      for (const n of again) expect(n, `bytes read again: ${again.join(', ')} (the first run ${once})`).toBeLessThan(once / 10);
    } finally {
      await off.close();
    }
  });
});
