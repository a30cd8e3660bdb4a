// `promlet import` writes blocks directly: samples sorted per series, no
// log, progress on a terminal without repeats, a warning for data the
// retention will delete, and a directory that answers like the same
// samples appended in memory.

import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCommand } from '../../src/node/import.js';
import { openDiskDB } from '../../src/node/disk-db.js';
import { openDB } from '../../src/storage/db.js';
import { isULID } from '../../src/storage/block-format.js';
import { readMetric } from '../support/disk.js';

const H = 3600_000;

function capture(isTTY = false) {
  const c = { out: '', err: '', io: { out: (s: string) => void (c.out += s), err: (s: string) => void (c.err += s), isTTY } };
  return c;
}

/** A file of `series` gauges over `hours` at 15 s, lines of each series in reverse time order. */
function writeFile(path: string, start: number, hours: number, series: number): { labels: Record<string, string>; t: number; v: number }[] {
  const lines = ['# TYPE g gauge'];
  const samples: { labels: Record<string, string>; t: number; v: number }[] = [];
  for (let s = 0; s < series; s++) {
    for (let t = start + hours * H - 15_000; t >= start; t -= 15_000) {
      const v = Math.round(Math.sin(t / 6e5 + s) * 1000) / 10;
      lines.push(`g{s="${s}"} ${v} ${t / 1000}`);
      samples.push({ labels: { __name__: 'g', s: String(s) }, t, v });
    }
  }
  lines.push('# EOF', '');
  writeFileSync(path, lines.join('\n'));
  return samples;
}

describe('promlet import', () => {
  it('writes sorted series straight into aligned blocks that answer as the head would', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'promlet-import-'));
    const file = join(dir, 'in.om');
    const start = Date.UTC(2026, 0, 1, 1, 0);
    const samples = writeFile(file, start, 5, 7);
    const c = capture(true);
    expect(await importCommand([file, '--data-dir', join(dir, 'data'), '--retention', '0s'], c.io)).toBe(0);
    expect(c.out).toBe(`imported ${samples.length} samples of 7 series into ${join(dir, 'data')} (3 blocks), rejected 0\n`);
    // Progress: each percentage once, ending at 100.
    const shown = [...c.err.matchAll(/\rimporting: (\d+)%/g)].map((m) => Number(m[1]));
    expect(shown[0]).toBe(0);
    expect(shown.at(-1)).toBe(100);
    expect(new Set(shown).size).toBe(shown.length);
    expect(shown).toEqual([...shown].sort((a, b) => a - b));
    const blocks = readdirSync(join(dir, 'data')).filter(isULID);
    const metas = blocks.map((b) => JSON.parse(readFileSync(join(dir, 'data', b, 'meta.json'), 'utf8'))).sort((a, b) => a.minTime - b.minTime);
    expect(metas.map((m) => [m.minTime - start + H, m.maxTime - start + H])).toEqual([[0, 2 * H], [2 * H, 4 * H], [4 * H, 6 * H]]);
    // No log: nothing went through the head.
    expect(existsSync(join(dir, 'data', 'wal')) ? readdirSync(join(dir, 'data', 'wal')).filter((f) => statSync(join(dir, 'data', 'wal', f)).size > 0) : []).toEqual([]);

    const ref = await openDB();
    const app = ref.appender();
    for (const s of [...samples].sort((a, b) => a.t - b.t)) app.append(s.labels, s.t, s.v);
    await app.commit();
    const d = await openDiskDB(join(dir, 'data'), { checkpointInterval: 0 });
    expect(readMetric(d.db, 'g')).toEqual(readMetric(ref, 'g'));
    await d.close();
  });

  it('warns about samples the retention will delete, and rejects conflicting duplicates with their line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'promlet-import-'));
    const file = join(dir, 'in.prom');
    const old = Date.now() - 20 * 24 * H;
    writeFileSync(file, `# TYPE x gauge\nx 1 ${old}\nx 2 ${old + 60_000}\nx 3 ${old}\nx 1 ${old}\ny 5\n`);
    const c = capture();
    expect(await importCommand([file, '--data-dir', join(dir, 'data')], c.io)).toBe(0);
    expect(c.out).toContain('imported 2 samples of 1 series');
    expect(c.out).toContain('rejected 2');
    expect(c.err).toContain(`${file}:4: duplicate sample for timestamp ${old}: 1 already, got 3`);
    expect(c.err).toContain(`${file}:6: sample has no timestamp`);
    expect(c.err).toMatch(/2 of 2 samples \(.* to .*\) are older than the retention window \(.*, now minus 15d\): a server on .* with that retention will delete them/);
    // No progress lines off a terminal.
    expect(c.err).not.toContain('importing:');
  });

  it('imports the same with a pass per block range when the file holds more samples than may be buffered', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'promlet-import-'));
    const file = join(dir, 'in.om');
    const start = Date.UTC(2026, 0, 1, 1, 0);
    writeFile(file, start, 5, 7);
    // A conflicting duplicate and a sample without a timestamp, each to be reported once.
    const text = readFileSync(file, 'utf8').replace('# EOF\n', `g{s="3"} 12345 ${(start + 2 * H) / 1000}\ng{s="9"} 1\n# EOF\n`);
    writeFileSync(file, text);
    const whole = capture(), passes = capture(true);
    expect(await importCommand([file, '--data-dir', join(dir, 'whole'), '--retention', '0s'], whole.io)).toBe(0);
    expect(await importCommand([file, '--data-dir', join(dir, 'passes'), '--retention', '0s', '--max-buffered-samples', '100'], passes.io)).toBe(0);
    expect(passes.out).toBe(whole.out.replace(join(dir, 'whole'), join(dir, 'passes')));
    expect(whole.out).toContain('(3 blocks), rejected 2');
    const rejections = (c: { err: string }) => c.err.split('\n').filter((l) => l.startsWith(file)).sort();
    expect(rejections(passes)).toEqual(rejections(whole));
    expect(rejections(whole)).toHaveLength(2);
    const shown = [...passes.err.matchAll(/\rimporting: (\d+)%/g)].map((m) => Number(m[1]));
    expect(shown.at(-1)).toBe(100);
    expect(shown).toEqual([...new Set(shown)].sort((a, b) => a - b));
    const a = await openDiskDB(join(dir, 'whole'), { readOnly: true }), b = await openDiskDB(join(dir, 'passes'), { readOnly: true });
    expect(readMetric(b.db, 'g')).toEqual(readMetric(a.db, 'g'));
    expect(readMetric(a.db, 'g').length).toBe(7);
    await a.close();
    await b.close();
    const c = capture();
    await expect(importCommand([file, '--data-dir', join(dir, 'x'), '--max-buffered-samples', '0'], c.io)).rejects.toThrow('--max-buffered-samples: want a positive whole number, got "0"');
  });
});
