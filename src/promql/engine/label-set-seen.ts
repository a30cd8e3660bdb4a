// Whether a label set was seen before, as a Set of labelsKey strings would
// tell, without building the key: a streamed aggregation checks every input
// series for a repeated label set (a range function that drops names can
// make two), and the key string per series (built, then flattened and hashed
// by the Set) was most of that check's cost. Equal label sets hash alike,
// and two sets are the same exactly when their keys are (labelsKey writes the
// marks a value may hold so that no two sets share one); a hash match is
// confirmed by comparing the keys themselves. FNV-1a is easy to
// invert, so label values can be chosen to share one hash: a hash seen twice
// keeps its sets' keys in a Set from then on, which keeps every check O(1)
// where a list of colliding sets would make them quadratic.

import { type Labels, labelsHash32, labelsKey } from '../../model/labels.js';

export class LabelSetSeen {
  private readonly byHash = new Map<number, Labels | Set<string>>();

  /** Adds ls; whether a set with its key had been added before. */
  add(ls: Labels): boolean {
    const h = labelsHash32(ls);
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
