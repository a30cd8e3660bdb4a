// What `npm run fuzz` drives: each target is an input generator (fast-check
// arbitraries mixing random text, token soup and mutations of valid inputs)
// and a function that feeds one input to an entry point and says how it
// went. An input may be rejected with the entry point's own error (that is
// the point of bad input); a crash is anything else: a TypeError, a stack
// overflow, an unexpected error class, a 5xx answer to a request.

import fc from 'fast-check';
import { parse, print, ParseError } from '../src/index.js';
import { parseExposition, ExpositionError } from '../src/exposition/parse.js';
import { parseRuleFile, RuleFileError } from '../src/rules/file.js';
import { GoTemplate } from '../src/rules/template-engine.js';
import { FUNCTIONS } from '../src/rules/template.js';
import { goFormatG } from '../src/exposition/float.js';
import { handleRemoteWrite } from '../src/remote/write-handler.js';
import { WriteRequest } from '../src/remote/proto.js';
import { compress } from 'snappyjs';
import { openDB, type DB } from '../src/storage/db.js';
import { createEngine } from '../src/promql/engine/engine.js';
import { createApiHandler, type Handler } from '../src/api/handler.js';

/** How one input went: accepted, rejected with the entry point's own error, or a crash to report. */
export type Outcome = { ok: true } | { ok: false; crash: string };

export interface FuzzTarget {
  name: string;
  input: fc.Arbitrary<unknown>;
  /** Feeds one input; resolves to its outcome. Called once per input, in order. */
  run(input: unknown): Outcome | Promise<Outcome>;
  /** Prepares state shared by inputs (a database); called once before the first input. */
  setup?(): Promise<void>;
}

const OK: Outcome = { ok: true };
const crash = (e: unknown): Outcome => ({ ok: false, crash: e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e) });

/** Random edits of a valid input: insert, delete, duplicate or replace a slice. */
function mutated(seeds: readonly string[], pieces: readonly string[]): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat(), fc.nat({ max: 12 }), fc.constantFrom('insert', 'delete', 'duplicate', 'replace'), fc.constantFrom(...pieces));
  return fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: 4 })).map(([seed, edits]) => {
    let s = seed;
    for (const [at, len, kind, piece] of edits) {
      const i = s.length === 0 ? 0 : at % (s.length + 1);
      if (kind === 'insert') s = s.slice(0, i) + piece + s.slice(i);
      else if (kind === 'delete') s = s.slice(0, i) + s.slice(i + len);
      else if (kind === 'duplicate') s = s.slice(0, i + len) + s.slice(i, i + len) + s.slice(i + len);
      else s = s.slice(0, i) + piece + s.slice(i + len);
    }
    return s;
  });
}

const tokenSoup = (tokens: readonly string[], max = 25) =>
  fc.tuple(fc.array(fc.constantFrom(...tokens), { maxLength: max }), fc.constantFrom(' ', '', '\n')).map(([t, sep]) => t.join(sep));

const text = (max: number) => fc.oneof(fc.string({ maxLength: max, unit: 'grapheme-ascii' }), fc.string({ maxLength: max, unit: 'binary' }));

// ---- PromQL ----

const PROMQL_TOKENS = [
  'foo', 'bar:baz', 'sum', 'rate', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', '@',
  'start()', 'end()', 'step()', 'and', 'or', 'unless', 'atan2', '(', ')', '{', '}', '[', ']', ',', ':', '=', '!=', '=~',
  '!~', '==', '>', '<=', '+', '-', '*', '/', '%', '^', '5m', '1h30m', '0x1f', '1e3', '1e999', 'Inf', 'NaN', '"a"', "'b'", '`c`',
  'topk', 'count_values', 'fill(0)', 'anchored', 'smoothed', '#c\n', 'min_of', '</', '1', '.5', '"\\x"', 'label_replace',
  'histogram_quantile', 'info', 'quantile_over_time', '[5m:1m]', '{__name__=~"a.*"}', '"\\u00e9"', '-1', 'limitk', 'sort_by_label',
];
const PROMQL_SEEDS = [
  'sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) / on (job) group_left sum by (job) (rate(http_requests_total[5m]))',
  'histogram_quantile(0.9, sum by (le) (rate(x_bucket[1m] offset 5m)))', 'max_over_time(deriv(rate(x[1m])[5m:1m])[10m:]) @ end()',
  'label_replace(up, "a", "$1", "instance", "(.*):.*")', 'topk(3, x) or bottomk(2, y) unless z', '1 + 2 * 3 ^ -4 % 5',
  '{__name__="a", b!~"c|d"}[1h] offset -5m', 'count_values("v", x) > bool 3', 'info(up, {k8s_cluster_name=~".+"})',
  'x fill_left(0) + on(a) fill_right(1) y', 'rate(x[5m] anchored)', 'absent_over_time(nonexistent{job="x"}[1m])',
  'sort_desc(quantile by (a) (0.5, x))', '-(1e999) ^ -1e999', 'time() - timestamp(x @ 100)',
];
const PROMQL_OPTS = { experimentalFunctions: true, extendedRangeSelectors: true, binopFillModifiers: true };

