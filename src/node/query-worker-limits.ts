// V8's limits for a query worker thread. The old generation's limit is the
// hard edge past the query memory budget (offthread-engine.ts computes it).
//
// The young generation is capped. V8 grows a thread's semi-spaces up to
// 16 MiB each under allocation-heavy work such as a 10-day scan, and the
// typed arrays that die young keep their backing stores outside the heap
// until the next scavenge: larger semi-spaces mean more of them waiting. An
// idle worker also keeps what it grew (docs/STORAGE.md, "The server's peak").
//
// The cap is 32 MiB, not 12: with the storage reads' garbage cut, a worker
// with 12 MiB kept starting a major collection right after the last one
// (marking began with about 10 MB live against a 22 MB limit, the slack
// about the young generation's size), twice as many mark-compacts as
// before the cut, and more CPU per query; at 32 MiB they were a few per
// minute, the dashboard mix took 10-16% less server CPU, and the server's
// peak RSS did not rise (docs/QUERY-SPEED.md, "The storage read path's
// garbage").

import type { ResourceLimits } from 'node:worker_threads';

/** The young generation's size (both semi-spaces and the new large-object space), in MiB. */
const QUERY_WORKER_YOUNG_GENERATION_MB = 32;

/** The resource limits of a new query worker. */
export function queryWorkerLimits(heapMb: number): ResourceLimits {
  return { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: QUERY_WORKER_YOUNG_GENERATION_MB };
}
