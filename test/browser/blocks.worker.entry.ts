// Runs in a dedicated worker of headless Chromium (bundled by
// chromium.test.ts): a persistent database with blocks in OPFS. On the
// first visit it fills 14 hours, saves (cutting the head into 2h blocks)
// and answers queries; on a reload it answers them again from what was
// stored. Each visit also answers from a plain in-memory database holding
// the same samples, the reference the stored one must match.

import { openDB, openPersistentDB, type DB } from '../../src/index.js';
import { answers as answersOf } from './answers.js';

const T0 = 1_700_000_000_000 - (1_700_000_000_000 % 7_200_000);
const STEP = 60_000, POINTS = 840, SERIES = 20;
const value = (s: number, i: number) => (s % 2 ? i * (s + 1) : Math.sin(i / 7 + s) * 100 + (i % 13) / 8);

async function fill(db: DB): Promise<void> {
  for (let i = 0; i < POINTS; i += 50) {
    const app = db.appender();
    for (let j = i; j < i + 50; j++) for (let s = 0; s < SERIES; s++) app.append({ __name__: 'worker_metric', s: String(s), kind: s % 2 ? 'counter' : 'gauge' }, T0 + j * STEP, value(s, j));
    await app.commit();
  }
}

const QUERIES: [string, number][] = [
  ['sum(count_over_time(worker_metric[1d]))', T0 + POINTS * STEP],
  ['worker_metric{s="3"}', T0 + 45 * 60_000],
  ['sum by (kind) (rate(worker_metric[10m]))', T0 + 90 * 60_000],
  ['max_over_time(worker_metric{kind="gauge"}[3h])', T0 + 5 * 3_600_000],
  ['sum(worker_metric)', T0 + (POINTS - 1) * STEP],
];

const answers = (db: DB) => answersOf(db, QUERIES, ['avg(worker_metric)', T0, T0 + POINTS * STEP, 15 * 60_000]);

const HALF_WRITTEN = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

/** Names in the OPFS directory the database keeps its blocks in. */
async function storedNames(): Promise<string[]> {
  const top = await navigator.storage.getDirectory();
  const dir = (await top.getDirectoryHandle('promlet-blocks-test', { create: true })) as FileSystemDirectoryHandle & { keys(): AsyncIterable<string> };
  const out: string[] = [];
  for await (const k of dir.keys()) out.push(k);
  return out.sort();
}

/** A block directory with an index but no meta.json: what a flush interrupted by a crash leaves. */
async function leaveHalfWrittenBlock(): Promise<void> {
  const top = await navigator.storage.getDirectory();
  const dir = await (await top.getDirectoryHandle('promlet-blocks-test', { create: true })).getDirectoryHandle(HALF_WRITTEN, { create: true });
  const w = await (await dir.getFileHandle('index', { create: true })).createWritable();
  await w.write(new Uint8Array([1, 2, 3]));
  await w.close();
}

async function run() {
  const halfWrittenBefore = (await storedNames()).length === 0 ? (await leaveHalfWrittenBlock(), (await storedNames()).includes(HALF_WRITTEN)) : false;
  const reference = await openDB();
  await fill(reference);
  const expected = await answers(reference);
  const p = await openPersistentDB({ name: 'blocks-test', saveInterval: 0 });
  const firstVisit = p.loaded.series === 0 && p.loaded.blocks === 0;
  if (firstVisit) {
    await fill(p.db);
    await p.save();
  }
  const got = await answers(p.db);
  const stored = await storedNames();
  const stats = p.db.stats();
  const result = {
    blocks: p.blocks, firstVisit, loaded: p.loaded,
    blockCount: p.db.blockList().length,
    head: { minTime: stats.head.minTime, maxTime: stats.head.maxTime, samples: stats.head.samples, chunks: stats.head.chunks },
    referenceHead: { samples: reference.stats().head.samples, chunks: reference.stats().head.chunks },
    cacheMisses: stats.cache.misses,
    t0: T0, expected, got, halfWrittenBefore, stored,
  };
  await p.close();
  return result;
}

run().then((r) => postMessage(r), (e) => postMessage({ error: String((e as Error).stack ?? e) }));
