// An Engine whose asynchronous queries run in worker threads, for the HTTP
// server: the main thread parses the query, and a worker evaluates it,
// reading storage through the main thread one call at a time
// (worker-storage.ts: a selection, one series' samples or window
// reductions), so nothing holds a copy of every sample a query can read. The
// synchronous methods stay in-process, as embedders use them, and so may a
// small query alone on the server (OffThreadOptions.inlineMaxMs).
//
// A worker is also the hard edge of the query limits: past its timeout (plus
// a grace period for the engine's own checks to answer) or on an abort the
// worker is terminated, and its heap is capped by the memory budget, so a
// query that outgrows it ends that worker, not the server.

import { MessageChannel, Worker } from 'node:worker_threads';
import { workerURL } from './worker-url.js';
import { queryWorkerLimits } from './query-worker-limits.js';
import { createEngine, parseOptions, rangeWindow, toMillis, type Engine, type EngineOptions, type QueryOptions, type QueryResult, type Time } from '../promql/engine/engine.js';
import { QueryCanceledError, QueryError, QueryMemoryError, QueryTimeoutError, TooManySamplesError, type ErrorType } from '../promql/engine/errors.js';
import { typeOf } from '../promql/index.js';
import { parseQuery } from '../promql/engine/parsed-queries.js';
import { parseDuration } from '../model/duration.js';
import { prepare } from '../promql/engine/preprocess.js';
import { selectorRanges, type TimeRange } from '../promql/engine/selection.js';
import type { Queryable } from '../storage/interfaces.js';
import type { QueryWorkerData, WorkerAnswer, WorkerQuery } from './query-worker.js';
import { newStorageSignal, serveStoragePort, StorageServer, type ExtraCalls } from './worker-storage.js';
import { fetchRemote, mergeQueryable, type RemoteReadSet } from '../remote/fanout.js';
import { readQueries } from './remote-read-engine.js';
import { pinBlocksForQuery, type WorkerBlocksSource } from './worker-blocks.js';
import { prefetchHeadCopies } from './head-prefetch.js';
import { withResultText } from '../api/result-text.js';
import type { Prepared } from '../promql/engine/preprocess.js';
import { remember, splitCosts } from './split-costs.js';
import { statsOnlySelectors } from '../promql/engine/histogram-series.js';
import { cutSteps, joinParts, partsFor, type PartAnswer } from './split-parts.js';

