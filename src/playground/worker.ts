// The playground's engine, in a Web Worker so the page never freezes: the
// database, PromQL, the HTTP API handler (which the editor's completion
// client and the result views talk to), explain, rule backtests, and the
// data sources.

import { openDB, type DB } from '../storage/db.js';
import { openPersistentDB, type PersistentDB } from '../browser/persistent-db.js';
import { opfsAvailable } from '../browser/opfs-block-backend.js';
import { createEngine, type Engine } from '../promql/engine/engine.js';
import { parse } from '../promql/parser/index.js';
import { ParseError } from '../promql/parser/errors.js';
import { explain } from '../promql/explain.js';
import { createApiHandler, type Handler } from '../api/handler.js';
import { ExpositionError, type MetricMetadata, formatOfText, parseExposition } from '../exposition/parse.js';
import { appendSamples } from '../exposition/append.js';
import { DEMO_METADATA, generateDemoData } from './demo-data.js';
import type { DataStats, Loaded, Ops, Reply, Request } from './protocol.js';
import { loadRegexEngine, needsRegexEngine } from './re2js-deferred.js';

const PERSIST_NAME = 'promlet-playground';

let db: DB;
let persisted: PersistentDB | null = null;
let engine: Engine;
let handler: Handler;
const metadata = new Map<string, MetricMetadata>();

function attach(next: DB): void {
  db = next;
  engine = createEngine(db, { features: ['promql-experimental-functions'] });
  handler = createApiHandler({
    db, engine,
    // "now" is the newest sample, so queries without a time look at the data.
    now: () => db.stats().maxTime ?? Date.now(),
    info: {
      version: '3.14.0', startTime: new Date(), flags: {}, configYaml: () => '',
      metadata: () => Object.fromEntries([...metadata].map(([k, m]) => [k, [m]])),
    },
  });
}

function stats(): DataStats {
  const s = db.stats();
  return { series: s.series, samples: s.samples, minTime: s.minTime, maxTime: s.maxTime, persistent: persisted !== null };
}

async function open(persistent: boolean, keep: boolean): Promise<DataStats> {
  if (persisted) await persisted.close();
  else await db?.close();
  persisted = null;
  metadata.clear();
  if (persistent) {
    // Explain and rule backtests evaluate synchronously, which blocks in IndexedDB cannot serve:
    // without OPFS the playground keeps everything in memory, as it always did there.
    persisted = await openPersistentDB({ name: PERSIST_NAME, fresh: !keep, blocks: opfsAvailable() ? 'opfs' : 'none' });
    attach(persisted.db);
  } else {
    attach(await openDB());
  }
  return stats();
}

async function load(text: string, now: number): Promise<Loaded> {
  const format = formatOfText(text);
  let parsed;
  try {
    parsed = parseExposition(text, format);
  } catch (e) {
    if (e instanceof ExpositionError) throw new Error(`${format === 'openmetrics' ? 'OpenMetrics' : 'text format'}, ${e.message}`);
    throw e;
  }
  for (const [name, m] of parsed.metadata) metadata.set(name, m);
  const { imported, rejected } = await appendSamples(db, parsed.samples, { now });
  return { samples: imported, rejected: rejected.length, problems: rejected.slice(0, 5) };
}

const ops: { [K in keyof Ops]: (a: Parameters<Ops[K]>[0]) => ReturnType<Ops[K]> | Promise<ReturnType<Ops[K]>> } = {
  reset: ({ persistent }) => open(persistent, false),
  restore: () => open(true, true),
  async loadDemo({ end, hours }) {
    await generateDemoData(db, { end, hours });
    for (const [k, m] of Object.entries(DEMO_METADATA)) metadata.set(k, m);
    await persisted?.save();
    return stats();
  },
  async loadText({ text, now }) {
    const r = await load(text, now);
    await persisted?.save();
    return { ...r, ...stats() };
  },
  async scrape({ url }) {
    const res = await fetch(url, { headers: { accept: 'application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4' } });
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    const r = await load(await res.text(), Date.now());
    return { ...r, ...stats() };
  },
  async api({ url, method, body, contentType }) {
    const headers: Record<string, string> = {};
    if (contentType) headers['content-type'] = contentType;
    const res = await handler(new Request(new URL(url, 'http://playground.invalid'), { method, body: method === 'GET' ? undefined : body, headers }));
    return { status: res.status, body: await res.text(), contentType: res.headers.get('content-type') ?? 'application/json' };
  },
  explain: ({ expr, range }) => explain(engine, expr, range),
  lint({ expr }) {
    try {
      parse(expr, { experimentalFunctions: true });
      return [];
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      return e.errors.map((x) => ({ from: x.positionRange.start, to: x.positionRange.end, message: x.detail }));
    }
  },
  async backtest({ yaml, start, end }) {
    // Loaded on first use: the YAML parser and the rule engine are not needed to query.
    const { backtestRules } = await import('../rules/backtest.js');
    return backtestRules(engine, db, yaml, { start, end });
  },
  stats,
};

attach(await openDB());

self.onmessage = async (ev: MessageEvent<Request>) => {
  const { id, op, args } = ev.data;
  let reply: Reply;
  try {
    if (op === 'backtest' || needsRegexEngine(requestText(ev.data))) await loadRegexEngine();
    const value = await (ops[op] as (a: unknown) => unknown)(args);
    reply = { id, ok: true, value };
  } catch (e) {
    reply = { id, ok: false, error: (e as Error).message };
  }
  postMessage(reply);
  // Once something has been answered, fetch the regex engine in the background.
  if (!prefetch) prefetch = setTimeout(() => void loadRegexEngine(), 1000);
};
let prefetch: ReturnType<typeof setTimeout> | null = null;

/** A request's text as PromQL would read it: API URLs and bodies URL-decoded. */
function requestText(r: Request): string {
  const raw = r.op === 'api' ? `${r.args.url} ${r.args.body ?? ''}`.replace(/\+/g, ' ') : JSON.stringify(r.args ?? '');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
postMessage({ id: 0, ok: true, value: 'ready' });
