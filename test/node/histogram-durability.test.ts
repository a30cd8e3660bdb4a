// Native histograms in a data directory: they come back after a clean
// close, after a crash (log replay, out-of-order ones included), through
// checkpoints, from blocks cut and compacted on disk, and after SIGKILLs.

import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Matcher } from '../../src/index.js';
import type { FloatHistogram } from '../../src/model/histogram.js';
import { openDiskDB, readIndex } from '../../src/node/disk-db.js';
import { openDB, type DB } from '../../src/storage/db.js';
import { crash } from '../support/disk.js';
import { histogramAt } from '../fixtures/wal/histogram-at.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'promlet-hist-'));
const fields = ({ counterResetHint: _, ...rest }: FloatHistogram) => rest;

function readHistograms(db: DB, name: string) {
  const q = db.querier(-Infinity, Infinity);
  try {
    return q.select([new Matcher('=', '__name__', name)]).map((s) => {
      const b = s.samples(-1e15, 1e15);
      return { labels: s.labels, ts: [...(b.histograms?.timestamps ?? [])], hs: b.histograms?.histograms ?? [], floats: [...b.timestamps] };
    });
  } finally {
    q.close();
  }
}

async function fill(db: DB, from: number, n: number, series = 3) {
  for (let k = from; k < from + n; k++) {
    const app = db.appender();
    for (let s = 0; s < series; s++) app.appendHistogram!({ __name__: 'h', s: String(s) }, k * 1000, histogramAt(k, s));
    await app.commit();
  }
}