export interface OffThreadOptions {
  /** Worker threads kept for queries (default 2); more queries wait for one. */
  workers?: number;
  /** How long past its timeout a worker may take to answer before it is terminated (ms, default 1000). */
  graceMs?: number;
  /**
   * remote_read endpoints (src/remote/fanout.ts): the selectors of a query
   * are fetched from them on this thread, within the query's timeout, and
   * the worker reads local data with the fetched series merged in.
   * A failing remote is a warning in the answer.
   */
  remote?: { set(): RemoteReadSet; localStartTime(): number };
  /**
   * The data directory whose blocks the workers open themselves
   * (worker-blocks.ts); half of the database's chunk cache budget is
   * shared out among them. Without it, workers read all storage through
   * the main thread.
   */
  blocks?: WorkerBlocksSource;
  /**
   * A worker whose heap a query grew past this many bytes is replaced after
   * answering (default 256 MiB): V8 keeps a heap's high-water mark long after
   * the query, and every worker would otherwise hold the largest query it
   * ever ran. 0 never replaces one.
   */
  recycleHeapBytes?: number;
  /**
   * A range query of at least twice this many steps (default 240) that
   * finds other workers idle, and nobody waiting for one, is cut into
   * parts of at least this many steps evaluated on them at once
   * (split-parts.ts). Infinity keeps every query to one worker.
   */
  splitMinSteps?: number;
  /**
   * Asked before a query is cut: false keeps it to one worker. Idle workers
   * are idle cores only when nothing else keeps the machine busy; where
   * something does, a query's parts wait for the slowest and cost more
   * than the one piece (`promlet serve`: half a core or more that other processes leave free, spare-cores.ts).
   */
  splitWhen?: () => boolean;
  /**
   * A query text whose last evaluation took less than this many
   * milliseconds of worker time (scaled to its steps now) stays in one
   * piece: each part repeats about a millisecond of fixed work
   * (split-costs.ts). 0 (the default) cuts whatever splitMinSteps and
   * splitWhen allow.
   */
  splitMinMs?: number;
  /**
   * A query whose text's last evaluation (scaled to its steps now) took
   * less than this many milliseconds, arriving while no other query is
   * evaluated, is evaluated on this thread: the hand-over to a worker and
   * back (two thread wake-ups, the message's copies, the block pins) is
   * about half a millisecond, a tenth of such a query, and this thread is
   * held no longer than the query's own few milliseconds. The query must
   * also read about the span of time its text read last time (a cheap
   * text over one stretch of data says nothing of another). One that took
   * longer than this here goes back to the workers, and one that meets
   * inlineMaxBytes' limits is handed to a worker and stays the workers'.
   * 0 (the default) sends every query to a worker.
   */
  inlineMaxMs?: number;
  /**
   * The memory budget of a query evaluated on this thread (default 64 MiB,
   * never more than the query's): past it, or past four times inlineMaxMs
   * (at least 50 ms), the query is handed to a worker, whose limits are the
   * query's own (the time spent here is given back to it). Both are checked
   * where the engine checks its deadline and budget, so a selection's read
   * can run past them: the choice above keeps that to what the text read
   * before.
   */
  inlineMaxBytes?: number;
}

const INLINE_MAX_BYTES = 64 * 1024 * 1024;
const INLINE_CAP_MIN_MS = 50;

/** Texts remembered for the main thread's choice (each map holds at most this many, the oldest dropped first). */
const INLINE_TEXTS_MAX = 1000;

/** The span of time a query's selectors read, or null when it reads none. */
function readWindow(ranges: ReadonlyMap<unknown, TimeRange>): TimeRange | null {
  let w: TimeRange | null = null;
  for (const r of ranges.values()) w = w ? { start: Math.min(w.start, r.start), end: Math.max(w.end, r.end) } : { start: r.start, end: r.end };
  return w;
}

/**
 * Whether a query reads about what its text read last time: a span at most a quarter longer, at least half of it
 * within the last one. A text that was cheap over one stretch of data says nothing of another (an instant query
 * learned where there is no data, then asked where there is much), nor of a much longer one.
 */
function sameReads(last: TimeRange | null | undefined, now: TimeRange | null): boolean {
  if (last === undefined) return false;
  if (last === null || now === null) return last === now;
  const len = now.end - now.start, lastLen = last.end - last.start;
  if (len > lastLen * 1.25) return false;
  const overlap = Math.min(now.end, last.end) - Math.max(now.start, last.start);
  return overlap >= len / 2;
}

/** Query errors whose class callers test, rebuilt from a worker's answer. */
const KNOWN_ERRORS: Record<string, new () => QueryError> = {
  QueryMemoryError: class extends QueryMemoryError {
    constructor() {
      super(0);
      this.name = 'QueryMemoryError';
    }
  },
  TooManySamplesError,
  QueryTimeoutError,
  QueryCanceledError,
};

/** A worker's error answer as the error the query throws: the errors callers tell apart by class keep their class. */
function answerError(err: { message: string; type?: string; name?: string; stack?: string }): Error {
  const Known = KNOWN_ERRORS[err.name ?? ''];
  if (Known) return Object.assign(new Known(), { message: err.message });
  if (err.type) return new QueryError(err.message, err.type as ErrorType);
  const e = new Error(err.message);
  e.stack = err.stack;
  return e;
}

/**
 * What a query reads: the server's storage, or the synthetic data the
 * start-up warm-up evaluates its queries over (query-warm-up.ts), through
 * the same paths.
 */
