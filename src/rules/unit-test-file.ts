// promtool's rule unit-test files (cmd/promtool/unittest.go): parsed
// strictly, as promtool's yaml.UnmarshalStrict does, so a misspelt field is
// an error rather than a test that silently checks nothing.

import { parse as parseYAML } from 'yaml';
import { parseDuration } from '../model/duration.js';

export interface InputSeries {
  series: string;
  values: string;
}

export interface ExpectedAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface AlertTestCase {
  evalTime: number;
  alertname: string;
  expAlerts: ExpectedAlert[];
}

export interface PromqlTestCase {
  expr: string;
  evalTime: number;
  expSamples: { labels: string; value: number; histogram?: string }[];
}

export interface TestGroup {
  name: string;
  /** ms; 0 = the file's evaluation interval. */
  interval: number;
  /** ms since the epoch: where sample times and eval times start. */
  start: number;
  inputSeries: InputSeries[];
  alertTests: AlertTestCase[];
  promqlTests: PromqlTestCase[];
  externalLabels: Record<string, string>;
  externalURL: string;
}

export interface UnitTestFile {
  ruleFiles: string[];
  evaluationInterval: number;
  groupEvalOrder: string[];
  fuzzyCompare: boolean;
  tests: TestGroup[];
}

type Obj = Record<string, unknown>;

// The file is read with YAML's failsafe schema, so every scalar is the
// string it was written as: `values: 0x10` must stay "0x10" (ten ones),
// not become 16, just as Go's YAML decoder keeps it for a string field.
const isNull = (v: unknown) => v === undefined || v === null || v === '' || v === 'null' || v === '~';

function strict(o: unknown, allowed: string[], type: string): Obj {
  if (isNull(o)) return {};
  if (typeof o !== 'object' || Array.isArray(o)) throw new Error(`cannot unmarshal ${JSON.stringify(o)} into ${type}`);
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new Error(`field ${k} not found in type ${type}`);
  return o as Obj;
}

const list = (v: unknown): unknown[] => (isNull(v) ? [] : Array.isArray(v) ? v : [v]);
const duration = (v: unknown): number => (isNull(v) || v === '0' ? 0 : parseDuration(String(v)));
const strMap = (v: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(isNull(v) ? {} : (v as Obj)).map(([k, x]) => [k, isNull(x) ? '' : String(x)]));

/** A YAML float as Go reads one: 1.5, 1e3, .inf, -.Inf, .nan. */
function yamlFloat(v: unknown): number {
  if (isNull(v)) return 0;
  const s = String(v).trim();
  const special = /^([+-]?)\.(inf|Inf|INF)$/.exec(s);
  if (special) return special[1] === '-' ? -Infinity : Infinity;
  if (/^\.(nan|NaN|NAN)$/.test(s)) return NaN;
  const n = Number(s);
  if (s === '' || Number.isNaN(n)) throw new Error(`cannot unmarshal !!str \`${s}\` into float64`);
  return n;
}

function startTimestamp(v: unknown): number {
  if (isNull(v)) return 0;
  if (/^\d+(\.\d+)?$/.test(String(v))) return Number(v) * 1000;
  const t = Date.parse(String(v));
  if (Number.isNaN(t)) throw new Error(`start_timestamp: not a Unix timestamp or RFC3339 time: ${JSON.stringify(v)}`);
  return t;
}

function testGroup(raw: unknown): TestGroup {
  const g = strict(raw, ['interval', 'input_series', 'name', 'start_timestamp', 'alert_rule_test', 'promql_expr_test', 'external_labels', 'external_url'], 'main.testGroup');
  return {
    name: isNull(g.name) ? '' : String(g.name),
    interval: duration(g.interval),
    start: startTimestamp(g.start_timestamp),
    inputSeries: list(g.input_series).map((s) => {
      const o = strict(s, ['series', 'values'], 'main.series');
      return { series: String(o.series ?? ''), values: String(o.values ?? '') };
    }),
    alertTests: list(g.alert_rule_test).map((a) => {
      const o = strict(a, ['eval_time', 'alertname', 'exp_alerts'], 'main.alertTestCase');
      return {
        evalTime: duration(o.eval_time),
        alertname: String(o.alertname ?? ''),
        expAlerts: list(o.exp_alerts).map((e) => {
          const x = strict(e, ['exp_labels', 'exp_annotations'], 'main.alert');
          return { labels: strMap(x.exp_labels), annotations: strMap(x.exp_annotations) };
        }),
      };
    }),
    promqlTests: list(g.promql_expr_test).map((p) => {
      const o = strict(p, ['expr', 'eval_time', 'exp_samples'], 'main.promqlTestCase');
      return {
        expr: String(o.expr ?? ''),
        evalTime: duration(o.eval_time),
        expSamples: list(o.exp_samples).map((s) => {
          const x = strict(s, ['labels', 'value', 'histogram'], 'main.sample');
          return { labels: String(x.labels ?? ''), value: yamlFloat(x.value), ...(!isNull(x.histogram) ? { histogram: String(x.histogram) } : {}) };
        }),
      };
    }),
    externalLabels: strMap(g.external_labels),
    externalURL: String(g.external_url ?? ''),
  };
}

/** Parses a unit-test file; throws with promtool's wording on unknown fields. */
export function parseUnitTestFile(text: string): UnitTestFile {
  const f = strict(parseYAML(text, { schema: 'failsafe' }), ['rule_files', 'evaluation_interval', 'group_eval_order', 'fuzzy_compare', 'tests'], 'main.unitTestFile');
  return {
    ruleFiles: list(f.rule_files).map(String),
    evaluationInterval: duration(f.evaluation_interval) || 60_000,
    groupEvalOrder: list(f.group_eval_order).map(String),
    fuzzyCompare: /^(true|True|TRUE)$/.test(String(f.fuzzy_compare)),
    tests: list(f.tests).map(testGroup),
  };
}
