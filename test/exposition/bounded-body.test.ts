// Bodies read under a limit that holds after decompression: the answer comes
// as soon as the limit is passed, and the source is not read on to its end.

import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { BodyTooLargeError, gunzipBounded, readBounded } from '../../src/exposition/bounded-body.js';

/** A stream of `chunks` copies of `chunk`, counting how many were pulled. */
function counted(chunk: Uint8Array, chunks: number) {
  const state = { pulled: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      if (state.pulled === chunks) return c.close();
      state.pulled++;
      c.enqueue(chunk);
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

function pieces(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(c) {
      if (at >= bytes.length) return c.close();
      c.enqueue(bytes.subarray(at, at + size));
      at += size;
    },
  });
}

describe('readBounded', () => {
  it('joins the chunks of a body within the limit', async () => {
    const { stream } = counted(new Uint8Array([1, 2, 3]), 4);
    expect([...(await readBounded(stream, 12))]).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3]);
    expect((await readBounded(null, 0)).length).toBe(0);
  });

  it('stops at the chunk that passes the limit and cancels the source', async () => {
    const { stream, state } = counted(new Uint8Array(1000), 1_000_000);
    await expect(readBounded(stream, 4500, 'scrape body')).rejects.toThrow(new BodyTooLargeError(4500, 'scrape body'));
    await new Promise((r) => setTimeout(r, 0));
    expect(state.cancelled).toBe(true);
    expect(state.pulled).toBeLessThan(10);
  });
});

describe('gunzipBounded', () => {
  const text = Array.from({ length: 5000 }, (_, i) => `pushed_metric{i="${i}"} ${i}\n`).join('');

  it('inflates a body arriving in pieces', async () => {
    const out = await gunzipBounded(pieces(new Uint8Array(gzipSync(text)), 777), 1 << 20);
    expect(new TextDecoder().decode(out)).toBe(text);
  });

  it('refuses a small body that would inflate a thousandfold', async () => {
    // 64 MiB of zeros in about 64 KB.
    const bomb = new Uint8Array(gzipSync(new Uint8Array(64 << 20)));
    expect(bomb.length).toBeLessThan(100_000);
    await expect(gunzipBounded(pieces(bomb, 1024), 64 * 1024, 'decompressed push body')).rejects.toThrow(/^decompressed push body larger than 65536 bytes$/);
  });

  it('answers one request after another past the limit and within it', async () => {
    const big = new Uint8Array(gzipSync(text));
    const small = new Uint8Array(gzipSync('pushed_metric 1\n'));
    for (let i = 0; i < 50; i++) {
      await expect(gunzipBounded(new Response(big).body, 64 * 1024)).rejects.toBeInstanceOf(BodyTooLargeError);
      expect(new TextDecoder().decode(await gunzipBounded(new Response(small).body, 64 * 1024))).toBe('pushed_metric 1\n');
    }
  });

  it('says what is wrong with a body that is not gzip, truncated or empty', async () => {
    await expect(gunzipBounded(new Response('plain text').body, 1024)).rejects.toThrow(/^gzip: /);
    const cut = new Uint8Array(gzipSync(text)).subarray(0, 200);
    await expect(gunzipBounded(new Response(cut).body, 1 << 20)).rejects.toThrow(/^gzip: /);
    await expect(gunzipBounded(null, 1024)).rejects.toThrow(/^gzip: /);
  });
});
