// A query snapshot (what promlet serve hands its query workers) carries
// native histogram samples: the same query answers the same from the
// snapshot as from the database.

import { describe, expect, it } from 'vitest';
import { openDB, createEngine } from '../../src/index.js';
import { Matcher } from '../../src/model/matcher.js';
import { CounterResetHint } from '../../src/model/histogram.js';
import { SnapshotQueryable, collectSnapshot } from '../../src/node/query-snapshot.js';

const T = Date.UTC(2026, 0, 1);

describe('query snapshots with native histograms', () => {
  it('answer histogram queries as the database does', async () => {
    const db = await openDB();
    const app = db.appender();
    for (let i = 0; i < 4; i++) {
      app.appendHistogram!({ __name__: 'h', job: 'a' }, T + i * 15_000, {
        counterResetHint: CounterResetHint.Unknown, schema: 0, zeroThreshold: 0.001, zeroCount: i, count: 3 * i, sum: i,
        positiveSpans: [{ offset: 0, length: 2 }], positiveBuckets: [i, i], negativeSpans: [], negativeBuckets: [],
      });
    }
    app.append({ __name__: 'h', job: 'b' }, T, 1);
    await app.commit();
    const snap = await collectSnapshot(db, [{ matchers: [new Matcher('=', '__name__', 'h')], range: { start: T - 300_000, end: T + 60_000 } }], { start: T - 300_000, end: T + 60_000 }, async () => {});
    expect(snap.map((s) => s.h?.timestamps.length ?? 0)).toEqual([4, 0]);
    const fromDb = createEngine(db), fromSnap = createEngine(new SnapshotQueryable(snap), { wasmReductions: false });
    for (const q of ['h', 'h[1m]', 'histogram_count(h)']) {
      expect(fromSnap.instantQuerySync(q, T + 45_000).result, q).toEqual(fromDb.instantQuerySync(q, T + 45_000).result);
    }
  });
});
