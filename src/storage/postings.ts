// Inverted index: label name -> value -> sorted series ids, and the set
// operations over sorted id lists (as Prometheus's index/postings.go).

import type { Labels } from '../model/labels.js';

export type Postings = readonly number[];

const EMPTY: Postings = [];

export class MemPostings {
  private readonly byName = new Map<string, Map<string, number[]>>();
  private allIds: number[] = [];

  /** Adds a series; ids must be added in increasing order. */
  add(id: number, labels: Labels): void {
    this.allIds.push(id);
    for (const l of labels) {
      let values = this.byName.get(l.name);
      if (!values) this.byName.set(l.name, (values = new Map()));
      const list = values.get(l.value);
      if (list) list.push(id);
      else values.set(l.value, [id]);
    }
  }

  /** Adds the postings of a persisted index; ordinal i there is series id idOf(i) here. Ids must exceed all present. */
  load(postings: ReadonlyMap<string, ReadonlyMap<string, readonly number[]>>, ordinals: number, idOf: (ordinal: number) => number): void {
    for (let i = 0; i < ordinals; i++) this.allIds.push(idOf(i));
    for (const [name, byValue] of postings) {
      let values = this.byName.get(name);
      if (!values) this.byName.set(name, (values = new Map()));
      for (const [value, list] of byValue) {
        const ids = list.map(idOf);
        const have = values.get(value);
        if (have) have.push(...ids);
        else values.set(value, ids);
      }
    }
  }

  /** Removes series (by id) that carry the given label sets. */
  delete(removed: ReadonlyMap<number, Labels>): void {
    if (removed.size === 0) return;
    this.allIds = this.allIds.filter((id) => !removed.has(id));
    // By name, then value: a key joining the two with a mark would split wrongly where a name or value holds the mark.
    const touched = new Map<string, Set<string>>();
    for (const labels of removed.values()) {
      for (const l of labels) {
        let vs = touched.get(l.name);
        if (!vs) touched.set(l.name, (vs = new Set()));
        vs.add(l.value);
      }
    }
    for (const [name, vs] of touched) {
      const values = this.byName.get(name);
      if (!values) continue;
      for (const value of vs) {
        const list = values.get(value);
        if (!list) continue;
        const kept = list.filter((id) => !removed.has(id));
        if (kept.length > 0) values.set(value, kept);
        else values.delete(value);
      }
      if (values.size === 0) this.byName.delete(name);
    }
  }

  get(name: string, value: string): Postings {
    return this.byName.get(name)?.get(value) ?? EMPTY;
  }

  all(): Postings {
    return this.allIds;
  }

  labelNames(): string[] {
    return [...this.byName.keys()];
  }

  /** The values a label takes, unsorted. */
  labelValues(name: string): string[] {
    const values = this.byName.get(name);
    return values ? [...values.keys()] : [];
  }

  /** Union of the postings of every value of `name` accepted by `accept`. */
  forValues(name: string, accept: (value: string) => boolean): Postings {
    const values = this.byName.get(name);
    if (!values) return EMPTY;
    const lists: Postings[] = [];
    for (const [v, list] of values) if (accept(v)) lists.push(list);
    return merge(lists);
  }
}

/** Ids present in every list. */
export function intersect(lists: readonly Postings[]): Postings {
  if (lists.length === 0) return EMPTY;
  const sorted = [...lists].sort((a, b) => a.length - b.length);
  let acc: Postings = sorted[0]!;
  for (let k = 1; k < sorted.length && acc.length > 0; k++) {
    const b = sorted[k]!;
    const out: number[] = [];
    let j = 0;
    for (let i = 0; i < acc.length; i++) {
      const x = acc[i]!;
      // Galloping would help very unequal sizes; linear merge is fine for head sizes.
      while (j < b.length && b[j]! < x) j++;
      if (j === b.length) break;
      if (b[j] === x) out.push(x);
    }
    acc = out;
  }
  return acc;
}

/** Ids present in any list, sorted, without duplicates. */
export function merge(lists: readonly Postings[]): Postings {
  if (lists.length === 0) return EMPTY;
  if (lists.length === 1) return lists[0]!;
  if (lists.length === 2) {
    const a = lists[0]!, b = lists[1]!;
    const out: number[] = [];
    let i = 0, j = 0;
    while (i < a.length && j < b.length) {
      const x = a[i]!, y = b[j]!;
      if (x < y) { out.push(x); i++; } else if (y < x) { out.push(y); j++; } else { out.push(x); i++; j++; }
    }
    while (i < a.length) out.push(a[i++]!);
    while (j < b.length) out.push(b[j++]!);
    return out;
  }
  const mid = lists.length >>> 1;
  return merge([merge(lists.slice(0, mid)), merge(lists.slice(mid))]);
}

/** Ids of a that are not in b. */
export function without(a: Postings, b: Postings): Postings {
  if (b.length === 0) return a;
  const out: number[] = [];
  let j = 0;
  for (const x of a) {
    while (j < b.length && b[j]! < x) j++;
    if (j < b.length && b[j] === x) continue;
    out.push(x);
  }
  return out;
}
