// Selecting across blocks and the head merges each source's series by their
// labels (a block's series come in label order), and reading them reuses one
// entry reader per block, label objects per block, and one list of chunk
// parts: every answer must stay what one source holding everything gives,
// whatever was read before or in between.

import { describe, expect, it } from 'vitest';
import { headBlock } from '../fixtures/float-reads.js';
import { openDB, type DB } from '../../src/storage/db.js';
import { Matcher } from '../../src/model/matcher.js';
import { Block } from '../../src/storage/block.js';
import { BlockWriter } from '../../src/storage/block-writer.js';
import { MemoryBlockFiles } from '../../src/storage/block-memory.js';
import { newULID } from '../../src/storage/block-format.js';
import { encodeChunksWithMeta, encodingId } from '../../src/wasm/codec.js';
import type { SampleBatch } from '../../src/storage/interfaces.js';
import { createEngine } from '../../src/promql/engine/engine.js';

const H = 3600_000;
const T0 = 20 * H;

/**
 * Series `s` of `n` has samples in the hours where (s + hour) % 4 !== 0, so
 * some series are in one block only, some in both, some in the head only,
 * and some in all three.
 */
async function fill(db: DB, n: number, extra: Record<string, string>, step: number): Promise<void> {
  for (let t = T0; t < T0 + 6 * H; t += step) {
    const hour = Math.floor((t - T0) / H);
    const app = db.appender();
    for (let s = 0; s < n; s++) {
      if ((s + hour) % 4 === 0) continue;
      const v = s % 2 === 0 ? Math.floor(t / 1000) + s : Math.sin(t / 1e6 + s) * 100;
      // `kind` takes values `i` takes too: label objects are told apart by name and value.
      app.append({ __name__: s % 3 === 0 ? 'a' : 'b', i: String(s), kind: String(s % 5), ...extra }, t, v);
    }
    await app.commit();
  }
}

/** The same data as `fill` writes: in the head alone, or in two blocks (0-2 h, 2-4 h) and the head. */
async function stores(n: number, extra: Record<string, string> = {}, step = 60_000): Promise<{ ref: DB; db: DB; blocks: Block[] }> {
  const ref = await openDB();
  const db = await openDB();
  await fill(ref, n, extra, step);
  await fill(db, n, extra, step);
  const blocks = [headBlock(db, T0, T0 + 2 * H), headBlock(db, T0 + 2 * H, T0 + 4 * H)];
  db.setBlocks(blocks);
  db.setHeadMinValidTime(T0 + 4 * H);
  db.truncateHead(T0 + 4 * H);
  return { ref, db, blocks };
}

const bytes = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

function expectSameBatch(got: SampleBatch, want: SampleBatch, what: string): void {
  expect(got.timestamps.length, what).toBe(want.timestamps.length);
  expect(bytes(got.timestamps).equals(bytes(want.timestamps)), what).toBe(true);
  expect(bytes(got.values).equals(bytes(want.values)), what).toBe(true);
}

const MATCHERS = [
  [new Matcher('=~', '__name__', 'a|b')],
  [new Matcher('=', '__name__', 'a')],
  [new Matcher('=~', 'i', '1.*'), new Matcher('!=', '__name__', 'a')],
  [new Matcher('=', 'i', 'none')],
];
const RANGES = [[T0, T0 + 6 * H], [T0 + H, T0 + 3 * H], [T0 + 2 * H - 1, T0 + 2 * H + 1], [T0 + 3 * H, T0 + 5 * H]] as const;

/** Every selection of MATCHERS over RANGES from `q` (each querier over its range), its series read in reverse, two queriers interleaved. */
function compareAll(db: DB, ref: DB): void {
  for (const m of MATCHERS) {
    for (let k = 0; k < RANGES.length; k++) {
      const [lo, hi] = RANGES[k]!, [lo2, hi2] = RANGES[(k + 1) % RANGES.length]!;
      const q = db.querier(lo, hi), q2 = db.querier(lo2, hi2);
      const r = ref.querier(lo, hi), r2 = ref.querier(lo2, hi2);
      try {
        const got = q.select(m), want = r.select(m);
        const got2 = q2.select(m), want2 = r2.select(m);
        expect(got.map((s) => s.labels)).toEqual(want.map((s) => s.labels));
        expect(got2.map((s) => s.labels)).toEqual(want2.map((s) => s.labels));
        for (let i = got.length - 1; i >= 0; i--) {
          const what = `${m.join(',')} [${lo}, ${hi}] series ${i}`;
          expectSameBatch(got[i]!.samples(lo, hi), want[i]!.samples(lo, hi), what);
          // Another querier's series read in between, then the first again.
          const j = got2.length - 1 - (i % Math.max(1, got2.length));
          if (got2[j]) expectSameBatch(got2[j]!.samples(lo2, hi2), want2[j]!.samples(lo2, hi2), `${what} (other querier)`);
          expect(got[i]!.reduce(lo, hi), what).toEqual(want[i]!.reduce(lo, hi));
          expectSameBatch(got[i]!.samples(lo, hi), want[i]!.samples(lo, hi), `${what} again`);
        }
      } finally {
        q.close(); q2.close(); r.close(); r2.close();
      }
    }
  }
}

