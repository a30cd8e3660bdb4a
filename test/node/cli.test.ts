import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/node/cli.js';

function capture() {
  let out = '';
  let err = '';
  return { io: { out: (s: string) => void (out += s), err: (s: string) => void (err += s) }, get out() { return out; }, get err() { return err; } };
}

describe('promlet CLI', () => {
  it('demo stores the generated series and reports them', async () => {
    const c = capture();
    expect(await runCli(['demo', '--series', '50', '--hours', '1'], c.io)).toBe(0);
    expect(c.out).toMatch(/stored 12000 samples of 50 series/);
    expect(c.out).toMatch(/varbit chunks/);
    expect(c.out).toMatch(/sum by \(code\) \(rate\(http_requests_total\[5m\]\)\)/);
    expect(c.out).toMatch(/\{code="200"\} \d+\.\d{3}/);
  });

  it('exits 2 with a message on usage errors', async () => {
    const c = capture();
    expect(await runCli(['demo', '--storage.encoding=gorilla'], c.io)).toBe(2);
    expect(c.err).toContain('want varbit or double-delta');
    expect(await runCli(['frobnicate'], c.io)).toBe(2);
    expect(c.err).toContain('unknown command "frobnicate"');
    expect(await runCli(['serve', '--query.max-memory', 'lots'], c.io)).toBe(2);
    expect(c.err).toContain('--query.max-memory: want a size such as 512MB, got "lots"');
    expect(await runCli(['serve', '--query.max-label-value-length', '-5'], c.io)).toBe(2);
    expect(c.err).toContain('--query.max-label-value-length: want a positive integer, got "-5"');
    expect(await runCli(['serve', '--web.read-timeout', '5 minutes'], c.io)).toBe(2);
    expect(c.err).toContain('--web.read-timeout: not a valid duration string: "5 minutes"');
  });

  it('prints help', async () => {
    const c = capture();
    expect(await runCli(['--help'], c.io)).toBe(0);
    expect(c.out).toContain('usage: promlet');
  });
});

describe('promlet check config', () => {
  it('accepts a valid prometheus.yml and reports what is wrong with a bad one', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'promlet-check-'));
    const good = join(dir, 'good.yml');
    const bad = join(dir, 'bad.yml');
    writeFileSync(good, 'global:\n  scrape_interval: 30s\nscrape_configs:\n  - job_name: node\n    static_configs:\n      - targets: ["localhost:9100"]\n');
    writeFileSync(bad, 'global:\n  scrape_interval: soon\nscrape_configs:\n  - job_name: a\n  - job_name: a\nunknown_section: 1\n');
    const c = capture();
    expect(await runCli(['check', 'config', good], c.io)).toBe(0);
    expect(c.out).toContain('SUCCESS');
    const d = capture();
    expect(await runCli(['check', 'config', bad], d.io)).toBe(1);
    expect(d.err).toContain('global.scrape_interval: not a valid duration string: "soon"');
    expect(d.err).toContain('found multiple scrape configs with job name "a"');
    expect(d.err).toContain('field unknown_section not found');
  });

  it('has --help for every command', async () => {
    for (const cmd of ['serve', 'query', 'query-range', 'format', 'demo', 'check']) {
      const c = capture();
      expect(await runCli([cmd, '--help'], c.io), cmd).toBe(0);
      expect(c.out, cmd).toContain('usage: promlet');
    }
  });

  it('formats expressions and exits 1 on parse errors', async () => {
    const c = capture();
    expect(await runCli(['format', 'sum(rate(x[5m]))by(job)'], c.io)).toBe(0);
    expect(c.out).toBe('sum by (job) (rate(x[5m]))\n');
    const d = capture();
    expect(await runCli(['format', 'sum('], d.io)).toBe(1);
    expect(d.err).toContain('1:5: parse error');
  });
});

describe('promlet check rules', () => {
  it('counts the rules of a good file and lists the problems of a bad one', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'promlet-rules-'));
    writeFileSync(join(dir, 'good.yml'), 'groups:\n  - name: g\n    rules:\n      - record: a:b\n        expr: sum(up)\n');
    writeFileSync(join(dir, 'bad.yml'), 'groups:\n  - name: g\n    rules:\n      - alert: X\n        expr: sum(\n');
    const c = capture();
    expect(await runCli(['check', 'rules', join(dir, 'good.yml')], c.io)).toBe(0);
    expect(c.out).toContain('SUCCESS: 1 rules found');
    const d = capture();
    expect(await runCli(['check', 'rules', join(dir, 'bad.yml')], d.io)).toBe(1);
    expect(d.err).toContain('could not parse expression');
  });

});

describe('promlet import and query --data-dir', () => {
  it('imports OpenMetrics with timestamps into a data dir and queries it there', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'promlet-import-'));
    const file = join(dir, 'backfill.om');
    writeFileSync(file, [
      '# TYPE jobs_done counter',
      'jobs_done_total{queue="a"} 5 1700000060',
      'jobs_done_total{queue="a"} 3 1700000000',
      'jobs_done_total{queue="b"} 7 1700000000',
      '# EOF', '',
    ].join('\n'));
    const c = capture();
    expect(await runCli(['import', file, '--data-dir', join(dir, 'data')], c.io)).toBe(0);
    expect(c.out).toContain('imported 3 samples of 2 series');
    expect(c.out).toContain('rejected 0');

    const q = capture();
    expect(await runCli(['query', 'sum(jobs_done_total)', '--time', '1700000060', '--data-dir', join(dir, 'data')], q.io)).toBe(0);
    expect(q.out).toBe('{} 12\n');
    // Importing the same file again rejects nothing new and duplicates nothing.
    const again = capture();
    expect(await runCli(['import', file, '--data-dir', join(dir, 'data')], again.io)).toBe(0);
    const q2 = capture();
    expect(await runCli(['query', 'count_over_time(jobs_done_total[5m])', '--time', '1700000060', '--data-dir', join(dir, 'data')], q2.io)).toBe(0);
    expect(q2.out).toBe('{queue="a"} 2\n{queue="b"} 1\n');

    writeFileSync(file, '# TYPE x gauge\nx 1 1700000000\nx{ 2\n# EOF\n');
    const bad = capture();
    expect(await runCli(['import', file, '--data-dir', join(dir, 'data')], bad.io)).toBe(1);
    expect(bad.err).toMatch(/backfill\.om:3: /);
    expect(await runCli(['import', file], capture().io)).toBe(2);
  });
});
