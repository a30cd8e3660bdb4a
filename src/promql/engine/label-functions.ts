// label_replace and label_join act on whole series rather than samples
// (engine.go evalLabelReplace / evalLabelJoin). Replacement templates follow
// Go's regexp.Expand: $1, ${1}, $name, ${name}, $$.

import { RE2JS } from 're2js';
import { checkRegexSize } from '../../model/regex.js';
import { QueryError } from './errors.js';
import { type Matrix, getLabel, setLabel, mergeSeriesWithSameLabelset } from './value.js';

/** model.UTF8Validation.IsValidLabelName: non-empty, valid UTF-8 (no lone surrogates). */
export function isValidLabelName(name: string): boolean {
  return name.length > 0 && !/[\uD800-\uDFFF]/u.test(name);
}

const WORD = /[\p{L}\p{Nd}_]/u;

/** Go's regexp extract(): the name after '$' and the rest, or null when malformed. */
function extract(str: string): { name: string; num: number; rest: string } | null {
  if (str === '') return null;
  let brace = false;
  if (str[0] === '{') {
    brace = true;
    str = str.slice(1);
  }
  let i = 0;
  for (const ch of str) {
    if (!WORD.test(ch)) break;
    i += ch.length;
  }
  if (i === 0) return null;
  const name = str.slice(0, i);
  if (brace) {
    if (i >= str.length || str[i] !== '}') return null;
    i++;
  }
  let num = 0;
  for (const c of name) {
    if (c < '0' || c > '9' || num >= 1e8) {
      num = -1;
      break;
    }
    num = num * 10 + (c.charCodeAt(0) - 48);
  }
  if (name[0] === '0' && name.length > 1) num = -1;
  return { name, num, rest: str.slice(i) };
}

/** What label_replace and label_join need from the running query: its limits and abort checks. */
export interface LabelBuildLimits {
  readonly cfg: { readonly maxLabelValueLength: number };
  addLabelBytes(n: number): void;
  tick(): void;
}

/** regexp.ExpandString with the groups of one match. */
export function expandTemplate(template: string, groups: (string | null)[], named: Record<string, number>): string {
  return expandTemplateWithin(template, groups, named, Infinity)!;
}

/**
 * expandTemplate that stops and returns null as soon as the result would be
 * longer than maxLength, before a huge string (a template repeating `$1`
 * many times) is built.
 */
export function expandTemplateWithin(template: string, groups: (string | null)[], named: Record<string, number>, maxLength: number): string | null {
  let out = '';
  for (;;) {
    if (out.length > maxLength) return null;
    const at = template.indexOf('$');
    if (at < 0) break;
    out += template.slice(0, at);
    template = template.slice(at + 1);
    if (template.startsWith('$')) {
      out += '$';
      template = template.slice(1);
      continue;
    }
    const x = extract(template);
    if (!x) {
      out += '$';
      continue;
    }
    template = x.rest;
    const idx = x.num >= 0 ? x.num : named[x.name];
    if (idx !== undefined && idx < groups.length) out += groups[idx] ?? '';
  }
  out += template;
  return out.length > maxLength ? null : out;
}

function tooLong(fn: string, dst: string, limit: number): QueryError {
  return new QueryError(`${fn}(): the value built for label ${JSON.stringify(dst)} is longer than ${limit} characters (the query's label value limit)`);
}

export function labelReplace(m: Matrix, dst: string, repl: string, src: string, regex: string, limits: LabelBuildLimits): Matrix {
  try {
    checkRegexSize(regex);
  } catch (e) {
    throw new QueryError(`invalid regular expression in label_replace(): ${(e as Error).message}`);
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(`^(?s:${regex})$`);
  } catch {
    throw new QueryError(`invalid regular expression in label_replace(): ${regex}`);
  }
  if (!isValidLabelName(dst)) throw new QueryError(`invalid destination label name in label_replace(): ${dst}`);
  const named = re.namedGroups();
  const n = re.groupCount();
  const max = limits.cfg.maxLabelValueLength;
  for (const s of m) {
    limits.tick();
    const mt = re.matcher(getLabel(s.metric, src));
    if (!mt.matches()) continue;
    const groups: (string | null)[] = [];
    for (let i = 0; i <= n; i++) groups.push(mt.group(i));
    const value = expandTemplateWithin(repl, groups, named, max);
    if (value === null) throw tooLong('label_replace', dst, max);
    limits.addLabelBytes(2 * value.length);
    s.metric = setLabel(s.metric, dst, value);
    if (dst === '__name__') s.dropName = false;
  }
  return mergeSeriesWithSameLabelset(m);
}

export function labelJoin(m: Matrix, dst: string, sep: string, srcs: string[], limits: LabelBuildLimits): Matrix {
  for (const src of srcs) {
    if (!isValidLabelName(src)) throw new QueryError(`invalid source label name in label_join(): ${src}`);
  }
  if (!isValidLabelName(dst)) throw new QueryError(`invalid destination label name in label_join(): ${dst}`);
  const max = limits.cfg.maxLabelValueLength;
  for (const s of m) {
    limits.tick();
    const parts = srcs.map((l) => getLabel(s.metric, l));
    const length = parts.reduce((n, p) => n + p.length, 0) + sep.length * Math.max(0, parts.length - 1);
    if (length > max) throw tooLong('label_join', dst, max);
    limits.addLabelBytes(2 * length);
    s.metric = setLabel(s.metric, dst, parts.join(sep));
    if (dst === '__name__') s.dropName = false;
  }
  return mergeSeriesWithSameLabelset(m);
}
