// The varbit decoder held to every sample's bits on series built to reach
// each of its cases (varbit-edge-series.ts): against the plain-TypeScript
// reference decoder on intact chunks, and against a digest of what the
// decoder before the reversed-stream loops (commit fdaf6ec) returned over
// intact and damaged chunks, so that a changed timestamp, value bit
// pattern, count or status fails. Whole and cut ranges take the loops for
// whole chunks (cut afterwards); damaged chunks the general one.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ChunkError, decodeList, encodeChunks, reduceList, reduceWindowsList } from '../../src/wasm/codec.js';
import { mem, wasm } from '../../src/wasm/loader.js';
import { ENC_VARBIT } from '../../src/wasm/layout.js';
import { STALE_NAN } from '../../src/model/stale.js';
import { seededRandom } from '../../src/model/seeded-random.js';
import { decodeVarbit as referenceDecode } from '../../bench/reference/varbit.js';
import { edgeDigest, edgeSeries, overrunChunk, setOverrunEncoder } from './varbit-edge-series.js';

const bits = (v: number) => new BigUint64Array(Float64Array.of(v).buffer)[0]!;
const STALE = bits(STALE_NAN);

describe('the varbit decoder at its edges', () => {
  it('covers every value encoding, closed chunks and payload ends at each bit offset modulo 64', () => {
    const ends = new Set<number>(), encodings = new Set<number>();
    let closed = 0;
    for (const s of edgeSeries()) {
      for (const c of encodeChunks('varbit', s.ts, s.vs)) {
        const len = (c[36]! << 8) | c[37]!;
        if (c[35]! > 0x7f) closed++;
        if (len >= 304) {
          ends.add(len % 64);
          encodings.add(c[35]! & 3);
        }
      }
    }
    expect(ends.size).toBe(64);
    expect([...encodings].sort()).toEqual([0, 1, 2, 3]);
    expect(closed).toBeGreaterThan(100);
  });

  it('decodes every sample as the reference decoder does, bit for bit, over whole, exact and cut ranges', () => {
    const r = seededRandom(31);
    let compared = 0;
    for (const s of edgeSeries()) {
      const chunks = encodeChunks('varbit', s.ts, s.vs);
      const ptrs = chunks.map((b) => {
        const p = wasm.chunkNew(ENC_VARBIT);
        mem().u8.set(b, p);
        return p;
      });
      try {
        const ref = chunks.map((c) => referenceDecode(c));
        const rt = ref.flatMap((d) => [...d.timestamps]), rv = ref.flatMap((d) => [...d.values].map(bits));
        const pick = () => s.ts[Math.floor(r() * s.ts.length)]!;
        const ranges: [number, number][] = [[-8.64e15, 8.64e15], [s.ts[0]!, s.ts[s.ts.length - 1]!], [pick(), pick()], [pick(), 8.64e15]];
        for (const [mint, maxt] of ranges) {
          for (const skipStale of [false, true]) {
            const wantT: number[] = [], wantV: bigint[] = [];
            for (let i = 0; i < rt.length; i++) {
              if (rt[i]! < mint || rt[i]! > maxt || (skipStale && rv[i] === STALE)) continue;
              wantT.push(rt[i]!);
              wantV.push(rv[i]!);
            }
            const d = decodeList(ptrs, ENC_VARBIT, mint, maxt, skipStale);
            expect(d.timestamps.length, `${s.name} [${mint}, ${maxt}] ${skipStale}`).toBe(wantT.length);
            for (let i = 0; i < wantT.length; i++) {
              if (!Object.is(d.timestamps[i], wantT[i]) || bits(d.values[i]!) !== wantV[i]) {
                expect([s.name, i, d.timestamps[i], bits(d.values[i]!)]).toEqual([s.name, i, wantT[i], wantV[i]]);
              }
            }
            compared += wantT.length;
          }
        }
      } finally {
        for (const p of ptrs) wasm.chunkFree(p);
      }
    }
    expect(compared).toBeGreaterThan(400_000);
  });

  it('returns the same samples, records and statuses as the decoder before it over intact and damaged chunks', () => {
    const h = createHash('sha256');
    const got = edgeDigest({
      encodeChunks, decodeList, reduceList, reduceWindowsList,
      chunkNew: (e) => wasm.chunkNew(e),
      chunkFree: (c) => wasm.chunkFree(c),
      u8: () => mem().u8,
      statusOf: (e) => (e instanceof ChunkError ? e.code : undefined),
    }, (s) => h.update(s));
    expect(got.failures).toBeGreaterThan(1000);
    expect(got.cases).toBeGreaterThan(30_000);
    expect(h.digest('hex')).toBe('9431dd99370ca7d0773e03cd682f3dd39a6b393fa429298d2af9c343e533c7c0');
  });

  it('reads on past the payload inside a lengthened run as the decoder before it did, whatever was decoded before', () => {
    // A full chunk decoded first leaves its bytes wherever the decoder keeps a chunk's copy.
    const ts = Array.from({ length: 3000 }, (_, i) => 1e12 + i * 15_000);
    const full = encodeChunks('varbit', ts, Float64Array.from(ts, (_, i) => Math.sin(i)));
    const fp = wasm.chunkNew(ENC_VARBIT);
    mem().u8.set(full[0]!, fp);
    setOverrunEncoder((s) => encodeChunks('varbit', s.ts, s.vs));
    const { bytes, maxt } = overrunChunk();
    const p = wasm.chunkNew(ENC_VARBIT);
    mem().u8.set(bytes, p);
    try {
      decodeList([fp], ENC_VARBIT, -8.64e15, 8.64e15, false);
      const d = decodeList([p], ENC_VARBIT, -8.64e15, maxt, false);
      const h = createHash('sha256').update(new Uint8Array(d.timestamps.buffer)).update(new Uint8Array(d.values.buffer)).digest('hex');
      expect([d.timestamps.length, h]).toEqual([336, 'ac5a8366db8a03a981285b3b23893a03bb449db63cdc79ba424f349677388e29']);
    } finally {
      wasm.chunkFree(fp);
      wasm.chunkFree(p);
    }
  });
  it('cuts a range ending between times past 2^53 as the general loop does', () => {
    // Times 2^53 … 2^53 + 7 are not all doubles: 2^53 + 5 rounds to 2^53 + 4, inside [.., 2^53 + 4].
    const [chunk] = encodeChunks('varbit', [0, 1, 2, 3, 4, 5, 6, 7], [0, 1, 2, 3, 4, 5, 6, 7]);
    const b = Uint8Array.from(chunk!);
    const dv = new DataView(b.buffer);
    dv.setBigInt64(0, 2n ** 53n);
    dv.setBigInt64(16, 2n ** 53n + 7n);
    const p = wasm.chunkNew(ENC_VARBIT);
    mem().u8.set(b, p);
    try {
      const d = decodeList([p], ENC_VARBIT, -8.64e15, 2 ** 53 + 4, false);
      expect([...d.values]).toEqual([0, 1, 2, 3, 4]);
    } finally {
      wasm.chunkFree(p);
    }
  });
});
