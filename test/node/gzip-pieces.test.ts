import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { GZIP_PIECE_MIN_BYTES, gzipInPieces, gzipPieceCount } from '../../src/node/gzip-pieces.js';

/** A matrix's number text, as long as asked. */
function matrixText(bytes: number): Buffer {
  let text = '';
  for (let i = 0; text.length < bytes; i++) text += `[${1767225600 + i * 15},"${(Math.sin(i) * 1e3).toFixed(4)}"],`;
  return Buffer.from(text.slice(0, bytes));
}

/** Decompressed by the web's DecompressionStream, fed as a client reads it (zlib's inflate underneath, streamed). */
async function webGunzip(gz: Uint8Array): Promise<Buffer> {
  const stream = new Blob([new Uint8Array(gz)]).stream().pipeThrough(new DecompressionStream('gzip'));
  return Buffer.from(await new Response(stream).arrayBuffer());
}

describe('gzip in pieces', () => {
  it('decompresses to the text for any number of pieces, wherever the cuts fall', async () => {
    const text = matrixText(700_001);
    for (const pieces of [1, 2, 3, 4, 7]) {
      const gz = await gzipInPieces(text, pieces);
      expect([pieces, gunzipSync(gz).equals(text), (await webGunzip(gz)).equals(text)]).toEqual([pieces, true, true]);
    }
    // Pieces of a byte or two, and of nothing (more pieces than bytes).
    for (const n of [1, 2, 5]) {
      const short = text.subarray(0, n);
      expect(gunzipSync(await gzipInPieces(short, 4)).equals(short)).toBe(true);
    }
  });

  it('keeps bytes that do not compress, and a length and CRC that name the whole text', async () => {
    const noise = randomBytes(600_000);
    const gz = await gzipInPieces(noise, 2);
    expect(gunzipSync(gz).equals(noise)).toBe(true);
    const view = Buffer.from(gz);
    expect([view[0], view[1], view[2], view.readUInt32LE(view.length - 4)]).toEqual([0x1f, 0x8b, 8, noise.length]);
    // A byte changed in the last piece is caught (by the inflater, or by the CRC of the whole).
    view[view.length - 20] = view[view.length - 20]! ^ 0xff;
    expect(() => gunzipSync(view)).toThrow();
  });

  it('is about as small as one stream: the pieces only lose the back-references across their cuts', async () => {
    const text = matrixText(1_000_000);
    const one = (await gzipInPieces(text, 1)).length;
    const two = (await gzipInPieces(text, 2)).length;
    expect(two).toBeLessThan(one * 1.01);
  });

  it('cuts only texts with a whole piece for each core, and at most one piece per pool thread', () => {
    expect(gzipPieceCount(2 * GZIP_PIECE_MIN_BYTES - 1, 8)).toBe(1);
    expect(gzipPieceCount(2 * GZIP_PIECE_MIN_BYTES, 8)).toBe(2);
    expect(gzipPieceCount(100 * GZIP_PIECE_MIN_BYTES, 2)).toBe(2);
    expect(gzipPieceCount(100 * GZIP_PIECE_MIN_BYTES, 1)).toBe(1);
    expect(gzipPieceCount(100 * GZIP_PIECE_MIN_BYTES, 64)).toBe(4);
  });
});
