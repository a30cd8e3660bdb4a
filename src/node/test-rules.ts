// `promlet test rules`: promtool's rule unit tests, with its flags
// (--run, --ignore-unknown-fields, --enable-feature) and exit codes.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { Feature } from '../promql/engine/engine.js';
import { testRules } from '../rules/unit-test.js';
import { expandGlob } from './file-sd.js';
import { type CliIO, UsageError, checkArgs, flagValues, positional } from './args.js';

export const TEST_RULES_USAGE = `usage: promlet test rules [--run REGEX]... [--ignore-unknown-fields] [--enable-feature F,...] FILE...

Run promtool-format rule unit tests (rule_files, evaluation_interval,
group_eval_order, fuzzy_compare, tests with input_series, alert_rule_test and
promql_expr_test). Exits 1 when any test fails, as promtool test rules does.
`;

export async function testCommand(args: string[], io: CliIO): Promise<number> {
  const [what, ...files] = positional(args, ['--run', '--enable-feature']);
  if (args.includes('--help') || what === undefined) {
    io.out(TEST_RULES_USAGE);
    return args.includes('--help') ? 0 : 2;
  }
  if (what !== 'rules') throw new UsageError(`test ${what}: want "test rules"`);
  checkArgs(args, { command: 'test rules', values: ['--run', '--enable-feature'], switches: ['--ignore-unknown-fields'], maxPositional: Infinity });
  if (files.length === 0) throw new UsageError('test rules needs a file');
  const ok = await testRules(files, {
    readFile: (p) => readFileSync(p, 'utf8'),
    // Like Go's filepath.Glob: a plain path that does not exist matches nothing.
    glob: (p) => (/[*?[]/.test(p) ? expandGlob(p, '.') : existsSync(p) ? [p] : []),
    dirname, join, isAbsolute,
    run: flagValues(args, '--run'),
    ignoreUnknownFields: args.includes('--ignore-unknown-fields'),
    features: flagValues(args, '--enable-feature').flatMap((f) => f.split(',')).filter(Boolean) as Feature[],
  }, io);
  return ok ? 0 : 1;
}
