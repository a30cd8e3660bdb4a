// Rule unit tests as promtool runs them (cmd/promtool/unittest.go): per
// test group a fresh database; input samples appear as evaluation time
// reaches them; every group is evaluated at each evaluation_interval step up
// to the last eval_time; alerts are checked at the step that covers their
// eval_time, PromQL expectations after the last step.

import { openDB, type DB } from '../storage/db.js';
import { compareLabels, labelsFrom, type Labels } from '../model/labels.js';
import { STALE_NAN } from '../model/stale.js';
import { createEngine, type Engine, type Feature } from '../promql/engine/engine.js';
import { parseSeriesLabels, parseSeriesSamples } from '../promql/promqltest/series.js';
import type { FloatHistogram } from '../model/histogram.js';
import { appendInputHistogram, expectedSamples, gotSamples, sameSamples } from './unit-test-histograms.js';
import { type GroupSpec, parseRuleFile } from './file.js';
import { RuleGroup, engineQueryFunc } from './group.js';
import { parseUnitTestFile, type TestGroup, type UnitTestFile } from './unit-test-file.js';
import { alertsString, formatSamples, goDuration, promDuration } from './unit-test-format.js';

export interface RuleTestOptions {
  readFile: (path: string) => string;
  /** Resolves a rule_files entry (already joined to the test file's directory) to files. */
  glob: (pattern: string) => string[];
  dirname: (path: string) => string;
  join: (dir: string, path: string) => string;
  isAbsolute: (path: string) => boolean;
  /** Test groups whose name matches one of these run; none given = all. */
  run?: string[];
  ignoreUnknownFields?: boolean;
  features?: Feature[];
}

export interface RuleTestIO {
  out: (s: string) => void;
  err: (s: string) => void;
}

interface Sample {
  labels: Labels;
  t: number;
  v: number;
  h?: FloatHistogram;
}

function inputSamples(tg: TestGroup, interval: number): Sample[] {
  const out: Sample[] = [];
  for (const s of tg.inputSeries) {
    const { labels } = parseSeriesLabels(s.series);
    parseSeriesSamples(s.values).forEach((v, i) => {
      if (v === null) return;
      const t = tg.start + i * interval;
      if (typeof v === 'object') out.push({ labels, t, v: 0, h: v.h });
      else out.push({ labels, t, v: v === 'stale' ? STALE_NAN : v });
    });
  }
  // Stable: a series' samples keep their order at equal times across series.
  return out.sort((a, b) => a.t - b.t);
}

const sameFloat = (fuzzy: boolean) => (a: number, b: number): boolean => {
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return true;
  if (!fuzzy || !Number.isFinite(a) || !Number.isFinite(b)) return false;
  // One unit in the last place of the larger magnitude.
  const m = Math.max(Math.abs(a), Math.abs(b));
  const ulp = m === 0 ? Number.MIN_VALUE : 2 ** (Math.floor(Math.log2(m)) - 52);
  return Math.abs(a - b) <= ulp;
};

class GroupRun {
  private next = 0;

  private constructor(readonly storage: DB, readonly queryEngine: Engine, private readonly pending: Sample[]) {}

  /** A fresh database for one test group; `samples` (in time order) are appended as time reaches them. */
  static async open(evalInterval: number, features: Feature[], samples: Sample[]): Promise<GroupRun> {
    const db = await openDB();
    return new GroupRun(db, createEngine(db, { lookbackDelta: '5m', defaultSubqueryStep: evalInterval, features }), samples);
  }

  /** Appends the input samples up to ts, as promtool's lazy loader does before each evaluation. */
  async samplesTill(ts: number): Promise<void> {
    const app = this.storage.appender();
    while (this.next < this.pending.length && this.pending[this.next]!.t <= ts) {
      const s = this.pending[this.next++]!;
      if (s.h) appendInputHistogram(app, s.labels, s.t, s.h);
      else app.append(s.labels, s.t, s.v);
    }
    await app.commit();
  }
}

function orderGroups(specs: GroupSpec[], order: string[], interval: number): RuleGroup[] {
  const rank = (name: string) => Math.max(0, order.indexOf(name));
  return specs.map((s) => new RuleGroup(s, s.interval || interval)).sort((a, b) => rank(a.spec.name) - rank(b.spec.name));
}

