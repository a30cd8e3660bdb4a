// `promlet test rules` and the Debian `promtool test rules` run the same
// unit-test files (test/fixtures/rules/*.test.yml, features both versions
// share): same exit code, same failure report.

import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIR = fileURLToPath(new URL('../fixtures/rules/', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/promlet.mjs', import.meta.url));
const files = readdirSync(DIR).filter((f) => f.endsWith('.test.yml')).sort();

const run = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { cwd: DIR, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

describe('promlet test rules matches promtool test rules', () => {
  it('has fixtures that pass and that fail', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  for (const f of files) {
    it(f, () => {
      const want = run('promtool', ['test', 'rules', f]);
      const got = run(process.execPath, [BIN, 'test', 'rules', f]);
      expect(want.code, want.stderr).not.toBeNull();
      expect(got.code).toBe(want.code);
      expect(got.stdout.replace(/\n+/g, '\n')).toBe(want.stdout.replace(/\n+/g, '\n'));
      expect(got.stderr).toBe(want.stderr);
    });
  }
});
