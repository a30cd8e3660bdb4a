// The server's web UI around the API handler: Prometheus 3.x's UI paths
// (/query, with / and /graph leading there, /alerts, /rules, /targets,
// /service-discovery, /status, /tsdb-status, /config, /flags), the built
// files of dist/ui/ with cache headers and compression, the UI's explain and
// lint endpoints, and --web.route-prefix, under which everything is served.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip, gzipSync } from 'node:zlib';
import type { Handler } from '../api/handler.js';
import { errorBody } from '../api/errors.js';
import type { Engine } from '../promql/engine/engine.js';
import { explain } from '../promql/explain.js';
import { parse, ParseError } from '../promql/index.js';
import { gzipInPieces, gzipPieceCount, outputChunkSize } from './gzip-pieces.js';

export const UI_PAGES = ['query', 'alerts', 'rules', 'targets', 'service-discovery', 'status', 'tsdb-status', 'config', 'flags'];

export interface WebUIOptions {
  engine: Engine;
  /** --web.route-prefix: the path everything is served under ('' for the root). */
  routePrefix?: string;
  /** The path of --web.external-url: where a browser finds the UI, used in redirects. */
  externalPath?: string;
  /** The built UI (default: dist/ui/ of this package). */
  dir?: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.ico': 'image/x-icon', '.svg': 'image/svg+xml', '.png': 'image/png', '.wasm': 'application/wasm', '.json': 'application/json',
};

const gzipAsync = promisify(gzip);
/**
 * API answers are compressed per request: a dashboard's 1 MB matrix of
 * number text takes zlib 35 ms of CPU at the default level 6 and 13 ms at
 * level 1, for a body 6% larger (docs/QUERY-SPEED.md). Static files are
 * compressed once, at the highest levels.
 */
export const API_GZIP = { level: 1 };
const brotliAsync = promisify(brotliCompress);

