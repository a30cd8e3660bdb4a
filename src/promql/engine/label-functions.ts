// label_replace and label_join act on whole series rather than samples
// (engine.go evalLabelReplace / evalLabelJoin). Replacement templates follow
// Go's regexp.Expand: $1, ${1}, $name, ${name}, $$.

import { RE2JS } from 're2js';
import { QueryError } from './errors.js';
import { isValidLabelName } from '../../model/label-names.js';
import { expandTemplate } from '../../model/expand-template.js';

// Moved to src/model/; re-exported for code that imports them from here.
export { isValidLabelName, expandTemplate };
import { type Matrix, getLabel, setLabel, mergeSeriesWithSameLabelset } from './value.js';

export function labelReplace(m: Matrix, dst: string, repl: string, src: string, regex: string): Matrix {
  let re: RE2JS;
  try {
    re = RE2JS.compile(`^(?s:${regex})$`);
  } catch {
    throw new QueryError(`invalid regular expression in label_replace(): ${regex}`);
  }
  if (!isValidLabelName(dst)) throw new QueryError(`invalid destination label name in label_replace(): ${dst}`);
  const named = re.namedGroups();
  const n = re.groupCount();
  for (const s of m) {
    const mt = re.matcher(getLabel(s.metric, src));
    if (!mt.matches()) continue;
    const groups: (string | null)[] = [];
    for (let i = 0; i <= n; i++) groups.push(mt.group(i));
    s.metric = setLabel(s.metric, dst, expandTemplate(repl, groups, named));
    if (dst === '__name__') s.dropName = false;
  }
  return mergeSeriesWithSameLabelset(m);
}

export function labelJoin(m: Matrix, dst: string, sep: string, srcs: string[]): Matrix {
  for (const src of srcs) {
    if (!isValidLabelName(src)) throw new QueryError(`invalid source label name in label_join(): ${src}`);
  }
  if (!isValidLabelName(dst)) throw new QueryError(`invalid destination label name in label_join(): ${dst}`);
  for (const s of m) {
    s.metric = setLabel(s.metric, dst, srcs.map((l) => getLabel(s.metric, l)).join(sep));
    if (dst === '__name__') s.dropName = false;
  }
  return mergeSeriesWithSameLabelset(m);
}
