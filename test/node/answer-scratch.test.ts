import { describe, expect, it } from 'vitest';
import { AnswerScratch, coalesced, LENT_MIN_BYTES } from '../../src/node/answer-scratch.js';

const rand = (n: number, seed: number) => {
  const b = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
};
const concat = (ps: Uint8Array[]) => Buffer.concat(ps);

describe('answer scratch buffers', () => {
  it('join the pieces into exactly their bytes, whatever was in the buffer before', () => {
    const s = new AnswerScratch();
    for (let round = 0; round < 60; round++) {
      const pieces = Array.from({ length: 1 + (round % 5) }, (_, i) => rand((round * 7919 + i * 104729) % 200_000, round * 31 + i + 1));
      if (round % 7 === 0) pieces.push(new Uint8Array(0));
      const j = s.join(pieces);
      expect(Buffer.compare(j.bytes, concat(pieces))).toBe(0);
      expect(j.bytes.length).toBe(pieces.reduce((n, p) => n + p.length, 0));
      j.give();
    }
  });

  it('lend a buffer to one answer at a time: one not given back is not handed out again', () => {
    const s = new AnswerScratch();
    const a = s.join([rand(400_000, 1)]);
    const b = s.join([rand(400_000, 2)]);
    expect(a.bytes.buffer).not.toBe(b.bytes.buffer);
    const c = s.join([rand(360_000, 3)]);
    expect(c.bytes.buffer).not.toBe(a.bytes.buffer);
    expect(c.bytes.buffer).not.toBe(b.bytes.buffer);
    // The lent ones still hold their own bytes.
    expect(Buffer.compare(a.bytes, Buffer.from(rand(400_000, 1)))).toBe(0);
    expect(Buffer.compare(b.bytes, Buffer.from(rand(400_000, 2)))).toBe(0);
    a.give();
    a.give();
    expect(s.idleCount).toBe(1);
    const d = s.join([rand(300_000, 4)]);
    expect(d.bytes.buffer).toBe(a.bytes.buffer);
    expect(s.idleCount).toBe(0);
    b.give(); c.give(); d.give();
    expect(s.idleCount).toBe(3);
  });

  it('keeps a few buffers, the larger ones, and none over the size limit', () => {
    const s = new AnswerScratch(2, 4 << 20);
    const big = s.join([rand((4 << 20) + 1, 5)]);
    big.give();
    expect(s.idleCount).toBe(0);
    const lent = [s.join([rand(300_000, 6)]), s.join([rand(1_200_000, 7)]), s.join([rand(2_400_000, 8)])];
    for (const j of lent) j.give();
    expect(s.idleCount).toBe(2);
    // The 2.4 MB answer's buffer (4 MiB) and the 1.2 MB one's (2 MiB) are kept, not the 300 KB one's (512 KiB).
    const again = s.join([rand(2_400_000, 9)]);
    expect(again.bytes.buffer).toBe(lent[2]!.bytes.buffer);
    const second = s.join([rand(1_100_000, 10)]);
    expect(second.bytes.buffer).toBe(lent[1]!.bytes.buffer);
  });

  it('give short answers buffers of their own size, lend them nothing, and hand no answer a buffer over twice its size', () => {
    const s = new AnswerScratch();
    const large = s.join([rand(3_000_000, 11)]);
    large.give();
    expect(s.idleCount).toBe(1);
    // A client pipelining small queries without reading holds their bytes, not a kept buffer each.
    for (const n of [0, 63, 5_000, LENT_MIN_BYTES - 1]) {
      const j = s.join([rand(n, n + 1)]);
      expect(j.bytes.length).toBe(n);
      expect(j.bytes.buffer).not.toBe(large.bytes.buffer);
      expect(j.bytes.buffer.byteLength <= Math.max(n, 8192)).toBe(true);
      j.give();
      expect(s.idleCount).toBe(1);
    }
    // The idle 4 MiB buffer is over twice a 1 MB answer's need: a new one is made.
    const mid = s.join([rand(1_000_000, 12)]);
    expect(mid.bytes.buffer).not.toBe(large.bytes.buffer);
    expect(mid.bytes.buffer.byteLength).toBeLessThanOrEqual(2_000_000);
    expect(s.join([rand(2_500_000, 13)]).bytes.buffer).toBe(large.bytes.buffer);
  });
});

describe('coalesced views', () => {
  it('keeps the bytes and their order, passes long views on uncopied and joins runs of short ones', () => {
    const long = rand(100, 7), short = [rand(3, 1), rand(0, 2), rand(4, 3), rand(9, 4), rand(1, 5)];
    const views = [short[0]!, short[1]!, short[2]!, long, short[3]!, short[4]!, rand(30, 6), rand(40, 8)];
    const out = [...coalesced(views, 10)];
    expect(concat(out).equals(concat(views))).toBe(true);
    // 3 + 0 + 4 bytes, then the long view itself, then 9 + 1 reach the run's length, then 30 and 40 are long themselves.
    expect(out.map((b) => b.length)).toEqual([7, 100, 10, 30, 40]);
    expect(out[1]).toBe(long);
    // A run of one short view is passed on as it is.
    expect([...coalesced([short[3]!], 10)][0]).toBe(short[3]);
    expect([...coalesced([rand(0, 9)], 10)]).toEqual([]);
  });
});
