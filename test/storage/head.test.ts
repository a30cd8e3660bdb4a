import { describe, expect, it } from 'vitest';
import {
  openDB, Matcher, OutOfOrderSampleError, DuplicateSampleError, OutOfBoundsError, InvalidSampleError,
  InvalidLabelsError, UnknownSeriesError, type ChunkEncoding,
} from '../../src/index.js';
import { bitsOf, fromBits, STALE_BITS } from '../support/floats.js';

const STALE_NAN = fromBits(STALE_BITS);

const T0 = 1_700_000_000_000;
const name = (n: string) => new Matcher('=', '__name__', n);

describe.each<ChunkEncoding>(['varbit', 'double-delta'])('head (%s)', (encoding) => {
  it('stores committed samples and answers selections in label order', async () => {
    const db = await openDB({ encoding });
    const app = db.appender();
    for (let i = 0; i < 3000; i++) {
      app.append({ __name__: 'req_total', job: 'web' }, T0 + i * 15_000, i * 2);
      app.append({ __name__: 'req_total', job: 'api' }, T0 + i * 15_000, 3000 - i);
    }
    await app.commit();
    const q = db.querier(T0, T0 + 3000 * 15_000);
    const series = q.select([name('req_total')]);
    expect(series.map((s) => s.labels.find((l) => l.name === 'job')!.value)).toEqual(['api', 'web']);
    const web = series[1]!.samples(T0, T0 + 3000 * 15_000);
    expect(web.timestamps.length).toBe(3000);
    expect(web.values[2999]).toBe(5998);
    const part = series[1]!.samples(T0 + 15_000, T0 + 45_000);
    expect([...part.values]).toEqual([2, 4, 6]);
    q.close();
    const st = db.stats();
    expect(st.series).toBe(2);
    expect(st.samples).toBe(6000);
    expect(st.chunks).toBeGreaterThanOrEqual(2);
    expect(st.bytesPerSample).toBeCloseTo((st.chunks * 1024) / 6000, 10);
  });

  it('hides uncommitted samples and drops them on rollback', async () => {
    const db = await openDB({ encoding });
    const app = db.appender();
    app.append({ __name__: 'x' }, T0, 1);
    const q = db.querier(0, Infinity);
    expect(q.select([name('x')])).toEqual([]);
    app.rollback();
    const app2 = db.appender();
    app2.append({ __name__: 'x' }, T0, 2);
    await app2.commit();
    expect([...db.querier(0, Infinity).select([name('x')])[0]!.samples(0, Infinity).values]).toEqual([2]);
  });

  it('rejects older samples as out of order and changed values at the same time as duplicates', async () => {
    const db = await openDB({ encoding });
    const app = db.appender();
    const ref = app.append({ __name__: 'x' }, T0 + 10, 1);
    await app.commit();
    const a = db.appender();
    expect(() => a.append({ __name__: 'x' }, T0 + 9, 1)).toThrow(OutOfOrderSampleError);
    expect(() => a.append(ref, T0 + 10, 2)).toThrow(DuplicateSampleError);
    expect(a.append(ref, T0 + 10, 1)).toBe(ref); // same sample again: accepted silently
    a.append(ref, T0 + 20, 3);
    expect(() => a.append(ref, T0 + 15, 3)).toThrow(/out of order sample/); // against the pending batch too
    await a.commit();
    const s = db.querier(0, Infinity).select([name('x')])[0]!;
    expect([...s.samples(0, Infinity).values]).toEqual([1, 3]);
    const st = db.stats();
    expect(st.outOfOrderSamples).toBe(2);
    expect(st.duplicateSamples).toBe(1);
  });

  it('treats a staleness marker after the same timestamp as a duplicate, and stores it bit for bit', async () => {
    const db = await openDB({ encoding });
    const app = db.appender();
    app.append({ __name__: 'x' }, T0, 1);
    expect(() => app.append({ __name__: 'x' }, T0, STALE_NAN)).toThrow(DuplicateSampleError);
    app.append({ __name__: 'x' }, T0 + 1, STALE_NAN);
    await app.commit();
    const s = db.querier(0, Infinity).select([name('x')])[0]!;
    expect(bitsOf(s.samples(0, Infinity).values[1]!)).toBe(0x7ff0000000000002n);
    expect(s.samples(0, Infinity, { skipStale: true }).values.length).toBe(1);
  });

  it('refuses bad input with a clear error and keeps what is stored', async () => {
    const db = await openDB({ encoding });
    const app = db.appender();
    app.append({ __name__: 'ok' }, T0, 1);
    await app.commit();
    const bad = db.appender();
    expect(() => bad.append({ __name__: 'ok' }, NaN, 1)).toThrow(InvalidSampleError);
    expect(() => bad.append({ __name__: 'ok' }, T0 + 0.5, 1)).toThrow(/not an integer/);
    expect(() => bad.append({ __name__: 'ok' }, Infinity, 1)).toThrow(InvalidSampleError);
    expect(() => bad.append({ '': 'x' }, T0 + 1, 1)).toThrow(/empty label name/);
    expect(() => bad.append({ a: '\ud800' }, T0 + 1, 1)).toThrow(InvalidLabelsError);
    expect(() => bad.append([{ name: 'a', value: '1' }, { name: 'a', value: '2' }], T0 + 1, 1)).toThrow(/duplicate label name "a"/);
    expect(() => bad.append(999, T0 + 1, 1)).toThrow(UnknownSeriesError);
    expect(() => bad.append({ __name__: 'ok' }, T0 + 1, '1' as unknown as number)).toThrow(InvalidSampleError);
    await bad.commit();
    const s = db.querier(0, Infinity).select([name('ok')]);
    expect(s).toHaveLength(1);
    expect([...s[0]!.samples(0, Infinity).values]).toEqual([1]);
  });

  it('computes windowed reductions while decoding', async () => {
    const db = await openDB({ encoding });
    const app = db.appender();
    // A counter with a reset after 10: 0..10, 2, 4, 6.
    const vals = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 2, 4, 6];
    vals.forEach((v, i) => app.append({ __name__: 'c' }, T0 + i * 1000, v));
    app.append({ __name__: 'c' }, T0 + vals.length * 1000, STALE_NAN);
    await app.commit();
    const s = db.querier(0, Infinity).select([name('c')])[0]!;
    const r = s.reduce(T0, T0 + 100_000);
    expect(r.count).toBe(14); // stale marker skipped
    expect(r.sum + r.sumCompensation).toBe(67);
    expect([r.min, r.max, r.firstV, r.lastV, r.prevV]).toEqual([0, 10, 0, 6, 4]);
    expect([r.firstT, r.lastT, r.prevT]).toEqual([T0, T0 + 13_000, T0 + 12_000]);
    expect(r.correction).toBe(10);
    expect(r.resets).toBe(1);
    expect(r.changes).toBe(13);
    const w = s.reduceWindows(T0, T0 + 4_000, 5_000, 3); // [0,4], [5,9], [10,14] seconds
    expect([w[0], w[14], w[28]]).toEqual([5, 5, 4]); // counts
    expect(w[28 + 11]).toBe(10); // the reset falls in the third window
  });

  it('drops whole chunks behind the retention window and frees emptied series', async () => {
    const db = await openDB({ encoding, retention: '1h' });
    const app = db.appender();
    // A short-lived series, then a long one running 3 hours past it.
    for (let i = 0; i < 10; i++) app.append({ __name__: 'old' }, T0 + i * 1000, i);
    for (let i = 0; i < 3 * 240; i++) app.append({ __name__: 'long' }, T0 + i * 15_000, Math.sin(i));
    await app.commit();
    const st = db.stats();
    expect(st.series).toBe(1);
    expect(st.minTime!).toBeGreaterThan(T0);
    const q = db.querier(0, Infinity);
    expect(q.select([name('old')])).toEqual([]);
    const s = q.select([name('long')])[0]!.samples(0, Infinity);
    expect(s.timestamps[s.timestamps.length - 1]).toBe(T0 + (720 - 1) * 15_000);
    expect(st.samples).toBe(s.timestamps.length);
    q.close();
    const late = db.appender();
    expect(() => late.append({ __name__: 'old' }, T0, 1)).toThrow(OutOfBoundsError);
  });

  it('answers label names and values, optionally restricted by matchers', async () => {
    const db = await openDB({ encoding });
    const app = db.appender();
    app.append({ __name__: 'a', job: 'x', zone: 'eu' }, T0, 1);
    app.append({ __name__: 'b', job: 'y' }, T0, 1);
    await app.commit();
    const q = db.querier(0, Infinity);
    expect(q.labelNames()).toEqual(['__name__', 'job', 'zone']);
    expect(q.labelNames([name('b')])).toEqual(['__name__', 'job']);
    expect(q.labelValues('job')).toEqual(['x', 'y']);
    expect(q.labelValues('job', [new Matcher('=~', 'zone', '.+')])).toEqual(['x']);
    q.close();
    expect(() => q.select([name('a')])).toThrow(/after close/);
  });
});
