// A long answer gzipped in pieces at once on zlib's thread pool, joined into
// one gzip member, as pigz does: each piece is a raw deflate stream ended
// with a sync flush (byte-aligned, no final block) except the last, so the
// pieces decode as one stream; the header and the trailer (CRC-32 and length
// of the whole text) are gzip's own fields, written here. A dashboard's 1 MB
// matrix takes zlib about 10 ms at level 1 in one piece and about half that
// in two on two free cores (docs/QUERY-SPEED.md). Back-references do not
// cross a piece's start, so the output is a little longer than one stream's.

import { promisify } from 'node:util';
import { constants, crc32, createDeflateRaw, deflateRaw } from 'node:zlib';
import { concatBytes } from '../api/result-text.js';
import { usableCores } from './cpu-quota.js';
import { coalesced } from './answer-scratch.js';

const deflateRawAsync = promisify(deflateRaw);

/** A piece shorter than this does not pay for its hand-over to the pool. */
export const GZIP_PIECE_MIN_BYTES = 256 * 1024;
/** libuv's default pool size: more pieces would wait for a thread. */
const POOL_THREADS = 4;

// Read once: a container's CPU quota, like the cores, does not change under a running server.
let ownCores: number | undefined;

/** How many pieces a text of `bytes` is compressed in (1: one stream, as gzip itself writes), given the cores this process may use. */
export function gzipPieceCount(bytes: number, cores = (ownCores ??= usableCores())): number {
  return Math.max(1, Math.min(cores, POOL_THREADS, Math.floor(bytes / GZIP_PIECE_MIN_BYTES)));
}

/**
 * zlib's output buffer for a text of `bytes`: about the whole of its output
 * at level 1 (a tenth to a quarter of the text), so the thread waiting gets
 * one callback rather than one per 16 KiB, and at most 4 MiB.
 */
export const outputChunkSize = (bytes: number): number => Math.min(4 << 20, Math.max(16 * 1024, bytes >> 2));

// What zlib writes at level 1: no name or time, "fastest algorithm" (XFL 4), Unix.
const HEADER_LEVEL_1 = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 3);

/**
 * `body` gzipped at level 1 in `pieces` parts compressed at once on the
 * pool; the output decompresses to `body` with any gzip reader. The pool
 * reads `body` until the promise settles, failed or not.
 */
export async function gzipInPieces(body: Uint8Array, pieces: number): Promise<Uint8Array> {
  const size = Math.ceil(body.length / pieces);
  const parts: Promise<Buffer>[] = [];
  for (let i = 0; i < pieces; i++) {
    const last = i === pieces - 1;
    const piece = body.subarray(i * size, last ? body.length : (i + 1) * size);
    parts.push(deflateRawAsync(piece, { level: 1, finishFlush: last ? constants.Z_FINISH : constants.Z_SYNC_FLUSH, chunkSize: outputChunkSize(piece.length) }));
  }
  // On this thread while the pool compresses (about 0.2-0.5 ms a megabyte of the event loop's time).
  const crc = crc32(body);
  // Every piece settled before this settles: a caller may hand `body`'s buffer on as soon as it does.
  const settled = await Promise.allSettled(parts);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const deflated = settled.map((r) => (r as PromiseFulfilledResult<Buffer>).value);
  return concatBytes([HEADER_LEVEL_1, ...deflated, trailer(crc, body.length)]);
}

/** gzip's trailer: the whole text's CRC-32 and its length modulo 2^32. */
function trailer(crc: number, length: number): Uint8Array {
  const bytes = new Uint8Array(8);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, crc, true);
  view.setUint32(4, length >>> 0, true);
  return bytes;
}

/**
 * The text `list` holds in order (views into the query workers' answers,
 * not joined) gzipped as gzipInPieces gzips it joined: `pieces` raw deflate
 * streams compressed at once on the pool, between gzip's header and
 * trailer. The result is the buffers to write in order: the text is never
 * copied whole into new memory, which for a matrix of tens of megabytes
 * cost more in page faults than the copy itself. The pool reads the views
 * until the promise settles, failed or not.
 */
export async function gzipListInPieces(list: readonly Uint8Array[], pieces: number): Promise<Uint8Array[]> {
  let total = 0;
  for (const v of list) total += v.length;
  const size = Math.ceil(total / pieces);
  const streams: Promise<Buffer[]>[] = [];
  let crc = 0, at = 0, within = 0;
  for (let p = 0; p < pieces; p++) {
    const last = p === pieces - 1;
    const z = createDeflateRaw({ level: 1, finishFlush: last ? constants.Z_FINISH : constants.Z_SYNC_FLUSH, chunkSize: outputChunkSize(size) });
    const out: Buffer[] = [];
    streams.push(new Promise<Buffer[]>((resolve, reject) => {
      z.on('data', (b: Buffer) => out.push(b));
      z.on('end', () => resolve(out));
      z.on('error', reject);
    }));
    const slices: Uint8Array[] = [];
    for (let left = last ? Infinity : size; left > 0 && at < list.length; ) {
      const v = list[at]!;
      const n = Math.min(v.length - within, left);
      const slice = v.subarray(within, within + n);
      crc = crc32(slice, crc);
      slices.push(slice);
      left -= n;
      within += n;
      if (within === v.length) {
        at++;
        within = 0;
      }
    }
    // Each write is a job of its own on the pool: short views go together.
    for (const b of coalesced(slices)) z.write(b);
    z.end();
  }
  // Every stream settled before this settles: a caller may let the views' buffers go as soon as it does.
  const settled = await Promise.allSettled(streams);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const bytes: Uint8Array[] = [HEADER_LEVEL_1];
  for (const r of settled) bytes.push(...(r as PromiseFulfilledResult<Buffer[]>).value);
  bytes.push(trailer(crc, total));
  return bytes;
}
