// promlet's OpenMetrics parser and promtool's read the same file to the
// same series and sample counts (promtool tsdb create-blocks-from openmetrics
// records them in each block's meta.json).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseExposition } from '../../src/exposition/parse.js';
import { synthetic, toOpenMetrics } from '../../bench/synthetic.js';
import { importCommand } from '../../src/node/import.js';

describe('OpenMetrics parsing matches promtool', () => {
  it('counts the same series and samples', () => {
    const text = toOpenMetrics(synthetic(Date.UTC(2026, 0, 1), 1, 9));
    const dir = mkdtempSync(join(tmpdir(), 'promlet-om-'));
    try {
      writeFileSync(join(dir, 'data.om'), text);
      execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'data.om'), join(dir, 'out')], { stdio: 'ignore' });
      let series = 0, samples = 0;
      for (const b of readdirSync(join(dir, 'out'))) {
        const meta = JSON.parse(readFileSync(join(dir, 'out', b, 'meta.json'), 'utf8')) as { stats: { numSeries: number; numSamples: number } };
        samples += meta.stats.numSamples;
        series = Math.max(series, meta.stats.numSeries);
      }
      const ours = parseExposition(text, 'openmetrics');
      expect(ours.samples.length).toBe(samples);
      expect(new Set(ours.samples.map((s) => JSON.stringify(s.labels))).size).toBe(series);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('promlet import writes the blocks promtool writes: per 2 h range, the same series and samples, from lines of interleaved series', async () => {
    // 5 h of samples, time-major (as scraped, series interleaved across families); promtool
    // 2.42 rejects a series out of time order, so each series stays in order here.
    const lines = toOpenMetrics(synthetic(Date.UTC(2026, 0, 1, 1), 5, 3)).split('\n').filter((l) => l !== '' && l !== '# EOF');
    const meta = lines.filter((l) => l.startsWith('#'));
    const samples = lines.filter((l) => !l.startsWith('#'));
    const time = (l: string) => Number(l.slice(l.lastIndexOf(' ') + 1));
    samples.sort((a, b) => time(a) - time(b));
    const text = [...meta, ...samples, '# EOF', ''].join('\n');
    const dir = mkdtempSync(join(tmpdir(), 'promlet-om-'));
    try {
      const file = join(dir, 'data.om');
      writeFileSync(file, text);
      execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', file, join(dir, 'promtool')], { stdio: 'ignore' });
      const H2 = 2 * 3600_000;
      // promtool's block starts at its first sample; promlet's at the aligned range start.
      const blocks = (out: string) => readdirSync(out).filter((b) => /^[0-9A-Z]{26}$/.test(b)).map((b) => {
        const m = JSON.parse(readFileSync(join(out, b, 'meta.json'), 'utf8')) as { minTime: number; stats: { numSeries: number; numSamples: number } };
        return [Math.floor(m.minTime / H2) * H2, m.stats.numSeries, m.stats.numSamples];
      }).sort((a, b) => a[0]! - b[0]!);
      const want = blocks(join(dir, 'promtool'));
      expect(want.length).toBe(3);
      const io = { out: () => {}, err: () => {} };
      expect(await importCommand([file, '--data-dir', join(dir, 'promlet'), '--retention', '0s'], io)).toBe(0);
      expect(blocks(join(dir, 'promlet'))).toEqual(want);
      expect(await importCommand([file, '--data-dir', join(dir, 'passes'), '--retention', '0s', '--max-buffered-samples', '500'], io)).toBe(0);
      expect(blocks(join(dir, 'passes'))).toEqual(want);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
