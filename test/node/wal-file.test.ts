// The write-ahead log: replay after a restart, repair of a torn tail, and
// corruption reported with its place.

import { appendFileSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STALE_NAN, isStaleNaN } from '../../src/model/stale.js';
import { WalCorruptionError, WalFile } from '../../src/node/wal-file.js';
import { openDiskDB } from '../../src/node/disk-db.js';
import type { DB } from '../../src/storage/db.js';
import { crash, readMetric } from '../support/disk.js';
import { samplesRecord, seriesRecord } from '../../src/storage/wal-records.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'promlet-wal-'));

const read = readMetric;

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
    await crash(a);

    const b = await openDiskDB(dir);
    expect(b.replay).toMatchObject({ records: 4, samples: 3, skipped: 0 });
    const got = read(b.db, 'm');
    expect(got.map((s) => [s.labels.find((l) => l.name === 'job')!.value, s.ts])).toEqual([['x', [1000, 2000]], ['y', [1000]]]);
    expect(got[0]!.vs[0]).toBe(1.5);
    expect(isStaleNaN(got[0]!.vs[1]!)).toBe(true);
    // New series and samples after a restart go to the log too, and the ids stay consistent.
    await write(b.db, [[{ __name__: 'm', job: 'z' }, 4000, 3], [{ __name__: 'm', job: 'y' }, 4000, 8]]);
    await crash(b);
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
    await crash(a);
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
    await crash(b);
    const c = await openDiskDB(dir, { warn: (m) => warnings.push(m) });
    expect(read(c.db, 'm')[0]!.ts).toEqual([1000, 3000]);
    expect(warnings).toHaveLength(1);
    await c.close();
  });

  it('reports damage inside an older segment with its place instead of skipping it', async () => {
    // Written below the database, since its checkpoints delete full segments.
    const dir = tmp();
    const wal = new WalFile(join(dir, 'wal'), { segmentSize: 200 });
    wal.write([seriesRecord(1, [{ name: '__name__', value: 'm' }])]);
    for (let i = 1; i <= 20; i++) wal.write([samplesRecord(new Uint32Array([1]), new Float64Array([i * 1000]), new Float64Array([i]), null, 1)]);
    wal.close();
    const segs = readdirSync(join(dir, 'wal')).sort();
    expect(segs.length).toBeGreaterThan(2);
    const first = join(dir, 'wal', segs[0]!);
    const buf = readFileSync(first);
    buf[buf.length - 3] = buf[buf.length - 3]! ^ 0xff;
    writeFileSync(first, buf);
    await expect(openDiskDB(dir)).rejects.toThrow(WalCorruptionError);
    await expect(openDiskDB(dir)).rejects.toThrow(/checksum mismatch in segment .*00000001 at byte \d+/);
  });
});

describe('the buffer a commit is put together in', () => {
  it('grows to a large commit and shrinks back once commits are small again, every record read back', () => {
    const dir = tmp();
    const wal = new WalFile(dir);
    const scratch = () => (wal as unknown as { scratch: Uint8Array }).scratch.length;
    const big = new Uint8Array(1 << 20).fill(7), small = new Uint8Array(1000).fill(3);
    wal.write([big]);
    const grown = scratch();
    expect(grown).toBeGreaterThanOrEqual((1 << 20) + 8);
    expect(grown).toBeLessThan(2 << 20);
    for (let i = 0; i < 7; i++) wal.write([small]);
    expect(scratch()).toBe(grown);
    wal.write([small]);
    expect(scratch()).toBeLessThan(4096);
    wal.close();
    const frames = readFileSync(join(dir, readdirSync(dir).sort()[0]!));
    // One big and eight small records, each behind an 8-byte header.
    expect(frames.length).toBe(9 * 8 + (1 << 20) + 8 * 1000);
  });
});
