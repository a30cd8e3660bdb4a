import { describe, expect, it } from 'vitest';
import { testRules, type RuleTestOptions } from '../../src/rules/unit-test.js';
import { parseUnitTestFile } from '../../src/rules/unit-test-file.js';
import { goDuration, goFloatE } from '../../src/rules/unit-test-format.js';

const RULES = `
groups:
  - name: g
    rules:
      - record: doubled
        expr: value * 2
      - record: doubled_plus_one
        expr: doubled + 1
      # Fails (many-to-many) as soon as there are two value series.
      - record: paired
        expr: value + on() value
      - alert: High
        expr: value > 5
        for: 1m
        annotations:
          summary: "value is {{ $value }}"
`;

/** Runs one in-memory test file beside rules.yml; returns the verdict and what was printed. */
async function runTest(test: string, extra: Partial<RuleTestOptions> = {}) {
  const files: Record<string, string> = { '/t/rules.yml': RULES, '/t/test.yml': test };
  let out = '';
  let err = '';
  const ok = await testRules(['/t/test.yml'], {
    readFile: (p) => {
      if (!(p in files)) throw new Error(`open ${p}: no such file or directory`);
      return files[p]!;
    },
    glob: (p) => (p in files ? [p] : []),
    dirname: (p) => p.slice(0, p.lastIndexOf('/')),
    join: (d, p) => `${d}/${p}`,
    isAbsolute: (p) => p.startsWith('/'),
    ...extra,
  }, { out: (s) => { out += s; }, err: (s) => { err += s; } });
  return { ok, out, err };
}

describe('rule unit tests', () => {
  it('passes when recording rules, chained in one group, give the expected samples', async () => {
    const r = await runTest(`
rule_files: [rules.yml]
tests:
  - interval: 1m
    input_series:
      - series: value
        values: 1+1x5
    promql_expr_test:
      - expr: doubled_plus_one
        eval_time: 2m
        exp_samples:
          - labels: doubled_plus_one
            value: 7
`);
    expect(r.err).toBe('');
    expect(r.ok).toBe(true);
    expect(r.out).toBe('Unit Testing:  /t/test.yml\n  SUCCESS\n\n');
  });

  it('fails with the expected and the actual samples', async () => {
    const r = await runTest(`
rule_files: [rules.yml]
tests:
  - input_series:
      - series: value
        values: '3'
    promql_expr_test:
      - expr: doubled
        eval_time: 0
        exp_samples:
          - labels: doubled
            value: 5
`);
    expect(r.ok).toBe(false);
    expect(r.err).toContain('    expr: "doubled", time: 0s,\n        exp: {__name__="doubled"} 5E+00\n        got: {__name__="doubled"} 6E+00');
  });

  it('reads values as written: 0x10 is ten zeros, not sixteen', async () => {
    const r = await runTest(`
tests:
  - input_series:
      - series: value
        values: 0x10
    promql_expr_test:
      - expr: value
        eval_time: 10m
        exp_samples:
          - labels: value
            value: 0
`);
    expect(r.err).toBe('');
    expect(r.ok).toBe(true);
  });

  it('checks alerts at the evaluation that covers their eval_time', async () => {
    const test = (exp: string) => `
rule_files: [rules.yml]
tests:
  - input_series:
      - series: value
        values: 6x5
    alert_rule_test:
      - eval_time: 1m30s
        alertname: High
        exp_alerts: ${exp}
`;
    const firing = await runTest(test('[{exp_annotations: {summary: "value is 6"}}]'));
    expect(firing.err).toBe('');
    expect(firing.ok).toBe(true);
    const none = await runTest(test('[]'));
    expect(none.ok).toBe(false);
    expect(none.err).toContain('alertname: High, time: 1m30s');
    expect(none.err).toContain('Labels:{alertname="High"}');
  });

  it('runs only the groups --run selects', async () => {
    const test = `
tests:
  - name: good one
    input_series: [{series: x, values: '1'}]
    promql_expr_test: [{expr: x, eval_time: 0, exp_samples: [{labels: x, value: 1}]}]
  - name: bad one
    input_series: [{series: x, values: '1'}]
    promql_expr_test: [{expr: x, eval_time: 0, exp_samples: [{labels: x, value: 2}]}]
`;
    expect((await runTest(test)).ok).toBe(false);
    expect((await runTest(test, { run: ['good'] })).ok).toBe(true);
    expect((await runTest(test, { run: ['bad'] })).ok).toBe(false);
  });

  it('compares to the last bit only with fuzzy_compare', async () => {
    const test = (fuzzy: boolean, v: string) => `
fuzzy_compare: ${fuzzy}
tests:
  - input_series: [{series: x, values: '${v}'}]
    promql_expr_test: [{expr: x, eval_time: 0, exp_samples: [{labels: x, value: 3}]}]
`;
    expect((await runTest(test(false, '3.0000000000000004'))).ok).toBe(false);
    expect((await runTest(test(true, '3.0000000000000004'))).ok).toBe(true);
    expect((await runTest(test(true, '3.0000000000000013'))).ok).toBe(false);
  });

  it('starts samples and eval times at start_timestamp', async () => {
    const r = await runTest(`
tests:
  - start_timestamp: "2024-01-01T00:00:00Z"
    input_series: [{series: x, values: '1 2 3'}]
    promql_expr_test:
      - {expr: timestamp(x), eval_time: 2m, exp_samples: [{labels: '{}', value: 1704067320}]}
      - {expr: time(), eval_time: 5m, exp_samples: [{value: 1704067500}]}
`);
    expect(r.err).toBe('');
    expect(r.ok).toBe(true);
  });

  it('stops a test group at the first rule evaluation error', async () => {
    const r = await runTest(`
rule_files: [rules.yml]
tests:
  - input_series:
      - series: 'value{a="1"}'
        values: '1'
      - series: 'value{a="2"}'
        values: '1'
    promql_expr_test: [{expr: doubled, eval_time: 2m}]
`);
    expect(r.ok).toBe(false);
    expect(r.err).toContain('    rule: paired, time: 0s, err: ');
    expect(r.err).toContain('many-to-many matching not allowed');
    // The group ended there: its PromQL expectations were never compared.
    expect(r.err).not.toContain('expr: "doubled"');
  });

  it('reports an unknown field, a missing rule file and a bad series', async () => {
    expect(() => parseUnitTestFile('tests:\n  - input_serie: []\n')).toThrow('field input_serie not found in type main.testGroup');
    const missing = await runTest('rule_files: [nope.yml]\ntests: []\n');
    expect(missing.err).toContain('WARNING: no file match pattern /t/nope.yml');
    const bad = await runTest(`tests:\n  - input_series: [{series: 'x{a="1"', values: '1'}]\n`);
    expect(bad.ok).toBe(false);
  });

  it('formats as Go does', () => {
    expect(goFloatE(1)).toBe('1E+00');
    expect(goFloatE(2.9999999999999987)).toBe('2.9999999999999987E+00');
    expect(goFloatE(1.5e-7)).toBe('1.5E-07');
    expect(goDuration(0)).toBe('0s');
    expect(goDuration(60_000)).toBe('1m0s');
    expect(goDuration(179_999)).toBe('2m59.999s');
    expect(goDuration(3_600_000)).toBe('1h0m0s');
  });
});
