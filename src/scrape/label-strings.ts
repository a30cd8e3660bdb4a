// Labels of newly scraped series, copied out of the response and shared.
// A label parsed from a body is a slice of the piece of text it came from:
// kept as long as its series lives, it keeps that whole piece (64 KiB)
// alive. And most labels (the metric name, job, instance, zones, status
// codes) are the same in thousands of series: a frozen label object can be
// shared by all of them, 40 bytes and a copy of each string saved per use.

import type { Label } from '../model/labels.js';

/** Labels remembered at most; past that the table starts over (only sharing is lost). */
const MAX_ENTRIES = 1 << 17;
/**
 * Values remembered per name. A name with more values than this is one
 * whose values are mostly unique (instance ids, paths): remembering them
 * would cost a table entry each and share nothing.
 */
export const MAX_VALUES_PER_NAME = 4096;

/** Frozen labels by name, then value; each name's own flat copy beside its values. */
const table = new Map<string, { name: string; values: Map<string, Label> }>();
let entries = 0;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A flat copy of s that holds no other string alive. A string with a lone
 * surrogate would not survive the round trip through UTF-8 unchanged: it is
 * kept as it is, for label validation to refuse it as before.
 */
export function flatCopy(s: string): string {
  const copy = decoder.decode(encoder.encode(s));
  return copy === s ? copy : s;
}

/** The one frozen label with this name and value this process keeps for scraped series. */
export function sharedLabel(name: string, value: string): Label {
  let byName = table.get(name);
  const found = byName?.values.get(value);
  if (found) return found;
  if (entries >= MAX_ENTRIES) {
    table.clear();
    entries = 0;
    byName = undefined;
  }
  if (!byName) {
    const flat = flatCopy(name);
    table.set(flat, (byName = { name: flat, values: new Map() }));
  }
  const l = Object.freeze({ name: byName.name, value: flatCopy(value) });
  if (byName.values.size < MAX_VALUES_PER_NAME) {
    byName.values.set(l.value, l);
    entries++;
  }
  return l;
}
