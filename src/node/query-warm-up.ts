// The query workers' start-up warm-up. V8 compiles the engine's hot paths
// only after they have run for a while: on a fresh server a dashboard
// query took two to three times as long for its first few dozen runs as
// afterwards (docs/QUERY-SPEED.md). So `promlet serve` evaluates dashboard-
// shaped queries over synthetic data of its own, in a temporary directory
// read exactly as the server's is (blocks opened by the workers, the head
// copied from the main thread), cut over the workers, whole, and on the
// main thread (which evaluates a small query itself when nothing else
// runs), before users ask. It only runs while no query of the server's
// runs or waits, and never reads or writes the server's data.

import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDB, type DB } from '../storage/db.js';
import type { SeriesRef } from '../storage/interfaces.js';
import { lockDataDir } from './data-dir-lock.js';
import { STALE_NAN } from '../model/stale.js';
import { openDiskDB, type DiskDB } from './disk-db.js';
import { resultText } from '../api/result-text.js';
import type { OffThreadEngine, QueryTarget, WarmUpMode } from './offthread-engine.js';

export interface WarmUpOptions {
  /** Read the synthetic data from blocks on disk, as a server with a data directory reads its own (default true). */
  blocks?: boolean;
  /** Rounds over the query list (default WARM_UP_ROUNDS). */
  rounds?: number;
  /** Ends the warm-up early: the server is closing. */
  signal?: AbortSignal;
}

export interface WarmUpReport {
  queries: number;
  failed: number;
  /** Answers with no series or sample: the synthetic data should give every query something to evaluate. */
  empty: number;
  /** The first failure's message, if any. */
  firstError?: string;
  ms: number;
}

/** Enough runs for V8 to optimise the paths these queries take (measured: docs/QUERY-SPEED.md). */
export const WARM_UP_ROUNDS = 4;

/** Evaluations of each query a round: cut over the workers at two steps, whole on two at once, at one instant, on the main thread. */
export const RUNS_PER_QUERY = 6;

const HOUR = 3600_000;
const SCRAPE = 15_000;
/** A third of the scrape interval: within the half that counter-sum-runs.ts takes. */
const FINE_STEP = 5_000;
const SCRAPES_PER_COMMIT = 20;
/** The span of the synthetic data: the older hours in blocks, the last ones in the head. */
const SPAN = 4 * HOUR;

/** The shapes of dashboard panels: rates summed by a label, quantiles from buckets, top-k, joins, windowed gauges, counts. */
export const WARM_UP_QUERIES: readonly string[] = [
  'sum by (job) (rate(warm_up_cpu_seconds_total[5m]))',
  'histogram_quantile(0.99, sum by (le) (rate(warm_up_request_duration_seconds_bucket[5m])))',
  'histogram_quantile(0.9, rate(warm_up_request_duration_seconds_bucket[5m]))',
  'topk(3, warm_up_memory_bytes)',
  'warm_up_cpu_seconds_total / on(instance) group_left warm_up_num_cpus',
  'avg_over_time(warm_up_memory_bytes[30m])',
  'count by (method, status) (warm_up_request_duration_seconds_count)',
  'sum by (instance) (irate(warm_up_cpu_seconds_total[5m]))',
  'max by (job) (increase(warm_up_request_duration_seconds_count[1h]))',
  'rate(warm_up_request_duration_seconds_sum[5m]) / rate(warm_up_request_duration_seconds_count[5m])',
  'max_over_time(warm_up_memory_bytes[10m]) > 0',
  'avg by (job) (warm_up_memory_bytes)',
];

/**
 * Warms the engine's workers up. A query that fails is counted, not
 * thrown: a worker that could not warm up still serves, only slower at first.
 */
export async function warmUpQueryWorkers(engine: OffThreadEngine, opts: WarmUpOptions = {}): Promise<WarmUpReport> {
  const t0 = performance.now();
  const report: WarmUpReport = { queries: 0, failed: 0, empty: 0, ms: 0 };
  const now = Date.now();
  const end = Math.floor(now / SCRAPE) * SCRAPE - SCRAPE;
  const start = end - SPAN;
  const dir = opts.blocks === false ? null : temporaryDir();
  let disk: DiskDB | null = null;
  try {
    // Hour-long blocks, so that four hours leave the older ones in blocks and the last in the head.
    disk = dir ? await openDiskDB(dir, { retention: '100y', blockRange: HOUR, compaction: false, checkpointInterval: 0 }) : null;
    const db = disk ? disk.db : await openDB({ retention: '100y' });
    try {
      await appendSyntheticSeries(db, start, end, opts.signal);
      await disk?.maintenance();
      const target: QueryTarget = disk ? { db, blocks: { dataDir: dir!, db } } : { db };
      const run = async (query: string, from: number, mode: WarmUpMode, step = SCRAPE) => {
        report.queries++;
        try {
          const r = await engine.warmUpQuery(target, query, from, end, from === end ? 0 : step, mode);
          if ((resultText(r)?.length ?? r.result.length) === 0) report.empty++;
        } catch (e) {
          report.failed++;
          report.firstError ??= `${query}: ${(e as Error).message}`;
        }
      };
      const rounds = opts.rounds ?? WARM_UP_ROUNDS;
      for (let r = 0; r < rounds && !opts.signal?.aborted; r++) {
        for (const query of WARM_UP_QUERIES) {
          if (opts.signal?.aborted) break;
          // Cut over the idle workers, as a server with cores to spare evaluates a dashboard's query; then whole on two
          // workers at once, as under load; then at one instant.
          await run(query, end - 3 * HOUR, 'parts');
          // At a step finer than the scrapes too, as a dashboard of slow scrapes or a short time range asks:
          // some range functions take other paths there (counter-sum-runs.ts).
          await run(query, end - HOUR, 'parts', FINE_STEP);
          await Promise.all([run(query, end - HOUR, 'whole'), run(query, end - HOUR, 'whole')]);
          await run(query, end, 'whole');
          // And on the main thread, where the server evaluates a small query when nothing else runs.
          await run(query, end - HOUR, 'here');
        }
      }
    } finally {
      if (disk) await disk.close();
      else await db.close();
    }
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  report.ms = performance.now() - t0;
  return report;
}

const DIR_PREFIX = 'promlet-warm-up-';
/** A directory this old whose lock no live process holds was left by a server that died while warming up. */
const STALE_DIR_MS = 10 * 60_000;

/**
 * A directory for the warm-up's blocks, after removing those that servers which died while
 * warming up left behind; null where none can be made (the warm-up then reads its data from memory).
 */
function temporaryDir(): string | null {
  try {
    removeLeftBehind(tmpdir());
    return mkdtempSync(join(tmpdir(), DIR_PREFIX));
  } catch {
    return null;
  }
}

function removeLeftBehind(parent: string): void {
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const dir = join(parent, name);
    try {
      if (Date.now() - statSync(dir).mtimeMs < STALE_DIR_MS) continue;
      // Taken only when its owner is gone (data-dir-lock.ts tells a dead or reused pid).
      lockDataDir(dir)();
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // A live server's warm-up, or gone meanwhile.
    }
  }
}

