import { describe, expect, it } from 'vitest';
import { wasm, mem } from '../../src/wasm/loader.js';
import {
  appendHistogramBatch, decodeHistogramList, histogramChunkBytes, histogramChunkFromBytes, histogramChunkMeta, decodeHistogramChunks,
} from '../../src/wasm/histogram-codec.js';
import { ChunkError } from '../../src/wasm/codec.js';
import { CounterResetHint, type FloatHistogram } from '../../src/model/histogram.js';
import { STALE_NAN } from '../../src/model/stale.js';
import { NO_CUT, chunkCut } from '../../src/storage/histogram-cut.js';
import { randomHistogram, rng, latencySeries } from '../fixtures/histograms.js';

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
const bits = (v: number) => {
  f64[0] = v;
  return u64[0]!;
};
/** Every stored field, sum by its bits; the hint is checked apart. */
const stored = ({ counterResetHint: _, sum, ...rest }: FloatHistogram) => ({ ...rest, sum: bits(sum) });

/** Encodes a run into chunks through a one-slot head table, cutting as the head does; returns the chunk pointers. */
function encode(hs: readonly FloatHistogram[], t0 = 1_700_000_000_000, step = 15_000): number[] {
  const heads = wasm.alloc(4);
  mem().u32[heads >>> 2] = 0;
  const chunks: number[] = [];
  let prev: FloatHistogram | null = null;
  const items = hs.map((h, i) => {
    const cut = chunkCut(prev, h);
    prev = h;
    return { slot: 0, cut, t: t0 + i * step, h };
  });
  const { appended, created } = appendHistogramBatch(heads, items);
  expect(appended).toBe(hs.length);
  for (let i = 0; i < created.length; i += 2) chunks.push(created[i + 1]!);
  wasm.free(heads);
  return chunks;
}

const free = (chunks: number[]) => chunks.forEach((c) => wasm.histFree(c));

