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

  describe('pages reused in place', () => {
    const PAGE = 1000;
    // A page's bytes say which page it is, so a read of the wrong buffer shows.
    const fillFor = (n: number) => (into: Uint8Array) => {
      into.fill(n % 251);
      return n % 7 === 0 ? PAGE - 10 : PAGE;
    };
    const page = (c: ByteCache, n: number) => c.getPage(`p/${n}`, PAGE, fillFor(n));

    it('reads a long scan into the buffers of evicted pages once settled, within the capacity', () => {
      const c = new ByteCache(32 * PAGE);
      const buffers = new Set<ArrayBufferLike>();
      for (let n = 0; n < 5000; n++) {
        // A reader takes a few pages, checks them, then settles (as a series' chunks copied into WebAssembly memory).
        const views = [page(c, n), page(c, n + 100_000), page(c, n % 5)];
        for (const [i, v] of views.entries()) {
          const k = [n, n + 100_000, n % 5][i]!;
          expect(v.length).toBe(k % 7 === 0 ? PAGE - 10 : PAGE);
          expect(v.every((x) => x === k % 251)).toBe(true);
          buffers.add(v.buffer);
        }
        expect(c.bytes + c.pooledBytes).toBeLessThanOrEqual(32 * PAGE);
        c.settle();
        expect(c.bytes + c.pooledBytes).toBeLessThanOrEqual(32 * PAGE);
      }
      // Ten thousand misses, and no more buffers than the capacity holds.
      expect(c.misses).toBeGreaterThan(9000);
      expect(buffers.size).toBeLessThanOrEqual(32);
      expect(c.reused).toBeGreaterThan(9000);
      // The hot pages stayed (second chance), reads past them reused the cold ones' buffers.
      const before = c.misses;
      page(c, 3);
      expect(c.misses).toBe(before);
    });

    it('never reuses a page a reader may still hold before settle', () => {
      const c = new ByteCache(8 * PAGE);
      const held = page(c, 1);
      const copy = held.slice();
      // Many more pages than the cache holds, without settle: the held page is evicted, its buffer left alone.
      for (let n = 2; n < 200; n++) {
        page(c, n);
        expect(c.bytes + c.pooledBytes).toBeLessThanOrEqual(8 * PAGE);
      }
      expect(held).toEqual(copy);
      expect(c.discarded).toBeGreaterThan(0);
      expect(c.reused).toBe(0);
      // After settle the pool is used again.
      c.settle();
      for (let n = 200; n < 210; n++) page(c, n);
      expect(c.reused).toBeGreaterThan(0);
    });

    it('keeps values of get and pages within one budget, and gives everything up on resize', () => {
      const c = new ByteCache(10 * PAGE);
      for (let n = 0; n < 50; n++) {
        c.get(`v/${n}`, () => new Uint8Array(500));
        page(c, n);
        if (n % 3 === 0) c.settle();
        expect(c.bytes + c.pooledBytes).toBeLessThanOrEqual(10 * PAGE);
      }
      c.resize(2 * PAGE);
      expect(c.pooledBytes).toBe(0);
      expect(c.bytes).toBeLessThanOrEqual(2 * PAGE);
      // A page larger than the cache is read, not kept.
      const big = new ByteCache(PAGE / 2);
      expect(big.getPage('x', PAGE, fillFor(1)).length).toBe(PAGE);
      expect(big.bytes).toBe(0);
    });

    it('settles before it holds anything and still evicts once values fill it', () => {
      // A cache smaller than a page learns the page size from a page it cannot keep.
      const c = new ByteCache(100);
      expect(c.getPage('p', 1000, fillFor(1)).length).toBe(1000);
      c.settle();
      for (let n = 0; n < 5; n++) c.get(`v/${n}`, () => new Uint8Array(40).fill(n));
      expect(c.bytes).toBeLessThanOrEqual(100);
      expect(c.get('v/4', () => new Uint8Array(0))[0]).toBe(4);
    });
  });
});
