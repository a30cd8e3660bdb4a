import { describe, expect, it } from 'vitest';
import {
  openDB, Matcher, OutOfOrderSampleError, DuplicateSampleError, InvalidSampleError, OutOfBoundsError,
} from '../../src/index.js';
import type { FloatHistogram } from '../../src/model/histogram.js';
import { STALE_NAN } from '../../src/model/stale.js';
import { intHistogram, floatHistogram, latencySeries, randomHistogram, rng } from '../fixtures/histograms.js';
import { decodeRecord, histogramRecords } from '../../src/storage/wal-records.js';

const T0 = 1_700_000_000_000;
const name = (n: string) => new Matcher('=', '__name__', n);
/** The stored fields, hint aside (the head derives hints from its chunks). */
const fields = ({ counterResetHint: _, ...rest }: FloatHistogram) => rest;

async function read(db: Awaited<ReturnType<typeof openDB>>, metric: string, mint = 0, maxt = Infinity) {
  const q = db.querier(mint, maxt);
  try {
    const [s] = q.select([name(metric)]);
    return s ? { batch: s.samples(mint, maxt), has: (a: number, b: number) => s.hasHistograms!(a, b) } : null;
  } finally {
    q.close();
  }
}

describe('head: native histograms', () => {
  it('stores integer and float histograms and returns them in samples().histograms', async () => {
    const db = await openDB();
    const app = db.appender();
    const series = latencySeries(300);
    series.forEach((h, i) => app.appendHistogram!({ __name__: 'lat' }, T0 + i * 15_000, h));
    for (let i = 0; i < 50; i++) app.appendHistogram!({ __name__: 'gauge' }, T0 + i * 15_000, floatHistogram(i + 1));
    await app.commit();
    const lat = (await read(db, 'lat'))!;
    expect(lat.batch.values.length).toBe(0);
    expect([...lat.batch.histograms!.timestamps]).toEqual(series.map((_, i) => T0 + i * 15_000));
    expect(lat.batch.histograms!.histograms.map(fields)).toEqual(series.map(fields));
    expect(lat.batch.histograms!.histograms.every((h) => h.integer === true)).toBe(true);
    const g = (await read(db, 'gauge'))!;
    expect(g.batch.histograms!.histograms.map(fields)).toEqual(Array.from({ length: 50 }, (_, i) => fields(floatHistogram(i + 1))));
    expect(g.batch.histograms!.histograms[0]!.integer).toBeUndefined();
    expect(db.stats().headSamples).toBe(350);
  });

  it('reads a window and tells whether it holds histograms', async () => {
    const db = await openDB();
    const app = db.appender();
    const hs = latencySeries(10);
    for (let i = 0; i < 10; i++) app.appendHistogram!({ __name__: 'lat' }, T0 + i * 1000, hs[i]!);
    await app.commit();
    const q = db.querier(0, Infinity);
    const [s] = q.select([name('lat')]);
    const part = s!.samples(T0 + 2000, T0 + 4000);
    expect([...part.histograms!.timestamps]).toEqual([T0 + 2000, T0 + 3000, T0 + 4000]);
    expect(part.histograms!.histograms.map(fields)).toEqual(hs.slice(2, 5).map(fields));
    expect(s!.hasHistograms!(T0 + 2500, T0 + 2600)).toBe(false);
    expect(s!.hasHistograms!(T0 + 2500, T0 + 3000)).toBe(true);
    expect(s!.samples(T0 + 2500, T0 + 2600).histograms).toBeUndefined();
    // The caller owns what it gets.
    part.histograms!.histograms[0]!.positiveBuckets[0] = -1;
    expect(s!.samples(T0 + 2000, T0 + 2000).histograms!.histograms[0]!.positiveBuckets[0]).toBe(hs[2]!.positiveBuckets[0]);
    q.close();
  });

  it('keeps floats and histograms of a series apart when it switches between them', async () => {
    const db = await openDB();
    const app = db.appender();
    const l = { __name__: 'mixed' };
    app.append(l, T0, 1);
    app.append(l, T0 + 1000, 2);
    app.appendHistogram!(l, T0 + 2000, intHistogram(5, [2, 3]));
    app.appendHistogram!(l, T0 + 3000, intHistogram(6, [3, 3]));
    app.append(l, T0 + 4000, 3);
    app.append(l, T0 + 5000, STALE_NAN);
    await app.commit();
    const app2 = db.appender();
    app2.appendHistogram!(l, T0 + 6000, intHistogram(1, [1, 0]));
    await app2.commit();
    const { batch } = (await read(db, 'mixed'))!;
    expect([...batch.timestamps]).toEqual([T0, T0 + 1000, T0 + 4000, T0 + 5000]);
    expect(batch.values[2]).toBe(3);
    expect(batch.histograms!.timestamps).toEqual(new Float64Array([T0 + 2000, T0 + 3000, T0 + 6000]));
    expect(batch.histograms!.histograms.map((h) => h.count)).toEqual([5, 6, 1]);
  });

  it('refuses invalid histograms with Prometheus\'s reasons', async () => {
    const db = await openDB();
    const app = db.appender();
    let k = 0;
    const bad = (patch: Partial<FloatHistogram>) => () => app.appendHistogram!({ __name__: `x${k++}` }, T0, { ...intHistogram(5, [2, 3]), ...patch });
    expect(bad({ positiveSpans: [{ offset: 0, length: 3 }] })).toThrow(/spans need 3 buckets, have 2 buckets/);
    expect(bad({ positiveBuckets: [2, -3] })).toThrow(/bucket number 2 has observation count of -3/);
    expect(bad({ count: 4 })).toThrow(/5 observations found in buckets, but the Count field is 4/);
    expect(bad({ count: 6, sum: NaN })).not.toThrow();
    expect(bad({ schema: 9 })).toThrow(/invalid schema.*got schema 9/);
    expect(bad({ positiveSpans: [{ offset: 0, length: 1 }, { offset: -1, length: 1 }] })).toThrow(/span number 2 with offset -1/);
    expect(bad({ positiveBuckets: [2.5, 2.5] })).toThrow(InvalidSampleError);
    const nhcb = { schema: -53, zeroThreshold: 0, zeroCount: 0, customValues: [1, 2] };
    expect(bad({ ...nhcb, customValues: [2, 1] })).toThrow(/strictly increasing/);
    expect(bad({ ...nhcb, customValues: [1, Infinity] })).toThrow(/must be finite/);
    expect(bad({ ...nhcb, positiveSpans: [{ offset: 2, length: 2 }], customValues: [1, 2] })).toThrow(/insufficient to cover total span length of 4/);
    expect(bad({ ...nhcb, zeroCount: 1 })).toThrow(/zero count of 0/);
    expect(bad({ customValues: [1] })).toThrow(/exponential schema must not have custom bounds/);
    expect(bad({ ...nhcb, customValues: [1, 2] })).not.toThrow();
    const f = floatHistogram(1);
    expect(() => app.appendHistogram!({ __name__: 'y' }, T0, { ...f, count: 0.5 })).not.toThrow(); // float histograms: no count check
    expect(() => app.appendHistogram!({ __name__: 'z' }, T0, { ...f, zeroCount: -1 })).toThrow(/zero bucket has observation count of -1/);
  });

  it('refuses out-of-order, changed duplicates and out-of-bounds histograms like floats', async () => {
    const db = await openDB();
    const app = db.appender();
    const l = { __name__: 'x' };
    const ref = app.appendHistogram!(l, T0 + 10_000, intHistogram(5, [2, 3]));
    await app.commit();
    const a = db.appender();
    expect(() => a.appendHistogram!(ref, T0 + 9_000, intHistogram(5, [2, 3]))).toThrow(OutOfOrderSampleError);
    expect(() => a.appendHistogram!(ref, T0 + 10_000, intHistogram(6, [3, 3]))).toThrow(DuplicateSampleError);
    expect(() => a.append(ref, T0 + 10_000, 5)).toThrow(DuplicateSampleError);
    expect(a.appendHistogram!(ref, T0 + 10_000, intHistogram(5, [2, 3]))).toBe(ref);
    a.appendHistogram!(ref, T0 + 20_000, intHistogram(7, [3, 4]));
    expect(() => a.appendHistogram!(ref, T0 + 20_000, intHistogram(8, [4, 4]))).toThrow(DuplicateSampleError);
    a.rollback();
    const b = db.appender();
    b.append(ref, T0 + 11_000, 1);
    expect(() => b.appendHistogram!(ref, T0 + 11_000, intHistogram(5, [2, 3]))).toThrow(DuplicateSampleError);
    await b.commit();
    db.truncateBefore(T0 + 10_500);
    expect(() => db.appender().appendHistogram!(l, T0 + 10_000, intHistogram(5, [2, 3]))).toThrow(OutOfBoundsError);
    const { batch } = (await read(db, 'x'))!;
    expect(batch.histograms).toBeUndefined();
    expect([...batch.timestamps]).toEqual([T0 + 11_000]);
  });

  it('takes out-of-order histograms inside the out-of-order window, as Prometheus 3 does', async () => {
    const db = await openDB({ outOfOrderTimeWindow: '10m' });
    const hs = latencySeries(40, 2, true);
    const l = { __name__: 'late' };
    const app = db.appender();
    for (let i = 0; i < 40; i += 2) app.appendHistogram!(l, T0 + i * 10_000, hs[i]!);
    app.append({ __name__: 'f' }, T0 + 39 * 10_000, 1);
    await app.commit();
    const b = db.appender();
    for (let i = 1; i < 40; i += 2) b.appendHistogram!(l, T0 + i * 10_000, hs[i]!);
    // The same histogram again is nothing; another one at a stored time is a duplicate, as is a float there.
    expect(b.appendHistogram!(l, T0 + 2 * 10_000, hs[2]!)).toBeGreaterThan(0);
    expect(() => b.appendHistogram!(l, T0 + 4 * 10_000, hs[5]!)).toThrow(DuplicateSampleError);
    expect(() => b.append(l, T0 + 3 * 10_000, 7)).toThrow(DuplicateSampleError);
    expect(() => b.appendHistogram!(l, T0 - 3_600_000, hs[0]!)).toThrow(/too old sample/);
    await b.commit();
    const { batch } = (await read(db, 'late'))!;
    expect([...batch.histograms!.timestamps]).toEqual(hs.map((_, i) => T0 + i * 10_000));
    expect(batch.histograms!.histograms.map(fields)).toEqual(hs.map(fields));
    expect(db.stats().outOfOrderAppendedSamples).toBe(19); // the last one is newer than the series' newest
    // With the window closed they stay refused.
    const closed = await openDB();
    const c = closed.appender();
    c.appendHistogram!(l, T0 + 10_000, hs[1]!);
    await c.commit();
    expect(() => closed.appender().appendHistogram!(l, T0, hs[0]!)).toThrow(OutOfOrderSampleError);
  });

  it('logs histograms in records that decode to the same histograms, bit for bit', () => {
    const r = rng(21);
    const items = Array.from({ length: 300 }, (_, i) => {
      const made = randomHistogram(r, i % 3 !== 0, i % 5 === 0);
      // A fresh object: V8 may quiet a signalling NaN stored into an existing double field.
      const h = i % 7 === 0 ? { ...made, sum: STALE_NAN } : made;
      return { id: i * 977, t: i % 11 === 0 ? -5_000 * (i + 1) : T0 + i, h };
    });
    const recs = histogramRecords(items);
    expect(recs).toHaveLength(2);
    const back = recs.map(decodeRecord).flatMap((rec) => {
      if (rec.kind !== 'histograms') throw new Error(rec.kind);
      return rec.ids.map((id, i) => ({ id, t: rec.ts[i]!, h: rec.hs[i]! }));
    });
    const key = (x: { id: number }) => x.id;
    const bits = (v: number) => new BigUint64Array(new Float64Array([v]).buffer)[0];
    const norm = ({ id, t, h }: { id: number; t: number; h: FloatHistogram }) => ({ id, t, h: { ...h, sum: bits(h.sum) } });
    expect(back.sort((a, b) => key(a) - key(b)).map(norm)).toEqual(items.map(norm));
    // Integer counts are varints: a 35-bucket latency histogram takes far less than 8 bytes a bucket.
    const one = histogramRecords([{ id: 1, t: T0, h: latencySeries(200, 1, false, 0.35)[199]! }])[0]!;
    expect(one.length).toBeLessThan(35 * 3 + 60);
  });

  it('hides uncommitted histograms and forgets them on rollback', async () => {
    const db = await openDB();
    const app = db.appender();
    app.appendHistogram!({ __name__: 'x' }, T0, intHistogram(5, [2, 3]));
    expect(db.querier(0, Infinity).select([name('x')])).toEqual([]);
    app.rollback();
    const b = db.appender();
    b.appendHistogram!({ __name__: 'x' }, T0, intHistogram(6, [3, 3]));
    await b.commit();
    expect((await read(db, 'x'))!.batch.histograms!.histograms[0]!.count).toBe(6);
  });

  it('drops histograms older than the retention, and a series left with none', async () => {
    const db = await openDB({ retention: '1h' });
    const app = db.appender();
    const hs = latencySeries(400);
    for (let i = 0; i < 400; i++) app.appendHistogram!({ __name__: 'lat' }, T0 + i * 15_000, hs[i]!);
    app.appendHistogram!({ __name__: 'old' }, T0, hs[0]!);
    await app.commit();
    db.truncateBefore(T0 + 399 * 15_000 - 3_600_000);
    const { batch } = (await read(db, 'lat'))!;
    // Whole chunks go (at most 120 samples each), as with floats.
    const first = batch.histograms!.timestamps[0]!;
    expect(first).toBeGreaterThan(T0);
    expect(first).toBeGreaterThan(T0 + 399 * 15_000 - 3_600_000 - 120 * 15_000);
    expect(batch.histograms!.histograms.map(fields)).toEqual(hs.slice((first - T0) / 15_000).map(fields));
    expect(await read(db, 'old')).toBeNull();
    expect(db.stats().series).toBe(1);
  });
});
