// The chunk scanner behind decodeRange, reduceRange and reduceWindows, held
// to every sample's bits: against the plain-TypeScript reference decoder on
// intact chunks, and against a digest of what the decoder before the single
// scanner (commit 166c691) returned over intact, damaged and adversarial
// chunks of both encodings, cut at random ranges, so that any changed
// timestamp, value bit pattern, count or status fails.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ChunkError, decodeList, encodeChunks, reduceList, reduceWindowsList, type ChunkEncoding } from '../../src/wasm/codec.js';
import { mem, wasm } from '../../src/wasm/loader.js';
import { CHUNK_LEN, ENC_DOUBLE_DELTA, ENC_VARBIT } from '../../src/wasm/layout.js';
import { STALE_NAN } from '../../src/model/stale.js';
import { seededRandom } from '../../src/model/seeded-random.js';
import { decodeVarbit as referenceDecode } from '../../bench/reference/varbit.js';
import { demoSeries } from '../../bench/demo-data.js';

const bits = (v: number) => new BigUint64Array(Float64Array.of(v).buffer)[0]!;

type Samples = { ts: number[]; vs: Float64Array };

/** Series meant to reach the decoder's edges: runs, every value encoding, markers, extremes. */
function adversarial(): Samples[] {
  const out: Samples[] = [];
  const r = seededRandom(99);
  const grid = (n: number, step = 15_000, t0 = 1_700_000_000_000) => Array.from({ length: n }, (_, i) => t0 + i * step);
  const of = (ts: number[], f: (i: number) => number) => ({ ts, vs: Float64Array.from(ts, (_, i) => f(i)) });
  out.push(of(grid(1), () => 42));
  out.push(of(grid(2), (i) => i));
  out.push(of(grid(3), (i) => i * 0.5));
  // A constant series fills chunks with long runs of repeated deltas and no value bits.
  out.push(of(grid(250_000), () => 1));
  out.push(of(grid(20_000), () => STALE_NAN));
  out.push(of(grid(5000), (i) => (i % 7 === 3 ? STALE_NAN : i % 11 === 5 ? NaN : i)));
  out.push(of(grid(3000), (i) => [Infinity, -Infinity, 0, -0, Number.MAX_VALUE, Number.MIN_VALUE, -Number.MAX_VALUE][i % 7]!));
  out.push(of(grid(3000), (i) => (i % 2 ? 2 ** 52 : -(2 ** 52)) + i));
  // Timestamp deltas past each code's width (and the 24-bit header field), up to 2^53 apart overall.
  const wide: number[] = [];
  for (let t = 0, i = 0; i < 4000; i++) wide.push((t += [1, 64, 70_000, 4_000_000, 2 ** 23 + 5, 2 ** 40][i % 6]!));
  out.push(of(wide, (i) => i * 3));
  out.push(of(grid(4000, 1, -(2 ** 53) + 1), (i) => -i));
  out.push(of(grid(3000), () => new Float64Array(Uint32Array.of(Math.floor(r() * 2 ** 32), Math.floor(r() * 2 ** 32)).buffer)[0]!));
  out.push(of(grid(3000), (i) => Math.sin(i / 10) * 1e3));
  out.push(of(grid(3000), (i) => (i < 1500 ? 5 : 5 + (i - 1500) * 1e-9)));
  return out;
}

/** Series with the dashboard's shapes: jittered 15 s scrapes of counters, gauges, buckets, a restart. */
function dashboard(): Samples[] {
  return demoSeries(2, 6).map((s) => ({ ts: s.timestamps, vs: s.values }));
}

const all = () => [...dashboard(), ...adversarial()];

function decoded(chunks: number[], enc: number, mint: number, maxt: number, skipStale: boolean): { status: number } | { t: Float64Array; v: Float64Array } {
  try {
    const d = decodeList(chunks, enc, mint, maxt, skipStale);
    return { t: d.timestamps, v: d.values };
  } catch (e) {
    if (!(e instanceof ChunkError)) throw e;
    return { status: e.code };
  }
}

/** A reduction record's bits, or the status it failed with; a NaN field's payload is the arithmetic's, so any NaN is one. */
function record(f: () => Float64Array): string {
  try {
    return Array.from(f(), (x) => (Number.isNaN(x) ? 'NaN' : bits(x).toString(16))).join(',');
  } catch (e) {
    if (!(e instanceof ChunkError)) throw e;
    return `status ${e.code}`;
  }
}

