// /api/v1/status/tsdb: head statistics and the top label cardinalities of
// the head, as Prometheus reports them, plus (promlet's own) the blocks on disk.

import type { Queryable } from '../storage/interfaces.js';
import type { DBStats } from '../storage/db.js';

const top = (m: Map<string, number>, n: number) =>
  [...m.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n).map(([name, value]) => ({ name, value }));

export function tsdbStatus(db: Queryable & { stats(): DBStats }, limit: number) {
  const st = db.stats();
  const head = st.head ?? { series: st.series, chunks: st.chunks, minTime: st.minTime, maxTime: st.maxTime };
  // Cardinalities are the head's, as Prometheus's: reading every series of every block would cost what the head does not.
  const q = head.minTime === null && st.blocks?.length
    ? null
    : db.querier(st.blocks?.length ? head.minTime! : -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  try {
    const byName = new Map<string, number>();
    const valuesPerLabel = new Map<string, number>();
    const memPerLabel = new Map<string, number>();
    const byPair = new Map<string, number>();
    let pairs = 0;
    for (const name of q?.labelNames() ?? []) {
      const values = q!.labelValues(name);
      valuesPerLabel.set(name, values.length);
      memPerLabel.set(name, values.reduce((n, v) => n + v.length, 0));
      pairs += values.length;
    }
    for (const s of q?.select([]) ?? []) {
      for (const l of s.labels) {
        if (l.name === '__name__') byName.set(l.value, (byName.get(l.value) ?? 0) + 1);
        const k = `${l.name}=${l.value}`;
        byPair.set(k, (byPair.get(k) ?? 0) + 1);
      }
    }
    return {
      headStats: { numSeries: head.series, numLabelPairs: pairs, chunkCount: head.chunks, minTime: head.minTime ?? 0, maxTime: head.maxTime ?? 0 },
      blocks: (st.blocks ?? []).map((b) => ({
        ulid: b.ulid, minTime: b.minTime, maxTime: b.maxTime, numSeries: b.series, numSamples: b.samples, numChunks: b.chunks,
        numBytes: b.bytes, compactionLevel: b.level,
      })),
      seriesCountByMetricName: top(byName, limit),
      labelValueCountByLabelName: top(valuesPerLabel, limit),
      memoryInBytesByLabelName: top(memPerLabel, limit),
      seriesCountByLabelValuePair: top(byPair, limit),
    };
  } finally {
    q?.close();
  }
}
