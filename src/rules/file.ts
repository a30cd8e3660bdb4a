// Prometheus rule files (model/rulefmt): groups of recording and alerting
// rules, validated with errors that name the file, group, rule and line.

import { LineCounter, parseDocument, isMap, isSeq, type Node } from 'yaml';
import { parse, ParseError } from '../promql/parser/index.js';
import { parseDuration } from '../model/duration.js';
import { isValidLabelName } from '../model/label-names.js';

export interface RuleSpec {
  record?: string;
  alert?: string;
  expr: string;
  for: number;
  keepFiringFor: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  line: number;
}

export interface GroupSpec {
  file: string;
  name: string;
  /** ms; 0 = the global evaluation interval. */
  interval: number;
  limit: number;
  queryOffset: number;
  labels: Record<string, string>;
  rules: RuleSpec[];
}

export class RuleFileError extends Error {
  constructor(readonly errors: string[]) {
    super(errors.join('\n'));
    this.name = 'RuleFileError';
  }
}

const GROUP_FIELDS = new Set(['name', 'interval', 'limit', 'query_offset', 'labels', 'rules']);
const RULE_FIELDS = new Set(['record', 'alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations']);
const PARSE_OPTS = { experimentalFunctions: true, extendedRangeSelectors: true, binopFillModifiers: true };

export interface RuleFileOptions {
  /** Accept fields rulefmt does not know (promtool's --ignore-unknown-fields). */
  ignoreUnknownFields?: boolean;
}

type TextMap = Record<string, unknown>;
interface TextRule {
  record?: string;
  alert?: string;
  expr?: unknown;
  labels?: unknown;
  annotations?: unknown;
}
interface TextGroup {
  labels?: unknown;
  rules?: TextRule[];
}

/** A mapping of the failsafe view as strings; anything else (a list, a scalar) as nothing. */
const textMap = (v: unknown): Record<string, string> =>
  v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v as TextMap).map(([k, x]) => [k, typeof x === 'string' ? x : JSON.stringify(x)]))
    : {};

interface K8sDocument {
  kind?: string;
  data?: Record<string, unknown>;
  groups?: unknown;
}

/**
 * Parses a rule file: Prometheus's `groups:` form, or a Kubernetes
 * PrometheusRule or ConfigMap document carrying such groups.
 */
