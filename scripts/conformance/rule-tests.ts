// promtool's rule unit-test files under `promlet test rules`: each case's
// verdict against Prometheus 3.x's (promtool-verdicts.json), and beside it
// the verdict of the Debian promtool peer when it is installed.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RuleTestCase {
  file: string;
  args: string[];
  want: number;
  differs_from_2_42?: string;
}

export interface RuleTestOutcome extends RuleTestCase {
  id: string;
  got: number;
  /** The Debian promtool's exit code, or null when it cannot run these arguments or is absent. */
  peer: number | null;
}

const CASES = JSON.parse(readFileSync(new URL('./promtool-verdicts.json', import.meta.url), 'utf8')).cases as RuleTestCase[];
const BIN = new URL('../../bin/promlet.mjs', import.meta.url).pathname;

const hasPromtool = () => spawnSync('promtool', ['--version']).status === 0;

export function runRuleTests(dir: string): RuleTestOutcome[] {
  const peer = hasPromtool();
  return CASES.filter((c) => existsSync(join(dir, c.file))).map((c) => {
    const run = (cmd: string, pre: string[], args: string[]) => spawnSync(cmd, [...pre, 'test', 'rules', ...args, c.file], { cwd: dir, encoding: 'utf8' }).status ?? -1;
    const got = run(process.execPath, [BIN], c.args);
    // 2.42's promtool knows none of the flags 3.x added; run it only where the case needs none.
    const peerCode = peer && c.args.length === 0 ? run('promtool', [], []) : null;
    return { ...c, id: `rules-test ${c.file}${c.args.length ? ` ${c.args.join(' ')}` : ''}`, got, peer: peerCode };
  });
}
