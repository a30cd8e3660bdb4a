// Prometheus 2.x's own bytes/sample on the same data: write OpenMetrics with
// timestamps, backfill it with Debian's `promtool tsdb create-blocks-from
// openmetrics`, and divide the blocks' chunks/ bytes by their sample count.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SeriesData } from './data.js';

function escapeValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export function promtoolAvailable(): boolean {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Returns Prometheus's chunk bytes per sample for the series, or null without promtool. */
export function prometheusBytesPerSample(series: SeriesData[]): { bytesPerSample: number; samples: number } | null {
  if (!promtoolAvailable()) return null;
  const dir = mkdtempSync(join(tmpdir(), 'promlet-promtool-'));
  try {
    const lines: string[] = [];
    const names = series.map((s) => {
      const { __name__: name, ...rest } = s.labels;
      const ls = Object.entries(rest).map(([k, v]) => `${k}="${escapeValue(v)}"`).join(',');
      return `${name}${ls ? `{${ls}}` : ''}`;
    });
    // Time-major order, as a scrape would produce it.
    const n = Math.max(...series.map((s) => s.timestamps.length));
    for (let i = 0; i < n; i++) {
      series.forEach((s, k) => {
        if (i < s.timestamps.length) lines.push(`${names[k]} ${formatValue(s.values[i]!)} ${(s.timestamps[i]! / 1000).toFixed(3)}`);
      });
    }
    lines.push('# EOF', '');
    const input = join(dir, 'data.om');
    writeFileSync(input, lines.join('\n'));
    const out = join(dir, 'blocks');
    execFileSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', input, out], { stdio: 'ignore' });
    let bytes = 0;
    let samples = 0;
    for (const block of readdirSync(out)) {
      const meta = JSON.parse(readFileSync(join(out, block, 'meta.json'), 'utf8'));
      samples += meta.stats.numSamples;
      for (const f of readdirSync(join(out, block, 'chunks'))) bytes += statSync(join(out, block, 'chunks', f)).size;
    }
    return { bytesPerSample: bytes / samples, samples };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
