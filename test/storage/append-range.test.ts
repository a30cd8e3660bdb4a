// Appender.appendRange against append one sample at a time on the same
// input: the same samples stored (staleness-marker bits included), the
// same refusals at the same indexes, the same counters.

import { describe, expect, it } from 'vitest';
import { openDB, Matcher } from '../../src/index.js';
import { STALE_NAN } from '../../src/model/stale.js';

function input(seed: number): { ts: Float64Array; vs: Float64Array } {
  let x = seed;
  const r = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const n = 500;
  const ts = new Float64Array(n), vs = new Float64Array(n);
  let t = 1_000_000;
  for (let i = 0; i < n; i++) {
    const k = r();
    // Mostly in order; some older (out of order), repeated (duplicates), not a number, or far too old.
    if (k >= 0.13) t += 1000;
    ts[i] = k < 0.05 ? t - 5000 : k < 0.08 ? NaN : k < 0.1 ? 10 : t;
    vs[i] = r() < 0.05 ? STALE_NAN : Math.floor(r() * 100);
  }
  return { ts, vs };
}

async function run(ts: Float64Array, vs: Float64Array, batch: boolean) {
  const db = await openDB();
  const first = db.appender();
  const ref = first.append({ __name__: 'x' }, 999_000, 1);
  await first.commit();
  const app = db.appender();
  const errors: [number, string][] = [];
  let accepted = 0;
  if (batch) {
    accepted = app.appendRange!(ref, ts, vs, 0, ts.length, (i, e) => errors.push([i, (e as Error).constructor.name]));
  } else {
    for (let i = 0; i < ts.length; i++) {
      try {
        app.append(ref, ts[i]!, vs[i]!);
        accepted++;
      } catch (e) {
        errors.push([i, (e as Error).constructor.name]);
      }
    }
  }
  await app.commit();
  const q = db.querier(-Infinity, Infinity);
  const [s] = q.select([new Matcher('=', '__name__', 'x')]);
  const b = s!.samples(-Infinity, Infinity);
  const out = { accepted, errors, ts: [...b.timestamps], bits: [...new BigUint64Array(b.values.buffer, b.values.byteOffset, b.values.length)], stats: db.stats() };
  q.close();
  return out;
}

describe('Appender.appendRange', () => {
  it('accepts and refuses exactly as append does', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const { ts, vs } = input(seed);
      const one = await run(ts, vs, false);
      const batch = await run(ts, vs, true);
      expect(batch).toEqual(one);
      expect(new Set(one.errors.map(([, name]) => name))).toEqual(new Set(['OutOfOrderSampleError', 'InvalidSampleError', 'DuplicateSampleError']));
      expect(one.accepted).toBeGreaterThan(100);
    }
  });
});
