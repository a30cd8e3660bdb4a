// Runs the project's own PromQL test scripts (test/promql/testdata/*.test,
// Prometheus's promqltest format): one test per eval command.

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScript } from '../../src/promql/promqltest/runner.js';

const dir = new URL('./testdata/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.test')).sort();

for (const file of files) {
  const outcome = await runScript(readFileSync(new URL(file, dir), 'utf8'), file);
  describe(file, () => {
    it('loads', () => expect(outcome.error).toBeUndefined());
    for (const e of outcome.evals) {
      it(`line ${e.line}: ${e.expr}`, () => expect(e.reason ?? 'ok').toBe('ok'));
    }
  });
}
