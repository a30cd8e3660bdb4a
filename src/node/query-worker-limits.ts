// V8's limits for a query worker thread. The old generation's limit is the
// hard edge past the query memory budget (offthread-engine.ts computes it).
//
// The young generation is capped. V8 grows a thread's semi-spaces up to
// 16 MiB each under allocation-heavy work such as a 10-day scan, and the
// typed arrays that die young keep their backing stores outside the heap
// until the next scavenge: larger semi-spaces mean more of them waiting. An
// idle worker also keeps what it grew. A query's short-lived garbage dies
// young just as well in smaller semi-spaces; the few more scavenges cost
// little next to decoding (docs/STORAGE.md, "The server's peak"). 24 and
// 32 MiB were measured again on the dashboard's queries: no faster, and
// 20 MiB more at the peak (docs/QUERY-SPEED.md, "Selectors and the
// worker's fixed cost").

import type { ResourceLimits } from 'node:worker_threads';

/** The young generation's size (both semi-spaces and the new large-object space), in MiB. */
const QUERY_WORKER_YOUNG_GENERATION_MB = 12;

/** The resource limits of a new query worker. */
export function queryWorkerLimits(heapMb: number): ResourceLimits {
  return { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: QUERY_WORKER_YOUNG_GENERATION_MB };
}
