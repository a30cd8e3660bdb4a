// The write-ahead log: replay after a restart, repair of a torn tail,
// corruption reported with its place, and a SIGKILL crash test.

import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Matcher } from '../../src/index.js';
import { STALE_NAN, isStaleNaN } from '../../src/model/stale.js';
import { openDiskDB, snapshotDataDir, WalCorruptionError } from '../../src/node/wal-file.js';
import { runCli } from '../../src/node/cli.js';
import type { DB } from '../../src/storage/db.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'promlet-wal-'));

function read(db: DB, name: string) {
  const q = db.querier(-Infinity, Infinity);
  try {
    return q.select([new Matcher('=', '__name__', name)]).map((s) => {
      const b = s.samples(-1e15, 1e15);
      return { labels: s.labels, ts: [...b.timestamps], vs: [...b.values] };
    });
  } finally {
    q.close();
  }
}

async function write(db: DB, samples: [Record<string, string>, number, number, number?][]) {
  const app = db.appender();
  for (const [l, t, v, st] of samples) app.append(l, t, v, st ?? 0);
  await app.commit();
}

describe('write-ahead log', () => {
  it('replays committed samples, staleness markers and start timestamps after a restart', async () => {
    const dir = tmp();
    const a = await openDiskDB(dir);
    await write(a.db, [[{ __name__: 'm', job: 'x' }, 1000, 1.5, 500], [{ __name__: 'm', job: 'y' }, 1000, 7]]);
    await write(a.db, [[{ __name__: 'm', job: 'x' }, 2000, STALE_NAN]]);
    const uncommitted = a.db.appender();
    uncommitted.append({ __name__: 'm', job: 'x' }, 3000, 9);
    await a.close();

    const b = await openDiskDB(dir);
    expect(b.replay).toMatchObject({ records: 4, samples: 3, skipped: 0 });
    const got = read(b.db, 'm');
    expect(got.map((s) => [s.labels.find((l) => l.name === 'job')!.value, s.ts])).toEqual([['x', [1000, 2000]], ['y', [1000]]]);
    expect(got[0]!.vs[0]).toBe(1.5);
    expect(isStaleNaN(got[0]!.vs[1]!)).toBe(true);
    // New series and samples after a restart go to the log too, and the ids stay consistent.
    await write(b.db, [[{ __name__: 'm', job: 'z' }, 4000, 3], [{ __name__: 'm', job: 'y' }, 4000, 8]]);
    await b.close();
    const c = await openDiskDB(dir);
    expect(read(c.db, 'm').map((s) => [s.labels.find((l) => l.name === 'job')!.value, s.ts, s.vs.filter((v) => !isStaleNaN(v))]))
      .toEqual([['x', [1000, 2000], [1.5]], ['y', [1000, 4000], [7, 8]], ['z', [4000], [3]]]);
    await c.close();
  });

  it('cuts a torn tail off the newest segment with a warning and keeps everything before it', async () => {
    const dir = tmp();
    const a = await openDiskDB(dir);
    await write(a.db, [[{ __name__: 'm' }, 1000, 1]]);
    await write(a.db, [[{ __name__: 'm' }, 2000, 2]]);
    await a.close();
    const seg = join(dir, 'wal', '00000001');
    const whole = readFileSync(seg);
    writeFileSync(seg, whole.subarray(0, whole.length - 5));
    appendFileSync(seg, Buffer.from([1, 2, 3]));
    const warnings: string[] = [];
    const b = await openDiskDB(dir, { warn: (m) => warnings.push(m) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/partial record in segment .*00000001 at byte \d+ of \d+; truncating/);
    expect(read(b.db, 'm')[0]!.ts).toEqual([1000]);
    await write(b.db, [[{ __name__: 'm' }, 3000, 3]]);
    await b.close();
    const c = await openDiskDB(dir, { warn: (m) => warnings.push(m) });
    expect(read(c.db, 'm')[0]!.ts).toEqual([1000, 3000]);
    expect(warnings).toHaveLength(1);
    await c.close();
  });

  it('reports damage inside an older segment with its place instead of skipping it', async () => {
    const dir = tmp();
    const a = await openDiskDB(dir, { segmentSize: 200 });
    for (let i = 1; i <= 20; i++) await write(a.db, [[{ __name__: 'm' }, i * 1000, i]]);
    await a.close();
    const segs = readdirSync(join(dir, 'wal')).sort();
    expect(segs.length).toBeGreaterThan(2);
    const first = join(dir, 'wal', segs[0]!);
    const buf = readFileSync(first);
    buf[buf.length - 3] = buf[buf.length - 3]! ^ 0xff;
    writeFileSync(first, buf);
    await expect(openDiskDB(dir)).rejects.toThrow(WalCorruptionError);
    await expect(openDiskDB(dir)).rejects.toThrow(/checksum mismatch in segment .*00000001 at byte \d+/);
  });

  it('snapshots a data dir that is still being written to as a prefix of its commits', async () => {
    const dir = tmp();
    const live = await openDiskDB(dir, { segmentSize: 300 });
    for (let i = 1; i <= 10; i++) await write(live.db, [[{ __name__: 'm' }, i * 1000, i]]);
    const out = join(tmp(), 'snap');
    expect(snapshotDataDir(dir, out).segments).toBeGreaterThan(1);
    for (let i = 11; i <= 15; i++) await write(live.db, [[{ __name__: 'm' }, i * 1000, i]]);
    // Another process's commit half written at the moment of the copy.
    const segs = readdirSync(join(dir, 'wal')).sort();
    appendFileSync(join(dir, 'wal', segs[segs.length - 1]!), Buffer.from([50, 0, 0, 0, 1, 2]));
    const out2 = join(tmp(), 'snap2');
    const io = { out: () => {}, err: () => {} };
    expect(await runCli(['tsdb', 'snapshot', '--data-dir', dir, out2], io)).toBe(0);
    expect(await runCli(['tsdb', 'snapshot', out2], io)).toBe(2);
    await live.close();

    const a = await openDiskDB(out);
    expect(read(a.db, 'm')[0]!.ts).toEqual(Array.from({ length: 10 }, (_, i) => (i + 1) * 1000));
    await a.close();
    const warnings: string[] = [];
    const b = await openDiskDB(out2, { warn: (m) => warnings.push(m) });
    expect(read(b.db, 'm')[0]!.ts).toHaveLength(15);
    expect(warnings[0]).toMatch(/partial frame header/);
    await b.close();
  });

  it('keeps every acknowledged sample across SIGKILLs, and invents nothing', async () => {
    const dir = tmp();
    const SERIES = 20;
    const child = fileURLToPath(new URL('../fixtures/wal/ingest.ts', import.meta.url));
    let rounds = 0;
    let checked = 0;
    const deadline = Date.now() + 15_000;
    while (rounds < 8 && Date.now() < deadline) {
      rounds++;
      const proc = spawn(process.execPath, ['--import', 'tsx', child, dir, String(SERIES)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      proc.stdout.on('data', (d) => (out += String(d)));
      proc.stderr.on('data', (d) => (err += String(d)));
      // Kill once it has acknowledged something, after a random extra moment.
      for (let i = 0; i < 200 && !out.includes('\n'); i++) await new Promise((r) => setTimeout(r, 50));
      expect(out, err).toContain('\n');
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 300));
      proc.kill('SIGKILL');
      await new Promise((r) => proc.once('exit', r));
      const acked = out.split('\n').filter(Boolean).map(Number);
      const lastAcked = acked[acked.length - 1]!;

      const { db, close } = await openDiskDB(dir, { warn: () => {} });
      const series = read(db, 'crash_test');
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
      await close();
    }
    expect(rounds).toBeGreaterThanOrEqual(3);
    console.log(`crash test: ${rounds} SIGKILL rounds, ${checked} samples checked`);
  }, 60_000);
});
