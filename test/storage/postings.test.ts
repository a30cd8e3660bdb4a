import { describe, expect, it } from 'vitest';
import { MemPostings } from '../../src/storage/postings.js';

describe('MemPostings.delete', () => {
  it('removes the ids of deleted series under names and values that hold ÿ', () => {
    const p = new MemPostings();
    p.add(1, [{ name: 'a', value: 'xÿy' }, { name: 'bÿ', value: 'z' }]);
    p.add(2, [{ name: 'a', value: 'xÿy' }, { name: 'c', value: 'w' }]);
    p.add(3, [{ name: 'a', value: 'x' }]);
    p.delete(new Map([[1, [{ name: 'a', value: 'xÿy' }, { name: 'bÿ', value: 'z' }]]]));
    expect(p.get('a', 'xÿy')).toEqual([2]);
    expect(p.get('bÿ', 'z')).toEqual([]);
    expect(p.labelNames().sort()).toEqual(['a', 'c']);
    expect(p.get('a', 'x')).toEqual([3]);
    expect(p.all()).toEqual([2, 3]);
  });

  it('drops a value, then its name, once no series holds them', () => {
    const p = new MemPostings();
    p.add(1, [{ name: 'a', value: '1' }, { name: 'b', value: '1' }]);
    p.add(2, [{ name: 'a', value: '2' }]);
    p.delete(new Map([[1, [{ name: 'a', value: '1' }, { name: 'b', value: '1' }]]]));
    expect(p.labelValues('a')).toEqual(['2']);
    expect(p.labelNames()).toEqual(['a']);
  });
});
