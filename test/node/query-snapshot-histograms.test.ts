// The copy an off-thread query reads carries native histograms: collected
// from the database, sent to a worker (structured clone, as postMessage
// does), and read back through the storage contract unchanged.

import { describe, expect, it } from 'vitest';
import { openDB, Matcher } from '../../src/index.js';
import { SnapshotQueryable, SnapshotTooLargeError, collectSnapshot } from '../../src/node/query-snapshot.js';
import { STALE_NAN, isStaleNaN } from '../../src/model/stale.js';
import { latencySeries } from '../fixtures/histograms.js';

const T0 = 1_700_000_000_000;

describe('query snapshots with native histograms', () => {
  it('carry histograms, floats and staleness markers of a series through a structured clone', async () => {
    const db = await openDB();
    const hs = latencySeries(200);
    const app = db.appender();
    for (let i = 0; i < 200; i++) {
      const t = T0 + i * 15_000;
      if (i === 100) app.append({ __name__: 'lat' }, t, STALE_NAN);
      else if (i > 150) app.append({ __name__: 'lat' }, t, i);
      else app.appendHistogram!({ __name__: 'lat' }, t, hs[i]!);
      app.appendHistogram!({ __name__: 'other' }, t, { ...hs[i]!, sum: i === 7 ? STALE_NAN : hs[i]!.sum });
    }
    await app.commit();
    const range = { start: T0, end: T0 + 200 * 15_000 };
    const snap = await collectSnapshot(db, [{ matchers: [new Matcher('=~', '__name__', 'lat|other')], range }], range, async () => {});
    const sent = structuredClone(snap);
    const q = new SnapshotQueryable(sent).querier();
    const dq = db.querier(range.start, range.end);
    const [lat, other] = q.select([new Matcher('=~', '__name__', '.+')]);
    const [dlat, dother] = dq.select([new Matcher('=~', '__name__', '.+')]);
    for (const [lo, hi] of [[T0, range.end], [T0 + 1_000_000, T0 + 1_600_000], [T0 + 3, T0 + 4]]) {
      expect(lat!.samples(lo!, hi!)).toEqual(dlat!.samples(lo!, hi!));
      expect(other!.samples(lo!, hi!)).toEqual(dother!.samples(lo!, hi!));
      expect(lat!.hasHistograms!(lo!, hi!)).toBe(dlat!.hasHistograms!(lo!, hi!));
    }
    expect(lat!.hasHistograms!(T0 + 151 * 15_000, range.end)).toBe(false);
    // The staleness marker in a histogram's sum survives the clone and skipStale drops it.
    expect(isStaleNaN(other!.samples(T0 + 7 * 15_000, T0 + 7 * 15_000).histograms!.histograms[0]!.sum)).toBe(true);
    expect(other!.samples(T0, T0 + 10 * 15_000, { skipStale: true }).histograms!.timestamps.length).toBe(10);
    // The samples budget counts histograms too.
    await expect(collectSnapshot(db, [{ matchers: [new Matcher('=', '__name__', 'other')], range }], range, async () => {}, 199))
      .rejects.toThrow(SnapshotTooLargeError);
    dq.close();
  });
});
