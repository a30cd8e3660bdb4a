// A worker thread that evaluates queries over snapshots the main thread
// sends it (see query-snapshot.ts), so a costly query never blocks the
// server's event loop: health checks, scrapes and ingestion keep answering.

import { parentPort } from 'node:worker_threads';
import { createEngine, type EngineOptions, type QueryResult } from '../promql/engine/engine.js';
import { QueryError } from '../promql/engine/errors.js';
import { SnapshotQueryable, type SnapshotSeries } from './query-snapshot.js';

export interface WorkerQuery {
  engine: EngineOptions;
  query: string;
  /** ms; equal start and end with step 0 is an instant query. */
  start: number;
  end: number;
  step: number;
  lookbackDelta?: number;
  timeout: number;
  series: SnapshotSeries[];
}

export type WorkerAnswer =
  | { result: QueryResult }
  | { error: { message: string; type?: string; stack?: string } };

parentPort?.on('message', (q: WorkerQuery) => {
  let answer: WorkerAnswer;
  try {
    const engine = createEngine(new SnapshotQueryable(q.series), { ...q.engine, wasmReductions: false });
    const opts = { timeout: q.timeout, lookbackDelta: q.lookbackDelta };
    const result = q.step === 0
      ? engine.instantQuerySync(q.query, q.start, opts)
      : engine.rangeQuerySync(q.query, q.start, q.end, q.step, opts);
    answer = { result };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    answer = { error: { message: err.message, type: e instanceof QueryError ? e.type : undefined, stack: err.stack } };
  }
  parentPort!.postMessage(answer);
});
// Loaded: the parent starts a query's clock from here.
parentPort?.postMessage('ready');
