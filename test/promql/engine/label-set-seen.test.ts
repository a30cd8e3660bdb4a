// LabelSetSeen (src/promql/engine/label-set-seen.ts) against the Set of
// labelsKey strings it replaces: the same answer for every set added, over
// sets built to repeat, sets that only a \xff inside a value would make look
// alike (their hashes are equal; their keys, which write the mark, are not),
// empty sets, and enough random sets for the 32-bit hash to collide.

import { describe, expect, it, vi } from 'vitest';
import { LabelSetSeen } from '../../../src/promql/engine/label-set-seen.js';
import { type Labels, labelsHash32, labelsKey } from '../../../src/model/labels.js';

// Counts the keys the check builds, to hold it to a bounded number per set.
const keyBuilds = vi.hoisted(() => ({ n: 0 }));
vi.mock('../../../src/model/labels.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/model/labels.js')>();
  return { ...real, labelsKey: (ls: Labels) => (keyBuilds.n++, real.labelsKey(ls)) };
});
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
    // Sets that only a \xff inside a value makes look alike.
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
      const h = labelsHash32(ls), k = labelsKey(ls);
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

  it('stays linear over label values chosen to share one hash', () => {
    // FNV-1a inverted: a value ending in two chosen code units reaches any hash before the value's terminator.
    const P = 0x01000193;
    let inv = 1;
    for (let i = 0; i < 5; i++) inv = Math.imul(inv, 2 - Math.imul(P, inv));
    const step = (h: number, c: number) => Math.imul(h ^ c, P);
    const target = Math.imul((Math.imul(labelsHash32([{ name: 'i', value: 'seed' }]), inv) ^ 0xff) >>> 0, inv) >>> 0;
    const notSurrogate = (c: number) => c < 0xd800 || c > 0xdfff;
    const sets: Labels[] = [];
    for (let p = 0; sets.length < 400; p++) {
      const prefix = `v${p.toString(36)}`;
      let h = step(step(0x811c9dc5, 'i'.charCodeAt(0)), 0xff);
      for (let j = 0; j < prefix.length; j++) h = step(h, prefix.charCodeAt(j));
      for (let c1 = 0; c1 < 0x10000 && sets.length < 400; c1++) {
        const h1 = step(h, c1) >>> 0;
        const c2 = (target ^ h1) >>> 0;
        if (notSurrogate(c1) && c2 < 0x10000 && notSurrogate(c2)) sets.push([{ name: 'i', value: prefix + String.fromCharCode(c1, c2) }]);
      }
    }
    expect(new Set(sets.map(labelsHash32)).size).toBe(1);
    const seen = new LabelSetSeen();
    keyBuilds.n = 0;
    for (const ls of sets) expect(seen.add(ls)).toBe(false);
    for (const ls of sets.slice(0, 50)) expect(seen.add(ls.map((l) => ({ ...l })))).toBe(true);
    // A list of colliding sets rebuilt every earlier key on each add: about 80,000 builds here.
    expect(keyBuilds.n).toBeLessThanOrEqual(2 * (sets.length + 50));
  });

  it('tells apart two sets whose names and values, each followed by \\xff, are the same characters', () => {
    const joined: Labels = [{ name: 'a', value: '1\xffb\xff2' }], apart: Labels = [{ name: 'a', value: '1' }, { name: 'b', value: '2' }];
    // The hash runs over those characters, so it matches: only the keys can tell the sets apart.
    expect(labelsHash32(joined)).toBe(labelsHash32(apart));
    const seen = new LabelSetSeen();
    expect([seen.add(joined), seen.add(apart), seen.add(joined), seen.add(apart)]).toEqual([false, false, true, true]);
  });
});
