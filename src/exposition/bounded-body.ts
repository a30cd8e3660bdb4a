// Reading bodies with a size limit that holds after decompression: a small
// gzip or snappy body can inflate a thousandfold, so the limit is checked
// while bytes arrive, never after the whole body is held. Isomorphic
// (ReadableStream and DecompressionStream exist in Node 18+ and browsers).

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number, what: string) {
    super(`${what} larger than ${limit} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** Reads a stream to its end; past `limit` bytes the stream is cancelled and BodyTooLargeError thrown. */
export async function readBounded(stream: ReadableStream<Uint8Array> | null, limit: number, what = 'body'): Promise<Uint8Array> {
  if (!stream) return new Uint8Array(0);
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      // Not awaited: the answer does not wait on the source (a socket, an inflater) to wind down.
      reader.cancel().catch(() => {});
      throw new BodyTooLargeError(limit, what);
    }
    parts.push(value);
  }
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Inflates a gzip body as it arrives, stopping as soon as the output passes
 * `limit` bytes. The body's own stream goes straight into the inflater: no
 * copy of the compressed bytes and no second stream made from them.
 */
export async function gunzipBounded(body: ReadableStream<Uint8Array> | null, limit: number, what = 'decompressed body'): Promise<Uint8Array> {
  // An absent body is an empty one, which gzip refuses as truncated.
  const source = body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
  const inflated = source.pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>);
  try {
    return await readBounded(inflated, limit, what);
  } catch (e) {
    if (e instanceof BodyTooLargeError) throw e;
    throw new Error(`gzip: ${(e as Error).message}`);
  }
}