/** Chunk pointers holding `bytes` (freed by the caller). */
function load(bytes: readonly Uint8Array[], enc: number): number[] {
  return bytes.map((b) => {
    const p = wasm.chunkNew(enc);
    mem().u8.set(b, p);
    return p;
  });
}

describe('the chunk scanner', () => {
  it('decodes every sample of intact varbit chunks as the reference decoder does, bit for bit', () => {
    const r = seededRandom(5);
    let compared = 0;
    for (const s of all()) {
      const chunks = encodeChunks('varbit', s.ts, s.vs);
      const ptrs = load(chunks, ENC_VARBIT);
      try {
        const ref = chunks.map((c) => referenceDecode(c));
        const rt = ref.flatMap((d) => [...d.timestamps]), rv = ref.flatMap((d) => [...d.values].map(bits));
        for (let trial = 0; trial < 4; trial++) {
          const mint = trial === 0 ? -8.64e15 : s.ts[Math.floor(r() * s.ts.length)]!;
          const maxt = trial === 0 ? 8.64e15 : Math.max(mint, s.ts[Math.floor(r() * s.ts.length)]!);
          const skipStale = trial % 2 === 1;
          const want: number[] = [], wantV: bigint[] = [];
          for (let i = 0; i < rt.length; i++) {
            if (rt[i]! < mint || rt[i]! > maxt || (skipStale && rv[i] === bits(STALE_NAN))) continue;
            want.push(rt[i]!);
            wantV.push(rv[i]!);
          }
          const d = decodeList(ptrs, ENC_VARBIT, mint, maxt, skipStale);
          expect(d.timestamps.length).toBe(want.length);
          for (let i = 0; i < want.length; i++) {
            if (d.timestamps[i] !== want[i] || bits(d.values[i]!) !== wantV[i]) {
              expect([i, d.timestamps[i], bits(d.values[i]!)]).toEqual([i, want[i], wantV[i]]);
            }
          }
          compared += want.length;
        }
      } finally {
        for (const p of ptrs) wasm.chunkFree(p);
      }
    }
    expect(compared).toBeGreaterThan(500_000);
  });

  it('returns the same samples and statuses as the decoder before it over intact and damaged chunks of both encodings', () => {
    const r = seededRandom(11);
    const digest = createHash('sha256');
    let failures = 0, cases = 0;
    for (const encoding of ['varbit', 'double-delta'] as ChunkEncoding[]) {
      const enc = encoding === 'varbit' ? ENC_VARBIT : ENC_DOUBLE_DELTA;
      for (const s of all()) {
        const chunks = encodeChunks(encoding, s.ts, s.vs);
        for (let flips = 0; flips <= 6; flips += 3) {
          const bytes = chunks.map((c) => {
            const b = c.slice();
            for (let k = 0; k < flips; k++) b[Math.floor(r() * CHUNK_LEN)]! ^= 1 << Math.floor(r() * 8);
            return b;
          });
          const ptrs = load(bytes, enc);
          try {
            for (let trial = 0; trial < 3; trial++) {
              const mint = trial === 0 ? -8.64e15 : s.ts[Math.floor(r() * s.ts.length)]!;
              const maxt = trial === 0 ? 8.64e15 : s.ts[Math.floor(r() * s.ts.length)]!;
              const got = decoded(ptrs, enc, mint, maxt, trial === 2);
              cases++;
              digest.update(`reduce ${record(() => reduceList(ptrs, enc, mint, maxt))};`);
              digest.update(`windows ${record(() => reduceWindowsList(ptrs, enc, mint, mint + 300_000, 15_000 * (trial + 1), 40))};`);
              if ('status' in got) {
                failures++;
                digest.update(`status ${got.status};`);
              } else {
                digest.update(`n ${got.t.length};`);
                digest.update(new Uint8Array(got.t.buffer, got.t.byteOffset, got.t.byteLength));
                digest.update(new Uint8Array(got.v.buffer, got.v.byteOffset, got.v.byteLength));
              }
            }
          } finally {
            for (const p of ptrs) wasm.chunkFree(p);
          }
        }
      }
    }
    expect(failures).toBeGreaterThan(20);
    expect(cases).toBeGreaterThan(200);
    expect(digest.digest('hex')).toBe('e895f65d8df5a7b7e566f2ec1c6e48d41d6d1730d116e3c60d81747428a13daa');
  });
});
