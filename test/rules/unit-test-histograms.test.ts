// promlet test rules with native histograms (test/fixtures/rules-histograms):
// {{...}} input series, recording rules whose output is histograms, alerts
// on histogram expressions and on histogram samples ($value as the
// histogram), histogram exp_samples compared by their test expression, and
// promtool's failure output for them. Debian's promtool 2.42 predates
// histogram notation in rule tests, so these are checked on their own.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testRules } from '../../src/rules/unit-test.js';

const DIR = fileURLToPath(new URL('../fixtures/rules-histograms/', import.meta.url));

async function run(file: string) {
  let out = '';
  let err = '';
  const ok = await testRules([join(DIR, file)], {
    readFile: (p) => readFileSync(p, 'utf8'), glob: (p) => (existsSync(p) ? [p] : []), dirname, join, isAbsolute,
  }, { out: (s) => { out += s; }, err: (s) => { err += s; } });
  return { ok, out, err };
}

describe('promlet test rules with native histograms', () => {
  it('passes a file of histogram inputs, histogram outputs and alerts on histograms', async () => {
    const r = await run('latency.test.yml');
    expect(r.err).toBe('');
    expect(r.ok).toBe(true);
    expect(r.out).toContain('SUCCESS');
  });

  it('reports a histogram that differs, and a histogram literal with two values, as promtool does', async () => {
    const r = await run('latency-failing.test.yml');
    expect(r.ok).toBe(false);
    expect(r.err).toBe(`  FAILED:
    expr: "request_duration_seconds", time: 1m,
        exp: {__name__="request_duration_seconds", instance="a", job="api"} {{count:4 sum:3 buckets:[2 2]}}
        got: {__name__="request_duration_seconds", instance="a", job="api"} {{count:4 sum:3 counter_reset_hint:not_reset buckets:[2 2]}}
    expr: "request_duration_seconds", time: 1m, err: labels "request_duration_seconds{job=\\"api\\", instance=\\"a\\"}": expected 1 value, got 2
`);
  });
});
