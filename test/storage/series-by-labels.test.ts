// The head finds series by a hash of their labels: label sets that hash
// alike are still told apart, and deleting one leaves the other.

import { describe, expect, it } from 'vitest';
import { SeriesByLabels, labelsHash } from '../../src/storage/series-by-labels.js';
import { labelsFrom, type Labels } from '../../src/model/labels.js';
import { NO_ENTRIES, type MemSeries } from '../../src/storage/head.js';
import { openDB, Matcher } from '../../src/index.js';

function collidingPair(): [Labels, Labels] {
  // 30-bit hashes: a repeat turns up after some tens of thousands of label sets.
  const seen = new Map<number, Labels>();
  for (let i = 0; ; i++) {
    const ls = labelsFrom({ __name__: 'm', i: String(i) });
    const h = labelsHash(ls);
    const other = seen.get(h);
    if (other) return [other, ls];
    seen.set(h, ls);
  }
}

describe('series by labels', () => {
  it('tells apart label sets whose hashes collide', () => {
    const [a, b] = collidingPair();
    expect(labelsHash(a)).toBe(labelsHash(b));
    const m = new SeriesByLabels<{ labels: Labels }>();
    const sa = { labels: a }, sb = { labels: b };
    m.add(sa);
    expect(m.get(labelsFrom(b.map((l) => ({ ...l }))))).toBeUndefined();
    m.add(sb);
    expect(m.get(labelsFrom(a.map((l) => ({ ...l }))))).toBe(sa);
    expect(m.get(labelsFrom(b.map((l) => ({ ...l }))))).toBe(sb);
    m.delete(sa);
    expect(m.get(a)).toBeUndefined();
    expect(m.get(b)).toBe(sb);
    m.delete(sb);
    expect(m.get(b)).toBeUndefined();
  });

  it('keep the head storing colliding series apart', async () => {
    const [a, b] = collidingPair();
    const db = await openDB();
    const app = db.appender();
    const ra = app.append(a, 1000, 1);
    const rb = app.append(b, 1000, 2);
    expect(rb).not.toBe(ra);
    expect(app.append(labelsFrom(a.map((l) => ({ ...l }))), 2000, 3)).toBe(ra);
    await app.commit();
    const q = db.querier(0, 3000);
    const got = new Map(q.select([new Matcher('=', '__name__', 'm')]).map((s) => [s.labels, [...s.samples(0, 3000).values]]));
    q.close();
    expect(got).toEqual(new Map([[a, [1, 3]], [b, [2]]]));
    await db.close();
  });
});

describe('a series\' lists', () => {
  it('start as the one shared empty list and get arrays of their own when they grow', async () => {
    const db = await openDB();
    const app = db.appender();
    // 1,000 samples close chunks of the first series; the second holds one sample.
    for (let i = 0; i < 1000; i++) app.append({ __name__: 'busy' }, 1000 * (i + 1), i * 1.5);
    app.append({ __name__: 'quiet' }, 1000, 1);
    await app.commit();
    expect(NO_ENTRIES).toHaveLength(0);
    expect(Object.isFrozen(NO_ENTRIES)).toBe(true);
    const q = db.querier(0, 2_000_000);
    const busy = q.select([new Matcher('=', '__name__', 'busy')])[0]!;
    expect([...busy.samples(0, 2_000_000).values]).toEqual(Array.from({ length: 1000 }, (_, i) => i * 1.5));
    q.close();
    const stats = db.stats();
    expect(stats.chunks).toBeGreaterThan(2);
    // The head's series, reached past the database's private field: what the test is about is their lists.
    const head = (db as unknown as { head: { series: (MemSeries | undefined)[] } }).head;
    const byName = (name: string) => head.series.find((m) => m?.labels.some((l) => l.name === '__name__' && l.value === name))!;
    const quiet = byName('quiet'), busyHead = byName('busy');
    expect(quiet.closedMinT).toBe(NO_ENTRIES);
    expect(quiet.persistedFile).toBe(NO_ENTRIES);
    expect(busyHead.closedMinT).not.toBe(NO_ENTRIES);
    expect(busyHead.closedMinT.length).toBeGreaterThan(0);
    expect(busyHead.chunks).not.toBe(NO_ENTRIES);
    await db.close();
  });
});
