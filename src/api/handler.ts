// Prometheus's HTTP API (web/api/v1) as a fetch-style handler: a standard
// Request in, a Response out, so the same code serves Node's http module,
// a service worker or a test. Paths, parameters, JSON shapes, error bodies
// and status codes follow Prometheus 3.x.

import type { Appendable, Queryable } from '../storage/interfaces.js';
import type { DBStats } from '../storage/db.js';
import { labelsToRecord, labelsKey, compareLabels, type Labels } from '../model/labels.js';
import type { Matcher } from '../model/matcher.js';
import { format, parse, ParseError } from '../promql/index.js';
import type { Engine, QueryResult } from '../promql/engine/engine.js';
import { QueryError } from '../promql/engine/errors.js';
import { toMatchers } from '../promql/engine/selection.js';
import { ApiError, errorBody, statusOf } from './errors.js';
import { RegexError } from '../model/regex.js';
import { InvalidLabelsError } from '../model/labels.js';
import { MAX_TIME, MIN_TIME, Params } from './params.js';
import { federateResponse } from './federate.js';
import { tsdbStatus } from './tsdb-status.js';
import { translateAST } from './translate-ast.js';
import { PushError, type PushStore } from '../push/store.js';
import { readPushBody } from '../push/body.js';
import { queryExemplars } from './exemplars.js';
import { exemplarStoreOf } from '../storage/exemplars.js';
import { concatBytes, RawJSON, resultText, stringifyWithRaw } from './result-text.js';

/** What the handler reports about the server it is part of. */
export interface ServerInfo {
  version: string;
  startTime: Date;
  flags: Record<string, string>;
  configYaml: () => string;
  reload?: () => Promise<void>;
  /** Whether the last config reload worked, and when the config in use was loaded (runtimeinfo); default: at start, fine. */
  lastReload?: () => { ok: boolean; at: Date };
  /** Metric metadata for /api/v1/metadata, by metric family name (none: the endpoint answers {}). */
  metadata?: () => Record<string, { type: string; help: string; unit: string }[]>;
  /** runtimeinfo's corruptionCount: damaged write-ahead-log tails found at start. */
  corruptionCount?: () => number;
  /** Text exposition of the server's own metrics. */
  metrics?: () => string;
  /** /api/v1/rules and /api/v1/alerts data. */
  rules?: (type?: string) => { groups: unknown[] };
  alerts?: () => { alerts: unknown[] };
  /**
   * Writes a snapshot of the data directory and returns its name (POST
   * /api/v1/admin/tsdb/snapshot); absent unless the admin API is enabled.
   */
  snapshot?: () => Promise<string>;
  /** Removes deleted samples from disk now (blocks with tombstones written again), with the admin API. */
  cleanTombstones?: () => Promise<void>;
  /** Deletes samples of matching series within [start, end] (ms), with the admin API. */
  deleteSeries?: (matcherSets: Matcher[][], start: number, end: number) => Promise<void>;
  /** URLs of the Alertmanagers alerts are sent to. */
  alertmanagers?: () => string[];
  /** Scrape targets, in /api/v1/targets's shape. */
  targets?: () => { activeTargets: unknown[]; droppedTargets: unknown[] };
  retention?: string;
}

export interface ApiOptions {
  db: Queryable & Appendable & { stats(): DBStats };
  engine: Engine;
  info: ServerInfo;
  /** Longest query text accepted (bytes of the parameter). */
  maxQueryLength?: number;
  /** Largest form body accepted. */
  maxBodyBytes?: number;
  /** Accept remote write at /api/v1/write (Prometheus's --web.enable-remote-write-receiver). */
  remoteWrite?: boolean;
  /** Largest remote write request once inflated (default MAX_DECOMPRESSED_BYTES) and push body once gunzipped (default MAX_PUSH_DECOMPRESSED_BYTES). */
  remoteWriteMaxDecompressedBytes?: number;
  pushMaxDecompressedBytes?: number;
  /** Serves remote read at /api/v1/read (src/remote/read-handler.ts). */
  remoteRead?: (req: Request) => Promise<Response>;
  /** Receives Pushgateway-style pushes at /metrics/job/... when set. */
  push?: PushStore;
  /** Lookback for /federate (ms). */
  lookbackDelta?: number;
  /** The configuration's external labels, which /federate adds to series that lack them. */
  externalLabels?: () => Record<string, string>;
  now?: () => number;
  /** Receives errors that are bugs (answered 500), with their stack; default console.error. */
  logError?: (e: unknown, path: string) => void;
  /** Write endpoints of receivers enabled by flags (e.g. OTLP), by path; each answers its own requests. */
  receivers?: Record<string, (req: Request) => Promise<Response>>;
}