describe('series merged across blocks and the head', () => {
  it('are the series of one source holding everything, whatever is read in between', async () => {
    const { ref, db } = await stores(40);
    compareAll(db, ref);
    // And again, over blocks that have read all of it before (pages, label objects and readers warm).
    compareAll(db, ref);
    await db.close();
    await ref.close();
  });

  it('are merged by their keys when a block lists its series out of label order', async () => {
    const { ref, db, blocks } = await stores(40);
    // The first block written again with its series in descending label order, as no writer of
    // ours makes them (an older or a damaged block): the writer's order check is stepped around.
    const files = new MemoryBlockFiles('mem');
    const w = new BlockWriter(db.encoding, files);
    const written = (w as unknown as { series: unknown[] }).series;
    const q = ref.querier(T0, T0 + 2 * H - 1);
    for (const s of q.select([new Matcher('=~', '__name__', 'a|b')]).reverse()) {
      const b = s.samples(T0, T0 + 2 * H - 1);
      const before = written.splice(0);
      w.addSeries(s.labels, encodeChunksWithMeta(encodingId(db.encoding), b.timestamps, b.values));
      written.unshift(...before);
    }
    q.close();
    const { index, meta } = w.finish(newULID(), T0, T0 + 2 * H);
    files.index = index;
    db.setBlocks([new Block(meta, files, db.cache), blocks[1]!]);
    compareAll(db, ref);
    await db.close();
    await ref.close();
  });

  it('keep their labels right past the size of the block\'s label objects', async () => {
    // About 5,000 distinct label pairs (one `i` per series): more than a block keeps label objects for.
    const { ref, db } = await stores(5000, { job: 'j' }, 15 * 60_000);
    const all = [new Matcher('=', 'job', 'j')];
    const q = db.querier(T0, T0 + 6 * H), r = ref.querier(T0, T0 + 6 * H);
    const first = q.select(all), want = r.select(all);
    const firstLabels = first.map((s) => s.labels.map((l) => ({ ...l })));
    expect(first.map((s) => s.labels)).toEqual(want.map((s) => s.labels));
    // Selected again (the label objects thrown away and made again in between): both selections unchanged.
    const again = q.select(all);
    expect(again.map((s) => s.labels)).toEqual(want.map((s) => s.labels));
    expect(first.map((s) => s.labels)).toEqual(firstLabels);
    for (let i = 0; i < want.length; i += 97) expectSameBatch(again[i]!.samples(T0, T0 + 6 * H), want[i]!.samples(T0, T0 + 6 * H), `series ${i}`);
    q.close();
    r.close();
    await db.close();
    await ref.close();
  });

  it('answer a query after others on the same blocks byte for byte as a fresh engine on fresh blocks', async () => {
    const queries = [
      'sum by (__name__) (rate({__name__=~"a|b"}[5m]))',
      'b',
      'max_over_time(a[30m])',
      'count by (i) ({__name__=~"a|b"} > 0)',
    ];
    const { db } = await stores(40);
    const engine = createEngine(db);
    const answer = (e: typeof engine, q: string) => e.rangeQueryTextSync(q, T0 + 30 * 60_000, T0 + 6 * H, 60_000).resultJSON;
    const seen: string[] = [];
    for (const q of [...queries, ...queries.slice().reverse()]) seen.push(answer(engine, q)!);
    for (let k = 0; k < queries.length; k++) {
      const fresh = await stores(40);
      const want = answer(createEngine(fresh.db), queries[k]!);
      expect(want!.length).toBeGreaterThan(100);
      expect(seen[k]).toBe(want);
      expect(seen[2 * queries.length - 1 - k]).toBe(want);
      await fresh.db.close();
      await fresh.ref.close();
    }
    await db.close();
  });
});
