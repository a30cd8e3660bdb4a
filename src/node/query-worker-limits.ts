// V8's limits for a query worker thread. The old generation's limit is the
// hard edge past the query memory budget (offthread-engine.ts computes it).
//
// Two limits keep a worker's resident memory near what it holds rather than
// what V8 lets it leave for later:
// - The young generation is capped. V8 grows a thread's semi-spaces up to
//   16 MiB each under allocation-heavy work such as a 10-day scan, and the
//   typed arrays that die young keep their backing stores outside the heap
//   until the next scavenge: larger semi-spaces mean more of them waiting.
//   An idle worker also keeps what it grew.
// - The old generation starts its first full collection at 32 MiB. V8
//   sizes a fresh isolate's first limit from its hard limit (2 GiB for a
//   1 GiB query budget): a worker held 75 MB of old generation for 23 MB
//   live after two 10-day queries. After that first collection V8 sizes the
//   limit from what is live, as always, so a query that holds more still
//   gets it.
//   V8 reads this flag only when it creates an isolate: setting it affects
//   the worker threads started afterwards, never the main thread's heap.
//   The flag is the process's: an embedding application's own workers
//   started later get it too (a first collection sooner, nothing else).

import { setFlagsFromString } from 'node:v8';
import type { ResourceLimits } from 'node:worker_threads';

/** The young generation's size (both semi-spaces and the new large-object space), in MiB. */
export const QUERY_WORKER_YOUNG_GENERATION_MB = 12;
/** Where a new worker's old generation first collects, in MiB. */
export const QUERY_WORKER_INITIAL_OLD_GENERATION_MB = 32;

let flagged = false;

/** The resource limits of a new query worker (call just before starting it). */
export function queryWorkerLimits(heapMb: number): ResourceLimits {
  if (!flagged) {
    flagged = true;
    setFlagsFromString(`--initial-old-space-size=${QUERY_WORKER_INITIAL_OLD_GENERATION_MB}`);
  }
  return { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: QUERY_WORKER_YOUNG_GENERATION_MB };
}
