// The query API's fast path on node:http: /api/v1/query, /api/v1/query_range,
// /api/v1/series, /api/v1/labels and /api/v1/label/<name>/values read their
// parameters from the IncomingMessage and write their answer to the
// ServerResponse, with none of the web Request, Response, Headers and body
// streams the fetch-style handler goes through (about 40% of the main
// thread's CPU per small query went there).
// Parameters, errors and the JSON text come from the same handler code
// (ApiHandler.answer), compression from the same rule (web-ui.ts), and the
// response is written the same way, so both paths answer byte for byte alike
// (test/node/api-route.test.ts). Requests whose target the URL parser could
// rewrite go the general way.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiHandler } from '../api/handler.js';
import { hasFormBody } from '../api/params.js';
import { bodyTooLarge, readBody } from './request-body.js';
import { compressible, gzipApiBody, normalizePrefix } from './web-ui.js';
import { AnswerScratch, coalesced, SCRATCH_KEEP_MAX_BYTES } from './answer-scratch.js';
import { gzipListInPieces, gzipPieceCount } from './gzip-pieces.js';

/** What the server hands a route: its body size limit, and its queue for query evaluation (--query.max-concurrency). */
export interface NodeRouteContext {
  limit: number;
  queued<T>(fn: () => Promise<T>): Promise<T>;
}

/** Answers one request on node:http; resolves to the status it answered. */
export type NodeRoute = (req: IncomingMessage, res: ServerResponse, ctx: NodeRouteContext) => Promise<number>;

/** The routes taken off the general path, those a dashboard sends many of; queries wait in the server's queue. */
const FAST_PATHS: Record<string, { queued: boolean }> = {
  '/api/v1/query': { queued: true },
  '/api/v1/query_range': { queued: true },
  '/api/v1/series': { queued: false },
  '/api/v1/labels': { queued: false },
};
const LABEL_VALUES = /^\/api\/v1\/label\/([^/]+)\/values$/;
/**
 * A label name in a path that the URL parser leaves as it is: nothing it
 * percent-encodes in a path, and not a dot segment (which it resolves, also
 * written as %2e).
 */
const PLAIN_SEGMENT = /^(?!(\.|%2e){1,2}$)[^"<>`{}]+$/i;

/**
 * A request target the URL parser leaves as it is in the parts we read:
 * printable ASCII, no fragment and no backslash (which it would rewrite).
 * Anything else takes the general path, which parses it as it always has.
 */
const PLAIN_TARGET = /^\/[\x21-\x22\x24-\x5b\x5d-\x7e]*$/;
/** A route prefix the URL parser would not normalize (no dot segments, nothing to percent-encode). */
const PLAIN_PREFIX = /^(\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*$/;

const utf8 = new TextDecoder();

/**
 * The fast routes for an API handler served under `routePrefix`: a lookup
 * from a request to its route, or undefined for the general path.
 */
export function nodeApiRoutes(api: ApiHandler, routePrefix = ''): (req: IncomingMessage, path: string) => NodeRoute | undefined {
  const prefix = normalizePrefix(routePrefix);
  const routes = new Map<string, NodeRoute>();
  const scratch = new AnswerScratch();
  const plainPrefix = PLAIN_PREFIX.test(prefix) && !/\/\.\.?(\/|$)/.test(prefix);
  if (plainPrefix) {
    for (const [p, { queued }] of Object.entries(FAST_PATHS)) routes.set(prefix + p, apiRoute(api, p, queued, scratch));
  }
  return (req, path) => {
    if (!plainPrefix || (req.method !== 'GET' && req.method !== 'POST') || !PLAIN_TARGET.test(req.url ?? '')) return undefined;
    const route = routes.get(path);
    if (route) return route;
    if (!path.startsWith(prefix)) return undefined;
    const apiPath = path.slice(prefix.length);
    const lv = LABEL_VALUES.exec(apiPath);
    return lv && PLAIN_SEGMENT.test(lv[1]!) ? apiRoute(api, apiPath, false, scratch) : undefined;
  };
}

function apiRoute(api: ApiHandler, apiPath: string, inQueue: boolean, scratch: AnswerScratch): NodeRoute {
  return async (req, res, { limit, queued }) => {
    const method = req.method!;
    let formBody: string | null = null;
    if (method === 'POST') {
      // Read whole, under the limit, as the general path does for every body.
      const body = await readBody(req, limit);
      if (body === null) {
        res.writeHead(413, { 'content-type': 'application/json' });
        res.end(bodyTooLarge(limit));
        return 413;
      }
      // TextDecoder as fetch's text(): UTF-8, a leading byte order mark dropped.
      if (hasFormBody(method, req.headers['content-type'])) formBody = utf8.decode(body);
    }
    const url = req.url!;
    const q = url.indexOf('?');
    const answer = async () => {
      const a = await api.answer(apiPath, method, q < 0 ? '' : url.slice(q), formBody);
      if (a.body === null) {
        res.writeHead(a.status, {});
        res.end();
        return a.status;
      }
      const type = 'application/json';
      const gzip = compressible(req.headers['accept-encoding'], type);
      const length = typeof a.body === 'string' ? 0 : byteLength(a.body);
      if (typeof a.body !== 'string' && length > SCRATCH_KEEP_MAX_BYTES) {
        // Longer than any kept buffer: the pieces are written as they are (gzipped from them), never joined
        // into fresh memory.
        const body = gzip ? await gzipListInPieces(a.body, gzipPieceCount(length)) : a.body;
        if (gzip) res.writeHead(a.status, { 'content-encoding': 'gzip', 'content-type': type, vary: 'accept-encoding' });
        else res.writeHead(a.status, { 'content-type': type });
        writeAll(res, body);
        return a.status;
      }
      // A worker's answer comes as byte pieces: copied once, into a reused buffer lent until gzip has read it
      // or the socket has taken it.
      let bytes: Buffer;
      let give: (() => void) | null = null;
      if (typeof a.body === 'string') bytes = Buffer.from(a.body);
      else ({ bytes, give } = scratch.join(a.body));
      let gzipped: Uint8Array | null;
      try {
        gzipped = gzip ? await gzipApiBody(bytes) : null;
      } catch (e) {
        give?.();
        throw e;
      }
      if (gzipped) give?.();
      else if (give) {
        res.once('finish', give);
        res.once('close', give);
      }
      // Headers in the order the general path writes them (a Headers object's, sorted by name).
      if (gzipped) res.writeHead(a.status, { 'content-encoding': 'gzip', 'content-type': type, vary: 'accept-encoding' });
      else res.writeHead(a.status, { 'content-type': type });
      res.end(gzipped ?? bytes);
      return a.status;
    };
    return inQueue ? queued(answer) : answer();
  };
}

function byteLength(pieces: readonly Uint8Array[]): number {
  let n = 0;
  for (const p of pieces) n += p.length;
  return n;
}

/** The views in order as the answer's chunks, short ones together, so that the chunked encoding's framing is not written for every comma. */
function writeAll(res: ServerResponse, views: readonly Uint8Array[]): void {
  res.cork();
  for (const b of coalesced(views)) res.write(b);
  res.end();
  res.uncork();
}