async function runGroup(tg: TestGroup, file: UnitTestFile, specs: GroupSpec[], opts: RuleTestOptions): Promise<string[]> {
  const evalInterval = file.evaluationInterval;
  const interval = tg.interval || evalInterval;
  let samples: Sample[];
  try {
    samples = inputSamples(tg, interval);
  } catch (e) {
    return [(e as Error).message];
  }
  const run = await GroupRun.open(evalInterval, opts.features ?? [], samples);
  const groups = orderGroups(specs, file.groupEvalOrder, interval);
  const testName = tg.name ? `    name: ${tg.name},\n` : '';
  const errs: string[] = [];

  for (const a of tg.alertTests) {
    if (a.alertname === '') {
      return [`an item under alert_rule_test misses required attribute alertname at eval_time ${promDuration(a.evalTime)}${tg.name ? ` (in TestGroup ${tg.name})` : ''}`];
    }
  }
  const alertTimes = [...new Set(tg.alertTests.map((a) => a.evalTime))].sort((a, b) => a - b);
  const maxEval = Math.max(0, ...tg.alertTests.map((a) => a.evalTime), ...tg.promqlTests.map((p) => p.evalTime));
  const mint = tg.start;
  let curr = 0;
  for (let ts = mint; ts <= mint + maxEval; ts += evalInterval) {
    await run.samplesTill(ts);
    const evalErrs: string[] = [];
    for (const g of groups) {
      await g.eval(engineQueryFunc(run.queryEngine), run.storage, ts, tg.externalLabels);
      for (const r of g.rules) {
        if (r.health === 'err') evalErrs.push(`    rule: ${r.spec.record ?? r.spec.alert}, time: ${goDuration(ts - mint)}, err: ${r.lastError}`);
      }
    }
    if (evalErrs.length > 0) return [...errs, ...evalErrs];

    while (curr < alertTimes.length && ts - mint <= alertTimes[curr]! && alertTimes[curr]! < ts + evalInterval - mint) {
      const t = alertTimes[curr]!;
      for (const tc of tg.alertTests.filter((a) => a.evalTime === t)) {
        const got = groups.flatMap((g) => g.rules)
          .filter((r) => r.alerting && r.spec.alert === tc.alertname)
          .flatMap((r) => [...r.alerting!.active.values()].filter((a) => a.state === 'firing'))
          .map((a) => ({ labels: a.labels, annotations: labelsFrom(a.annotations) }));
        const exp = tc.expAlerts.map((a) => ({ labels: labelsFrom({ ...a.labels, alertname: tc.alertname }), annotations: labelsFrom(a.annotations) }));
        const gotS = alertsString(got);
        const expS = alertsString(exp);
        if (gotS !== expS) {
          errs.push(`${testName}    alertname: ${tc.alertname}, time: ${promDuration(tc.evalTime)}, \n        exp:${expS}, \n        got:${gotS}`);
        }
      }
      curr++;
    }
  }

  const equal = sameFloat(file.fuzzyCompare);
  for (const tc of tg.promqlTests) {
    const where = `    expr: ${JSON.stringify(tc.expr)}, time: ${promDuration(tc.evalTime)}`;
    let got: ReturnType<typeof gotSamples>;
    try {
      got = gotSamples(run.queryEngine.instantQuerySync(tc.expr, mint + tc.evalTime));
    } catch (e) {
      errs.push(`${where}, err: ${(e as Error).message}`);
      continue;
    }
    let exp: ReturnType<typeof expectedSamples>;
    try {
      exp = expectedSamples(tc.expSamples);
    } catch (e) {
      errs.push(`${where}, err: ${(e as Error).message}`);
      continue;
    }
    const byLabels = (a: { labels: Labels }, b: { labels: Labels }) => compareLabels(a.labels, b.labels);
    got.sort(byLabels);
    exp.sort(byLabels);
    const same = sameSamples(got, exp, equal);
    if (!same) errs.push(`${where},\n        exp: ${formatSamples(exp)}\n        got: ${formatSamples(got)}`);
  }
  return errs;
}

function ruleFilesOf(path: string, file: UnitTestFile, opts: RuleTestOptions): { files: string[]; warnings: string[] } {
  const dir = opts.dirname(path);
  const files: string[] = [];
  const warnings: string[] = [];
  for (const rf of file.ruleFiles) {
    const pattern = rf !== '' && !opts.isAbsolute(rf) ? opts.join(dir, rf) : rf;
    const m = opts.glob(pattern);
    if (m.length === 0) warnings.push(`  WARNING: no file match pattern ${pattern}`);
    files.push(...m);
  }
  return { files, warnings };
}

function runs(name: string, patterns: string[] | undefined): boolean {
  if (!patterns || patterns.length === 0) return true;
  return new RegExp(patterns.join('|')).test(name);
}

async function testFile(path: string, opts: RuleTestOptions): Promise<{ errors: string[]; warnings: string[] }> {
  let file: UnitTestFile;
  try {
    file = parseUnitTestFile(opts.readFile(path));
  } catch (e) {
    return { errors: [(e as Error).message], warnings: [] };
  }
  const { files, warnings } = ruleFilesOf(path, file, opts);
  if (new Set(file.groupEvalOrder).size !== file.groupEvalOrder.length) {
    const dup = file.groupEvalOrder.find((g, i) => file.groupEvalOrder.indexOf(g) !== i);
    return { errors: [`group name repeated in evaluation order: ${dup}`], warnings };
  }
  let specs: GroupSpec[];
  try {
    specs = files.flatMap((f) => parseRuleFile(opts.readFile(f), f, { ignoreUnknownFields: opts.ignoreUnknownFields }));
  } catch (e) {
    return { errors: [(e as Error).message], warnings };
  }
  const errors: string[] = [];
  for (const tg of file.tests) {
    if (!runs(tg.name, opts.run)) continue;
    errors.push(...(await runGroup(tg, file, specs, opts)));
  }
  return { errors, warnings };
}

/** Runs unit-test files, printing as `promtool test rules` does; true when all pass. */
export async function testRules(paths: string[], opts: RuleTestOptions, io: RuleTestIO): Promise<boolean> {
  let ok = true;
  for (const path of paths) {
    io.out(`Unit Testing:  ${path}\n`);
    const { errors, warnings } = await testFile(path, opts);
    for (const w of warnings) io.err(`${w}\n`);
    if (errors.length > 0) {
      ok = false;
      io.err('  FAILED:\n');
      for (const e of errors) {
        io.err(`${e}\n`);
        io.out('\n');
      }
    } else io.out('  SUCCESS\n');
    io.out('\n');
  }
  return ok;
}