export function parseRuleFile(text: string, file: string, opts: RuleFileOptions = {}): GroupSpec[] {
  const strict = !opts.ignoreUnknownFields;
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const errs: string[] = [];
  if (doc.errors.length > 0) throw new RuleFileError(doc.errors.map((e) => `${file}: ${e.message}`));
  const lineOf = (n: Node | null | undefined) => (n?.range ? lc.linePos(n.range[0]).line : 0);
  const root = doc.toJS() as K8sDocument | null;
  // A ConfigMap carries whole rule files as strings under data.
  if (root?.kind === 'ConfigMap' && root.data && typeof root.data === 'object') {
    return Object.entries(root.data).flatMap(([key, body]) => parseRuleFile(String(body), `${file}:data.${key}`, opts));
  }
  // A PrometheusRule (prometheus-operator) holds the groups under spec.
  const path = root?.kind === 'PrometheusRule' ? ['spec', 'groups'] : ['groups'];
  const groups = path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), root);
  if (!Array.isArray(groups)) return [];
  const groupNodes = doc.getIn(path, true) as Node;
  // The same document with every scalar as written: label and annotation
  // values, names and expressions keep their text (`010` stays "010", an
  // empty value is ""), as Go's YAML decoder gives them to string fields.
  const asText = path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
    parseDocument(text, { schema: 'failsafe' }).toJS()) as TextGroup[];
  const textOf = (gi: number) => (Array.isArray(asText) && asText[gi] && typeof asText[gi] === 'object' ? asText[gi] : {});
  const seen = new Set<string>();
  const out: GroupSpec[] = [];
  groups.forEach((g: Record<string, unknown>, gi: number) => {
    const gNode = isSeq(groupNodes) ? (groupNodes.items[gi] as Node) : undefined;
    const where = `${file}:${lineOf(gNode)}: group ${JSON.stringify(g?.name ?? gi)}`;
    if (!g || typeof g !== 'object') return void errs.push(`${where}: a group must be a mapping`);
    if (strict) for (const k of Object.keys(g)) if (!GROUP_FIELDS.has(k)) errs.push(`${where}: field ${k} not found in type rulefmt.RuleGroup`);
    const name = String(g.name ?? '');
    if (name === '') errs.push(`${where}: group name should not be empty`);
    if (seen.has(name)) errs.push(`${where}: ${JSON.stringify(name)}: repeated in the same file`);
    seen.add(name);
    // `at` names the rule when the duration is one of its fields, so the error points at it rather than its group.
    const dur = (v: unknown, what: string, at = where) => {
      if (v === undefined || v === null) return 0;
      try {
        return parseDuration(String(v));
      } catch {
        errs.push(`${at}: ${what}: not a valid duration string: ${JSON.stringify(v)}`);
        return 0;
      }
    };
    const rulesNode = gNode && isMap(gNode) ? (gNode.get('rules', true) as Node | undefined) : undefined;
    const gText = textOf(gi);
    const rules: RuleSpec[] = ((g.rules ?? []) as Record<string, unknown>[]).map((r, ri) => {
      const rText = (Array.isArray(gText.rules) && gText.rules[ri] && typeof gText.rules[ri] === 'object' ? gText.rules[ri] : {}) as TextRule;
      const rNode = rulesNode && isSeq(rulesNode) ? (rulesNode.items[ri] as Node) : undefined;
      const line = lineOf(rNode);
      const rname = r?.record ?? r?.alert ?? `#${ri + 1}`;
      const rw = `${file}:${line}: group ${JSON.stringify(name)}, rule ${JSON.stringify(rname)}`;
      if (strict) for (const k of Object.keys(r ?? {})) if (!RULE_FIELDS.has(k)) errs.push(`${rw}: field ${k} not found in type rulefmt.Rule`);
      if ((r.record === undefined) === (r.alert === undefined)) errs.push(`${rw}: one of 'record' or 'alert' must be set`);
      const expr = typeof rText.expr === 'string' ? rText.expr : '';
      if (expr === '') errs.push(`${rw}: field 'expr' must be set in rule`);
      else {
        try {
          parse(expr, PARSE_OPTS);
        } catch (e) {
          errs.push(`${rw}: could not parse expression: ${e instanceof ParseError ? e.message : String(e)}`);
        }
      }
      if (r.record !== undefined) {
        if (r.annotations !== undefined) errs.push(`${rw}: invalid field 'annotations' in recording rule`);
        if (r.for !== undefined) errs.push(`${rw}: invalid field 'for' in recording rule`);
        if (r.keep_firing_for !== undefined) errs.push(`${rw}: invalid field 'keep_firing_for' in recording rule`);
        const rec = String(rText.record ?? r.record);
        if (rec === '' || /[{}]/.test(rec) || !isValidLabelName(rec)) errs.push(`${rw}: invalid recording rule name: ${rec}`);
      }
      const labels = textMap(rText.labels);
      for (const k of Object.keys(labels)) {
        if (k === '__name__') errs.push(`${rw}: invalid label name: ${k}`);
        else if (!isValidLabelName(k)) errs.push(`${rw}: invalid label name: ${k}`);
      }
      return {
        record: r.record === undefined ? undefined : String(rText.record ?? r.record),
        alert: r.alert === undefined ? undefined : String(rText.alert ?? r.alert),
        expr,
        for: dur(r.for, 'for', rw),
        keepFiringFor: dur(r.keep_firing_for, 'keep_firing_for', rw),
        labels,
        annotations: textMap(rText.annotations),
        line,
      };
    });
    out.push({
      file, name, interval: dur(g.interval, 'interval'), limit: Number(g.limit ?? 0), queryOffset: dur(g.query_offset, 'query_offset'),
      labels: textMap(gText.labels),
      rules,
    });
  });
  if (errs.length > 0) throw new RuleFileError(errs);
  return out;
}
