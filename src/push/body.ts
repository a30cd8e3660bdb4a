// A push request's text: plain, or gzip-compressed as the Pushgateway also
// accepts it (Content-Encoding: gzip), inflated under a size limit.

import { BodyTooLargeError, gunzipBounded } from '../exposition/bounded-body.js';
import { PushError } from './store.js';

/** Largest decompressed push body accepted (the server's request limit applies to the compressed bytes). */
export const MAX_PUSH_DECOMPRESSED_BYTES = 32 * 1024 * 1024;

export async function readPushBody(req: Request, limit = MAX_PUSH_DECOMPRESSED_BYTES): Promise<string> {
  const enc = (req.headers.get('content-encoding') ?? '').trim().toLowerCase();
  if (enc === '' || enc === 'identity') return req.text();
  if (enc !== 'gzip') throw new PushError(415, `unsupported Content-Encoding ${JSON.stringify(enc)}; send gzip or no encoding`);
  try {
    return new TextDecoder().decode(await gunzipBounded(req.body, limit, 'decompressed push body'));
  } catch (e) {
    if (e instanceof BodyTooLargeError) throw new PushError(413, e.message);
    throw new PushError(400, (e as Error).message);
  }
}
