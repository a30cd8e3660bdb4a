// Matchers -> postings, with Prometheus's rules for matchers that match the
// empty string (tsdb/querier.go PostingsForMatchers): `l=""` selects series
// without l, `l!="x"` includes series without l, and so on.

import type { Matcher } from '../model/matcher.js';
import { type Postings, intersect, merge, without } from './postings.js';

/** What matcher resolution needs of an index: the head's MemPostings, or a block's index. */
export interface PostingsSource {
  get(name: string, value: string): Postings;
  forValues(name: string, accept: (value: string) => boolean): Postings;
  all(): Postings;
}

export function postingsForMatchers(index: PostingsSource, matchers: readonly Matcher[]): Postings {
  const its: Postings[] = [];
  const notIts: Postings[] = [];
  for (const m of matchers) {
    const matchesEmpty = m.matches('');
    const isNot = m.type === '!=' || m.type === '!~';
    if (isNot && matchesEmpty) {
      // l!="foo", l!~"bar": drop series whose value matches the positive form.
      notIts.push(index.forValues(m.name, (v) => !m.matches(v)));
    } else if (isNot && !matchesEmpty) {
      // l!="", l!~"": series that have l with a value the matcher accepts.
      its.push(index.forValues(m.name, (v) => m.matches(v)));
    } else if (!isNot && matchesEmpty) {
      // l="", l=~".*x?": series without l, or whose value matches.
      notIts.push(index.forValues(m.name, (v) => !m.matches(v)));
    } else {
      its.push(m.type === '=' ? index.get(m.name, m.value) : index.forValues(m.name, (v) => m.matches(v)));
    }
  }
  if (its.length === 0 && notIts.length === 0) return index.all();
  const base = its.length === 0 ? index.all() : intersect(its);
  return without(base, merge(notIts));
}
