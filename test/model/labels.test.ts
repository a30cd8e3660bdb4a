import { describe, expect, it } from 'vitest';
import { type Labels, keyPart, labelsKey } from '../../src/model/labels.js';

const ls = (...pairs: string[]): Labels => {
  const out: { name: string; value: string }[] = [];
  for (let i = 0; i < pairs.length; i += 2) out.push({ name: pairs[i]!, value: pairs[i + 1]! });
  return out;
};

describe('labelsKey', () => {
  it('gives label sets that differ different keys, whatever ÿ and þ their names and values hold', () => {
    const sets = [
      ls('a', '1ÿbÿ2'),
      ls('a', '1', 'b', '2'),
      ls('a', '1þ'),
      ls('a', '1þ\x01'),
      ls('a', '1ÿ'),
      ls('a', '1\x01'),
      ls('aÿ1ÿb', '2'),
      ls('a', ''),
      ls('a', 'ÿ'),
      ls('a', 'þ\x02'),
      ls('a', 'þþ'),
    ];
    const keys = new Set(sets.map(labelsKey));
    expect(keys.size).toBe(sets.length);
  });

  it('is the names and values each followed by ÿ when they hold neither mark', () => {
    expect(labelsKey(ls('__name__', 'up', 'job', 'node'))).toBe('__name__\xffup\xffjob\xffnode\xff');
    expect(keyPart('plain')).toBe('plain');
  });

  it('writes ÿ as þ\\x01 and þ as þ\\x02', () => {
    expect(keyPart('xÿyþz')).toBe('xþ\x01yþ\x02z');
  });
});
