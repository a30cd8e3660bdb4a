// V8's limits for a query worker thread. The old generation's limit is the
// hard edge past the query memory budget (offthread-engine.ts computes it).
//
// The young generation is capped. V8 grows a thread's semi-spaces up to
// 16 MiB each under allocation-heavy work such as a 10-day scan, and the
// typed arrays that die young keep their backing stores outside the heap
// until the next scavenge: larger semi-spaces mean more of them waiting. An
// idle worker also keeps what it grew. 24 MiB rather than 12: the
// dashboard's histogram_quantile spends about 12% less CPU with it (fewer
// scavenges promoting a query's columns), with no peak RSS difference the
// runs could tell apart, and the 10-day scan's peak was within its spread at
// 12 MiB (docs/QUERY-SPEED.md "Selectors and the worker's fixed cost";
// docs/STORAGE.md, "The server's peak").

import type { ResourceLimits } from 'node:worker_threads';

/** The young generation's size (both semi-spaces and the new large-object space), in MiB. */
const QUERY_WORKER_YOUNG_GENERATION_MB = 24;

/** The resource limits of a new query worker. */
export function queryWorkerLimits(heapMb: number): ResourceLimits {
  return { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: QUERY_WORKER_YOUNG_GENERATION_MB };
}
