// Serves a fetch-style handler over node:http: request bodies read with a
// size limit, optional basic or bearer authentication, and a queue that
// bounds concurrent queries.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Handler } from '../api/handler.js';
import { errorBody } from '../api/errors.js';
import { bodyTooLarge, readBody } from './request-body.js';
import type { NodeRoute } from './api-route.js';

/**
 * A POST route answered on node:http directly (after authentication),
 * reading its own body under `limit`; resolves to the status it answered.
 */
export interface DirectRoute {
  (req: IncomingMessage, res: ServerResponse, limit: number): Promise<number>;
  /** Stops what the route runs (a worker), when the server closes. */
  close?: () => Promise<void>;
}

/** Prometheus's --web.read-timeout default. */
export const DEFAULT_READ_TIMEOUT_MS = 5 * 60_000;
/** Headers must arrive sooner than a body (node's default): a client trickling them holds a connection for nothing. */
const HEADERS_TIMEOUT_MS = 60_000;

export interface ServerOptions {
  /** host:port, e.g. 127.0.0.1:9090 (port 0 picks a free one). */
  listen: string;
  handler: Handler;
  maxBodyBytes?: number;
  /**
   * Prometheus's --web.read-timeout (default 5m): the longest a request may take to arrive, and how long an idle
   * kept-alive connection stays open. Node's own 5 s idle close raced clients that reuse a connection just then.
   */
  readTimeoutMs?: number;
  /** Queries evaluated at once; more wait in line (Prometheus's --query.max-concurrency). */
  maxConcurrentQueries?: number;
  basicAuth?: { user: string; password: string };
  bearerToken?: string;
  onRequest?: (path: string, status: number) => void;
  /** POST routes by full path (route prefix included) that skip the fetch-style handler: remote write's hot path. */
  directRoutes?: Record<string, DirectRoute>;
  /** Receives errors that are bugs (answered 500), with their stack; default console.error. */
  logError?: (e: unknown, path: string) => void;
  /** Routes answered on node:http directly after authentication (the query API's fast path, api-route.ts); undefined takes the general path. */
  nodeRoutes?: (req: IncomingMessage, path: string) => NodeRoute | undefined;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** A counting semaphore. */
class Queue {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/**
 * Compares secrets in time that does not depend on where they differ: both
 * sides are hashed first, so neither the length nor a common prefix leaks.
 */
export function secretEquals(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function authorized(req: IncomingMessage, opts: ServerOptions): boolean {
  if (!opts.basicAuth && !opts.bearerToken) return true;
  const h = req.headers.authorization ?? '';
  if (opts.bearerToken && h.startsWith('Bearer ') && secretEquals(h.slice(7), opts.bearerToken)) return true;
  if (opts.basicAuth && h.startsWith('Basic ')) {
    const [user, ...rest] = Buffer.from(h.slice(6), 'base64').toString('utf8').split(':');
    // Both compared every time, so the answer's timing does not tell which one was wrong.
    const userOk = secretEquals(user ?? '', opts.basicAuth.user);
    const passwordOk = secretEquals(rest.join(':'), opts.basicAuth.password);
    return userOk && passwordOk;
  }
  return false;
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const [host, portStr] = splitHostPort(opts.listen);
  const limit = opts.maxBodyBytes ?? 4 * 1024 * 1024;
  const queue = new Queue(opts.maxConcurrentQueries ?? 20);
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${portStr}`;
  const send = (res: ServerResponse, status: number, body: string, type = 'application/json') => {
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  };
  const server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    let status = 500;
    try {
      if (!authorized(req, opts)) {
        status = 401;
        res.writeHead(401, { 'www-authenticate': 'Basic realm="promlet"', 'content-type': 'text/plain' });
        res.end('Unauthorized\n');
        return;
      }
      const direct = req.method === 'POST' ? opts.directRoutes?.[path] : undefined;
      if (direct) {
        status = await direct(req, res, limit);
        return;
      }
      const fast = opts.nodeRoutes?.(req, path);
      if (fast) {
        status = await fast(req, res, { limit, queued: (fn) => queue.run(fn) });
        return;
      }
      const body = req.method === 'GET' || req.method === 'HEAD' ? null : await readBody(req, limit);
      if (body === null && req.method !== 'GET' && req.method !== 'HEAD') {
        status = 413;
        send(res, 413, bodyTooLarge(limit));
        return;
      }
      // The Host header is the client's to choose; the URL is built on our own address so a bad one cannot fail the request.
      let url: string;
      try {
        url = new URL(req.url ?? '/', base).href;
      } catch {
        status = 400;
        send(res, 400, errorBody('bad_data', `malformed request target ${JSON.stringify((req.url ?? '').slice(0, 200))}`));
        return;
      }
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
      const request = new Request(url, { method: req.method, headers, body: body && body.length > 0 ? new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.length) : undefined });
      // endsWith: under --web.route-prefix the API's paths carry the prefix.
      const isQuery = path.endsWith('/api/v1/query') || path.endsWith('/api/v1/query_range');
      const response = isQuery ? await queue.run(() => opts.handler(request)) : await opts.handler(request);
      status = response.status;
      const out: Record<string, string> = {};
      response.headers.forEach((v, k) => (out[k] = v));
      res.writeHead(response.status, out);
      res.end(Buffer.from(await response.arrayBuffer()));
    } catch (e) {
      status = 500;
      (opts.logError ?? ((err, p) => console.error(`internal error answering ${p}:`, err)))(e, path);
      if (!res.headersSent) send(res, 500, errorBody('internal', (e as Error).message));
      else res.end();
    } finally {
      opts.onRequest?.(path, status);
    }
  });
  const readTimeout = opts.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
  server.requestTimeout = readTimeout;
  server.headersTimeout = readTimeout > 0 ? Math.min(readTimeout, HEADERS_TIMEOUT_MS) : HEADERS_TIMEOUT_MS;
  server.keepAliveTimeout = readTimeout;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(portStr), host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : Number(portStr);
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const r of Object.values(opts.directRoutes ?? {})) await r.close?.();
    },
  };
}

export function splitHostPort(listen: string): [string, string] {
  const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(listen);
  if (!m) throw new Error(`listen address ${JSON.stringify(listen)}: want host:port`);
  return [m[1] === '' ? '0.0.0.0' : m[1]!, m[2]!];
}
