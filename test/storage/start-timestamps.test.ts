// Start (created) timestamps kept beside the chunks: aligned with samples on
// read, absent for series without them, dropped with their chunks, and
// never committed by a rolled-back appender.

import { describe, expect, it } from 'vitest';
import { openDB, Matcher, InvalidSampleError } from '../../src/index.js';

const T0 = 1_700_000_000_000;
const sel = [new Matcher('=', '__name__', 'c_total')];

describe('start timestamps', () => {
  it('come back aligned with the samples, 0 where unknown', async () => {
    const db = await openDB();
    const app = db.appender();
    app.append({ __name__: 'c_total' }, T0, 1, T0 - 500);
    app.append({ __name__: 'c_total' }, T0 + 15_000, 2);
    app.append({ __name__: 'c_total' }, T0 + 30_000, 3, T0 + 20_000);
    app.append({ __name__: 'other' }, T0, 1);
    await app.commit();
    const q = db.querier(T0 - 1, T0 + 60_000);
    const [s] = q.select(sel);
    const b = s!.samples(T0, T0 + 60_000);
    expect([...b.startTimestamps!]).toEqual([T0 - 500, 0, T0 + 20_000]);
    expect(s!.hasStartTimestamps!(T0 + 1, T0 + 20_000)).toBe(false);
    expect(s!.samples(T0 + 1, T0 + 20_000).startTimestamps).toBeUndefined();
    const [other] = q.select([new Matcher('=', '__name__', 'other')]);
    expect(other!.samples(T0, T0).startTimestamps).toBeUndefined();
    q.close();
  });

  it('are not kept from a rolled-back batch, and reject non-integers', async () => {
    const db = await openDB();
    const app = db.appender();
    app.append({ __name__: 'c_total' }, T0, 1, T0 - 1);
    app.rollback();
    const app2 = db.appender();
    app2.append({ __name__: 'c_total' }, T0, 1);
    expect(() => app2.append({ __name__: 'c_total' }, T0 + 1, 1, 0.5)).toThrow(InvalidSampleError);
    await app2.commit();
    const q = db.querier(T0, T0);
    expect(q.select(sel)[0]!.samples(T0, T0).startTimestamps).toBeUndefined();
    q.close();
  });

  it('are dropped with the chunks retention drops', async () => {
    const db = await openDB();
    for (let i = 0; i < 3000; i++) {
      const app = db.appender();
      app.append({ __name__: 'c_total' }, T0 + i * 15_000, i, i % 2 === 0 ? T0 + i * 15_000 - 1 : 0);
      await app.commit();
    }
    const end = T0 + 2999 * 15_000;
    db.truncateBefore(end - 3600_000);
    const q = db.querier(T0, end);
    const [s] = q.select(sel);
    const b = s!.samples(T0, end);
    expect(b.startTimestamps!.length).toBe(b.timestamps.length);
    b.timestamps.forEach((t, i) => expect(b.startTimestamps![i]).toBe(((t - T0) / 15_000) % 2 === 0 ? t - 1 : 0));
    q.close();
  });
});
