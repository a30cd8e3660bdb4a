// label_replace and label_join act on whole series rather than samples
// (engine.go evalLabelReplace / evalLabelJoin). Replacement templates follow
// Go's regexp.Expand: $1, ${1}, $name, ${name}, $$.

import { RE2JS } from 're2js';
import { QueryError } from './errors.js';
import { isValidLabelName } from '../../model/label-names.js';
import { expandTemplate, expandTemplateWithin } from '../../model/expand-template.js';
import { checkRegexSize } from '../../model/regex.js';

// Moved to src/model/; re-exported for code that imports them from here.
export { isValidLabelName, expandTemplate };
import { type Matrix, getLabel, setLabel, mergeSeriesWithSameLabelset } from './value.js';

/** What label_replace and label_join need from the running query: its limits and abort checks. */
export interface LabelBuildLimits {
  readonly cfg: { readonly maxLabelValueLength: number };
  addLabelBytes(n: number): void;
  tick(): void;
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