export type Handler = (req: Request) => Promise<Response>;

/** An API route's answer before it becomes a Response: JSON text (a string, or UTF-8 bytes in pieces sent in order), or no body (204). */
export interface ApiAnswer {
  status: number;
  body: string | Uint8Array[] | null;
}

/** The handler, and the part of it that answers a route from its parameters (Node's fast path for queries, src/node/api-route.ts). */
export interface ApiHandler extends Handler {
  /**
   * Answers `path` (no route prefix) from its query string (with or without
   * the '?') and form-encoded body text (null when the request has none),
   * exactly as the handler does once it has read them from a Request.
   */
  answer(path: string, method: string, search: string, formBody: string | null): Promise<ApiAnswer>;
}

interface Success {
  data: unknown;
  warnings?: string[];
  infos?: string[];
  /** The result as JSON text (result-text.ts), standing in `data` for it. */
  raw?: RawJSON;
}

const json = (status: number, body: string | Uint8Array[]) =>
  new Response(typeof body === 'string' ? body : (concatBytes(body) as Uint8Array<ArrayBuffer>), { status, headers: { 'content-type': 'application/json' } });
const text = (status: number, body: string, type = 'text/plain; charset=utf-8') =>
  new Response(body, { status, headers: { 'content-type': type } });

export function createApiHandler(opts: ApiOptions): ApiHandler {
  const now = opts.now ?? (() => Date.now());
  const maxQuery = opts.maxQueryLength ?? 256 * 1024;
  const maxBody = opts.maxBodyBytes ?? 4 * 1024 * 1024;
  const lookback = opts.lookbackDelta ?? 5 * 60_000;

  const queryText = (p: Params) => {
    const q = p.get('query') ?? '';
    if (q.length > maxQuery) throw new ApiError('bad_data', `invalid parameter "query": query is longer than ${maxQuery} bytes`);
    return q;
  };

  const matchSets = (p: Params, required: boolean): Matcher[][] => {
    const raw = p.all('match[]');
    if (raw.length === 0 && required) throw new ApiError('bad_data', 'no match[] parameter provided');
    return raw.map((m) => {
      let expr;
      try {
        expr = parse(m);
      } catch (e) {
        rethrowAsApiError(e, 'match[]');
      }
      if (expr.type !== 'VectorSelector') throw new ApiError('bad_data', `invalid parameter "match[]": 1:1: parse error: expected vector selector, got ${expr.type}`);
      return toMatchers(expr);
    });
  };

  const truncated = (n: number, limit: number) => (limit > 0 && n > limit ? ['results truncated due to limit'] : undefined);

  const runQuery = async (run: () => Promise<QueryResult>, p: Params, limit: number): Promise<Success> => {
    let r: QueryResult;
    try {
      r = await run();
    } catch (e) {
      rethrowAsApiError(e, 'query');
    }
    const warnings = [...r.warnings];
    // A result a query worker wrote as JSON goes into the body as it is, unless the limit cuts it.
    const text = resultText(r);
    const raw = text && !(limit > 0 && text.length > limit) ? new RawJSON(text.text) : undefined;
    let result = raw ? (raw as unknown as QueryResult['result']) : r.result;
    if (limit > 0 && Array.isArray(result) && (r.resultType === 'vector' || r.resultType === 'matrix') && result.length > limit) {
      result = result.slice(0, limit) as typeof result;
      warnings.push('results truncated due to limit');
    }
    const data: Record<string, unknown> = { resultType: r.resultType, result };
    if (p.get('stats')) {
      const t = r.stats.timings;
      data.stats = {
        timings: {
          evalTotalTime: t.evalSeconds, resultSortTime: 0, queryPreparationTime: t.parseSeconds + t.prepareSeconds,
          innerEvalTime: t.evalSeconds, execQueueTime: 0, execTotalTime: t.totalSeconds,
        },
        samples: r.stats.samples,
      };
    }
    return { data, warnings, infos: r.infos, raw };
  };

  const inRange = <T>(p: Params, fn: (start: number, end: number) => T): T => fn(p.time('start', MIN_TIME), p.time('end', MAX_TIME));

  const routes: Record<string, (p: Params, path: string) => Success | Promise<Success>> = {
    '/api/v1/query': (p) => {
      const q = queryText(p);
      const t = p.time('time', now());
      const timeout = p.duration('timeout') ?? undefined;
      const lookbackDelta = p.duration('lookback_delta') ?? undefined;
      return runQuery(() => opts.engine.instantQuery(q, t, { timeout, lookbackDelta }), p, p.limit());
    },
    '/api/v1/query_range': (p) => {
      const q = queryText(p);
      const start = p.time('start', NaN), end = p.time('end', NaN);
      if (Number.isNaN(start)) throw new ApiError('bad_data', 'invalid parameter "start": cannot parse "" to a valid timestamp');
      if (Number.isNaN(end)) throw new ApiError('bad_data', 'invalid parameter "end": cannot parse "" to a valid timestamp');
      if (end < start) throw new ApiError('bad_data', 'invalid parameter "end": end timestamp must not be before start time');
      const step = p.duration('step');
      if (step === null) throw new ApiError('bad_data', 'invalid parameter "step": cannot parse "" to a valid duration');
      if (step <= 0) throw new ApiError('bad_data', 'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer');
      if (Math.floor((end - start) / step) > 11000) {
        throw new ApiError('bad_data', 'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)');
      }
      const timeout = p.duration('timeout') ?? undefined;
      const lookbackDelta = p.duration('lookback_delta') ?? undefined;
      return runQuery(() => opts.engine.rangeQuery(q, start, end, step, { timeout, lookbackDelta, stats: !!p.get('stats') }), p, p.limit());
    },
    '/api/v1/series': (p) => {
      const sets = matchSets(p, true);
      const limit = p.limit();
      return inRange(p, (start, end) => {
        const q = opts.db.querier(start, end);
        try {
          const seen = new Map<string, Labels>();
          for (const ms of sets) for (const s of q.select(ms)) seen.set(labelsKey(s.labels), s.labels);
          const all = [...seen.values()].sort(compareLabels);
          const out = limit > 0 ? all.slice(0, limit) : all;
          return { data: out.map(labelsToRecord), warnings: truncated(all.length, limit) };
        } finally {
          q.close();
        }
      });
    },
    '/api/v1/labels': (p) => {
      const sets = matchSets(p, false);
      const limit = p.limit();
      return inRange(p, (start, end) => {
        const q = opts.db.querier(start, end);
        try {
          const names = new Set<string>();
          for (const ms of sets.length > 0 ? sets : [undefined]) for (const n of q.labelNames(ms)) names.add(n);
          const all = [...names].sort();
          return { data: limit > 0 ? all.slice(0, limit) : all, warnings: truncated(all.length, limit) };
        } finally {
          q.close();
        }
      });
    },
    '/api/v1/format_query': (p) => {
      try {
        return { data: format(queryText(p), { pretty: true, experimentalFunctions: true, extendedRangeSelectors: true, binopFillModifiers: true }) };
      } catch (e) {
        rethrowAsApiError(e, 'query');
      }
    },
    '/api/v1/parse_query': (p) => {
      try {
        return { data: translateAST(parse(queryText(p), { experimentalFunctions: true, extendedRangeSelectors: true, binopFillModifiers: true })) };
      } catch (e) {
        rethrowAsApiError(e, 'query');
      }
    },
    '/api/v1/metadata': (p) => {
      const all = opts.info.metadata?.() ?? {};
      const metric = p.get('metric');
      const limit = Number(p.get('limit') ?? '-1');
      let names = Object.keys(all).sort();
      if (metric) names = names.filter((n) => n === metric);
      if (limit >= 0) names = names.slice(0, limit);
      return { data: Object.fromEntries(names.map((n) => [n, all[n]!])) };
    },
    '/api/v1/targets': (p) => {
      const t = opts.info.targets?.() ?? { activeTargets: [], droppedTargets: [] };
      const state = p.get('state') ?? 'any';
      return {
        data: {
          activeTargets: state === 'dropped' ? [] : t.activeTargets,
          droppedTargets: state === 'active' ? [] : t.droppedTargets,
          droppedTargetCounts: {},
        },
      };
    },
    '/api/v1/rules': (p) => {
      const type = p.get('type') ?? undefined;
      if (type !== undefined && type !== 'alert' && type !== 'record') throw new ApiError('bad_data', `invalid parameter "type": not supported value ${JSON.stringify(type)}`);
      return { data: opts.info.rules?.(type) ?? { groups: [] } };
    },
    '/api/v1/alerts': () => ({ data: opts.info.alerts?.() ?? { alerts: [] } }),
    '/api/v1/alertmanagers': () => ({
      data: { activeAlertmanagers: (opts.info.alertmanagers?.() ?? []).map((url) => ({ url })), droppedAlertmanagers: [] },
    }),
    '/api/v1/status/buildinfo': () => ({
      data: {
        // The Prometheus API version promlet implements, so clients enable the matching features.
        version: '3.14.0', revision: `promlet-${opts.info.version}`, branch: 'promlet', buildUser: 'promlet',
        buildDate: '', goVersion: 'n/a (promlet, JavaScript)',
      },
    }),
    '/api/v1/status/config': () => ({ data: { yaml: opts.info.configYaml() } }),
    '/api/v1/status/flags': () => ({ data: opts.info.flags }),
    '/api/v1/status/runtimeinfo': () => ({
      data: {
        startTime: opts.info.startTime.toISOString(), CWD: '', reloadConfigSuccess: opts.info.lastReload?.().ok ?? true,
        lastConfigTime: (opts.info.lastReload?.().at ?? opts.info.startTime).toISOString(),
        corruptionCount: opts.info.corruptionCount?.() ?? 0, goroutineCount: 0, GOMAXPROCS: 1, GOMEMLIMIT: 0, GOGC: '', GODEBUG: '', storageRetention: opts.info.retention ?? '',
      },
    }),
    '/api/v1/query_exemplars': (p) => ({ data: queryExemplars(exemplarStoreOf(opts.db), p) }),
    '/api/v1/status/tsdb': (p) => ({ data: tsdbStatus(opts.db, Number(p.get('limit') ?? 10) || 10) }),
  };

  const handler: Handler = async (req) => {
    const url = new URL(req.url);
    const path = url.pathname;
    try {
      if (path === '/-/healthy') return text(200, 'promlet is Healthy.\n');
      if (path === '/-/ready') return text(200, 'promlet is Ready.\n');
      if (path === '/-/reload') {
        if (req.method !== 'POST' && req.method !== 'PUT') return text(405, 'Only POST or PUT requests allowed\n');
        try {
          await opts.info.reload?.();
        } catch (e) {
          return text(500, `failed to reload config: ${(e as Error).message}\n`);
        }
        return text(200, '');
      }
      if (path === '/metrics') return text(200, opts.info.metrics?.() ?? '', 'text/plain; version=0.0.4; charset=utf-8');
      if (path.startsWith('/metrics/job') && opts.push) return await pushRoute(opts.push, req, path.slice('/metrics/'.length), now(), opts.pushMaxDecompressedBytes);
      if (path === '/api/v1/write' && opts.remoteWrite) {
        if (req.method !== 'POST') return text(405, 'method not allowed\n');
        // Loaded on first use: protobuf and snappy stay out of bundles that never receive remote write.
        const { handleRemoteWrite } = await import('../remote/write-handler.js');
        const r = await handleRemoteWrite(opts.db, new Uint8Array(await req.arrayBuffer()), req.headers, { maxDecompressedBytes: opts.remoteWriteMaxDecompressedBytes });
        return new Response(r.status === 204 ? null : r.body, { status: r.status, headers: { 'content-type': 'text/plain; charset=utf-8', ...r.headers } });
      }
      if (path === '/api/v1/read' && opts.remoteRead) return await opts.remoteRead(req);
      const receiver = opts.receivers?.[path];
      if (receiver) return await receiver(req);
      if (path === '/api/v1/otlp/v1/metrics') return text(404, 'otlp write receiver needs to be enabled with --web.enable-otlp-receiver\n');
      if (path.startsWith('/api/v1/admin/')) {
        if (!opts.info.snapshot) return json(503, errorBody('unavailable', 'admin APIs disabled'));
        if (req.method !== 'POST' && req.method !== 'PUT') return json(405, errorBody('bad_data', `method ${req.method} not allowed`));
        if (path === '/api/v1/admin/tsdb/snapshot') return json(200, JSON.stringify({ status: 'success', data: { name: await opts.info.snapshot() } }));
        // Deletions are applied at once (chunks rewritten), so there are no tombstones left to clean.
        if (path === '/api/v1/admin/tsdb/clean_tombstones') {
          await opts.info.cleanTombstones?.();
          return new Response(null, { status: 204 });
        }
        if (path === '/api/v1/admin/tsdb/delete_series' && opts.info.deleteSeries) {
          const p = await Params.from(req, url, maxBody);
          const sets = matchSets(p, true);
          await opts.info.deleteSeries(sets, p.time('start', MIN_TIME), p.time('end', MAX_TIME));
          return new Response(null, { status: 204 });
        }
        return json(404, errorBody('not_found', `unknown API endpoint ${path}`));
      }
      if (path === '/federate') {
        const p = await Params.from(req, url, maxBody);
        return federateResponse(opts.db, matchSets(p, false), now(), lookback, opts.externalLabels?.(), req.headers.get('accept'));
      }
      const a = await answerRoute(path, req.method, () => Params.from(req, url, maxBody));
      return a.body === null ? new Response(null, { status: a.status }) : json(a.status, a.body);
    } catch (e) {
      return errorAnswer(e, path, json);
    }
  };

  const errorAnswer = <T>(e: unknown, path: string, answer: (status: number, body: string) => T): T => {
    const err = toApiError(e);
    if (err.type === 'internal') (opts.logError ?? logToConsole)(e, path);
    return answer(statusOf(err.type), errorBody(err.type, err.message));
  };

  /** The routes that take parameters, from reading them to the answer's JSON text (errors included). */
  const answerRoute = async (path: string, method: string, params: () => Params | Promise<Params>): Promise<ApiAnswer> => {
    try {
      const p = await params();
      let route = routes[path];
      const lv = /^\/api\/v1\/label\/([^/]+)\/values$/.exec(path);
      if (lv) route = (q) => labelValues(opts.db, decodeLabelName(decodePathSegment(lv[1]!, 'label name')), matchSets(q, false), q);
      if (!route) return { status: 404, body: errorBody('not_found', `unknown API endpoint ${path}`) };
      if (method !== 'GET' && method !== 'POST') return { status: 405, body: errorBody('bad_data', `method ${method} not allowed`) };
      const r = await route(p, path);
      // Prometheus answers a handler that returns no data (query_exemplars without selectors) with 204.
      if (r.data === undefined) return { status: 204, body: null };
      const body: Record<string, unknown> = { status: 'success', data: r.data };
      if (r.warnings && r.warnings.length > 0) body.warnings = r.warnings;
      if (r.infos && r.infos.length > 0) body.infos = r.infos;
      return { status: 200, body: stringifyWithRaw(body, r.raw) };
    } catch (e) {
      return errorAnswer(e, path, (status, body): ApiAnswer => ({ status, body }));
    }
  };

  return Object.assign(handler, {
    answer: (path: string, method: string, search: string, formBody: string | null) => answerRoute(path, method, () => Params.of(search, formBody, maxBody)),
  });
}

