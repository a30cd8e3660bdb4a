import { describe, expect, it } from 'vitest';
import { AnswerScratch } from '../../src/node/answer-scratch.js';

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
    const a = s.join([rand(100_000, 1)]);
    const b = s.join([rand(100_000, 2)]);
    expect(a.bytes.buffer).not.toBe(b.bytes.buffer);
    const c = s.join([rand(90_000, 3)]);
    expect(c.bytes.buffer).not.toBe(a.bytes.buffer);
    expect(c.bytes.buffer).not.toBe(b.bytes.buffer);
    // The lent ones still hold their own bytes.
    expect(Buffer.compare(a.bytes, Buffer.from(rand(100_000, 1)))).toBe(0);
    expect(Buffer.compare(b.bytes, Buffer.from(rand(100_000, 2)))).toBe(0);
    a.give();
    a.give();
    expect(s.idleCount).toBe(1);
    const d = s.join([rand(50_000, 4)]);
    expect(d.bytes.buffer).toBe(a.bytes.buffer);
    expect(s.idleCount).toBe(0);
    b.give(); c.give(); d.give();
    expect(s.idleCount).toBe(3);
  });

  it('keeps a few buffers, the larger ones, and none over the size limit', () => {
    const s = new AnswerScratch(2, 1 << 20);
    const big = s.join([rand((1 << 20) + 1, 5)]);
    big.give();
    expect(s.idleCount).toBe(0);
    const lent = [s.join([rand(70_000, 6)]), s.join([rand(300_000, 7)]), s.join([rand(600_000, 8)])];
    for (const j of lent) j.give();
    expect(s.idleCount).toBe(2);
    // The 600 KB answer's buffer (1 MiB) and the 300 KB one's (512 KiB) are kept, not the 70 KB one's (128 KiB).
    const again = s.join([rand(600_000, 9)]);
    expect(again.bytes.buffer).toBe(lent[2]!.bytes.buffer);
    const second = s.join([rand(200_000, 10)]);
    expect(second.bytes.buffer).toBe(lent[1]!.bytes.buffer);
  });
});