describe('native histograms in a data directory', () => {
  it('come back after a crash (log replay), a checkpoint and a clean close, and keep taking samples', async () => {
    const dir = tmp();
    const a = await openDiskDB(dir, { checkpointInterval: 0 });
    await fill(a.db, 1, 400);
    const before = readHistograms(a.db, 'h');
    expect(before).toHaveLength(3);
    expect(before[0]!.ts).toHaveLength(400);
    await crash(a);

    const b = await openDiskDB(dir, { checkpointInterval: 0 });
    expect(b.replay.samples).toBe(1200);
    expect(readHistograms(b.db, 'h')).toEqual(before);
    b.checkpoint();
    await fill(b.db, 401, 20);
    const after = readHistograms(b.db, 'h');
    await crash(b);

    // The checkpoint holds the chunks; the log after it only the 60 newer samples.
    const c = await openDiskDB(dir, { checkpointInterval: 0 });
    expect(c.replay.samples).toBe(60);
    expect(readHistograms(c.db, 'h')).toEqual(after);
    for (const s of after) {
      const idx = Number(s.labels.find((l) => l.name === 's')!.value);
      expect(s.hs.map(fields)).toEqual(s.ts.map((t) => fields(histogramAt(t / 1000, idx))));
    }
    // The loaded open chunk takes the next sample; a changed one at the same time is a duplicate.
    const app = c.db.appender();
    expect(() => app.appendHistogram!({ __name__: 'h', s: '0' }, 420_000, histogramAt(421, 0))).toThrow(/duplicate/);
    app.appendHistogram!({ __name__: 'h', s: '0' }, 420_000, histogramAt(420, 0));
    app.appendHistogram!({ __name__: 'h', s: '0' }, 421_000, histogramAt(421, 0));
    await app.commit();
    await c.close();
    const d = await openDiskDB(dir, { checkpointInterval: 0 });
    const last = readHistograms(d.db, 'h')[0]!;
    expect(last.ts).toHaveLength(421);
    expect(fields(last.hs[420]!)).toEqual(fields(histogramAt(421, 0)));
    await d.close();
  });

  it('are cut into blocks on disk, compacted, and read back the same after a restart', async () => {
    const H = 3600_000;
    const dir = tmp();
    const ref = await openDB();
    const a = await openDiskDB(dir, { checkpointInterval: 0 });
    for (let k = 0; k < (20 * H) / 60_000; k++) {
      for (const db of [ref, a.db]) {
        const app = db.appender();
        for (let s = 0; s < 2; s++) app.appendHistogram!({ __name__: 'h', s: String(s) }, k * 60_000, histogramAt(k, s));
        await app.commit();
      }
      // Cutting and compaction run after commits; let each finish, as time between scrapes would.
      await a.maintenance();
    }
    const st = a.db.stats();
    expect(st.blocks.length).toBeGreaterThan(0);
    expect(st.blocks.some((b) => b.level > 1)).toBe(true);
    expect(st.samples).toBe(ref.stats().samples);
    const want = readHistograms(ref, 'h');
    expect(readHistograms(a.db, 'h')).toEqual(want);
    await a.close();
    const b = await openDiskDB(dir, { checkpointInterval: 0 });
    expect(b.db.stats().blocks.length).toBe(st.blocks.length);
    expect(readHistograms(b.db, 'h')).toEqual(want);
    await b.close();
    await ref.close();
  });

  it('persist closed histogram chunks once, in the checkpoints\' chunk files, and load them back', async () => {
    const dir = tmp();
    const a = await openDiskDB(dir, { checkpointInterval: 0 });
    await fill(a.db, 1, 600, 2);
    const cp1 = a.checkpoint();
    const ix1 = readIndex(dir)!;
    const closed1 = ix1.series.reduce((n, e) => n + (e.hchunks?.length ?? 0), 0);
    expect(closed1).toBeGreaterThan(4);
    expect(cp1.newChunks).toBe(closed1);
    await fill(a.db, 601, 100, 2);
    const cp2 = a.checkpoint();
    const closed2 = readIndex(dir)!.series.reduce((n, e) => n + (e.hchunks?.length ?? 0), 0);
    // Only the chunks closed since are written again.
    expect(cp2.newChunks).toBe(closed2 - closed1);
    const before = readHistograms(a.db, 'h');
    await fill(a.db, 701, 5, 2);
    const all = readHistograms(a.db, 'h');
    await crash(a);
    const b = await openDiskDB(dir, { checkpointInterval: 0 });
    expect(b.replay.samples).toBe(10);
    expect(readHistograms(b.db, 'h')).toEqual(all);
    expect(all[0]!.ts.length).toBe(before[0]!.ts.length + 5);
    await b.close();
  });

  it('checkpoint and reload histograms too large for a 1024-byte chunk', async () => {
    const dir = tmp();
    const a = await openDiskDB(dir, { checkpointInterval: 0 });
    const big = (k: number) => ({
      ...histogramAt(k, 1), positiveSpans: [{ offset: 0, length: 300 }], positiveBuckets: Array.from({ length: 300 }, (_, j) => (k + j) * 0.5),
    });
    for (let k = 1; k <= 40; k++) {
      const app = a.db.appender();
      app.appendHistogram!({ __name__: 'big' }, k * 1000, big(k));
      app.appendHistogram!({ __name__: 'h', s: '0' }, k * 1000, histogramAt(k, 0));
      await app.commit();
    }
    a.checkpoint();
    const before = [...readHistograms(a.db, 'big'), ...readHistograms(a.db, 'h')];
    expect(before[0]!.hs.map(fields)).toEqual(Array.from({ length: 40 }, (_, i) => fields(big(i + 1))));
    await crash(a);
    const b = await openDiskDB(dir, { checkpointInterval: 0 });
    expect(b.replay.samples).toBe(0);
    expect([...readHistograms(b.db, 'big'), ...readHistograms(b.db, 'h')]).toEqual(before);
    const app = b.db.appender();
    app.appendHistogram!({ __name__: 'big' }, 41_000, big(41));
    await app.commit();
    expect(fields(readHistograms(b.db, 'big')[0]!.hs[40]!)).toEqual(fields(big(41)));
    await b.close();
  });

  it('replays out-of-order histograms from the log', async () => {
    const dir = tmp();
    const a = await openDiskDB(dir, { checkpointInterval: 0, outOfOrderTimeWindow: '1h' });
    await fill(a.db, 2, 100);
    const app = a.db.appender();
    app.appendHistogram!({ __name__: 'h', s: '1' }, 1000, histogramAt(1, 1));
    await app.commit();
    const before = readHistograms(a.db, 'h');
    expect(before[1]!.ts).toHaveLength(101);
    await crash(a);
    // Replay takes them whatever the window is now.
    const b = await openDiskDB(dir, { checkpointInterval: 0 });
    expect(readHistograms(b.db, 'h')).toEqual(before);
    await b.close();
  });

  it('keeps every acknowledged histogram across SIGKILLs, through checkpoints, and invents nothing', async () => {
    const dir = tmp();
    const SERIES = 4;
    const child = fileURLToPath(new URL('../fixtures/wal/ingest-histograms.ts', import.meta.url));
    let checked = 0;
    for (let round = 0; round < 3; round++) {
      const proc = spawn(process.execPath, ['--import', 'tsx', child, dir, String(SERIES)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      proc.stdout.on('data', (d) => (out += String(d)));
      proc.stderr.on('data', (d) => (err += String(d)));
      // Enough commits to fill a few 64 KiB segments (a commit logs ~1 KiB), so checkpoints ran; then a random extra moment.
      const acks = () => out.split('\n').length - 1;
      for (let i = 0; i < 4800 && acks() < 300 && proc.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
      expect(acks(), err).toBeGreaterThanOrEqual(300);
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 300));
      proc.kill('SIGKILL');
      await new Promise((r) => proc.once('exit', r));
      const acked = out.split('\n').filter(Boolean).map(Number);
      const lastAcked = acked[acked.length - 1]!;

      const disk = await openDiskDB(dir, { warn: () => {}, readOnly: true });
      const series = readHistograms(disk.db, 'crash_hist');
      expect(series).toHaveLength(SERIES);
      for (const s of series) {
        const idx = Number(s.labels.find((l) => l.name === 'series')!.value);
        expect(s.ts[0]).toBe(1000);
        expect(s.ts[s.ts.length - 1]!).toBeGreaterThanOrEqual(lastAcked);
        s.ts.forEach((t, i) => expect(t).toBe(1000 * (i + 1)));
        expect(s.hs.map(fields)).toEqual(s.ts.map((t) => fields(histogramAt(t / 1000, idx))));
        checked += s.ts.length;
      }
      expect(new Set(series.map((s) => s.ts.length)).size).toBe(1);
      // The float of the same commits ends where the histograms do.
      expect(readHistograms(disk.db, 'crash_float')[0]!.floats.length).toBe(series[0]!.ts.length);
      await disk.close();
    }
    console.log(`histogram crash test: 3 SIGKILL rounds, ${checked} histograms checked`);
  }, 1_200_000);
});