export interface QueryTarget {
  db: Queryable;
  /** Its data directory's blocks, which workers open themselves; without, workers read everything through the main thread. */
  blocks?: WorkerBlocksSource;
}

/** How a warm-up query is evaluated: cut over every idle worker, in one piece, or on this thread (OffThreadOptions.inlineMaxMs). */
export type WarmUpMode = 'parts' | 'whole' | 'here';

/** One query's evaluation as the main thread follows it, whichever workers take it. */
interface Query {
  target: QueryTarget & { cacheBytes: number; warmUp: boolean };
  /** Date.now() past which it times out; moved on by a worker's start-up. */
  deadline: number;
  lookbackDelta: number;
  signal: AbortSignal | undefined;
  /** Throws past the deadline or on an abort. */
  check(): void;
  prepared: Prepared;
  ranges: ReturnType<typeof selectorRanges>;
  source: Queryable;
}

/** The chunk cache a worker keeps for the warm-up's blocks. */
const WARM_UP_CACHE_BYTES = 4 * 1024 * 1024;

/** The steps of a range query's grid. */
const steps = (start: number, end: number, step: number) => Math.floor((end - start) / step) + 1;

function ms(d: number | string | undefined, dflt: number): number {
  if (d === undefined) return dflt;
  if (typeof d === 'number') return d;
  try {
    return parseDuration(d);
  } catch {
    throw new QueryError(`invalid duration: ${JSON.stringify(d)}`, 'bad_data');
  }
}

let workersMade = 0;

class QueryWorker {
  readonly worker: Worker;
  /** The order workers were made in: a query's parts go to workers in this order (runSplit). */
  readonly rank = workersMade++;
  private pending: { resolve: (a: WorkerAnswer) => void; reject: (e: Error) => void } | null = null;
  /** Settles when the worker has loaded the engine (or failed to). */
  readonly ready: Promise<void>;
  private markReady!: () => void;
  private failStart!: (e: Error) => void;
  dead = false;
  /** Loaded and waiting for queries: one that is not cannot take a part of a query without delaying it. */
  started = false;
  /** The storage the running query reads, served to the worker call by call. */
  private storage: StorageServer | null = null;

  constructor(heapMb: number, engine: EngineOptions) {
    const { port1, port2 } = new MessageChannel();
    const signal = newStorageSignal();
    const workerData: QueryWorkerData = { port: port2, signal, engine };
    this.worker = new Worker(workerURL(import.meta.url, 'query-worker'), {
      resourceLimits: queryWorkerLimits(heapMb), workerData, transferList: [port2],
    });
    serveStoragePort(port1, signal, () => this.storage);
    this.worker.unref();
    this.ready = new Promise((resolve, reject) => {
      this.markReady = resolve;
      this.failStart = reject;
    });
    // Nobody may be waiting for readiness yet; a failed start is reported to the query that acquires this worker.
    this.ready.catch(() => {});
    this.worker.on('message', (a: WorkerAnswer | 'ready') => {
      if (a === 'ready') {
        this.started = true;
        return this.markReady();
      }
      const p = this.pending;
      this.pending = null;
      p?.resolve(a);
    });
    const fail = (e: Error) => {
      this.dead = true;
      this.failStart(e);
      const p = this.pending;
      this.pending = null;
      p?.reject(e);
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`query worker exited with code ${code}`)));
  }

  /** Runs a query reading `source`; whatever it left open there is closed when it settles. */
  async run(q: WorkerQuery, source: Queryable, extra?: ExtraCalls, transfer: ArrayBuffer[] = []): Promise<WorkerAnswer> {
    const storage = new StorageServer(source, extra);
    this.storage = storage;
    try {
      return await new Promise<WorkerAnswer>((resolve, reject) => {
        this.pending = { resolve, reject };
        this.worker.postMessage(q, transfer);
      });
    } finally {
      storage.end();
      if (this.storage === storage) this.storage = null;
    }
  }

  terminate(): void {
    this.dead = true;
    void this.worker.terminate();
  }
}

