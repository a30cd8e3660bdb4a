// `promlet test rules`: promtool's rule unit tests, with its flags
// (--run, --ignore-unknown-fields, --enable-feature) and exit codes.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import type { Feature } from '../promql/engine/engine.js';
import { testRules } from '../rules/unit-test.js';
import { expandGlob } from './file-sd.js';
import type { CliIO } from './cli.js';
import { UsageError, positional } from './commands.js';

export const TEST_RULES_USAGE = `usage: promlet test rules [--run REGEX]... [--ignore-unknown-fields] [--enable-feature F,...] FILE...

Run promtool-format rule unit tests (rule_files, evaluation_interval,
group_eval_order, fuzzy_compare, tests with input_series, alert_rule_test and
promql_expr_test). Exits 1 when any test fails, as promtool test rules does.
`;

/** Every value of a repeatable flag (--run a --run=b). */
function flagValues(args: string[], name: string): string[] {
  const out: string[] = [];
  args.forEach((a, i) => {
    if (a === name) {
      if (args[i + 1] === undefined) throw new UsageError(`${name} needs a value`);
      out.push(args[i + 1]!);
    } else if (a.startsWith(`${name}=`)) out.push(a.slice(name.length + 1));
  });
  return out;
}

export async function testCommand(args: string[], io: CliIO): Promise<number> {
  const [what, ...files] = positional(args, ['--run', '--enable-feature']);
  if (args.includes('--help') || what === undefined) {
    io.out(TEST_RULES_USAGE);
    return args.includes('--help') ? 0 : 2;
  }
  if (what !== 'rules') throw new UsageError(`test ${what}: want "test rules"`);
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