describe('native histogram chunks', () => {
  it('round-trips random integer, float and custom-bucket histograms bit for bit', () => {
    const r = rng(7);
    for (let run = 0; run < 60; run++) {
      const integer = run % 2 === 0, custom = run % 5 === 0;
      const hs = Array.from({ length: 1 + Math.floor(r() * 300) }, () => randomHistogram(r, integer, custom));
      // Counters that grow in place now and then, so chunks hold many samples of one layout.
      for (let i = 1; i < hs.length; i++) {
        if (r() < 0.6) {
          const p = hs[i - 1]!;
          const grow = (b: number[]) => b.map((x) => x + (integer ? Math.floor(r() * 5) : r() * 5));
          const positiveBuckets = grow(p.positiveBuckets), negativeBuckets = grow(p.negativeBuckets);
          const zeroCount = p.zeroCount + (custom ? 0 : integer ? 1 : 0.5);
          const total = [...positiveBuckets, ...negativeBuckets].reduce((a, b) => a + b, 0) + zeroCount;
          hs[i] = { ...p, counterResetHint: CounterResetHint.Unknown, positiveBuckets, negativeBuckets, zeroCount, count: total, sum: r() < 0.1 ? STALE_NAN : p.sum + r() };
        }
      }
      const chunks = encode(hs);
      const got = decodeHistogramList(chunks, -Infinity, Infinity);
      expect(got.timestamps).toEqual(hs.map((_, i) => 1_700_000_000_000 + i * 15_000));
      expect(got.histograms.map(stored)).toEqual(hs.map((h) => stored({ ...h, customValues: h.customValues })));
      free(chunks);
    }
  });

  it('keeps NaN, ±Inf, -0 and the staleness marker in sums', () => {
    const base = latencySeries(1)[0]!;
    const sums = [NaN, Infinity, -Infinity, -0, 0, STALE_NAN, 5e-324, -1.7976931348623157e308];
    const hs = sums.map((sum, i) => ({ ...base, count: base.count + (Number.isNaN(sum) ? 1 : 0) * 0, sum, zeroCount: base.zeroCount + i, countFix: 0 }))
      .map(({ countFix: _, ...h }, i) => ({ ...h, count: base.count + i }));
    const chunks = encode(hs);
    const got = decodeHistogramList(chunks, -Infinity, Infinity).histograms;
    expect(got.map((h) => bits(h.sum))).toEqual(sums.map(bits));
    free(chunks);
  });

  it('cuts a chunk at a layout change, a counter reset or 120 samples, with the header as the first sample\'s hint', () => {
    const series = latencySeries(400);
    const reset = { ...series[0]!, counterResetHint: CounterResetHint.Unknown };
    const hs = [...series.slice(0, 130), reset, ...series.slice(1, 5)];
    const chunks = encode(hs);
    const metas = chunks.map(histogramChunkMeta);
    expect(metas.reduce((n, m) => n + m.samples, 0)).toBe(hs.length);
    for (const m of metas) expect(m.samples).toBeLessThanOrEqual(120);
    const got = decodeHistogramList(chunks, -Infinity, Infinity).histograms;
    expect(got[0]!.counterResetHint).toBe(CounterResetHint.Unknown);
    expect(got[130]!.counterResetHint).toBe(CounterResetHint.CounterReset);
    // Every other sample is either inside a chunk (not a reset) or starts one cut by size or layout (not a reset either).
    got.forEach((h, i) => {
      if (i !== 0 && i !== 130) expect(h.counterResetHint).toBe(CounterResetHint.NotCounterReset);
    });
    free(chunks);
  });

  it('keeps gauge histograms gauge on every sample', () => {
    const hs = latencySeries(50).map((h, i) => ({ ...h, counterResetHint: CounterResetHint.Gauge, count: h.count - (i % 3), sum: h.sum }));
    for (const h of hs) {
      h.integer = true;
      h.zeroCount = h.count - h.positiveBuckets.reduce((a, b) => a + b, 0);
    }
    const chunks = encode(hs);
    const got = decodeHistogramList(chunks, -Infinity, Infinity).histograms;
    expect(got.every((h) => h.counterResetHint === CounterResetHint.Gauge)).toBe(true);
    free(chunks);
  });

  it('decodes a time window only', () => {
    const hs = latencySeries(300);
    const chunks = encode(hs, 0, 1000);
    const got = decodeHistogramList(chunks, 100_500, 150_000);
    expect(got.timestamps[0]).toBe(101_000);
    expect(got.timestamps[got.timestamps.length - 1]).toBe(150_000);
    expect(got.histograms.map(stored)).toEqual(hs.slice(101, 151).map(stored));
    free(chunks);
  });

  it('continues a chunk loaded from its stored bytes exactly as the original', () => {
    const hs = latencySeries(100, 1, true);
    const whole = encode(hs);
    const k = histogramChunkMeta(whole[0]!).samples;
    expect(k).toBeGreaterThan(8);
    const part = encode(hs.slice(0, k - 4));
    expect(part.length).toBe(1);
    const bytes = histogramChunkBytes(part[0]!);
    expect(bytes.length).toBe(histogramChunkMeta(part[0]!).bytes);
    expect(bytes.length).toBeLessThan(1024);
    const loaded = histogramChunkFromBytes(bytes);
    const heads = wasm.alloc(4);
    mem().u32[heads >>> 2] = loaded;
    const rest = hs.slice(k - 4, k).map((h, i) => ({ slot: 0, cut: chunkCut(hs[k - 5 + i]!, h), t: 1_700_000_000_000 + (k - 4 + i) * 15_000, h }));
    expect(rest.every((x) => x.cut === NO_CUT)).toBe(true);
    const { appended, created } = appendHistogramBatch(heads, rest);
    expect(appended).toBe(4);
    expect(created.length).toBe(0);
    expect(histogramChunkBytes(loaded)).toEqual(histogramChunkBytes(whole[0]!));
    expect(decodeHistogramChunks([histogramChunkBytes(loaded)]).histograms.map(stored)).toEqual(hs.slice(0, k).map(stored));
    wasm.free(heads);
    free([...whole, ...part, loaded]);
  });

  it('puts a histogram too large for 1024 bytes in a chunk of its own size', () => {
    const n = 400;
    const h: FloatHistogram = {
      counterResetHint: CounterResetHint.Unknown, schema: 8, zeroThreshold: 0, zeroCount: 0, count: n * 1.5, sum: 1,
      positiveSpans: [{ offset: 0, length: n }], positiveBuckets: Array.from({ length: n }, (_, i) => 1 + i / 997),
      negativeSpans: [], negativeBuckets: [],
    };
    const chunks = encode([h, { ...h, sum: 2 }]);
    expect(histogramChunkMeta(chunks[0]!).bytes).toBeGreaterThan(3200);
    const back = decodeHistogramChunks(chunks.map(histogramChunkBytes)).histograms;
    expect(back.map(stored)).toEqual([h, { ...h, sum: 2 }].map(stored));
    free(chunks);
  });

  it('refuses damaged chunk bytes with a ChunkError', () => {
    const chunks = encode(latencySeries(20));
    const bytes = histogramChunkBytes(chunks[0]!);
    expect(() => histogramChunkFromBytes(bytes.subarray(0, bytes.length - 3))).toThrow(ChunkError);
    const bad = bytes.slice();
    bad[0] = 9;
    expect(() => histogramChunkFromBytes(bad)).toThrow(ChunkError);
    const r = rng(3);
    for (let k = 0; k < 2000; k++) {
      const fuzzed = bytes.slice();
      for (let j = 0; j < 4; j++) { const at = 32 + Math.floor(r() * (fuzzed.length - 32)); fuzzed[at] = fuzzed[at]! ^ (1 << Math.floor(r() * 8)); }
      try {
        decodeHistogramChunks([fuzzed]);
      } catch (e) {
        expect(e).toBeInstanceOf(ChunkError);
      }
    }
    free(chunks);
  });
});