/** dist/ui/ beside the compiled module (dist/src/node/), or the checkout's when running from source or the benchmarks' build. */
function defaultDir(): string {
  const candidates = ['../../ui/', '../../dist/ui/', '../../../dist/ui/'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  return candidates.find((d) => existsSync(join(d, 'index.html'))) ?? candidates[0]!;
}

/** Normalizes a prefix to '' or '/a/b' (no trailing slash). */
export function normalizePrefix(p: string | undefined): string {
  const s = (p ?? '').trim().replace(/\/+$/, '');
  return s === '' ? '' : s.startsWith('/') ? s : `/${s}`;
}

interface StaticFile {
  body: Uint8Array;
  type: string;
  etag: string;
  gzip?: Uint8Array;
  br?: Uint8Array;
}

/** Picks the smallest encoding the client accepts. */
function encodingOf(acceptEncoding: string | undefined | null): 'br' | 'gzip' | null {
  const accept = acceptEncoding ?? '';
  if (/\bbr\b/.test(accept)) return 'br';
  if (/\bgzip\b/.test(accept)) return 'gzip';
  return null;
}

function encodingFor(req: Request): 'br' | 'gzip' | null {
  return encodingOf(req.headers.get('accept-encoding'));
}

/** Whether a client's Accept-Encoding takes the compressed answers (gzip: brotli takes gzip as well). */
export function acceptsCompression(acceptEncoding: string | undefined | null): boolean {
  return encodingOf(acceptEncoding) !== null;
}

/** Answers shorter than this are sent as they are. */
export const COMPRESS_MIN_BYTES = 1024;

const COMPRESSIBLE = /^(application\/json|text\/|application\/openmetrics-text|image\/svg|image\/x-icon)/;

/** Whether an API answer of `type` is compressed for a client sending this Accept-Encoding (when it is long enough). */
export function compressible(acceptEncoding: string | undefined | null, type: string): boolean {
  return encodingOf(acceptEncoding) !== null && COMPRESSIBLE.test(type);
}

/**
 * Answers up to this long are gzipped on the calling thread. Handed to
 * zlib's pool, an answer waits for a pool thread to wake and then for the
 * event loop to take its callback: on a dashboard's queries, which come with
 * idle gaps between them, that cost a 100 KB answer about 2 ms more than its
 * 1 ms of compression inline, which holds the event loop that long (docs/QUERY-SPEED.md).
 */
export const GZIP_INLINE_MAX_BYTES = 128 * 1024;

/**
 * An API answer's body gzipped as it is sent, or null when it is too short
 * to be worth it. Longer answers are compressed on zlib's thread pool, into
 * an output buffer sized for the whole of a typical answer (about a tenth of
 * the text at level 1), so the thread answering requests gets one callback
 * rather than one per 16 KiB of output. The bytes are the same either way,
 * except for answers long enough to be compressed in pieces on several of
 * the pool's threads at once (gzip-pieces.ts), which decompress to the same
 * text; `cores` is how many this process may use (default: what it has).
 */
export async function gzipApiBody(body: Uint8Array, cores?: number): Promise<Uint8Array | null> {
  if (body.length < COMPRESS_MIN_BYTES) return null;
  if (body.length <= GZIP_INLINE_MAX_BYTES) return gzipSync(body, API_GZIP);
  const pieces = gzipPieceCount(body.length, cores);
  if (pieces > 1) return gzipInPieces(body, pieces);
  return gzipAsync(body, { ...API_GZIP, chunkSize: outputChunkSize(body.length) });
}

export function withWebUI(api: Handler, o: WebUIOptions): Handler {
  const prefix = normalizePrefix(o.routePrefix);
  const external = normalizePrefix(o.externalPath ?? o.routePrefix);
  const dir = o.dir ?? defaultDir();
  const files = new Map<string, StaticFile | null>();

  const load = (rel: string): StaticFile | null => {
    if (files.has(rel)) return files.get(rel)!;
    const path = normalize(join(dir, rel));
    let f: StaticFile | null = null;
    if (path.startsWith(normalize(dir)) && existsSync(path) && statSync(path).isFile()) {
      const body = readFileSync(path);
      f = { body, type: TYPES[extname(path)] ?? 'application/octet-stream', etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"` };
    }
    files.set(rel, f);
    return f;
  };

  const serveFile = async (req: Request, rel: string, cache: string): Promise<Response> => {
    const f = load(rel);
    if (!f) {
      return new Response(`promlet's web UI is not built: run npm run build (the HTTP API answers at ${external}/api/v1/)\n`, { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    }
    const headers: Record<string, string> = { 'content-type': f.type, 'cache-control': cache, etag: f.etag, vary: 'accept-encoding' };
    if (req.headers.get('if-none-match') === f.etag) return new Response(null, { status: 304, headers });
    const enc = COMPRESSIBLE.test(f.type) && f.body.length > 256 ? encodingFor(req) : null;
    let body = f.body;
    if (enc === 'br') body = f.br ??= await brotliAsync(f.body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } });
    else if (enc === 'gzip') body = f.gzip ??= await gzipAsync(f.body, { level: 9 });
    if (enc) headers['content-encoding'] = enc;
    return new Response(req.method === 'HEAD' ? null : (body as Uint8Array<ArrayBuffer>), { status: 200, headers });
  };

  const redirect = (to: string) => new Response(null, { status: 302, headers: { location: to } });
  const json = (status: number, body: string) => new Response(body, { status, headers: { 'content-type': 'application/json' } });

  /** The UI's own endpoints: the explain tree and promlet's parse errors with their positions. */
  const uiApi = (path: string, url: URL): Response => {
    const query = url.searchParams.get('query') ?? '';
    try {
      if (path === '/ui/api/explain') {
        const t = Number(url.searchParams.get('time') ?? Date.now() / 1000);
        if (!Number.isFinite(t)) return json(400, errorBody('bad_data', 'invalid parameter "time"'));
        return json(200, JSON.stringify({ status: 'success', data: explain(o.engine, query, { time: Math.round(t * 1000) }) }));
      }
      try {
        parse(query, { experimentalFunctions: true });
        return json(200, JSON.stringify({ status: 'success', data: [] }));
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        return json(200, JSON.stringify({ status: 'success', data: e.errors.map((x) => ({ from: x.positionRange.start, to: x.positionRange.end, message: x.detail })) }));
      }
    } catch (e) {
      return json(e instanceof ParseError ? 400 : 422, errorBody(e instanceof ParseError ? 'bad_data' : 'execution', (e as Error).message));
    }
  };

  /** Compresses the API's larger text answers, as Prometheus does for clients that accept it. */
  const compress = async (req: Request, res: Response): Promise<Response> => {
    const type = res.headers.get('content-type') ?? '';
    if (!compressible(req.headers.get('accept-encoding'), type) || res.headers.has('content-encoding') || !res.body) return res;
    const body = new Uint8Array(await res.arrayBuffer());
    const gzipped = await gzipApiBody(body);
    if (!gzipped) return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
    const headers = new Headers(res.headers);
    headers.set('content-encoding', 'gzip');
    headers.append('vary', 'accept-encoding');
    headers.delete('content-length');
    return new Response(gzipped as Uint8Array<ArrayBuffer>, { status: res.status, statusText: res.statusText, headers });
  };

  return async (req) => {
    const url = new URL(req.url);
    let path = url.pathname;
    if (prefix) {
      // Prometheus sends the bare root to the prefix, and answers nothing else outside it.
      if (path === '/') return redirect(`${external}/`);
      if (path !== prefix && !path.startsWith(`${prefix}/`)) return new Response('404 page not found\n', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
      path = path.slice(prefix.length) || '/';
    }
    const get = req.method === 'GET' || req.method === 'HEAD';
    if (get) {
      if (path === '/') return redirect(`${external}/query`);
      // Prometheus 2.x's links (and alerts' generatorURL) open the query page with their parameters.
      if (path === '/graph') return redirect(`${external}/query${url.search}`);
      if (UI_PAGES.includes(path.slice(1))) return serveFile(req, 'index.html', 'no-cache');
      if (path === '/favicon.ico') return serveFile(req, 'favicon.ico', 'public, max-age=86400');
      // Built assets carry a content hash in their names: they never change under a name.
      if (path.startsWith('/assets/')) return serveFile(req, path.slice(1), 'public, max-age=31536000, immutable');
      if (path === '/ui/api/explain' || path === '/ui/api/lint') return uiApi(path, url);
    }
    const inner = prefix
      ? new Request(new URL(path + url.search, url.origin), { method: req.method, headers: req.headers, body: get ? undefined : await req.arrayBuffer() })
      : req;
    return compress(req, await api(inner));
  };
}
