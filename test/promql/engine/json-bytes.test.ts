// finishBytes: the text written, as UTF-8 bytes in an array of their own.

import { afterEach, describe, expect, it } from 'vitest';
import { JsonBytes, setByteAllocator } from '../../../src/promql/engine/json-bytes.js';
import { QueryMemoryError } from '../../../src/promql/engine/errors.js';

afterEach(() => setByteAllocator((n) => new Uint8Array(n)));

describe('JsonBytes.finishBytes', () => {
  it('gives the bytes finish() decodes, in a fresh array each time, whatever the allocation held before', () => {
    // An allocation that is not zero-filled: every byte handed over must be written.
    setByteAllocator((n) => new Uint8Array(n).fill(0xff));
    const write = (b: JsonBytes) => {
      b.ascii('[{"metric":');
      b.text(JSON.stringify({ 'é': 'ü "x" \u2028 😀' }));
      b.ascii(',"values":[[1,"2"]]}]');
    };
    const s = new JsonBytes();
    write(s);
    const text = s.finish();
    const seen = new Set<ArrayBufferLike>();
    for (let i = 0; i < 3; i++) {
      const b = new JsonBytes();
      write(b);
      const got = b.finishBytes();
      expect(new TextDecoder('utf-8', { fatal: true }).decode(got)).toBe(text);
      expect(seen.has(got.buffer)).toBe(false);
      seen.add(got.buffer);
    }
  });

  it('holds the text to the limit, but not what uncounted() writes', () => {
    const b = new JsonBytes(4);
    b.uncounted(() => b.ascii('0123456789'));
    b.ascii('abcd');
    expect(new TextDecoder().decode(b.finishBytes())).toBe('0123456789abcd');
    const c = new JsonBytes(4);
    c.uncounted(() => c.ascii('0123456789'));
    c.ascii('abcde');
    expect(() => c.finishBytes()).toThrow(QueryMemoryError);
  });

  it('holds all the text, uncounted included, to the hard limit', () => {
    const b = new JsonBytes(100_000, 150_000);
    b.uncounted(() => b.ascii('x'.repeat(100_000)));
    b.ascii('y'.repeat(40_000));
    expect(b.finishBytes().length).toBe(140_000);
    const c = new JsonBytes(100_000, 150_000);
    expect(() => c.uncounted(() => c.ascii('x'.repeat(200_000)))).toThrow(QueryMemoryError);
    const d = new JsonBytes(100_000, 150_000);
    d.uncounted(() => d.ascii('x'.repeat(120_000)));
    expect(() => d.ascii('y'.repeat(40_000))).toThrow(QueryMemoryError);
  });

  const written = (n: number) => {
    const b = new JsonBytes();
    const chunk = 'z'.repeat(1 << 16);
    for (let w = 0; w < n; w += chunk.length) b.ascii(chunk.slice(0, Math.min(chunk.length, n - w)));
    const out = b.finishBytes();
    expect(out.length).toBe(n);
    expect(out[0]).toBe(0x7a);
    expect(out[n - 1]).toBe(0x7a);
    return out;
  };

  it('hands over a large answer without more than a quarter of slack', () => {
    for (const n of [5 << 20, 7.5 * (1 << 20), 9 << 20]) expect(written(n).buffer.byteLength).toBeLessThanOrEqual(n * 1.25);
  });

  it('hands over a buffer of 32 MiB or more as it is, its slack never written, rather than copy the bytes into fresh pages', () => {
    // 20 MiB of text grows the buffer to 32 MiB.
    expect(written(20 << 20).buffer.byteLength).toBe(32 << 20);
  });
});
