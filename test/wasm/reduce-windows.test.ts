// reduceWindows computes each window's record from the window's bounds
// (first, last, previous, count), integer counts kept as the bounds slide
// (resets, changes) and one pass for the order-dependent sums. These tests
// hold it to reduceRange's ReduceSink, which adds every sample of one
// window in turn: every slot of every record bit for bit, over counters
// with resets, NaN, infinities, staleness markers, repeated values, gaps,
// and windows that overlap, touch, leave gaps or hold nothing.

import { describe, expect, it } from 'vitest';
import { encodeChunks, encodingId, reduceList, reduceWindowsList, type ChunkEncoding } from '../../src/wasm/codec.js';
import { mem, wasm } from '../../src/wasm/loader.js';
import { CHUNK_LEN, R_SIZE } from '../../src/wasm/layout.js';
import { STALE_NAN } from '../../src/model/stale.js';
import { seededRandom } from '../../src/model/seeded-random.js';

const bits = (a: Float64Array) => Array.from(new BigUint64Array(a.buffer, a.byteOffset, a.length), (b) => b.toString(16));

/** Chunks of the samples in WASM memory (freed by the returned function). */
function inWasm(enc: ChunkEncoding, ts: number[], vs: Float64Array): { ptrs: number[]; free(): void } {
  const ptrs = encodeChunks(enc, ts, vs).map((bytes) => {
    const p = wasm.chunkNew(encodingId(enc));
    mem().u8.set(bytes.subarray(0, CHUNK_LEN), p);
    return p;
  });
  return { ptrs, free: () => ptrs.forEach((p) => wasm.chunkFree(p)) };
}

/** Samples of one of several shapes, from a seed. */
function series(seed: number, n: number): { ts: number[]; vs: Float64Array } {
  const r = seededRandom(seed);
  const ts: number[] = [];
  const vs = new Float64Array(n);
  let t = 1_700_000_000_000 + Math.floor(r() * 1000), c = r() * 100;
  const shape = seed % 4;
  for (let i = 0; i < n; i++) {
    // Mostly regular scrapes, sometimes a long gap.
    t += r() < 0.03 ? 600_000 + Math.floor(r() * 600_000) : 15_000 + Math.floor(r() * 3000) - 1500;
    ts.push(t);
    const x = r();
    if (shape === 0) vs[i] = c += Math.floor(r() * 10) * (r() < 0.05 ? -1 : 1); // counter with resets
    else if (shape === 1) vs[i] = x < 0.05 ? NaN : x < 0.08 ? STALE_NAN : x < 0.1 ? Infinity : x < 0.12 ? -Infinity : Math.round(r() * 5); // repeats, NaN, ±Inf, stale
    else if (shape === 2) vs[i] = (r() - 0.5) * 10 ** Math.floor(r() * 30 - 15); // magnitudes far apart (Kahan terms)
    else vs[i] = x < 0.3 ? c : (c = r() < 0.1 ? 0 : c + r()); // flat runs and drops to zero
  }
  return { ts, vs };
}

function expectSameAsOneByOne(enc: ChunkEncoding, ts: number[], vs: Float64Array, firstMin: number, firstMax: number, step: number, steps: number): void {
  const { ptrs, free } = inWasm(enc, ts, vs);
  try {
    const id = encodingId(enc);
    const got = reduceWindowsList(ptrs, id, firstMin, firstMax, step, steps);
    expect(got.length).toBe(steps * R_SIZE);
    for (let k = 0; k < steps; k++) {
      const want = reduceList(ptrs, id, firstMin + k * step, firstMax + k * step);
      // reduceList marks an empty range by its count only; the other slots are ReduceSink's cleared state either way.
      expect(bits(got.subarray(k * R_SIZE, (k + 1) * R_SIZE)), `window ${k} of ${steps} [${firstMin + k * step}, ${firstMax + k * step}]`).toEqual(bits(want));
    }
  } finally {
    free();
  }
}

describe('reduceWindows equals reducing each window alone', () => {
  for (const enc of ['varbit', 'double-delta'] as ChunkEncoding[]) {
    it(`${enc}: overlapping, touching, sparse and empty windows over every shape`, () => {
      for (let seed = 1; seed <= 24; seed++) {
        const { ts, vs } = series(seed, 300 + seed * 17);
        const t0 = ts[0]!, span = ts[ts.length - 1]! - t0;
        const r = seededRandom(seed * 31);
        // [range, step]: a 5m rate at 15s (overlapping), touching windows, windows with gaps between, a point window.
        for (const [range, step] of [[300_000, 15_000], [60_000, 60_000], [30_000, 120_000], [1, 15_000], [1_800_000, 15_000]] as const) {
          const start = t0 - Math.floor(r() * 3 * range);
          const steps = Math.max(1, Math.floor((span + 2 * range) / step));
          expectSameAsOneByOne(enc, ts, vs, start - range + 1, start, step, steps);
        }
      }
    });
  }

  it('windows before, after and between the samples hold nothing, and one window covers all', () => {
    const { ts, vs } = series(5, 200);
    const t0 = ts[0]!, tn = ts[ts.length - 1]!;
    expectSameAsOneByOne('varbit', ts, vs, t0 - 10_000_000, t0 - 9_000_000, 100_000, 5);
    expectSameAsOneByOne('varbit', ts, vs, tn + 1, tn + 60_000, 60_000, 4);
    expectSameAsOneByOne('varbit', ts, vs, t0, tn, 1, 1);
    // An empty window of its own (firstMin past firstMax) keeps nothing, as reducing it alone does.
    expectSameAsOneByOne('varbit', ts, vs, t0 + 50_000, t0 + 40_000, 20_000, 30);
  });
});
