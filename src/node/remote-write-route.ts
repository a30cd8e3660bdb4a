// POST /api/v1/write (remote write 1.0 and 2.0) answered on node:http
// directly: the body read into a pooled buffer sized from Content-Length and
// the answer written with writeHead/end, without building a fetch-style
// Request and Response per request. Every answer (status, headers, body,
// the compression of long error texts) is the one the API handler gives
// behind the web UI; test/node/remote-write-route.test.ts compares them.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { appendWriteRequest, checkRemoteWrite, handleRemoteWrite, type RemoteWriteOptions, type RequestHeaders, type WriteResult } from '../remote/write-handler.js';
import { ReplayReader } from '../remote/write-read-ahead.js';
import { V1_MESSAGE } from '../remote/write-v2-proto.js';
import { RemoteWriteDecoder } from './remote-write-decoder.js';
import type { Appendable } from '../storage/interfaces.js';
import { BodyPool, bodyTooLarge } from './request-body.js';
import type { DirectRoute } from './server.js';
import { acceptsCompression, API_GZIP, COMPRESS_MIN_BYTES } from './web-ui.js';

class NodeHeaders implements RequestHeaders {
  constructor(private readonly req: IncomingMessage) {}
  get(name: string): string | null {
    // As the generic path's Headers: a header node:http gives as a list is not carried over.
    const v = this.req.headers[name];
    return typeof v === 'string' ? v : null;
  }
}

export interface RemoteWriteRouteOptions extends RemoteWriteOptions {
  /**
   * Inflate and read 1.0 requests in a worker thread while the main thread
   * appends, so the receiver uses a second core (default false: on the
   * shared 2-core machine it cost about 0.2 CPU seconds and 30 MiB more per
   * benchmark run without raising throughput; docs/INGEST-COST.md).
   */
  decodeWorker?: boolean;
}

/** The remote-write receiver as a direct route of `startServer`. */
export function remoteWriteRoute(db: Appendable, opts: RemoteWriteRouteOptions = {}): DirectRoute {
  const pool = new BodyPool();
  const decoder = opts.decodeWorker ? new RemoteWriteDecoder() : null;
  decoder?.warm();
  const route: DirectRoute = async (req, res, limit) => {
    const read = await pool.read(req, limit);
    if (read === null) {
      res.writeHead(413, { 'content-type': 'application/json' });
      res.end(bodyTooLarge(limit));
      return 413;
    }
    const headers = new NodeHeaders(req);
    let r: WriteResult;
    const checked = checkRemoteWrite(read.body, headers, opts);
    if ('status' in checked) {
      pool.release(read.pooled);
      r = checked;
    } else if (decoder && read.pooled && checked.message === V1_MESSAGE) {
      // The pooled buffer is the body's own ArrayBuffer, so it can be handed to the worker and back.
      const { result, body } = await decoder.decode(new Uint8Array(read.pooled.buffer, 0, read.body.length), checked.limit);
      pool.release(Buffer.from(body.buffer, 0, body.buffer.byteLength));
      if ('status' in result) r = { ...result, appended: 0, rejected: 0 };
      else {
        try {
          r = await appendWriteRequest(db, new ReplayReader(result));
        } finally {
          decoder.recycle(result);
        }
      }
    } else {
      try {
        r = await handleRemoteWrite(db, read.body, headers, opts);
      } finally {
        // The receiver is done with the body once it answers: everything it keeps was copied out.
        pool.release(read.pooled);
      }
    }
    answer(req, res, r.status, r.status === 204 ? '' : r.body, r.headers);
    return r.status;
  };
  route.close = async () => {
    await decoder?.close();
  };
  return route;
}

function answer(req: IncomingMessage, res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8', ...extra };
  let body = Buffer.from(text);
  if (body.length >= COMPRESS_MIN_BYTES && acceptsCompression(req.headers['accept-encoding'])) {
    body = gzipSync(body, API_GZIP);
    headers['content-encoding'] = 'gzip';
    headers.vary = 'accept-encoding';
  }
  // In name order, as a fetch Response's headers are written.
  const sorted: Record<string, string> = {};
  for (const k of Object.keys(headers).sort()) sorted[k] = headers[k]!;
  res.writeHead(status, sorted);
  res.end(body);
}
