import { describe, expect, it } from 'vitest';
import { compress, uncompress } from 'snappyjs';
import { SnappyDecodeError, snappyDecode } from '../../src/remote/snappy-decode.js';
import { seededRandom } from '../../src/model/seeded-random.js';

describe('snappyDecode', () => {
  it('decodes what snappyjs compresses exactly as snappyjs decodes it', () => {
    const r = seededRandom(21);
    for (let round = 0; round < 200; round++) {
      const n = Math.floor(r() * 5000);
      const input = new Uint8Array(n);
      // Runs, repeats at short and long distances and noise: every element kind and overlapping copies.
      const alphabet = 1 + Math.floor(r() * 255);
      for (let i = 0; i < n; i++) input[i] = r() < 0.3 && i > 70 ? input[i - 1 - Math.floor(r() * 70)]! : Math.floor(r() * alphabet);
      const packed = compress(input);
      expect(snappyDecode(packed, 1 << 20)).toEqual(uncompress(packed));
    }
  });

  it('decodes long literals (1 to 4 length bytes) and copies with 4-byte offsets', () => {
    const lit = (len: number) => {
      const extra = len - 1 < 60 ? 0 : len - 1 < 256 ? 1 : len - 1 < 65536 ? 2 : 3;
      const head = extra === 0 ? [(len - 1) << 2] : [(59 + extra) << 2, ...Array.from({ length: extra }, (_, k) => ((len - 1) >>> (8 * k)) & 0xff)];
      return [...head, ...Array.from({ length: len }, (_, k) => k & 0xff)];
    };
    const varint = (v: number) => {
      const out: number[] = [];
      for (; v >= 0x80; v = Math.floor(v / 128)) out.push((v & 0x7f) | 0x80);
      return [...out, v];
    };
    for (const len of [1, 60, 61, 300, 70_000]) {
      const block = new Uint8Array([...varint(len), ...lit(len)]);
      expect(snappyDecode(block, 1 << 20)).toEqual(Uint8Array.from({ length: len }, (_, k) => k & 0xff));
    }
    // 8 literal bytes, then a copy of 8 from offset 8 written with a 4-byte offset.
    const block = new Uint8Array([16, ...lit(8), ((8 - 1) << 2) | 3, 8, 0, 0, 0]);
    expect(Array.from(snappyDecode(block, 100))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('refuses malformed blocks saying what and where, before copying', () => {
    const bad = (bytes: number[], limit = 1 << 20) => {
      try {
        snappyDecode(new Uint8Array(bytes), limit);
      } catch (e) {
        expect(e).toBeInstanceOf(SnappyDecodeError);
        return (e as Error).message;
      }
      throw new Error('decoded');
    };
    expect(bad([])).toBe('truncated length header');
    expect(bad([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])).toBe('length header too long');
    expect(bad([100], 10)).toBe('decoded length 100 is larger than the limit of 10 bytes');
    // Six bytes declaring a 3 GB literal.
    expect(bad([10, 0xfc, 0x9d, 0x21, 0x8f, 0xc1])).toBe('literal of 3247382942 bytes at byte 6 runs past the input');
    expect(bad([10, 0xfc, 0x10, 0x00, 0x00, 0x01])).toBe('literal of 16777233 bytes at byte 6 runs past the input');
    expect(bad([3, 8, 1, 2])).toBe('literal of 3 bytes at byte 2 runs past the input');
    expect(bad([1, 4, 1, 2])).toBe('elements decode to more than the declared 1 bytes');
    expect(bad([4, 0x01])).toBe('truncated copy at byte 2');
    expect(bad([8, 0, 7, 0x0d, 5])).toBe('copy offset 5 at byte 5 reaches before the start');
    expect(bad([8, 0, 7, 0x0f, 0, 0, 0, 0x80])).toBe('copy offset 2147483648 at byte 8 reaches before the start');
    expect(bad([5, 0, 7])).toBe('elements decode to 1 bytes, the header declares 5');
  });
});