export interface OffThreadEngine extends Engine {
  close(): Promise<void>;
  readonly workersRunning: number;
  readonly queriesSplit: number;
  readonly queriesJoined: number;
  /** Queries evaluated on this thread (OffThreadOptions.inlineMaxMs). */
  readonly queriesInline: number;
  /**
   * Evaluates a range query over `target` rather than the server's storage,
   * for the start-up warm-up: it waits until no query of the server's is
   * running or waiting, is not counted among the server's queries, and
   * throws once the engine is closed.
   */
  warmUpQuery(target: QueryTarget, query: string, start: number, end: number, step: number, mode: WarmUpMode): Promise<QueryResult>;
}

export function createOffThreadEngine(db: Queryable, options: EngineOptions = {}, off: OffThreadOptions = {}): OffThreadEngine {
  const local = createEngine(db, options);
  const size = Math.max(1, off.workers ?? 2);
  const grace = off.graceMs ?? 1000;
  const recycleHeapBytes = off.recycleHeapBytes ?? 256 * 1024 * 1024;
  const minPartSteps = off.splitMinSteps ?? 240;
  const costs = splitCosts(off.splitMinMs ?? 0);
  // Instant queries' costs apart: a text's instant evaluation is a fixed cost, not a step of its range.
  const instantCosts = splitCosts(0);
  const inlineMaxMs = off.inlineMaxMs ?? 0;
  // An evaluation here that runs past these is handed to a worker: a text that was cheap may not be now.
  const inlineCapMs = Math.max(INLINE_CAP_MIN_MS, 4 * inlineMaxMs);
  let inlineCount = 0;
  const maxSamples = options.maxSamples ?? 50_000_000;
  const engineTimeout = ms(options.timeout, 120_000);
  const budget = options.maxMemoryBytes ?? 1024 * 1024 * 1024;
  // The worker's engine counts what it holds against the budget; the heap limit is the hard edge past that.
  const heapMb = Math.ceil((2 * budget) / (1024 * 1024)) + 128;
  // Given to each worker once, when it starts; a query's message carries only its own timeout.
  const workerEngine: EngineOptions = { ...options, maxMemoryBytes: budget };
  const idle: QueryWorker[] = [];
  let live = 0;
  let split = 0;
  let joinedCount = 0;
  const waiting: ((w: QueryWorker) => void)[] = [];
  const parseOpts = parseOptions(new Set(options.features ?? []));
  const inlineOptions = { ...options, maxMemoryBytes: Math.min(budget, off.inlineMaxBytes ?? INLINE_MAX_BYTES) };
  // One engine a storage: the server's, and the warm-up's synthetic data.
  const inlineEngines = new WeakMap<Queryable, ReturnType<typeof createEngine>>();
  // By text (range or instant): the span its selectors read last time, and the texts that outgrew the limits here.
  const lastReads = new Map<string, TimeRange | null>();
  const notHere = new Map<string, true>();
  // Each worker's chunk cache is a share of the database's budget, which keeps the rest: the total stays within it.
  let workerCacheBytes = 0;
  if (off.blocks) {
    const total = off.blocks.db.cache.capacity;
    workerCacheBytes = Math.floor(total / 2 / size);
    off.blocks.db.cache.resize(total - workerCacheBytes * size);
  }
  const server: Query['target'] = { db, blocks: off.blocks, cacheBytes: workerCacheBytes, warmUp: false };
  // The server's queries running or waiting for a worker; the warm-up evaluates only while there are none.
  let serverQueries = 0;
  let whenNoQueries: (() => void)[] = [];
  const noQueries = (): Promise<void> => (serverQueries === 0 ? Promise.resolve() : new Promise((resolve) => whenNoQueries.push(resolve)));

  const spawn = () => {
    live++;
    return new QueryWorker(heapMb, workerEngine);
  };
  const acquire = async (): Promise<QueryWorker> => {
    for (let w = idle.pop(); w; w = idle.pop()) {
      if (!w.dead) return w;
      live--;
    }
    if (live < size) return spawn();
    return new Promise((resolve) => waiting.push(resolve));
  };
  const release = (w: QueryWorker) => {
    // A terminated worker is replaced at once, so the next query finds one started.
    if (w.dead) live--;
    // One that finishes after close (a query or the warm-up's, still running then) is not kept.
    if (closed && !w.dead) w.terminate();
    const next = w.dead ? (closed ? null : spawn()) : w;
    if (!next) return;
    const waiter = waiting.shift();
    if (waiter) waiter(next);
    else idle.push(next);
  };
  let closed = false;
  // No worker starts before the first query (or the start-up warm-up, query-warm-up.ts): a worker
  // thread holds tens of megabytes (its own heap and a copy of the engine's code), which a server
  // that only ingests never needs. The first query waits for it to load; that wait is not counted
  // against the query's timeout.

  /** Local storage, or local storage merged with what the remotes hold for these selectors. */
  const withRemote = async (
    ranges: ReturnType<typeof selectorRanges>, step: number, deadline: number, signal: AbortSignal | undefined,
  ): Promise<{ source: Queryable; warnings: string[] }> => {
    const set = off.remote?.set();
    if (!set || set.clients.length === 0 || ranges.size === 0) return { source: db, warnings: [] };
    // The fetch is part of the query: it is abandoned at the query's deadline or on its abort.
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(new QueryTimeoutError('remote read')), Math.max(0, deadline - Date.now()));
    const relay = () => stop.abort(new QueryCanceledError('remote read'));
    signal?.addEventListener('abort', relay, { once: true });
    try {
      const { series, warnings } = await fetchRemote(set, readQueries(ranges, step), off.remote!.localStartTime(), stop.signal);
      if (stop.signal.aborted) throw stop.signal.reason;
      return { source: series.length ? mergeQueryable(db, series) : db, warnings };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', relay);
    }
  };

  /**
   * Evaluates win (all of the query, or a part of `whole`'s steps) on
   * `worker` and returns its answer; past the deadline (plus the grace
   * period) or on an abort the worker is terminated. The worker is released.
   */
  const evaluate = async (
    worker: QueryWorker, query: string, win: { start: number; end: number; step: number }, q: Query, whole?: { start: number; end: number }, memoryShare = 1,
  ): Promise<WorkerAnswer> => {
    const { start, end, step } = win;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    let pin: ReturnType<typeof pinBlocksForQuery> = null;
    try {
      const starting = performance.now();
      try {
        await worker.ready;
      } catch (e) {
        throw new Error(`query worker failed to start: ${(e as Error).message}`);
      }
      // A worker's start-up (after one was terminated) is ours, not the query's: it does not use up the timeout.
      q.deadline += performance.now() - starting;
      q.check();
      const stop = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          worker.terminate();
          reject(new QueryTimeoutError('expression evaluation'));
        }, Math.max(0, q.deadline - Date.now()) + grace);
        onAbort = () => {
          worker.terminate();
          reject(new QueryCanceledError('expression evaluation'));
        };
        q.signal?.addEventListener('abort', onAbort, { once: true });
      });
      const remaining = Math.max(1, q.deadline - Date.now());
      const msg: WorkerQuery = { query, start, end, step, lookbackDelta: q.lookbackDelta, timeout: remaining };
      if (whole) {
        msg.whole = whole;
        msg.pieces = true;
        msg.memoryShare = memoryShare;
      }
      const ranges = whole ? selectorRanges(q.prepared, { start, end }, q.lookbackDelta) : q.ranges;
      // Remote series merged in are the main thread's to merge: such a query reads everything through it.
      if (q.target.blocks && q.source === q.target.db) pin = pinBlocksForQuery(q.target.blocks, q.target.cacheBytes);
      const transfer: ArrayBuffer[] = [];
      if (pin) msg.blocks = { ...pin.snapshot, headCopies: prefetchHeadCopies(pin.extra, ranges, transfer) };
      let answer: WorkerAnswer;
      try {
        answer = await Promise.race([worker.run(msg, q.source, pin?.extra, transfer), stop]);
      } catch (e) {
        if (e instanceof QueryError) throw e;
        // The worker died: its heap limit is the query memory budget's hard edge.
        if ((e as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY') throw new QueryMemoryError(budget);
        throw e;
      }
      if (recycleHeapBytes > 0 && (answer.heapBytes ?? 0) > recycleHeapBytes) worker.terminate();
      return answer;
    } finally {
      pin?.release();
      clearTimeout(timer);
      if (onAbort) q.signal?.removeEventListener('abort', onAbort);
      release(worker);
    }
  };

  /**
   * The query cut into parts over `workers` (started, idle, taken), joined;
   * null when it must be evaluated in one piece after all (split-parts.ts
   * joinParts, or a part failed other than by the query's timeout or abort:
   * the whole query's error is the one its own evaluation meets first).
   */
  const runSplit = async (workers: QueryWorker[], query: string, start: number, end: number, step: number, q: Query): Promise<QueryResult | null> => {
    const parts = cutSteps(start, end, step, workers.length);
    // Each stretch of a dashboard's refreshed query goes to the worker that read it last time, whose
    // chunk cache holds it: in the order the idle workers happen to be in, they swapped halves and
    // read them from the files again (a second of the large dashboard's query took twice the CPU).
    workers.sort((a, b) => a.rank - b.rank);
    if (!q.target.warmUp) split++;
    // A part that fails for a reason of its own (an error, an answer that cannot be joined) ends the
    // others at once: the query is evaluated again in one piece, whose error is the one to give, and
    // the other parts' work (up to the timeout, for a slow one) would be thrown away.
    const halt = new AbortController();
    const partQ: Query = { ...q, signal: q.signal ? AbortSignal.any([q.signal, halt.signal]) : halt.signal };
    const isLimit = (name: string | undefined) => name === 'QueryTimeoutError' || name === 'QueryCanceledError';
    const t0 = performance.now();
    let spent = 0;
    const settled = await Promise.allSettled(parts.map(async (p, i) => {
      try {
        // Each part holds at most its share of the budget: together they stay within the query's.
        const a = await evaluate(workers[i]!, query, { start: p.start, end: p.end, step }, partQ, { start, end }, 1 / parts.length);
        if ('error' in a ? !isLimit(a.error.name) : !a.pieces) halt.abort();
        return a;
      } catch (e) {
        if (!halt.signal.aborted && !isLimit((e as Error).name)) halt.abort();
        throw e;
      } finally {
        spent += performance.now() - t0;
      }
    }));
    if (q.signal?.aborted) throw new QueryCanceledError('expression evaluation');
    if (halt.signal.aborted) return null;
    if (!q.target.warmUp) costs.record(query, steps(start, end, step), spent);
    const answers: PartAnswer[] = [];
    for (const s of settled) {
      // Only the query's own timeout or abort is left here: every part met it.
      if (s.status === 'rejected') throw s.reason;
      const a = s.value;
      if ('error' in a) throw answerError(a.error);
      answers.push({ result: a.result, pieces: a.pieces!, peakBytes: a.peakBytes ?? 0 });
    }
    const joined = joinParts(answers, { maxSamples, maxMemoryBytes: budget });
    if (joined && !q.target.warmUp) joinedCount++;
    return joined && withResultText(joined.result, joined.bytes, joined.length);
  };

  /** Started idle workers for the parts of one query, up to `max`; workers not yet running are started for later queries. */
  const takeStarted = (max: number): QueryWorker[] => {
    const got: QueryWorker[] = [];
    if (waiting.length > 0) return got;
    for (let i = idle.length - 1; i >= 0 && got.length < max; i--) {
      const w = idle[i]!;
      if (w.dead) {
        idle.splice(i, 1);
        live--;
      } else if (w.started) {
        idle.splice(i, 1);
        got.push(w);
      }
    }
    while (!closed && live < size) idle.push(spawn());
    return got;
  };

  let engineLookback: number | undefined;
  const run = async (query: string, start: number, end: number, step: number, opts: QueryOptions = {}): Promise<QueryResult> => {
    serverQueries++;
    try {
      return await runOn(server, query, start, end, step, opts);
    } finally {
      if (--serverQueries === 0) for (const resolve of whenNoQueries.splice(0)) resolve();
    }
  };

  /** Evaluates the query over `target`; a warm-up query is cut or kept whole as `mode` says. */
  const runOn = async (target: Query['target'], query: string, start: number, end: number, step: number, opts: QueryOptions, mode?: WarmUpMode): Promise<QueryResult> => {
    const timeout = opts.timeout !== undefined ? Math.min(ms(opts.timeout, engineTimeout), engineTimeout) : engineTimeout;
    // The engine's lookback is parsed once (a text such as '5m' was parsed again for every query); a bad one throws at each query, as before.
    const lookbackDelta = opts.lookbackDelta !== undefined ? ms(opts.lookbackDelta, 0) : (engineLookback ??= ms(options.lookbackDelta, 5 * 60_000));
    const q: Query = {
      target,
      deadline: Date.now() + timeout,
      lookbackDelta,
      signal: opts.signal,
      check: () => {
        if (opts.signal?.aborted) throw new QueryCanceledError('query preparation');
        if (Date.now() > q.deadline) throw new QueryTimeoutError('query preparation');
      },
      prepared: undefined!,
      ranges: undefined!,
      source: target.db,
    };
    const expr = parseQuery(query, parseOpts);
    q.prepared = prepare(expr, { start, end, step });
    q.ranges = selectorRanges(q.prepared, { start, end }, lookbackDelta);
    // Fetched before a worker is taken: waiting on the network should not hold one.
    const { source, warnings } = target === server ? await withRemote(q.ranges, step, q.deadline, opts.signal) : { source: target.db, warnings: [] };
    q.source = source;
    q.check();
    // Under load every query keeps to one worker; a query that finds others idle shares its steps with them.
    const type = typeOf(expr);
    // Stats-only histogram selectors take a sample's counter-reset hint from the one before it within the
    // selection: at a part's start that is not the sample the whole query sees, so they stay in one piece.
    const cuttable = step > 0 && source === target.db && !opts.stats && (type === 'vector' || type === 'scalar') && statsOnlySelectors(q.prepared.expr).size === 0;
    const k = cuttable && mode !== 'whole' && mode !== 'here' ? partsFor(start, end, step, size, mode === 'parts' ? 1 : minPartSteps) : 1;
    if (k > 1 && (mode === 'parts' || (costs.worthSplitting(query, steps(start, end, step)) && (off.splitWhen?.() ?? true)))) {
      const workers = takeStarted(k);
      if (workers.length > 1) {
        const r = await runSplit(workers, query, start, end, step, q);
        if (r) return r;
        if (!target.warmUp) costs.refuse(query);
      } else if (workers.length === 1) release(workers[0]!);
    }
    const [known, n] = step > 0 ? [costs, steps(start, end, step)] : [instantCosts, 1];
    const key = (step > 0 ? 'range ' : 'instant ') + query;
    const reads = readWindow(q.ranges);
    const here = inlineMaxMs > 0 && (mode === 'here' || (!target.warmUp && source === target.db && serverQueries === 1 && idle.length === live
      && !notHere.has(key) && known.cheaperThan(query, n, inlineMaxMs) && sameReads(lastReads.get(key), reads)));
    let t0 = performance.now();
    let answer: WorkerAnswer | null = null;
    if (here) {
      try {
        answer = evaluateHere(target.db, query, start, end, step, q);
      } catch (e) {
        // A failure's time counts too, as it is.
        if (!target.warmUp) known.record(query, n, performance.now() - t0, true);
        throw e;
      }
      if (!answer) {
        // Past the limits here: this text is the workers' from now on, and the time spent here is not the query's.
        if (!target.warmUp) remember(notHere, key, true, INLINE_TEXTS_MAX);
        q.deadline += performance.now() - t0;
      }
    }
    const inline = answer !== null;
    if (!answer) {
      const worker = await acquire();
      t0 = performance.now();
      answer = await evaluate(worker, query, { start, end, step }, q);
    }
    if ('result' in answer) {
      // Taken as it is when evaluated here: a text grown dearer than the limit must not hold this thread again.
      if (!target.warmUp) {
        known.record(query, n, performance.now() - t0, inline);
        remember(lastReads, key, reads, INLINE_TEXTS_MAX);
        if (inline) inlineCount++;
      }
      const r = warnings.length ? { ...answer.result, warnings: [...answer.result.warnings, ...warnings] } : answer.result;
      return answer.resultBytes === undefined ? r : withResultText(r, [answer.resultBytes], answer.resultLength ?? 0);
    }
    throw answerError(answer.error);
  };

  /**
   * The query evaluated on this thread, as a worker would answer it, within
   * the inline limits of time and memory; null when it met one of them
   * (it is then a worker's to evaluate, within the query's own).
   */
  const evaluateHere = (db: Queryable, query: string, start: number, end: number, step: number, q: Query): WorkerAnswer | null => {
    const remaining = Math.max(1, q.deadline - Date.now());
    const opts = { timeout: Math.min(remaining, inlineCapMs), lookbackDelta: q.lookbackDelta, signal: q.signal, bytes: true } as const;
    let engine = inlineEngines.get(db);
    if (!engine) inlineEngines.set(db, (engine = createEngine(db, inlineOptions)));
    try {
      return step === 0 ? engine.instantQueryTextSync(query, start, opts) : engine.rangeQueryTextSync(query, start, end, step, opts);
    } catch (e) {
      const pastCap = e instanceof QueryTimeoutError && Date.now() < q.deadline;
      const pastBytes = e instanceof QueryMemoryError && inlineOptions.maxMemoryBytes < budget;
      if (pastCap || pastBytes) return null;
      throw e;
    }
  };

  const warmUpQuery = async (target: QueryTarget, query: string, start: number, end: number, step: number, mode: WarmUpMode): Promise<QueryResult> => {
    await noQueries();
    if (closed) throw new Error('query engine closed');
    // A small cache share: the warm-up's data is small, and the cache is the server's budget.
    return runOn({ ...target, cacheBytes: Math.min(workerCacheBytes, WARM_UP_CACHE_BYTES), warmUp: true }, query, start, end, step, {}, mode);
  };

  return {
    instantQuerySync: local.instantQuerySync,
    rangeQuerySync: local.rangeQuerySync,
    instantQuery: async (query: string, time: Time, opts?: QueryOptions) => {
      const t = toMillis(time);
      return run(query, t, t, 0, opts);
    },
    rangeQuery: async (query: string, start: Time, end: Time, step: number | string, opts?: QueryOptions) => {
      const r = rangeWindow(start, end, step);
      return run(query, r.start, r.end, r.step, opts);
    },
    warmUpQuery,
    get workersRunning() {
      return live;
    },
    /** Queries cut into parts so far (an answer joined, or the query evaluated again in one piece). */
    get queriesSplit() {
      return split;
    },
    /** Queries cut into parts whose parts' answers were joined. */
    get queriesJoined() {
      return joinedCount;
    },
    get queriesInline() {
      return inlineCount;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      // The workers' share of the chunk cache goes back to the database, which may outlive this engine.
      if (off.blocks) off.blocks.db.cache.resize(off.blocks.db.cache.capacity + workerCacheBytes * size);
      for (const w of idle.splice(0)) await w.worker.terminate();
    },
  };
}
