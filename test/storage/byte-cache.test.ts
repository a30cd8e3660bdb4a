import { describe, expect, it } from 'vitest';
import { ByteCache } from '../../src/storage/byte-cache.js';

describe('block cache', () => {
  it('stays within its capacity, keeps what is used again, and forgets a dropped block', () => {
    const c = new ByteCache(10_000);
    let loads = 0;
    const get = (k: string, n = 1000) => c.get(k, () => (loads++, new Uint8Array(n)));
    for (let i = 0; i < 10; i++) get(`a/${i}`);
    expect(c.bytes).toBe(10_000);
    // A hot entry survives a stream of cold ones (second chance); cold ones come and go.
    for (let i = 0; i < 1000; i++) {
      get('a/hot');
      get(`b/${i}`);
      expect(c.bytes).toBeLessThanOrEqual(10_000);
    }
    const before = loads;
    get('a/hot');
    expect(loads).toBe(before);
    expect(c.hits).toBeGreaterThanOrEqual(1000);
    // Larger than the whole cache: returned, not kept.
    expect(get('huge', 20_000).length).toBe(20_000);
    expect(c.bytes).toBeLessThanOrEqual(10_000);
    c.dropPrefix('a/');
    get('a/hot');
    expect(loads).toBe(before + 2);
  });

  it('peeks without loading and keeps what is put, within its capacity', () => {
    const c = new ByteCache(3000);
    expect(c.peek('p/1')).toBeUndefined();
    const a = new Uint8Array(1000).fill(7);
    c.put('p/1', a);
    expect(c.peek('p/1')).toBe(a);
    // Putting a key again keeps the first value.
    c.put('p/1', new Uint8Array(1000));
    expect(c.peek('p/1')).toBe(a);
    for (let i = 2; i <= 6; i++) c.put(`p/${i}`, new Uint8Array(1000));
    expect(c.bytes).toBeLessThanOrEqual(3000);
    c.put('big', new Uint8Array(4000));
    expect(c.peek('big')).toBeUndefined();
  });
});
