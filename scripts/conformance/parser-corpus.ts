// The parser's corpus check: every eval expression of every .test file
// parses, prints, and parses again to the same tree; every PromQL
// expression in the rule files parses (bad_expr fixtures must fail).

import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parse, print, sameAST, ParseError, type ParseOptions } from '../../src/promql/index.js';
import { parseScript } from '../../src/promql/promqltest/script.js';

export const ALL_FEATURES: ParseOptions = { experimentalFunctions: true, extendedRangeSelectors: true, binopFillModifiers: true, durationExpressions: true };

export interface ParserCheckResult {
  file: string;
  /** Ids ("file:line", or "file#n" for the n-th expression of a rule file) of the items that passed. */
  passedIds: string[];
  failed: { line: number; expr: string; reason: string }[];
}

/** Parses, prints and re-parses; returns null when fine, or what went wrong. */
export function roundTrip(expr: string): string | null {
  let first;
  try {
    first = parse(expr, ALL_FEATURES);
  } catch (e) {
    return `does not parse: ${(e as Error).message}`;
  }
  const printed = print(first);
  let second;
  try {
    second = parse(printed, ALL_FEATURES);
  } catch (e) {
    return `printed form ${JSON.stringify(printed)} does not parse: ${(e as Error).message}`;
  }
  if (!sameAST(first, second)) return `printed form ${JSON.stringify(printed)} parses to a different tree`;
  if (print(second) !== printed) return `printing is not stable: ${JSON.stringify(printed)} then ${JSON.stringify(print(second))}`;
  return null;
}

export function checkTestFiles(dir: string): ParserCheckResult[] {
  const results: ParserCheckResult[] = [];
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.test')).sort()) {
    const r: ParserCheckResult = { file: f, passedIds: [], failed: [] };
    for (const cmd of parseScript(readFileSync(join(dir, f), 'utf8'), f)) {
      if (cmd.kind !== 'eval') continue;
      const mustFail = cmd.expectations.some((e) => e.type === 'fail');
      const problem = roundTrip(cmd.expr);
      // Failing at parse time is one way for an eval that must fail to fail.
      if (problem === null || (mustFail && problem.startsWith('does not parse'))) r.passedIds.push(`${f}:${cmd.line}`);
      else r.failed.push({ line: cmd.line, expr: cmd.expr, reason: problem });
    }
    results.push(r);
  }
  return results;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return yamlFiles(p);
    return /\.ya?ml$/.test(f) ? [p] : [];
  });
}

/** Collects `expr` strings from rule groups (and promtool unit tests' `expr`). */
function exprsOf(doc: unknown, out: string[]): void {
  if (Array.isArray(doc)) doc.forEach((d) => exprsOf(d, out));
  else if (doc && typeof doc === 'object') {
    for (const [k, v] of Object.entries(doc)) {
      if (k === 'expr' && typeof v === 'string') out.push(v);
      else exprsOf(v, out);
    }
  }
}

export function checkRuleFiles(dirs: string[]): ParserCheckResult[] {
  const results: ParserCheckResult[] = [];
  for (const dir of dirs.filter((d) => existsSync(d))) {
    for (const path of yamlFiles(dir).sort()) {
      const file = relative(join(dir, '..'), path);
      const r: ParserCheckResult = { file, passedIds: [], failed: [] };
      const exprs: string[] = [];
      for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) exprsOf(doc.toJSON(), exprs);
      const mustFail = /bad_expr|bad-rules-syntax/.test(path);
      exprs.forEach((expr, n) => {
        let err: unknown = null;
        try {
          parse(expr, ALL_FEATURES);
        } catch (e) {
          err = e;
        }
        if (mustFail ? err instanceof ParseError : err === null) r.passedIds.push(`${file}#${n}`);
        else r.failed.push({ line: n, expr, reason: err ? String((err as Error).message) : 'parsed but should fail' });
      });
      if (exprs.length > 0) results.push(r);
    }
  }
  return results;
}
