import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { GZIP_PIECE_MIN_BYTES, gzipInPieces, gzipListInPieces, gzipPieceCount } from '../../src/node/gzip-pieces.js';
import { concatBytes } from '../../src/api/result-text.js';

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

/** The text cut into views of the lengths given in turn (zeros included), as a worker's answer pieces are. */
function viewsOf(text: Buffer, lengths: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0, i = 0; at < text.length; i++) {
    const n = Math.min(lengths[i % lengths.length]!, text.length - at);
    out.push(new Uint8Array(text.buffer, text.byteOffset + at, n));
    at += n;
  }
  return out;
}

describe('gzip in pieces from views not joined', () => {
  it('gives the bytes gzipInPieces gives the joined text, for any views and number of pieces', async () => {
    const text = matrixText(900_001);
    // Punctuation-sized views among long ones, empty views, and one view holding the whole text.
    for (const lengths of [[1, 0, 3, 70_000, 2, 200_000], [7], [900_001], [65_536, 1, 65_535, 0]]) {
      const views = viewsOf(text, lengths);
      expect(Buffer.from(concatBytes(views)).equals(text)).toBe(true);
      for (const pieces of [1, 2, 3, 4]) {
        const gz = concatBytes(await gzipListInPieces(views, pieces));
        expect([lengths.join(','), pieces, Buffer.from(gz).equals(Buffer.from(await gzipInPieces(text, pieces)))]).toEqual([lengths.join(','), pieces, true]);
        expect((await webGunzip(gz)).equals(text)).toBe(true);
      }
    }
  });

  it('names the whole text in its trailer, and decompresses when there is next to nothing', async () => {
    const text = matrixText(300_000);
    const gz = Buffer.from(concatBytes(await gzipListInPieces(viewsOf(text, [999, 12]), 2)));
    expect([gz.readUInt32LE(gz.length - 4), gunzipSync(gz).equals(text)]).toEqual([text.length, true]);
    for (const views of [[], [new Uint8Array(0)], [Uint8Array.of(0x5b), Uint8Array.of(0x5d)]]) {
      expect(gunzipSync(concatBytes(await gzipListInPieces(views, 3))).equals(Buffer.from(concatBytes(views)))).toBe(true);
    }
  });
});