const logToConsole = (e: unknown, path: string) => console.error(`internal error answering ${path}:`, e);

/**
 * The one mapping from an error to the API's errorType: errors caused by the
 * request (bad PromQL, bad regex, bad labels, bad escapes) are bad_data and
 * name the parameter they came from; query execution keeps its own type;
 * anything else is a bug and answers 500.
 */
export function toApiError(e: unknown, param?: string): ApiError {
  if (e instanceof ApiError) return e;
  const named = (msg: string) => new ApiError('bad_data', param ? `invalid parameter ${JSON.stringify(param)}: ${msg}` : msg);
  if (e instanceof ParseError || e instanceof RegexError || e instanceof InvalidLabelsError || e instanceof URIError) return named(e.message);
  if (e instanceof QueryError) return e.type === 'bad_data' ? named(e.message) : new ApiError(e.type, e.message);
  return new ApiError('internal', e instanceof Error ? e.message : String(e));
}

/** Throws the request's error as an ApiError naming param; a bug is rethrown as it is, keeping its stack for the log. */
function rethrowAsApiError(e: unknown, param: string): never {
  const a = toApiError(e, param);
  throw a.type === 'internal' ? e : a;
}

/** decodeURIComponent, with malformed escapes answered as bad data. */
function decodePathSegment(s: string, what: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new ApiError('bad_data', `invalid ${what} in path: malformed percent-encoding in ${JSON.stringify(s)}`);
  }
}

