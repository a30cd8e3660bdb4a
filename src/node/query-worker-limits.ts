// V8's limits for a query worker thread. The old generation's limit is the
// hard edge past the query memory budget (offthread-engine.ts computes it).
// The young generation is capped: V8 grows a thread's semi-spaces up to
// 16 MiB each under allocation-heavy work such as decoding a 10-day scan,
// and an idle worker keeps what it grew, so with a worker per core that is
// resident memory no query is using. A query's short-lived garbage (decoded
// series, window results) dies young just as well in smaller semi-spaces; a
// few more scavenges cost little next to decoding.

import type { ResourceLimits } from 'node:worker_threads';

/** The young generation's size (both semi-spaces and the new large-object space), in MiB. */
export const QUERY_WORKER_YOUNG_GENERATION_MB = 12;

export function queryWorkerLimits(heapMb: number): ResourceLimits {
  return { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: QUERY_WORKER_YOUNG_GENERATION_MB };
}