const promql: FuzzTarget = {
  name: 'promql',
  input: fc.oneof(text(80), tokenSoup(PROMQL_TOKENS), mutated(PROMQL_SEEDS, PROMQL_TOKENS)),
  run(q) {
    let ast;
    try {
      ast = parse(q as string, PROMQL_OPTS);
    } catch (e) {
      return e instanceof ParseError ? OK : crash(e);
    }
    // The canonical printer's output must parse back.
    const printed = print(ast);
    try {
      parse(printed, PROMQL_OPTS);
    } catch (e) {
      return { ok: false, crash: `printed ${JSON.stringify(printed)} does not parse back: ${(e as Error).message}` };
    }
    return OK;
  },
};

// ---- exposition (text 0.0.4 / 1.0.0 and OpenMetrics) ----

const EXPO_TOKENS = [
  'metric', 'a_b:c', '{', '}', '=', ',', '"v"', '"a\\"b"', '"\\n"', ' ', '  ', '\t', '1', '-1.5e3', '+Inf', 'NaN', '0x1', '1_000',
  '1700000000000', '\n', '# HELP metric text\n', '# TYPE metric counter\n', '# TYPE h histogram\n', '# UNIT metric seconds\n',
  '# EOF\n', '# EOF', ' # {trace="x"} 1 1.5', 'le', 'quantile', '_total', '_bucket', '_created', '{"quoted.name"}', '"\\u00e9"', '\r\n',
];
const EXPO_SEEDS = [
  '# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\nhttp_requests_total{code="200",method="get"} 1027 1395066363000\n',
  '# TYPE h histogram\nh_bucket{le="0.1"} 1\nh_bucket{le="+Inf"} 3\nh_sum 1.5\nh_count 3\n',
  '# TYPE s summary\ns{quantile="0.5"} 1\ns_sum 2\ns_count 3\n', '{"my.metric", "a.b"="c"} 1\n',
  '# TYPE c counter\n# UNIT c seconds\nc_total 1 # {trace_id="abc"} 1 1.5\nc_created 1.5\n# EOF\n',
];

const exposition: FuzzTarget = {
  name: 'exposition',
  input: fc.tuple(fc.oneof(text(200), tokenSoup(EXPO_TOKENS, 40), mutated(EXPO_SEEDS, EXPO_TOKENS)), fc.constantFrom('text' as const, 'openmetrics' as const)),
  run(input) {
    const [body, format] = input as [string, 'text' | 'openmetrics'];
    try {
      parseExposition(body, format);
      return OK;
    } catch (e) {
      return e instanceof ExpositionError ? OK : crash(e);
    }
  },
};

// ---- rule files ----

const RULE_TOKENS = [
  'groups:', '\n', '  ', '- name: g', '  rules:', '  - record: r:x', '    expr: sum(x)', '  - alert: A', '    for: 5m', '    keep_firing_for: 1m',
  '    labels:', '      severity: page', '    annotations:', '      summary: "{{ $value }}"', '  interval: 30s', '  limit: 3', 'kind: PrometheusRule',
  'spec:', 'data:', '  x.yaml: |', '&a', '*a', '!!binary', '[', ']', '{', '}', ':', '"', "'", '#', '---', '...', 'expr: ', 'query_offset: 1m',
];
const RULE_SEEDS = [
  'groups:\n- name: g\n  rules:\n  - record: job:up:sum\n    expr: sum by (job) (up)\n  - alert: Down\n    expr: up == 0\n    for: 5m\n    labels:\n      severity: page\n    annotations:\n      summary: "{{ $labels.instance }} down"\n',
  'apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nspec:\n  groups:\n  - name: g\n    rules:\n    - alert: A\n      expr: vector(1)\n',
];

