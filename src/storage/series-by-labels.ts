// The head's series by label set, keyed by a hash of the labels instead of
// a key string: a string per series of all its names and values (100 bytes
// and more each) kept only to look series up. Series whose labels hash alike
// share a bucket and are told apart by comparing their labels.

import { type Labels, labelsHash32 } from '../model/labels.js';

/** labelsHash32 (names and values, each followed by 0xff: equal label sets hash alike, that is all a lookup needs), as a small integer stored unboxed as a map key. */
export function labelsHash(ls: Labels): number {
  return labelsHash32(ls) & 0x3fffffff;
}

function sameLabels(a: Labels, b: Labels): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.name !== b[i]!.name || a[i]!.value !== b[i]!.value) return false;
  return true;
}

export class SeriesByLabels<S extends { readonly labels: Labels }> {
  /** One series per hash, or the few whose labels share it. */
  private readonly buckets = new Map<number, S | S[]>();

  get(labels: Labels): S | undefined {
    const b = this.buckets.get(labelsHash(labels));
    if (b === undefined) return undefined;
    if (!Array.isArray(b)) return sameLabels((b as S).labels, labels) ? (b as S) : undefined;
    for (const s of b as S[]) if (sameLabels(s.labels, labels)) return s;
    return undefined;
  }

  /** Adds a series whose labels are not present yet. */
  add(s: S): void {
    const h = labelsHash(s.labels);
    const b = this.buckets.get(h);
    if (b === undefined) this.buckets.set(h, s);
    else if (Array.isArray(b)) (b as S[]).push(s);
    else this.buckets.set(h, [b as S, s]);
  }

  delete(s: S): void {
    const h = labelsHash(s.labels);
    const b = this.buckets.get(h);
    if (b === s) this.buckets.delete(h);
    else if (Array.isArray(b)) {
      const rest = (b as S[]).filter((x) => x !== s);
      this.buckets.set(h, rest.length === 1 ? rest[0]! : rest);
    }
  }

  clear(): void {
    this.buckets.clear();
  }
}
