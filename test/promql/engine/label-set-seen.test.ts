// LabelSetSeen (src/promql/engine/label-set-seen.ts) against the Set of
// labelsKey strings it replaces: the same answer for every set added, over
// sets built to repeat, sets whose keys collide only through a \xff inside a
// value (the key cannot tell them apart, so neither may the check), empty
// sets, and enough random sets for the 32-bit hash to collide.

import { describe, expect, it } from 'vitest';
import { LabelSetSeen, keyHash } from '../../../src/promql/engine/label-set-seen.js';
import { type Labels, labelsKey } from '../../../src/model/labels.js';
import { seededRandom } from '../../../src/model/seeded-random.js';

function compare(sets: Labels[]): { repeats: number } {
  const seen = new LabelSetSeen(), keys = new Set<string>();
  let repeats = 0;
  for (const ls of sets) {
    const k = labelsKey(ls);
    const want = keys.has(k);
    keys.add(k);
    expect(seen.add(ls), JSON.stringify(ls)).toBe(want);
    if (want) repeats++;
  }
  return { repeats };
}

describe('LabelSetSeen', () => {
  it('answers as a Set of label keys over small random sets, \\xff in names and values included', () => {
    const r = seededRandom(5);
    const pick = (xs: string[]) => xs[Math.floor(r() * xs.length)]!;
    const sets: Labels[] = [];
    for (let i = 0; i < 20_000; i++) {
      const n = Math.floor(r() * 4);
      const ls: { name: string; value: string }[] = [];
      for (let j = 0; j < n; j++) ls.push({ name: pick(['a', 'b', 'a\xffb', 'le']), value: pick(['', 'x', 'x\xffb\xffy', 'y', '\xff', 'ü']) });
      sets.push(ls);
    }
    // Keys that only a \xff inside a value makes equal.
    sets.push([{ name: 'a', value: 'x\xffb\xffy' }], [{ name: 'a', value: 'x' }, { name: 'b', value: 'y' }]);
    expect(compare(sets).repeats).toBeGreaterThan(15_000);
  });

  it('answers as a Set of label keys where the hash collides', () => {
    const r = seededRandom(9);
    const sets: Labels[] = [];
    const byHash = new Map<number, string>();
    let collisions = 0;
    const collided: Labels[] = [];
    for (let i = 0; i < 300_000; i++) {
      const ls: Labels = [{ name: 'instance', value: String(Math.floor(r() * 1e9)) }, { name: 'le', value: String(i % 13) }];
      const h = keyHash(ls), k = labelsKey(ls);
      const other = byHash.get(h);
      if (other !== undefined && other !== k) {
        collisions++;
        collided.push(ls);
      }
      byHash.set(h, k);
      sets.push(ls);
      // Now and then the same set again, as a fresh array.
      if (i % 1000 === 0) sets.push(ls.map((l) => ({ ...l })));
    }
    // The sets that came second to a hash, again: each must be found.
    for (const ls of collided) sets.push(ls.map((l) => ({ ...l })));
    expect(collisions).toBeGreaterThan(0);
    expect(compare(sets).repeats).toBeGreaterThanOrEqual(300);
  });
});
