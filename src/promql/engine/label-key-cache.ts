// Keys of label sets, remembered per label-set object. A range evaluation
// hands the same Labels arrays to every step, and building the key string
// again at each step and for each series was a large share of a binary
// operation's time. Label sets are never changed once built, so a key
// stays right for as long as its object lives; the map holds them weakly.

import { type Labels, labelsKey } from '../../model/labels.js';

const keys = new WeakMap<Labels, string>();

export function cachedLabelsKey(ls: Labels): string {
  let k = keys.get(ls);
  if (k === undefined) {
    k = labelsKey(ls);
    keys.set(ls, k);
  }
  return k;
}

/** fn(ls), computed once per label-set object for as long as the returned function lives. */
export function perLabelSet<T>(fn: (ls: Labels) => T): (ls: Labels) => T {
  const memo = new WeakMap<Labels, T>();
  return (ls) => {
    let v = memo.get(ls);
    if (v === undefined) {
      v = fn(ls);
      memo.set(ls, v);
    }
    return v;
  };
}
