// /api/v1/status/tsdb: head statistics and the top label cardinalities.

import type { Queryable } from '../storage/interfaces.js';
import type { DBStats } from '../storage/db.js';

const top = (m: Map<string, number>, n: number) =>
  [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n).map(([name, value]) => ({ name, value }));

export function tsdbStatus(db: Queryable & { stats(): DBStats }, limit: number) {
  const st = db.stats();
  const q = db.querier(-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  try {
    const byName = new Map<string, number>();
    const valuesPerLabel = new Map<string, number>();
    const memPerLabel = new Map<string, number>();
    const byPair = new Map<string, number>();
    let pairs = 0;
    for (const name of q.labelNames()) {
      const values = q.labelValues(name);
      valuesPerLabel.set(name, values.length);
      memPerLabel.set(name, values.reduce((n, v) => n + v.length, 0));
      pairs += values.length;
    }
    for (const s of q.select([])) {
      for (const l of s.labels) {
        if (l.name === '__name__') byName.set(l.value, (byName.get(l.value) ?? 0) + 1);
        const k = `${l.name}=${l.value}`;
        byPair.set(k, (byPair.get(k) ?? 0) + 1);
      }
    }
    return {
      headStats: { numSeries: st.series, numLabelPairs: pairs, chunkCount: st.chunks, minTime: st.minTime ?? 0, maxTime: st.maxTime ?? 0 },
      seriesCountByMetricName: top(byName, limit),
      labelValueCountByLabelName: top(valuesPerLabel, limit),
      memoryInBytesByLabelName: top(memPerLabel, limit),
      seriesCountByLabelValuePair: top(byPair, limit),
    };
  } finally {
    q.close();
  }
}
