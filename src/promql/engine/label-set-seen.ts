// Whether a label set was seen before, as a Set of labelsKey strings would
// tell, without building the key: a streamed aggregation checks every input
// series for a repeated label set (a range function that drops names can
// make two), and the key string per series (built, then flattened and hashed
// by the Set) was most of that check's cost. The hash runs over the key's
// characters (names and values, each followed by \xff), so two sets are the
// same exactly when their keys are, \xff inside a value included; a hash
// match is confirmed by comparing the keys themselves. FNV-1a is easy to
// invert, so label values can be chosen to share one hash: a hash seen twice
// keeps its sets' keys in a Set from then on, which keeps every check O(1)
// where a list of colliding sets would make them quadratic.

import { type Labels, labelsKey } from '../../model/labels.js';

export class LabelSetSeen {
  private readonly byHash = new Map<number, Labels | Set<string>>();

  /** Adds ls; whether a set with its key had been added before. */
  add(ls: Labels): boolean {
    const h = keyHash(ls);
    const had = this.byHash.get(h);
    if (had === undefined) {
      this.byHash.set(h, ls);
      return false;
    }
    const key = labelsKey(ls);
    if (had instanceof Set) {
      if (had.has(key)) return true;
      had.add(key);
      return false;
    }
    const first = labelsKey(had);
    if (first === key) return true;
    this.byHash.set(h, new Set([first, key]));
    return false;
  }
}

/** FNV-1a over labelsKey(ls)'s UTF-16 code units, without the string. */
export function keyHash(ls: Labels): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < ls.length; i++) {
    const { name, value } = ls[i]!;
    for (let j = 0; j < name.length; j++) h = Math.imul(h ^ name.charCodeAt(j), 0x01000193);
    h = Math.imul(h ^ 0xff, 0x01000193);
    for (let j = 0; j < value.length; j++) h = Math.imul(h ^ value.charCodeAt(j), 0x01000193);
    h = Math.imul(h ^ 0xff, 0x01000193);
  }
  return h;
}
