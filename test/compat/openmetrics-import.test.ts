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
});