/**
 * Series as scrapes leave them, so that the warm-up takes the branches real data takes: each
 * series scraped at its own phase with a few milliseconds of jitter; some ending early with a
 * staleness marker (only in blocks), some starting late (only in the head), some with a gap
 * longer than a window; counters restarting from zero; classic histograms, gauges and a
 * per-instance info gauge.
 */
async function appendSyntheticSeries(db: DB, start: number, end: number, signal: AbortSignal | undefined): Promise<void> {
  const jobs = ['api', 'db'];
  const instances = Array.from({ length: 12 }, (_, i) => `host-${i}:9100`);
  const les = ['0.01', '0.05', '0.1', '0.5', '1', '+Inf'];
  type Series = { ref: SeriesRef | null; labels: Record<string, string>; value: (i: number) => number };
  const series: Series[] = [];
  const add = (labels: Record<string, string>, value: (i: number) => number) => series.push({ ref: null, labels, value });
  for (const job of jobs) {
    for (const [n, instance] of instances.entries()) {
      for (const mode of ['user', 'system', 'idle']) {
        // Restarts at different points: counters start again from zero.
        const period = 200 + 90 * n + (mode.length * 37);
        add({ __name__: 'warm_up_cpu_seconds_total', job, instance, mode }, (i) => (i % period) * (0.2 + n / 10) + (i % 7) / 10);
      }
      add({ __name__: 'warm_up_memory_bytes', job, instance }, (i) => 1e8 * (n + 1) + ((i * 7919) % 1000) * 1e4 + (n === 1 ? 0.5 : 0));
      for (const method of ['GET', 'POST']) {
        for (const status of ['200', '500']) {
          const rate = status === '200' ? 5 : 0.5;
          for (const [k, le] of les.entries()) {
            add({ __name__: 'warm_up_request_duration_seconds_bucket', job, instance, method, status, le }, (i) => Math.floor(i * rate * (k + 1) / les.length));
          }
          add({ __name__: 'warm_up_request_duration_seconds_count', job, instance, method, status }, (i) => Math.floor(i * rate));
          add({ __name__: 'warm_up_request_duration_seconds_sum', job, instance, method, status }, (i) => i * rate * 0.08);
        }
      }
    }
  }
  for (const [n, instance] of instances.entries()) add({ __name__: 'warm_up_num_cpus', instance }, () => 2 + n * 2);
  const scrapes = Math.floor((end - start) / SCRAPE);
  const lives = series.map((_, k): { phase: number; from: number; to: number; gap: [number, number] | null } => {
    const phase = (k * 1237) % SCRAPE;
    switch (k % 5) {
      case 1: return { phase, from: 0, to: Math.floor(scrapes * 0.4), gap: null }; // ends in the blocks
      case 2: return { phase, from: Math.floor(scrapes * 0.85), to: scrapes, gap: null }; // only in the head
      case 3: return { phase, from: 0, to: scrapes, gap: [Math.floor(scrapes * 0.3), Math.floor(scrapes * 0.3) + 50] }; // a gap of 12.5 min
      default: return { phase, from: 0, to: scrapes, gap: null };
    }
  });
  // Committed a few scrapes at a time, as scrapes are: one commit of everything would grow the
  // thread's WebAssembly memory, shared with the server's own database and never given back, by
  // about 160 MiB. Between commits the server's other work runs.
  let app = db.appender();
  for (let i = 0; i <= scrapes && !signal?.aborted; i++) {
    if (i > 0 && i % SCRAPES_PER_COMMIT === 0) {
      await app.commit();
      await new Promise((resolve) => setImmediate(resolve));
      app = db.appender();
    }
    for (const [k, s] of series.entries()) {
      const life = lives[k]!;
      if (i < life.from || i > life.to + 1) continue;
      const t = start + i * SCRAPE + life.phase + ((i * 31 + k) % 23) - 11;
      const gone = i === life.to + 1 || (life.gap !== null && i === life.gap[0]);
      if (life.gap !== null && i > life.gap[0] && i < life.gap[1]) continue;
      // A target that went away leaves a staleness marker, as the scrape loop writes one.
      s.ref = app.append(s.ref ?? s.labels, t, gone ? STALE_NAN : s.value(i));
    }
  }
  await app.commit();
}
