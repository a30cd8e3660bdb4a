// A data directory: checkpoints persist closed chunks and an index and cut
// the log; restarts load them; retention deletes files; snapshots copy a
// live directory; and a child killed with SIGKILL loses no acknowledged sample.

import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { STALE_NAN, isStaleNaN } from '../../src/model/stale.js';
import { DataDirLockedError, openDiskDB, readIndex, snapshotDataDir } from '../../src/node/disk-db.js';
import { runCli } from '../../src/node/cli.js';
import type { DB } from '../../src/storage/db.js';
import { crash, readMetric } from '../support/disk.js';
import { PersistCorruptionError, chunkAt } from '../../src/storage/persist-format.js';
import { decodeChunk } from '../../src/wasm/codec.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'promlet-disk-'));

const read = readMetric;

/** Writes `n` samples a second apart to each of `series` series of metric m, one commit per timestamp. */
async function fill(db: DB, series: number, from: number, n: number) {
  for (let i = 0; i < n; i++) {
    const app = db.appender();
    const t = (from + i) * 1000;
    for (let s = 0; s < series; s++) app.append({ __name__: 'm', s: String(s) }, t, Math.sin(t / 7e4 + s) * 100 + (i % 13));
    await app.commit();
  }
}

const chunkFiles = (dir: string) => existsSync(join(dir, 'chunks')) ? readdirSync(join(dir, 'chunks')).filter((f) => /^\d+$/.test(f)).sort() : [];