const ruleFiles: FuzzTarget = {
  name: 'rule-files',
  input: fc.oneof(text(200), tokenSoup(RULE_TOKENS, 30), mutated(RULE_SEEDS, RULE_TOKENS)),
  run(yaml) {
    try {
      parseRuleFile(yaml as string, 'fuzz.yml');
      return OK;
    } catch (e) {
      return e instanceof RuleFileError ? OK : crash(e);
    }
  },
};

// ---- templates ----

const TEMPLATE_TOKENS = [
  '{{', '}}', '{{-', '-}}', ' ', '$labels', '.Labels', '$value', '.Value', '$externalLabels', 'if', 'else', 'end', 'range', 'with', 'define',
  'template', 'block', '$x :=', '=', '|', '(', ')', '"s"', '`r`', '1', '-2.5', 'true', 'nil', 'humanize', 'humanize1024', 'humanizeDuration',
  'humanizePercentage', 'humanizeTimestamp', 'printf "%s %d %.2f %q %v"', 'match "^(a+)+$"', 'reReplaceAll "(a*)*" "$1"', 'title', 'toUpper',
  'stripPort', 'first', 'label "a"', 'value', 'args', 'safeHtml', 'parseDuration', 'len', 'index', 'eq', 'ne', 'lt', 'and', 'or', 'not', 'html',
  'js', 'urlquery', 'print', 'println', 'slice', 'query "up"', '.', 'x', 'break', 'continue',
];
const TEMPLATE_SEEDS = [
  '{{ $labels.instance }} is {{ $value | humanize }}', '{{ if gt $value 1.0 }}big{{ else }}small{{ end }}',
  '{{ range $i, $v := args 1 2 }}{{ $i }}={{ $v }}{{ end }}', '{{ with $labels.job }}{{ . | toUpper }}{{ end }}',
  '{{ printf "%.2f" $value }} {{ reReplaceAll "(.*):.*" "$1" $labels.instance }}', '{{ define "t" }}x{{ end }}{{ template "t" }}',
];
const templateFns = { ...FUNCTIONS, query: () => [] };
const templateDot = { Labels: { instance: 'host:9100', job: 'node' }, ExternalLabels: {}, ExternalURL: '', Value: 1.5 };
const templateVars = { $labels: templateDot.Labels, $externalLabels: {}, $externalURL: '', $value: 1.5 };

const templates: FuzzTarget = {
  name: 'templates',
  input: fc.oneof(text(120), tokenSoup(TEMPLATE_TOKENS, 30), mutated(TEMPLATE_SEEDS, TEMPLATE_TOKENS)),
  run(src) {
    try {
      new GoTemplate(src as string).execute(templateDot, templateVars, templateFns, goFormatG);
      return OK;
    } catch (e) {
      // Template errors are plain Errors (expanded to `<error expanding template: …>`); a runtime fault is a crash.
      return e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError || !(e instanceof Error) ? crash(e) : OK;
    }
  },
};

// ---- remote write (snappy + protobuf) ----

const validWrite = fc
  .array(
    fc.record({
      labels: fc.array(fc.record({ name: fc.constantFrom('__name__', 'job', 'instance', '', 'a b', '__x'), value: fc.string({ maxLength: 10 }) }), { maxLength: 4 }),
      samples: fc.array(fc.record({ value: fc.double(), timestamp: fc.integer({ min: -1e12, max: 4e12 }) }), { maxLength: 4 }),
    }),
    { maxLength: 4 },
  )
  .map((timeseries) => WriteRequest.encode(WriteRequest.fromObject({ timeseries })).finish());

const byteEdits = (bytes: fc.Arbitrary<Uint8Array>) =>
  fc.tuple(bytes, fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 }), fc.constantFrom('flip', 'cut', 'insert')), { maxLength: 4 })).map(([b, edits]) => {
    let out = Array.from(b);
    for (const [at, v, kind] of edits) {
      const i = out.length === 0 ? 0 : at % out.length;
      if (kind === 'flip') out[i] = v;
      else if (kind === 'cut') out = out.slice(0, i);
      else out.splice(i, 0, v);
    }
    return new Uint8Array(out);
  });

