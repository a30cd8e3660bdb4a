// npm run conformance -- DIR [--update-baseline] [--verbose]
// Runs the upstream corpus in DIR (promqltest/latest/*.test, promtool-rules/,
// rule-fixtures/), prints per-file pass counts and "N passed, M failed", and
// exits non-zero when an item of the committed baseline
// (scripts/conformance/baseline.json) no longer passes: conformance only goes up.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkRuleFiles, checkTestFiles } from './conformance/parser-corpus.js';

const args = process.argv.slice(2);
const dir = resolve(args.find((a) => !a.startsWith('--')) ?? '../shared/corpus');
const update = args.includes('--update-baseline');
const verbose = args.includes('--verbose');
const BASELINE = new URL('./conformance/baseline.json', import.meta.url);

const testDir = join(dir, 'promqltest', 'latest');
if (!existsSync(testDir)) {
  console.error(`no corpus at ${testDir}`);
  process.exit(2);
}

const passing = new Set<string>();
let failed = 0;

console.log('## Parser: parse, print, re-parse to the same tree\n');
for (const r of [...checkTestFiles(testDir), ...checkRuleFiles([join(dir, 'promtool-rules'), join(dir, 'rule-fixtures')])]) {
  for (const id of r.passedIds) passing.add(`parser ${id}`);
  failed += r.failed.length;
  console.log(`${r.file.padEnd(60)} ${String(r.passedIds.length).padStart(5)} passed ${String(r.failed.length).padStart(4)} failed`);
  if (verbose) for (const f of r.failed) console.log(`    ${r.file}:${f.line} ${f.expr}\n      ${f.reason}`);
}

let regressions: string[] = [];
if (update) {
  writeFileSync(BASELINE, JSON.stringify([...passing].sort(), null, 1) + '\n');
  console.log(`\nbaseline written: ${passing.size} passing items`);
} else if (existsSync(BASELINE)) {
  regressions = (JSON.parse(readFileSync(BASELINE, 'utf8')) as string[]).filter((id) => !passing.has(id));
  for (const id of regressions) console.log(`REGRESSION: ${id} passed in the baseline and fails now`);
}
console.log(`\nconformance: ${passing.size} passed, ${failed} failed${regressions.length ? `, ${regressions.length} regressions` : ''}`);
process.exit(regressions.length > 0 ? 1 : 0);