describe('data directory', () => {
  it('persists closed chunks exactly as WASM encoded them, with an index, and cuts the log', async () => {
    const dir = tmp();
    const a = await openDiskDB(dir, { checkpointInterval: 0 });
    await fill(a.db, 3, 1, 2000);
    const before = read(a.db, 'm');
    const cp = a.checkpoint();
    expect(cp.newChunks).toBeGreaterThan(3);
    expect(cp.headSamples).toBeGreaterThan(0);
    expect(readdirSync(join(dir, 'wal')).filter((f) => /^\d+$/.test(f))).toEqual(['00000002']);
    expect(existsSync(join(dir, 'wal', 'checkpoint.00000001'))).toBe(true);
    // The first chunk of series 0 in the file is the same bytes the codec produces for its samples.
    const ix = readIndex(dir)!;
    expect(ix.series.map((s) => s.labels.find((l) => l.name === 's')!.value)).toEqual(['0', '1', '2']);
    expect(ix.postings.get('s')!.get('1')).toEqual([1]);
    const first = ix.series[0]!.chunks[0]!;
    const bytes = chunkAt(readFileSync(join(dir, 'chunks', '00000001')), first.slot, 'chunk file');
    const decoded = decodeChunk(bytes, 'varbit');
    expect([...decoded.timestamps]).toEqual(before[0]!.ts.slice(0, first.samples));
    expect([...decoded.values]).toEqual(before[0]!.vs.slice(0, first.samples));
    // Samples after the checkpoint go to the new segment; a crash then keeps both.
    await fill(a.db, 3, 2001, 10);
    const all = read(a.db, 'm');
    await crash(a);

    const b = await openDiskDB(dir, { checkpointInterval: 0 });
    expect(b.replay.chunks).toBe(ix.series.reduce((n, s) => n + s.chunks.length + 1, 0));
    // The checkpoint holds the open chunks encoded (no samples to replay): only the log's 30 samples are replayed.
    expect(ix.series.every((s) => s.open && s.open.samples > 0)).toBe(true);
    expect(ix.series.reduce((n, s) => n + s.open!.samples, 0)).toBe(cp.headSamples);
    expect(b.replay.samples).toBe(30);
    expect(read(b.db, 'm')).toEqual(all);
    expect(b.db.stats().samples).toBe(6030);
    // A second checkpoint writes only the chunks closed since, into a new file.
    await fill(b.db, 3, 2011, 1000);
    const cp2 = b.checkpoint();
    expect(cp2.newChunks).toBeGreaterThan(0);
    expect(chunkFiles(dir)).toEqual(['00000001', '00000002']);
    const final = read(b.db, 'm');
    await b.close();
    const c = await openDiskDB(dir, { checkpointInterval: 0 });
    expect(read(c.db, 'm')).toEqual(final);
    expect(c.replay.records).toBeLessThan(10);
    await c.close();
  });

  it('keeps staleness markers, start timestamps and the duplicate check across a checkpoint', async () => {
    const dir = tmp();
    const a = await openDiskDB(dir, { checkpointInterval: 0 });
    for (let i = 1; i <= 1501; i++) {
      const app = a.db.appender();
      app.append({ __name__: 'c' }, i * 1000, i % 100 === 0 ? STALE_NAN : i, i * 1000 - 500);
      await app.commit();
    }
    const before = read(a.db, 'c');
    await a.close();
    const b = await openDiskDB(dir, { checkpointInterval: 0 });
    const after = read(b.db, 'c');
    expect(after[0]!.ts).toEqual(before[0]!.ts);
    expect(after[0]!.sts).toEqual(before[0]!.sts);
    after[0]!.vs.forEach((v, i) => expect(isStaleNaN(v) ? 'stale' : v).toBe(isStaleNaN(before[0]!.vs[i]!) ? 'stale' : before[0]!.vs[i]));
    const app = b.db.appender();
    app.append({ __name__: 'c' }, 1_501_000, 1501); // the same sample again: accepted silently
    expect(() => app.append({ __name__: 'c' }, 1_501_000, 7)).toThrow(/has 1501, got 7/);
    await b.close();
  });

  it('checkpoints when a log segment fills, so the log stays bounded', async () => {
    const dir = tmp();
    const a = await openDiskDB(dir, { segmentSize: 16 * 1024, checkpointInterval: 0 });
    await fill(a.db, 5, 1, 3000);
    // The checkpoint runs after the commit that filled a segment.
    await a.maintenance();
    const wal = readdirSync(join(dir, 'wal'));
    expect(wal.filter((f) => /^\d+$/.test(f))).toHaveLength(1);
    expect(wal.filter((f) => f.startsWith('checkpoint.'))).toHaveLength(1);
    expect(chunkFiles(dir).length).toBeGreaterThan(1);
    const before = read(a.db, 'm');
    await crash(a);
    const b = await openDiskDB(dir, { checkpointInterval: 0 });
    expect(read(b.db, 'm')).toEqual(before);
    await b.close();
  });

  it('deletes chunk files whose data fell out of time-based retention', async () => {
    const dir = tmp();
    const a = await openDiskDB(dir, { retention: '30m', checkpointInterval: 0 });
    await fill(a.db, 2, 1, 1800);
    a.checkpoint();
    const old = chunkFiles(dir);
    expect(old.length).toBe(1);
    await fill(a.db, 2, 1801, 3600);
    const cp = a.checkpoint();
    expect(cp.deletedChunkFiles).toBe(1);
    expect(chunkFiles(dir)).not.toContain(old[0]);
    const minT = a.db.stats().minTime!;
    await a.close();
    const b = await openDiskDB(dir, { retention: '30m', checkpointInterval: 0 });
    expect(b.db.stats().minTime).toBe(minT);
    expect(minT).toBeGreaterThan(5400_000 - 45 * 60_000);
    await b.close();
  });

  it('drops the oldest chunk files past --storage.tsdb.retention.size', async () => {
    const dir = tmp();
    const a = await openDiskDB(dir, { retentionSize: '40KB', checkpointInterval: 0 });
    for (let k = 0; k < 6; k++) {
      await fill(a.db, 4, 1 + k * 1000, 1000);
      a.checkpoint();
    }
    const files = chunkFiles(dir);
    const size = files.reduce((n, f) => n + readFileSync(join(dir, 'chunks', f)).length, 0);
    expect(size).toBeLessThanOrEqual(40 * 1024);
    expect(files[0]).not.toBe('00000001');
    expect(a.db.stats().minTime).toBeGreaterThan(1000);
    await a.close();
  });

  it('reports a damaged chunk file or index with its place', async () => {
    const dir = tmp();
    const a = await openDiskDB(dir, { checkpointInterval: 0 });
    await fill(a.db, 2, 1, 1500);
    await a.close();
    const path = join(dir, 'chunks', '00000001');
    const good = readFileSync(path);
    const bad = Buffer.from(good);
    bad[16 + 24 + 100] = bad[16 + 24 + 100]! ^ 0x10;
    writeFileSync(path, bad);
    await expect(openDiskDB(dir)).rejects.toThrow(PersistCorruptionError);
    await expect(openDiskDB(dir)).rejects.toThrow(/chunks\/00000001: checksum mismatch in chunk 0 at byte 16/);
    writeFileSync(path, good);
    const index = readFileSync(join(dir, 'index'));
    index[20] = index[20]! ^ 1;
    writeFileSync(join(dir, 'index'), index);
    await expect(openDiskDB(dir)).rejects.toThrow(/index: index checksum mismatch/);
  });

  it('refuses a data dir another running process holds, and takes over a lock a dead one left', async () => {
    const dir = tmp();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(dir, 'lock'), String(other.pid));
      await expect(openDiskDB(dir)).rejects.toThrow(DataDirLockedError);
      await expect(openDiskDB(dir)).rejects.toThrow(new RegExp(`in use by process ${other.pid}`));
      // Reading needs no lock.
      await (await openDiskDB(dir, { readOnly: true })).close();
    } finally {
      other.kill('SIGKILL');
      await new Promise((r) => other.once('exit', r));
    }
    const d = await openDiskDB(dir, { checkpointInterval: 0 });
    // The pid and its start time (from /proc), so a later process that reuses the pid is told apart.
    expect(readFileSync(join(dir, 'lock'), 'utf8')).toMatch(new RegExp(`^${process.pid} \\d+$`));
    await d.close();
    expect(existsSync(join(dir, 'lock'))).toBe(false);
  });

  it('takes over a lock whose process is a zombie, or whose pid now runs another process', async () => {
    const dir = tmp();
    // The inner process exits once the outer shell has become sleep (exec), which never reaps it: a zombie.
    // (Exiting at once could race the exec, and the shell would reap it.)
    const parent = spawn('sh', ['-c', 'sleep 0.3 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      let out = '';
      parent.stdout.on('data', (d) => (out += String(d)));
      for (let i = 0; i < 100 && !out.includes('\n'); i++) await new Promise((r) => setTimeout(r, 20));
      const zombie = Number(out.trim());
      for (let i = 0; i < 100 && !/\) Z /.test(readFileSync(`/proc/${zombie}/stat`, 'utf8')); i++) await new Promise((r) => setTimeout(r, 20));
      expect(readFileSync(`/proc/${zombie}/stat`, 'utf8')).toMatch(/\) Z /);
      writeFileSync(join(dir, 'lock'), `${zombie} 1`);
      await (await openDiskDB(dir, { checkpointInterval: 0 })).close();
      // A live process (sleep) whose start time is not the recorded one: the pid was reused.
      const sleepStart = readFileSync(`/proc/${parent.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[19];
      writeFileSync(join(dir, 'lock'), `${parent.pid} ${Number(sleepStart) + 1}`);
      await (await openDiskDB(dir, { checkpointInterval: 0 })).close();
      // The same pid with its real start time is a live owner.
      writeFileSync(join(dir, 'lock'), `${parent.pid} ${sleepStart}`);
      await expect(openDiskDB(dir)).rejects.toThrow(new RegExp(`in use by process ${parent.pid}`));
    } finally {
      parent.kill('SIGKILL');
      await new Promise((r) => parent.once('exit', r));
    }
  });

  it('snapshots a data dir that is still being written to as a prefix of its commits', async () => {
    const dir = tmp();
    const live = await openDiskDB(dir, { segmentSize: 4096, checkpointInterval: 0 });
    await fill(live.db, 2, 1, 1200);
    const out = join(tmp(), 'snap');
    expect(snapshotDataDir(dir, out).files).toBeGreaterThan(2);
    const atSnapshot = read(live.db, 'm');
    await fill(live.db, 2, 1201, 5);
    await live.maintenance();
    // Another process's commit half written at the moment of the copy.
    const segs = readdirSync(join(dir, 'wal')).filter((f) => /^\d+$/.test(f)).sort();
    appendFileSync(join(dir, 'wal', segs[segs.length - 1]!), Buffer.from([50, 0, 0, 0, 1, 2]));
    const out2 = join(tmp(), 'snap2');
    const io = { out: () => {}, err: () => {} };
    expect(await runCli(['tsdb', 'snapshot', '--data-dir', dir, out2], io)).toBe(0);
    expect(await runCli(['tsdb', 'snapshot', out2], io)).toBe(2);
    await crash(live);

    const a = await openDiskDB(out, { readOnly: true });
    expect(read(a.db, 'm')).toEqual(atSnapshot);
    await a.close();
    const warnings: string[] = [];
    const b = await openDiskDB(out2, { warn: (m) => warnings.push(m) });
    expect(read(b.db, 'm')[0]!.ts).toHaveLength(1205);
    expect(warnings[0]).toMatch(/partial frame header/);
    await b.close();
  });

  it('keeps every acknowledged sample across SIGKILLs, through checkpoints, and invents nothing', async () => {
    const dir = tmp();
    const SERIES = 20;
    const child = fileURLToPath(new URL('../fixtures/wal/ingest.ts', import.meta.url));
    let rounds = 0;
    let checked = 0;
    let loadedChunks = 0;
    // A fixed number of rounds, not a time budget: the same checks on a slow machine.
    while (rounds < 4) {
      rounds++;
      // Every other round the child lets its event loop run between commits, so its checkpoints run in the
      // background and kills land in them; otherwise a segment filling with one under way takes it at once.
      const proc = spawn(process.execPath, ['--import', 'tsx', child, dir, String(SERIES), rounds % 2 === 0 ? 'yield' : 'tight'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      proc.stdout.on('data', (d) => (out += String(d)));
      proc.stderr.on('data', (d) => (err += String(d)));
      // Kill once it has acknowledged enough commits to have filled two 64 KiB log segments (a commit
      // logs 20 samples in about 410 bytes), so a checkpoint ran in every round; then after a random extra moment.
      const acks = () => out.split('\n').length - 1;
      // The wait is bounded only to end a run whose child never starts; a loaded machine may take long.
      for (let i = 0; i < 4800 && acks() < 400 && proc.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
      expect(acks(), err).toBeGreaterThanOrEqual(400);
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 400));
      proc.kill('SIGKILL');
      await new Promise((r) => proc.once('exit', r));
      const acked = out.split('\n').filter(Boolean).map(Number);
      const lastAcked = acked[acked.length - 1]!;

      const disk = await openDiskDB(dir, { warn: () => {}, readOnly: true });
      expect(disk.replay.chunks).toBeGreaterThan(0);
      loadedChunks += disk.replay.chunks;
      const series = read(disk.db, 'crash_test');
      expect(series).toHaveLength(SERIES);
      for (const s of series) {
        const idx = Number(s.labels.find((l) => l.name === 'series')!.value);
        // Every second from the first sample up to at least the last acknowledged one, with its value.
        expect(s.ts[0]).toBe(1000);
        expect(s.ts[s.ts.length - 1]!).toBeGreaterThanOrEqual(lastAcked);
        s.ts.forEach((t, i) => {
          expect(t).toBe(1000 * (i + 1));
          expect(s.vs[i]).toBe(t / 1000 + idx);
        });
        checked += s.ts.length;
      }
      // A commit is all or nothing: every series ends at the same sample.
      expect(new Set(series.map((s) => s.ts.length)).size).toBe(1);
      await disk.close();
    }
    // The child checkpoints as its small log segments fill, so kills also land during checkpoints.
    expect(loadedChunks).toBeGreaterThan(0);
    console.log(`crash test: ${rounds} SIGKILL rounds, ${checked} samples checked, ${loadedChunks} persisted chunks loaded`);
  }, 1_200_000);
});
