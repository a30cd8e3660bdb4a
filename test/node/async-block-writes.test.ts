// Blocks written in the background (FileHandle writes and syncs, the index
// built in slices) are byte for byte the blocks written synchronously, over
// several chunk files each written in many pieces; a write that fails
// rejects its publish with the cause and leaves nothing behind.

import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDB } from '../../src/storage/db.js';
import { BlockWriter } from '../../src/storage/block-writer.js';
import { startBlock, writeBlock } from '../../src/storage/block-store.js';
import { nodeBlockBackend } from '../../src/node/node-block-backend.js';
import { encodeChunksWithMeta, ENCODING_IDS } from '../../src/wasm/codec.js';
import { labelsFrom } from '../../src/model/labels.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'promlet-async-blocks-'));
  dirs.push(d);
  return d;
};

beforeAll(async () => {
  // Loads the WebAssembly codec.
  await (await openDB()).close();
});

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** 1,500 series (more than one slice of the index) of 600 samples, in label order. */
function fill(w: BlockWriter): void {
  const enc = ENCODING_IDS.varbit;
  const names = Array.from({ length: 1500 }, (_, i) => String(i)).sort();
  for (const name of names) {
    const i = Number(name);
    const ts = new Float64Array(600), vs = new Float64Array(600);
    for (let k = 0; k < 600; k++) {
      ts[k] = 1e12 + k * 15_000 + (k % 7);
      vs[k] = Math.sin(k / 10 + i) * 1e3 + (i % 5 === 0 ? Math.random() : 0);
    }
    w.addSeries(labelsFrom({ __name__: 'g', s: name, zone: `z${i % 13}` }), encodeChunksWithMeta(enc, ts, vs));
  }
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
/** Each chunk file's name and digest (comparing megabytes of bytes element by element is slow). */
const files = (dir: string) => Object.fromEntries(readdirSync(join(dir, 'chunks')).map((f) => [f, sha(join(dir, 'chunks', f))]));

describe('blocks written in the background', () => {
  it('hold the same bytes as blocks written synchronously, over several chunk files written in pieces', async () => {
    const dir = tmp();
    const backend = nodeBlockBackend(dir);
    // Small chunk files and flushes: many files, each written in many pieces.
    const writer = (sink: ConstructorParameters<typeof BlockWriter>[1]) => new BlockWriter('varbit', sink, 256 * 1024, 16 * 1024);
    // The values are random in part: both blocks get the very same series.
    const series: Parameters<BlockWriter['addSeries']>[] = [];
    fill({ addSeries: (...a: Parameters<BlockWriter['addSeries']>) => void series.push(a) } as unknown as BlockWriter);
    const sync = writeBlock(backend, writer, (w) => series.forEach((a) => w.addSeries(...a)), 1e12, 1e12 + 2 * 3600_000)!;
    const b = startBlock(backend, writer, true);
    for (const a of series) {
      b.w.addSeries(...a);
      await b.backlog();
    }
    const bg = (await b.publishAsync(1e12, 1e12 + 2 * 3600_000))!;
    expect(bg.stats).toEqual(sync.stats);
    const [a, c] = [join(dir, sync.ulid), join(dir, bg.ulid)];
    expect(Object.keys(files(c)).length).toBeGreaterThan(3);
    expect(files(c)).toEqual(files(a));
    expect(sha(join(c, 'index'))).toBe(sha(join(a, 'index')));
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('reject their publish when a write fails, and leave nothing behind once discarded', async () => {
    const dir = tmp();
    const backend = nodeBlockBackend(dir);
    const b = startBlock(backend, (sink) => new BlockWriter('varbit', sink, 256 * 1024, 16 * 1024), true);
    fill(b.w);
    // The temporary directory goes away under the writer (a disk emptied by hand, say).
    const [pending] = readdirSync(dir);
    rmSync(join(dir, pending!), { recursive: true });
    await expect(b.publishAsync(1e12, 1e12 + 2 * 3600_000)).rejects.toThrow(/ENOENT/);
    b.discard();
    for (let i = 0; readdirSync(dir).length > 0 && i < 200; i++) await new Promise((r) => setTimeout(r, 5));
    expect(readdirSync(dir)).toEqual([]);
  });
});
