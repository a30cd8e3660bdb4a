// npm run conformance -- DIR [--update-baseline] [--verbose]
// DIR is either the shared corpus root (promqltest/latest/, promtool-rules/,
// rule-fixtures/) or a directory of .test files. Prints per-file pass
// counts for the parser round trip and for evaluation, ends with what passed
// in each scope (scripts/conformance/summary.ts), and exits non-zero when an item of
// the committed baseline (scripts/conformance/baseline.json) no longer
// passes: conformance only goes up.

import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkRuleFiles, checkTestFiles } from './conformance/parser-corpus.js';
import { runEvalFiles } from './conformance/eval-corpus.js';
import { runRuleTests } from './conformance/rule-tests.js';
import { summaryLines } from './conformance/summary.js';

const args = process.argv.slice(2);
const dir = resolve(args.find((a) => !a.startsWith('--')) ?? '../shared/corpus');
const update = args.includes('--update-baseline');
const verbose = args.includes('--verbose');
const BASELINE = new URL('./conformance/baseline.json', import.meta.url);

const hasTests = (d: string) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('.test'));
const testDir = hasTests(dir) ? dir : join(dir, 'promqltest', 'latest');
if (!hasTests(testDir)) {
  console.error(`no .test files in ${dir} or ${testDir}`);
  process.exit(2);
}
const ruleDirs = [join(dir, 'promtool-rules'), join(dir, 'rule-fixtures')].filter(existsSync);

const passing = new Set<string>();

console.log('## Parser: parse, print, re-parse to the same tree\n');
let parserFailed = 0;
for (const r of [...checkTestFiles(testDir), ...checkRuleFiles(ruleDirs)]) {
  for (const id of r.passedIds) passing.add(`parser ${id}`);
  parserFailed += r.failed.length;
  console.log(`${r.file.padEnd(60)} ${String(r.passedIds.length).padStart(5)} passed ${String(r.failed.length).padStart(4)} failed`);
  if (verbose) for (const f of r.failed) console.log(`    ${r.file}:${f.line} ${f.expr}\n      ${f.reason}`);
}
const parserPassed = passing.size;
console.log(`parser: ${parserPassed} passed, ${parserFailed} failed`);

console.log('\n## Evaluation (promqltest); "outside NH" counts evals not over native-histogram data\n');
let evalPassed = 0, evalFailed = 0, plainPassed = 0, plainTotal = 0;
for (const r of await runEvalFiles(testDir)) {
  const ok = r.evals.filter((e) => e.ok);
  const plain = r.evals.filter((e) => !e.nativeHistograms);
  const plainOk = plain.filter((e) => e.ok);
  evalPassed += ok.length;
  evalFailed += r.evals.length - ok.length;
  plainPassed += plainOk.length;
  plainTotal += plain.length;
  for (const e of ok) passing.add(`eval ${r.file}:${e.line}`);
  console.log(`${r.file.padEnd(32)} ${String(ok.length).padStart(4)}/${String(r.evals.length).padEnd(4)} passed   outside NH: ${String(plainOk.length).padStart(4)}/${plain.length}`);
  if (verbose) {
    for (const e of r.evals.filter((x) => !x.ok)) console.log(`    ${r.file}:${e.line} ${e.expr}\n      ${e.reason}`);
  }
}
console.log(`\nevals outside native histograms: ${plainPassed} of ${plainTotal} pass`);

const ruleTestDir = join(dir, 'promtool-rules');
let ruleCounts: { agree: number; total: number } | undefined;
if (existsSync(ruleTestDir) && testDir !== dir) {
  console.log('\n## Rule unit tests: promlet test rules against Prometheus 3.x verdicts (and the Debian promtool peer)\n');
  let agree = 0, disagree = 0, peerDiffers = 0;
  for (const o of runRuleTests(ruleTestDir)) {
    const ok = o.got === o.want;
    if (ok) passing.add(o.id);
    ok ? agree++ : disagree++;
    const peer = o.peer === null ? 'n/a' : String(o.peer);
    if (o.peer !== null && o.peer !== o.got && !o.differs_from_2_42) peerDiffers++;
    console.log(`${o.id.padEnd(60)} want ${o.want} got ${o.got} promtool-2.42 ${peer}${ok ? '' : '  MISMATCH'}${o.differs_from_2_42 && o.peer !== null ? ` (2.42 differs: ${o.differs_from_2_42})` : ''}`);
  }
  console.log(`rule unit tests: ${agree} agree with 3.x, ${disagree} do not; ${peerDiffers} unexplained differences from promtool 2.42`);
  ruleCounts = { agree, total: agree + disagree };
}

let regressions: string[] = [];
if (update) {
  writeFileSync(BASELINE, JSON.stringify([...passing].sort(), null, 1) + '\n');
  console.log(`baseline written: ${passing.size} passing items`);
} else if (existsSync(BASELINE)) {
  const base = JSON.parse(readFileSync(BASELINE, 'utf8')) as string[];
  // Run on a directory of .test files alone, the rule-file items of the baseline are not in scope.
  const inScope = (id: string) => testDir !== dir || !id.includes('#');
  regressions = base.filter((id) => inScope(id) && !passing.has(id));
  for (const id of regressions) console.log(`REGRESSION: ${id} passed in the baseline and fails now`);
}
console.log(`\n${summaryLines({
  parserPassed, parserFailed, plainPassed, plainTotal, evalPassed, evalTotal: evalPassed + evalFailed, rules: ruleCounts,
  baseline: { updated: update, regressions: regressions.length, passing: passing.size },
}).join('\n')}`);
process.exit(regressions.length > 0 ? 1 : 0);
