// decodeRange hands the host the samples of scan.ts's varbit decoder;
// reduceRange folds them chunk by chunk. Over intact and damaged chunks of
// every varbit value encoding the two must see the same samples and fail
// the same way.

import { describe, expect, it } from 'vitest';
import { ChunkError, decodeList, encodeChunks, reduceList } from '../../src/wasm/codec.js';
import { mem, wasm } from '../../src/wasm/loader.js';
import { CHUNK_LEN, ENC_VARBIT, R_COUNT, R_FIRST_T, R_FIRST_V, R_LAST_T, R_LAST_V, R_SUM } from '../../src/wasm/layout.js';
import { STALE_NAN } from '../../src/model/stale.js';
import { seededRandom } from '../../src/model/seeded-random.js';

const bitsOf = (v: number) => new BigUint64Array(Float64Array.of(v).buffer)[0]!;
/** A sum's bits; a NaN sum's payload is the arithmetic's (JS here, WebAssembly there), so any NaN is one. */
const sumOf = (v: number) => (Number.isNaN(v) ? -1n : bitsOf(v));

/** Samples whose chunks take the zero, integer, XOR and direct value encodings, with staleness markers. */
function series(seed: number): { ts: number[]; vs: Float64Array } {
  const r = seededRandom(seed);
  const n = 1 + Math.floor(r() * 400);
  const ts: number[] = [], vs = new Float64Array(n);
  let t = 1_700_000_000_000, v = Math.floor(r() * 100);
  const shape = seed % 5;
  for (let i = 0; i < n; i++) {
    t += r() < 0.05 ? Math.floor(r() * 20_000_000) + 1 : 15_000 + (shape === 1 ? Math.floor(r() * 3000) : 0);
    ts.push(t);
    if (shape === 0) vs[i] = v;
    else if (shape === 1) vs[i] = v += Math.floor(r() * 1000) - 200;
    else if (shape === 2) vs[i] = Math.sin(i / 10) * 1e3;
    else if (shape === 3) vs[i] = new Float64Array(Uint32Array.of(Math.floor(r() * 2 ** 32), Math.floor(r() * 2 ** 32)).buffer)[0]!;
    else vs[i] = r() < 0.1 ? STALE_NAN : v++;
  }
  return { ts, vs };
}

type Outcome = { status: number } | { count: number; sum: bigint; first: [number, bigint]; last: [number, bigint] };

function decoded(p: number, mint: number, maxt: number): Outcome {
  try {
    const d = decodeList([p], ENC_VARBIT, mint, maxt, true);
    const n = d.timestamps.length;
    if (n === 0) return { count: 0, sum: 0n, first: [0, 0n], last: [0, 0n] };
    // The sum as ReduceSink adds it: Kahan-Neumaier in time order.
    let sum = 0, comp = 0;
    for (const v of d.values) {
      const s = sum + v;
      if (!Number.isFinite(s) && !Number.isNaN(s)) comp = 0;
      else if (Math.abs(sum) >= Math.abs(v)) comp += (sum - s) + v;
      else comp += (v - s) + sum;
      sum = s;
    }
    return { count: n, sum: sumOf(sum), first: [d.timestamps[0]!, bitsOf(d.values[0]!)], last: [d.timestamps[n - 1]!, bitsOf(d.values[n - 1]!)] };
  } catch (e) {
    if (!(e instanceof ChunkError)) throw e;
    return { status: e.code };
  }
}

function reduced(p: number, mint: number, maxt: number): Outcome {
  try {
    const r = reduceList([p], ENC_VARBIT, mint, maxt);
    const count = r[R_COUNT]!;
    if (count === 0) return { count: 0, sum: 0n, first: [0, 0n], last: [0, 0n] };
    return { count, sum: sumOf(r[R_SUM]!), first: [r[R_FIRST_T]!, bitsOf(r[R_FIRST_V]!)], last: [r[R_LAST_T]!, bitsOf(r[R_LAST_V]!)] };
  } catch (e) {
    if (!(e instanceof ChunkError)) throw e;
    return { status: e.code };
  }
}

describe('varbit decoding', () => {
  it('agrees with the shared scan over intact and damaged chunks', () => {
    const p = wasm.chunkNew(ENC_VARBIT);
    const r = seededRandom(7);
    let damagedFailures = 0, compared = 0;
    try {
      for (let seed = 0; seed < 400; seed++) {
        const { ts, vs } = series(seed);
        for (const chunk of encodeChunks('varbit', ts, vs)) {
          for (let flips = 0; flips <= 6; flips += 2) {
            const bytes = chunk.slice();
            for (let k = 0; k < flips; k++) bytes[Math.floor(r() * CHUNK_LEN)]! ^= 1 << Math.floor(r() * 8);
            mem().u8.set(bytes, p);
            const mint = r() < 0.5 ? -8.64e15 : ts[Math.floor(r() * ts.length)]!;
            const maxt = r() < 0.5 ? 8.64e15 : ts[Math.floor(r() * ts.length)]!;
            const want = reduced(p, mint, maxt);
            expect(decoded(p, mint, maxt)).toEqual(want);
            compared++;
            if (flips > 0 && 'status' in want) damagedFailures++;
          }
        }
      }
    } finally {
      wasm.chunkFree(p);
    }
    // Damage was found often enough for the failure paths to be compared too.
    expect(damagedFailures).toBeGreaterThan(50);
    expect(compared).toBeGreaterThan(2000);
  });
});