function labelValues(db: Queryable, name: string, sets: Matcher[][], p: Params): Success {
  const limit = p.limit();
  const start = p.time('start', MIN_TIME), end = p.time('end', MAX_TIME);
  const q = db.querier(start, end);
  try {
    const values = new Set<string>();
    for (const ms of sets.length > 0 ? sets : [undefined]) for (const v of q.labelValues(name, ms)) values.add(v);
    const all = [...values].sort();
    return { data: limit > 0 ? all.slice(0, limit) : all, warnings: limit > 0 && all.length > limit ? ['results truncated due to limit'] : undefined };
  } finally {
    q.close();
  }
}

/** Label names in paths may be escaped as U__ with _XX_ hex code points (values escaping, 3.1+). */
export function decodeLabelName(s: string): string {
  if (!s.startsWith('U__')) return s;
  return s.slice(3).replace(/_([0-9a-fA-F]+)_|__/g, (m, hex: string | undefined) => (hex ? String.fromCodePoint(parseInt(hex, 16)) : '_'));
}

/** PUT/POST/DELETE /metrics/job/<job>{/<label>/<value>}, as the Pushgateway answers them. */
async function pushRoute(store: PushStore, req: Request, groupPath: string, t: number, maxDecompressed?: number): Promise<Response> {
  try {
    if (req.method === 'DELETE') {
      await store.delete(groupPath, t);
      return text(202, '');
    }
    if (req.method !== 'PUT' && req.method !== 'POST') return text(405, 'method not allowed\n');
    if ((req.headers.get('content-type') ?? '').includes('protobuf')) return text(415, 'protobuf pushes are not supported; push the text format\n');
    await store.push(groupPath, await readPushBody(req, maxDecompressed), req.method === 'PUT', t);
    return text(200, '');
  } catch (e) {
    if (e instanceof PushError) return text(e.status, `${e.message}\n`);
    throw e;
  }
}
