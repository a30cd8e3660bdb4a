import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/node/cli.js';

function capture() {
  const c = { out: '', err: '', io: { out: (s: string) => void (c.out += s), err: (s: string) => void (c.err += s) } };
  return c;
}

describe('promlet tsdb list and analyze', () => {
  it('lists blocks with ranges, counts and sizes, and analyzes cardinality and churn', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'promlet-tsdb-'));
    const lines = ['# TYPE up gauge'];
    const t0 = 1767225600; // 2026-01-01T00:00:00Z, aligned to 2h
    // up{job="a"} covers the whole first block; up{job="b",pod=...} pods churn: each lives 30 minutes.
    for (let t = t0; t < t0 + 7200; t += 60) lines.push(`up{job="a"} 1 ${t}`);
    for (let p = 0; p < 4; p++) for (let t = t0 + p * 1800; t < t0 + (p + 1) * 1800; t += 60) lines.push(`up{job="b",pod="p${p}"} 1 ${t}`);
    lines.push('# TYPE other gauge', `other 1 ${t0 + 7200}`, '# EOF', '');
    const file = join(dir, 'in.om');
    writeFileSync(file, lines.join('\n'));
    expect(await runCli(['import', file, '--data-dir', join(dir, 'data'), '--retention', '0s'], capture().io)).toBe(0);

    const l = capture();
    expect(await runCli(['tsdb', 'list', join(dir, 'data')], l.io)).toBe(0);
    const rows = l.out.trim().split('\n').map((r) => r.split(/\s{2,}/));
    expect(rows[0]).toEqual(['BLOCK ULID', 'MIN TIME', 'MAX TIME', 'DURATION', 'NUM SAMPLES', 'NUM CHUNKS', 'NUM SERIES', 'SIZE']);
    expect(rows.slice(1).map((r) => r.slice(1, 7))).toEqual([
      [String(t0 * 1000), String((t0 + 7200) * 1000), '2h', '240', '5', '5'],
      [String((t0 + 7200) * 1000), String((t0 + 14400) * 1000), '2h', '1', '1', '1'],
    ]);
    expect(Number(rows[1]![7])).toBeGreaterThan(100);

    const a = capture();
    expect(await runCli(['tsdb', 'analyze', join(dir, 'data'), rows[1]![0]!], a.io)).toBe(0);
    expect(a.out).toContain(`Block ID: ${rows[1]![0]}\nDuration: 2h\nTotal Series: 5\nLabel names: 3\nPostings (unique label pairs): 7\nPostings entries (total label pairs): 14\n`);
    // Each pod covers 29 of 120 minutes: 91 minutes uncovered each, 364 in all, about 3 series' worth.
    expect(a.out).toContain('Label pairs most involved in churning:\n3 __name__=up\n3 job=b\n0 job=a\n0 pod=p0\n');
    expect(a.out).toContain('Most common label pairs:\n5 __name__=up\n4 job=b\n1 job=a\n');
    expect(a.out).toContain('Highest cardinality labels:\n4 pod\n2 job\n1 __name__\n');
    expect(a.out).toContain('Highest cardinality metric names:\n5 up\n');
    // Without a block id: the newest block.
    const b = capture();
    expect(await runCli(['tsdb', 'analyze', join(dir, 'data')], b.io)).toBe(0);
    expect(b.out).toContain(`Block ID: ${rows[2]![0]}`);
    expect(b.out).toContain('Highest cardinality metric names:\n1 other\n');
  });
});
