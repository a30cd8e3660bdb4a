// Restart cost of a data directory: the time to open it after a crash
// (index and chunks, then the log since the last checkpoint) and after a
// clean stop (index and chunks, then the checkpoint), against the time to
// ingest the same samples into memory in the same run; and the bytes on disk
// per sample against the in-memory chunks.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDB } from '../src/index.js';
import { openDiskDB } from '../src/node/disk-db.js';
import type { DB } from '../src/storage/db.js';
import { dirBytes } from './dir-bytes.js';

const STEP = 15_000;
const START = Date.UTC(2026, 0, 1);

/** One commit per scrape time, one sample per series, as a scraper would write. */
async function ingest(db: DB, series: number, points: number): Promise<void> {
  const labels = Array.from({ length: series }, (_, i) => ({ __name__: 'bench_requests_total', instance: `host-${i % 100}`, series: String(i) }));
  const refs: number[] = [];
  for (let p = 0; p < points; p++) {
    const app = db.appender();
    const t = START + p * STEP;
    for (let s = 0; s < series; s++) {
      const v = p * (1 + (s % 7)) + (p % 13 === 0 ? 0.5 : 0);
      refs[s] = p === 0 ? app.append(labels[s]!, t, v) : app.append(refs[s]!, t, v);
    }
    await app.commit();
  }
}


export async function restartBench(quick: boolean, record: (row: Record<string, unknown>) => void): Promise<void> {
  // The full run is the size the durability issue names: 10,000 series × 24 h.
  const series = quick ? 1000 : 10_000;
  const hours = quick ? 2 : 24;
  const points = (hours * 3600_000) / STEP;
  const samples = series * points;
  console.log(`\n## Restart: open a data dir of ${series} series × ${hours} h at 15 s (${samples.toLocaleString('en')} samples)\n`);

  const t0 = performance.now();
  const mem = await openDB();
  await ingest(mem, series, points);
  const ingestMs = performance.now() - t0;
  const memBytes = mem.stats().chunkBytes;
  await mem.close();

  const dataDir = mkdtempSync(join(tmpdir(), 'promlet-restart-'));
  try {
    const writing = await openDiskDB(dataDir, { checkpointInterval: 0 });
    const t1 = performance.now();
    await ingest(writing.db, series, points);
    const loggedIngestMs = performance.now() - t1;
    // A crash: no final checkpoint, so the log since the last one is replayed.
    writing.wal!.close();
    await writing.db.close();

    const t2 = performance.now();
    const afterCrash = await openDiskDB(dataDir, { checkpointInterval: 0 });
    const crashOpenMs = performance.now() - t2;
    const crash = afterCrash.replay;
    const ok = afterCrash.db.stats().samples === samples;
    await afterCrash.close();
    const diskBytes = dirBytes(dataDir);

    const t3 = performance.now();
    const afterStop = await openDiskDB(dataDir, { checkpointInterval: 0 });
    const openMs = performance.now() - t3;
    const ok2 = afterStop.db.stats().samples === samples;
    await afterStop.close();
    const row = {
      series, hours, samples, ingestMs, loggedIngestMs, crashOpenMs, openMs, replayedAll: ok && ok2,
      crashReplayedSamples: crash.samples, loadedChunks: crash.chunks,
      diskBytesPerSample: diskBytes / samples, memBytesPerSample: memBytes / samples,
    };
    record(row);
    console.log('| measure | value | ratio |');
    console.log('|---|---:|---:|');
    console.log(`| ingest into memory | ${ingestMs.toFixed(0)} ms | 1.00 |`);
    console.log(`| ingest with the data dir (log + checkpoints) | ${loggedIngestMs.toFixed(0)} ms | ${(loggedIngestMs / ingestMs).toFixed(2)} |`);
    console.log(`| open after a crash (${crash.chunks} chunks + ${crash.samples.toLocaleString('en')} samples of log) | ${crashOpenMs.toFixed(0)} ms | ${(crashOpenMs / ingestMs).toFixed(2)} |`);
    console.log(`| open after a clean stop | ${openMs.toFixed(0)} ms | ${(openMs / ingestMs).toFixed(2)} |`);
    console.log(`| bytes on disk per sample | ${row.diskBytesPerSample.toFixed(2)} | ${(row.diskBytesPerSample / row.memBytesPerSample).toFixed(2)} × chunk bytes |`);
    console.log(`\nall ${samples.toLocaleString('en')} samples back after both restarts: ${row.replayedAll ? 'yes' : 'NO'}`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
