// A worker thread that evaluates queries, so a costly query never blocks the
// server's event loop: health checks, scrapes and ingestion keep answering.
// It opens the data directory's blocks itself (worker-blocks.ts) and reads
// the head, or everything when there are no blocks, through the main thread
// one call at a time (worker-storage.ts), never a copy of the whole selection.

import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import { createEngine, type Engine, type EngineOptions, type QueryResult, type TextQueries } from '../promql/engine/engine.js';
import type { MatrixPieces } from '../promql/engine/result-pieces.js';
import { QueryError } from '../promql/engine/errors.js';
import { setByteAllocator } from '../promql/engine/json-bytes.js';
import type { Queryable } from '../storage/interfaces.js';
import { RemoteStorage } from './worker-storage.js';
import { BlockReadingStorage, type BlockSnapshot } from './worker-blocks.js';

export interface WorkerQuery {
  query: string;
  /** ms; equal start and end with step 0 is an instant query. */
  start: number;
  end: number;
  step: number;
  lookbackDelta?: number;
  timeout: number;
  /** The data directory's blocks this query reads itself (worker-blocks.ts); without, all storage comes through the main thread. */
  blocks?: BlockSnapshot;
  /** When start to end is one part of a range query's steps: the whole query's start and end (ms). */
  whole?: { start: number; end: number };
  /** Answer the matrix as per-series pieces (result-pieces.ts), for the parts to be joined. */
  pieces?: boolean;
  /** The share of the memory budget a part may hold (its query's parts run at once). */
  memoryShare?: number;
}

/**
 * What the worker is started with: its end of the storage channel, the word
 * that wakes it, and the engine's options, which do not change over the
 * worker's life (each query brings only its own timeout and lookback), so
 * they are not cloned into every query's message.
 */
export interface QueryWorkerData {
  port: MessagePort;
  signal: Int32Array;
  engine: EngineOptions;
}

export type WorkerAnswer = (
  /** An array result comes as `resultBytes` (its JSON text's UTF-8 bytes, transferred; `resultLength` elements) with `result.result` empty: see api/result-text.ts. */
  | { result: QueryResult; resultBytes?: Uint8Array; resultLength?: number; pieces?: MatrixPieces; peakBytes?: number }
  | { error: { message: string; type?: string; name?: string; stack?: string } }
) & {
  /** The worker's heap as the query left it (bytes V8 holds for it, garbage included). */
  heapBytes?: number;
};

/** The answer's byte arrays, each in a buffer of its own (json-bytes.ts finishBytes), to transfer. */
function transferable(a: WorkerAnswer): ArrayBuffer[] {
  if ('error' in a) return [];
  const arrays = a.pieces ? [a.pieces.bytes, a.pieces.at, a.pieces.metricUnits] : a.resultBytes ? [a.resultBytes] : [];
  const out: ArrayBuffer[] = [];
  // Every one of these owns its buffer (allocUnsafeSlow or the writer's own, never Node's shared Buffer pool, which a transfer would take away whole).
  for (const x of arrays) if (x.buffer instanceof ArrayBuffer && !out.includes(x.buffer)) out.push(x.buffer);
  return out;
}

// Answers' bytes are copied out of the writer's buffer into an array of their own, to transfer: not zero-filled first.
setByteAllocator((n) => Buffer.allocUnsafeSlow(n));

const data = workerData as QueryWorkerData | undefined;
const storage = data ? new BlockReadingStorage(new RemoteStorage(data.port, data.signal)) : null;

// One engine for the worker's life. Each query's own timeout is passed with it, so the engine's is
// only an outer bound.
const ENGINE_TIMEOUT_MS = 2 ** 31;
let engine: (Engine & TextQueries) | null = null;
const engineOf = (): Engine & TextQueries => (engine ??= createEngine(storage!, { ...data!.engine, timeout: ENGINE_TIMEOUT_MS }));

parentPort?.on('message', (q: WorkerQuery) => {
  let answer: WorkerAnswer;
  try {
    storage!.begin(q.blocks);
    const engine = engineOf();
    const opts = { timeout: q.timeout, lookbackDelta: q.lookbackDelta };
    // Vectors and matrices come back as their JSON text, written from the evaluation's columns.
    // As bytes, moved to the main thread rather than copied: it sends them as they are.
    answer = q.step === 0
      ? engine.instantQueryTextSync(q.query, q.start, { ...opts, bytes: true })
      : engine.rangeQueryTextSync(q.query, q.start, q.end, q.step, { ...opts, bytes: true, whole: q.whole, pieces: q.pieces, memoryShare: q.memoryShare });
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    answer = { error: { message: err.message, type: e instanceof QueryError ? e.type : undefined, name: err.name, stack: err.stack } };
  } finally {
    storage!.end();
  }
  answer.heapBytes = getHeapStatistics().total_heap_size;
  parentPort!.postMessage(answer, transferable(answer));
});
// The first evaluation builds the parser and compiles the engine's paths:
// part of starting, not of the first query's timeout.
const nothing: Queryable = { querier: () => ({ select: () => [], labelNames: () => [], labelValues: () => [], close: () => {} }) };
createEngine(nothing).instantQuerySync('sum(rate(x[5m])) + 1', 0);
// Loaded: the parent starts a query's clock from here.
parentPort?.postMessage('ready');