let writeDb: DB | null = null;
let writes = 0;

const remoteWrite: FuzzTarget = {
  name: 'remote-write',
  input: fc.oneof(
    fc.uint8Array({ maxLength: 200 }),
    byteEdits(validWrite.map((b) => compress(b))),
    byteEdits(validWrite).map((b) => compress(b)),
  ),
  async setup() {
    writeDb = await openDB();
  },
  async run(body) {
    // A fresh database now and then, so a million inputs do not pile up series.
    if (++writes % 5000 === 0) writeDb = await openDB();
    try {
      const r = await handleRemoteWrite(writeDb!, body as Uint8Array, new Headers({ 'content-encoding': 'snappy' }));
      return r.status >= 500 ? { ok: false, crash: `status ${r.status}: ${r.body}` } : OK;
    } catch (e) {
      return crash(e);
    }
  },
};

// ---- API parameters ----

const API_PATHS = [
  '/api/v1/query', '/api/v1/query_range', '/api/v1/series', '/api/v1/labels', '/api/v1/label/job/values', '/api/v1/label/%ZZ/values',
  '/api/v1/label/U__a_2e_b/values', '/api/v1/format_query', '/api/v1/parse_query', '/api/v1/metadata', '/api/v1/status/tsdb', '/federate',
  '/api/v1/rules', '/api/v1/targets',
];
const API_PARAMS = ['query', 'time', 'start', 'end', 'step', 'timeout', 'lookback_delta', 'match[]', 'limit', 'type', 'state', 'stats'];
const API_VALUES = [
  'up', 'rate(x[5m])', 'sum(', '1e999', '-1e999', 'NaN', 'Inf', '0', '-1', '1.5', '2020-01-01T00:00:00Z', '2020-13-45T99:99:99Z', '1m', '1h30m',
  '0.001', '1e-9', '1e20', '-292273086-05-16T16:47:06Z', '292277025-08-18T07:12:54.999999999Z', '{job="x"}', '{__name__=~".+"}', 'x{a=~"("}',
  '9'.repeat(400), '1'.repeat(30) + 'x', 'label_replace(up, "a", "$1$1$1", "job", "(.*)")', 'count_values("x", up)', '%', '', ' ', 'alert', 'all',
];

let apiHandler: Handler | null = null;

const apiParams: FuzzTarget = {
  name: 'api-params',
  input: fc.tuple(
    fc.constantFrom(...API_PATHS),
    fc.array(fc.tuple(fc.constantFrom(...API_PARAMS), fc.oneof(fc.constantFrom(...API_VALUES), fc.string({ maxLength: 20 }))), { maxLength: 5 }),
    fc.constantFrom('GET', 'POST'),
  ),
  async setup() {
    const db = await openDB();
    const app = db.appender();
    for (let i = 0; i < 20; i++) app.append({ __name__: 'up', job: `j${i % 3}`, instance: `i${i}` }, Date.UTC(2020, 0, 1) + i * 15_000, i % 2);
    await app.commit();
    apiHandler = createApiHandler({
      db, engine: createEngine(db, { timeout: '2s', maxSamples: 1_000_000 }),
      info: { version: 'fuzz', startTime: new Date(0), flags: {}, configYaml: () => '' },
      now: () => Date.UTC(2020, 0, 1, 0, 5),
      logError: () => {},
    });
  },
  async run(input) {
    const [path, params, method] = input as [string, [string, string][], string];
    const form = new URLSearchParams(params);
    const req = method === 'GET'
      ? new Request(`http://fuzz${path}?${form}`)
      : new Request(`http://fuzz${path}`, { method, body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    try {
      const r = await apiHandler!(req);
      if (r.status >= 500 && r.status !== 503) return { ok: false, crash: `${r.status} ${await r.text()}` };
      return OK;
    } catch (e) {
      return crash(e);
    }
  },
};

export const TARGETS: readonly FuzzTarget[] = [promql, exposition, ruleFiles, templates, remoteWrite, apiParams];
