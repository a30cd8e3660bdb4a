// Whether a label set was seen before, as a Set of labelsKey strings would
// tell, without building the key: a streamed aggregation checks every input
// series for a repeated label set (a range function that drops names can
// make two), and the key string per series (built, then flattened and hashed
// by the Set) was most of that check's cost. The hash runs over the key's
// characters (names and values, each followed by \xff), so two sets are the
// same exactly when their keys are, \xff inside a value included; a hash
// match is confirmed by comparing the keys themselves.

import { type Labels, labelsKey } from '../../model/labels.js';

export class LabelSetSeen {
  private readonly byHash = new Map<number, Labels | Labels[]>();

  /** Adds ls; whether a set with its key had been added before. */
  add(ls: Labels): boolean {
    const h = keyHash(ls);
    const had = this.byHash.get(h);
    if (had === undefined) {
      this.byHash.set(h, ls);
      return false;
    }
    const list = isList(had) ? had : [had];
    const key = labelsKey(ls);
    for (const other of list) if (labelsKey(other) === key) return true;
    list.push(ls);
    if (list.length === 2) this.byHash.set(h, list);
    return false;
  }
}

function isList(v: Labels | Labels[]): v is Labels[] {
  return v.length > 0 && Array.isArray(v[0]);
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
