import { describe, expect, it } from 'vitest';
import { decodeXorChunk, encodeXorChunk } from '../../src/remote/xor-chunk.js';

const bits = (a: Float64Array) => [...new BigUint64Array(a.slice().buffer)];

describe('XOR chunks', () => {
  it('round-trips timestamps and every bit of values, whatever the gaps', () => {
    const ts: number[] = [], vs: number[] = [];
    let t = -1_000_000, seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 120; i++) {
      // Regular steps, jitter in each dod bucket (14, 17, 20 bits) and one huge jump.
      const gaps = [15_000, 15_000 + Math.floor(rnd() * 8000) - 4000, 60_000 + Math.floor(rnd() * 60_000), 400_000, 2 ** 40];
      t += gaps[i % gaps.length]!;
      ts.push(t);
      vs.push([i, rnd() * 1e6, -0, Infinity, NaN, 1e-300, i][i % 7]!);
    }
    const values = Float64Array.from(vs);
    new BigUint64Array(values.buffer)[3] = 0x7ff0000000000002n; // staleness marker
    new BigUint64Array(values.buffer)[5] = 0x7ff8000000000badn; // a NaN payload
    const timestamps = Float64Array.from(ts);
    const d = decodeXorChunk(encodeXorChunk(timestamps, values));
    expect([...d.timestamps]).toEqual(ts);
    expect(bits(d.values)).toEqual(bits(values));
  });

  it('encodes a range of the arrays, and the empty chunk', () => {
    const ts = Float64Array.from([1000, 2000, 3000, 4000]), vs = Float64Array.from([1, 2, 3, 4]);
    const d = decodeXorChunk(encodeXorChunk(ts, vs, 1, 3));
    expect([...d.timestamps]).toEqual([2000, 3000]);
    expect([...d.values]).toEqual([2, 3]);
    expect(decodeXorChunk(encodeXorChunk(ts, vs, 0, 0)).timestamps.length).toBe(0);
  });

  it('matches the bytes Prometheus writes for a simple series', () => {
    // Two bytes of count, varint(1000)=0xd0 0x0f, float64 bits of 1, uvarint(1000), then 0 (no value change),
    // then dod 0 and value 0 for the third sample: bits 0 0 0.
    const c = encodeXorChunk(Float64Array.from([1000, 2000, 3000]), Float64Array.from([1, 1, 1]));
    expect([...c]).toEqual([0, 3, 0xd0, 0x0f, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0xe8, 0x07, 0x00]);
  });

  it('rejects truncated data with a clear error', () => {
    const c = encodeXorChunk(Float64Array.from([1, 2, 3]), Float64Array.from([1.5, 2.5, 3.5]));
    expect(() => decodeXorChunk(c.subarray(0, 5))).toThrow(/unexpected end of data/);
  });

  it('round-trips random bit patterns and timestamps, backwards steps included', () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 50; round++) {
      const n = 1 + Math.floor(rnd() * 120);
      const timestamps = new Float64Array(n), values = new Float64Array(n);
      const words = new Uint32Array(values.buffer);
      let t = Math.floor((rnd() - 0.5) * 2 ** 50);
      for (let i = 0; i < n; i++) {
        t += Math.floor((rnd() - 0.3) * [10, 20_000, 200_000, 2 ** 30, 2 ** 45][Math.floor(rnd() * 5)]!);
        timestamps[i] = t;
        // Runs of equal values, small changes and arbitrary bit patterns.
        const kind = Math.floor(rnd() * 3);
        if (kind === 0 && i > 0) values[i] = values[i - 1]!;
        else if (kind === 1) values[i] = Math.floor(rnd() * 100) / 4;
        else {
          words[2 * i] = Math.floor(rnd() * 2 ** 32);
          words[2 * i + 1] = Math.floor(rnd() * 2 ** 32);
        }
      }
      const d = decodeXorChunk(encodeXorChunk(timestamps, values));
      expect([...d.timestamps]).toEqual([...timestamps]);
      expect(bits(d.values)).toEqual(bits(values));
    }
  });
});
