import { describe, expect, it } from 'vitest';
import { REMEMBERED_TEXT_MAX, splitCosts } from '../../src/node/split-costs.js';

describe('the split cost memory', () => {
  it('cuts unknown texts, and known ones whose cost scaled to the steps reaches the minimum', () => {
    const c = splitCosts(10);
    expect(c.worthSplitting('a', 100)).toBe(true);
    c.record('a', 100, 5);
    expect(c.worthSplitting('a', 100)).toBe(false);
    expect(c.worthSplitting('a', 199)).toBe(false);
    expect(c.worthSplitting('a', 200)).toBe(true);
    expect(c.worthSplitting('b', 1)).toBe(true);
  });

  it('believes a cheaper evaluation at once and a dearer one a quarter more per run', () => {
    const c = splitCosts(10);
    c.record('a', 100, 50);
    expect(c.worthSplitting('a', 100)).toBe(true);
    c.record('a', 100, 1);
    expect(c.worthSplitting('a', 100)).toBe(false);
    // 1 ms, then at most 1.25, 1.5625, … whatever the runs took.
    const seen: boolean[] = [];
    for (let i = 0; i < 12; i++) {
      c.record('a', 100, 1000);
      seen.push(c.worthSplitting('a', 100));
    }
    // 1.25^10 ≈ 9.3 < 10 ≤ 1.25^11 ≈ 11.6
    expect(seen.indexOf(true)).toBe(10);
  });

  it('ignores evaluations it cannot scale', () => {
    const c = splitCosts(10);
    c.record('a', 0, 1);
    c.record('b', 10, NaN);
    expect(c.worthSplitting('a', 10)).toBe(true);
    expect(c.worthSplitting('b', 10)).toBe(true);
  });

  it('forgets the least recently recorded text past its capacity', () => {
    const c = splitCosts(10, 2);
    c.record('a', 10, 1);
    c.record('b', 10, 1);
    c.record('a', 10, 1);
    c.record('c', 10, 1);
    expect(c.worthSplitting('b', 10), 'dropped').toBe(true);
    expect(c.worthSplitting('a', 10)).toBe(false);
    expect(c.worthSplitting('c', 10)).toBe(false);
  });

  it('keeps a refused text in one piece, whatever its later evaluations cost', () => {
    for (const min of [0, 10]) {
      const c = splitCosts(min);
      c.refuse('a');
      expect(c.worthSplitting('a', 1e6)).toBe(false);
      c.record('a', 10, 1e6);
      expect(c.worthSplitting('a', 1e6)).toBe(false);
      expect(c.worthSplitting('b', 1e6)).toBe(true);
    }
  });

  it('does not remember long texts', () => {
    const c = splitCosts(10);
    const long = 'x'.repeat(REMEMBERED_TEXT_MAX + 1);
    c.record(long, 10, 1);
    c.refuse(long);
    expect(c.worthSplitting(long, 10)).toBe(true);
    const edge = 'x'.repeat(REMEMBERED_TEXT_MAX);
    c.record(edge, 10, 1);
    expect(c.worthSplitting(edge, 10)).toBe(false);
  });

  it('tells texts cheaper than a time, scaled to the steps; unknown and refused ones are not', () => {
    const c = splitCosts(10);
    expect(c.cheaperThan('a', 10, 5)).toBe(false);
    c.record('a', 10, 2);
    expect(c.cheaperThan('a', 10, 5)).toBe(true);
    expect(c.cheaperThan('a', 30, 5), '6 ms over 30 steps').toBe(false);
    c.refuse('a');
    expect(c.cheaperThan('a', 10, 5)).toBe(false);
  });

  it('takes a dearer run as it is when told to believe it', () => {
    const c = splitCosts(10);
    c.record('a', 10, 2);
    c.record('a', 10, 100);
    expect(c.cheaperThan('a', 10, 5), 'a quarter more only').toBe(true);
    c.record('a', 10, 100, true);
    expect(c.cheaperThan('a', 10, 50)).toBe(false);
    c.refuse('b');
    c.record('b', 10, 1, true);
    expect(c.worthSplitting('b', 1e6), 'still refused').toBe(false);
  });
});
