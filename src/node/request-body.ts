// Request bodies read under the server's size limit: into a new buffer for
// the generic handler, or into a pooled one for a route that is done with
// its body when it answers (remote write), so a stream of requests does not
// allocate a buffer each.

import type { IncomingMessage } from 'node:http';
import { errorBody } from '../api/errors.js';

/** The 413 answer's body for a request over the limit. */
export function bodyTooLarge(limit: number): string {
  return errorBody('bad_data', `request body larger than ${limit} bytes`);
}

/** The whole body as one buffer, or null once it passes `limit` bytes. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return null;
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts);
}

/** Buffers larger than this are not kept for reuse. */
const POOLED_MAX_BYTES = 4 * 1024 * 1024;
/** At most this many idle buffers are kept: about as many as requests in flight. */
const POOLED_MAX_COUNT = 8;

/**
 * Reusable body buffers. A body is read into one sized from Content-Length;
 * the caller gives it back with `release` once nothing refers to it any more.
 */
export class BodyPool {
  private readonly free: Buffer[] = [];

  /**
   * The body as a view of a pooled buffer (`release` its `.buffer` owner, the
   * returned `pooled`), or null once it passes `limit` bytes.
   */
  async read(req: IncomingMessage, limit: number): Promise<{ body: Uint8Array; pooled: Buffer | null } | null> {
    const declared = Number(req.headers['content-length']);
    // Without a usable Content-Length (chunked transfer) the body is gathered as the generic path does.
    if (!Number.isInteger(declared) || declared < 0 || declared > limit) {
      const body = await readBody(req, limit);
      return body && { body, pooled: null };
    }
    let buf = this.take(declared);
    let pooled: Buffer | null = buf;
    let size = 0;
    for await (const chunk of req) {
      const c = chunk as Buffer;
      if (size + c.length > buf.length) {
        // node:http ends a body at its Content-Length, so this does not happen; kept correct anyway.
        if (size + c.length > limit) {
          this.release(pooled);
          return null;
        }
        const grown = Buffer.allocUnsafe(Math.min(limit, 2 * (size + c.length)));
        buf.copy(grown, 0, 0, size);
        this.release(pooled);
        pooled = null;
        buf = grown;
      }
      c.copy(buf, size);
      size += c.length;
    }
    return { body: buf.subarray(0, size), pooled };
  }

  release(buf: Buffer | null): void {
    if (buf && buf.length <= POOLED_MAX_BYTES && this.free.length < POOLED_MAX_COUNT) this.free.push(buf);
  }

  private take(n: number): Buffer {
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i]!;
      if (b.length >= n) {
        this.free[i] = this.free[this.free.length - 1]!;
        this.free.pop();
        return b;
      }
    }
    // Grown in powers of two from 64 KiB, so a few sizes serve every request.
    let size = 64 * 1024;
    while (size < n) size *= 2;
    return Buffer.allocUnsafeSlow(size);
  }
}
