import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeChunks, decodeChunk, ChunkError, type ChunkEncoding } from '../../src/wasm/codec.js';
import { encodeVarbit, decodeVarbit } from '../../bench/reference/varbit.js';
import { encodeDoubleDelta, decodeDoubleDelta } from '../../bench/reference/doubledelta.js';
import { bitsOf, firstMismatch, floatsFromBits, concatFloats, STALE_BITS, rng } from '../support/floats.js';

const ENCODINGS: ChunkEncoding[] = ['varbit', 'double-delta'];
const REFERENCE = {
  varbit: { encode: encodeVarbit, decode: decodeVarbit },
  'double-delta': { encode: encodeDoubleDelta, decode: decodeDoubleDelta },
} as const;

function roundTrip(enc: ChunkEncoding, ts: number[], vs: Float64Array): { chunks: Uint8Array[]; mismatch: number } {
  const chunks = encodeChunks(enc, ts, vs);
  const gotT: Float64Array[] = [];
  const gotV: Float64Array[] = [];
  for (const c of chunks) {
    expect(c.length).toBe(1024);
    const d = decodeChunk(c);
    gotT.push(d.timestamps);
    gotV.push(d.values);
  }
  return { chunks, mismatch: firstMismatch(ts, vs, concatFloats(gotT), concatFloats(gotV)) };
}

const floats = (xs: readonly number[]) => floatsFromBits(xs.map(bitsOf));

function hex(bytes: Uint8Array, from: number, to: number): string {
  return Buffer.from(bytes.subarray(from, to)).toString('hex');
}

describe('chunk layout goldens (FORMAT.md)', () => {
  // Three samples 1 s apart with values 1, 2, 3: every field is known by hand.
  const ts = [1000, 2000, 3000];
  const vs = [1, 2, 3];

  it('double-delta: 37-byte header, one 1-byte time field, no value bytes', () => {
    const [c] = encodeChunks('double-delta', ts, vs);
    expect(hex(c!, 0, 5)).toBe('2600' + '01' + '00' + '01'); // used=38 LE, tb=1, vb=0, isInt
    expect(hex(c!, 5, 13)).toBe('e803000000000000'); // base time 1000 LE
    expect(hex(c!, 13, 21)).toBe('000000000000f03f'); // base value 1.0 LE
    expect(hex(c!, 21, 29)).toBe('e803000000000000'); // base Δt 1000
    expect(hex(c!, 29, 37)).toBe('000000000000f03f'); // base Δv 1.0
    expect(hex(c!, 37, 38)).toBe('00'); // sample 2 lies on the line
    expect(c!.subarray(38).every((b) => b === 0)).toBe(true);
  });

  // NaN arithmetic may return any NaN payload (the engine's and the JIT tier's choice), so the
  // reconstruction check alone made the encoding differ between WASM and the TypeScript reference.
  it('double-delta: a NaN deviation takes float64 (v itself), never float32 or a NaN base Δv', () => {
    const nan = floatsFromBits([0xffffffffffffffffn, 0xffffffffffffffffn, 0xffffffffffffffffn]);
    const t = [1, 2147483646, 2147498646];
    const [c] = encodeChunks('double-delta', t, nan);
    expect(hex(c!, 0, 5)).toBe('3100' + '04' + '08' + '00'); // used=49, tb=4, vb=8, float mode
    expect(hex(c!, 29, 37)).toBe('ffffffffffffffff'); // second value stored as itself
    expect(hex(c!, 0, 1024)).toBe(hex(encodeDoubleDelta(t, nan)[0]!, 0, 1024));
    expect(roundTrip('double-delta', t, nan).mismatch).toBe(-1);
    // A NaN after a float32-mode line: the third sample widens the values to float64.
    const mixed = floatsFromBits([bitsOf(0.5), bitsOf(1.25), 0x7ff4000000000001n]);
    const [m] = encodeChunks('double-delta', [1000, 2000, 3000], mixed);
    expect(hex(m!, 2, 5)).toBe('0108' + '00');
    expect(hex(m!, 0, 1024)).toBe(hex(encodeDoubleDelta([1000, 2000, 3000], mixed)[0]!, 0, 1024));
  });

  it('varbit: big-endian header, integer double-delta values, ΔΔt=0 run counter in the footer', () => {
    const [c] = encodeChunks('varbit', ts, vs);
    expect(hex(c!, 0, 8)).toBe('00000000000003e8'); // first time
    expect(hex(c!, 8, 16)).toBe('3ff0000000000000'); // first value 1.0
    expect(hex(c!, 16, 24)).toBe('0000000000000bb8'); // last time 3000
    expect(hex(c!, 24, 32)).toBe('4008000000000000'); // last value 3.0
    expect(hex(c!, 32, 35)).toBe('0003e8'); // first Δt
    expect(hex(c!, 35, 36)).toBe('01'); // flags: value encoding 1, open
    expect(hex(c!, 36, 38)).toBe('0159'); // next bit offset 345 = 336 + '0' + 7-bit counter + '0'
    expect(hex(c!, 38, 42)).toBe('00000001'); // first Δv
    expect(c!.subarray(42, 1015).every((b) => b === 0)).toBe(true); // ΔΔt=0 (count 1) and ΔΔv=0 are zero bits
    expect(hex(c!, 1015, 1017)).toBe('0151'); // counter at bit 337
    expect(hex(c!, 1017, 1020)).toBe('0003e8'); // last Δt
    expect(hex(c!, 1020, 1024)).toBe('00000001'); // last Δv
  });

  it('varbit: a 129th regular sample starts a second ΔΔt=0 counter', () => {
    const n = 2 + 129;
    const t = Array.from({ length: n }, (_, i) => i * 15000);
    const [c] = encodeChunks('varbit', t, t.map(() => 7));
    // Zero encoding: payload holds only counters: '0'+127 (128 repeats) then '0'+0.
    expect(c![35]).toBe(0);
    expect(hex(c!, 36, 38)).toBe((304 + 16).toString(16).padStart(4, '0'));
    expect(c![38]).toBe(0x7f);
    expect(c![39]).toBe(0x00);
  });
});

describe('round trip', () => {
  const ts = (n: number, step: number, t0 = 1_700_000_000_000) => Array.from({ length: n }, (_, i) => t0 + i * step);

  for (const enc of ENCODINGS) {
    describe(enc, () => {
      it('keeps -0, ±Inf, NaN payloads and the staleness marker bit for bit', () => {
        const special = [0n, 1n << 63n, bitsOf(Infinity), bitsOf(-Infinity), bitsOf(NaN), STALE_BITS, 0xfff8000000000001n, 0x7ff0000000000001n, 0x7fffffffffffffffn, bitsOf(-Number.MAX_VALUE), 1n];
        const vs = floatsFromBits(Array.from({ length: 300 }, (_, i) => special[i % special.length]!));
        const { chunks, mismatch } = roundTrip(enc, ts(300, 15_000), vs);
        expect(mismatch).toBe(-1);
        const back = new BigUint64Array(decodeChunk(chunks[0]!).values.buffer);
        expect(back[5]).toBe(STALE_BITS);
      });

      it('keeps a run of staleness markers, and -0 after 0', () => {
        const vs = floatsFromBits([bitsOf(1), bitsOf(2), STALE_BITS, STALE_BITS, STALE_BITS, 0n, 1n << 63n, 1n << 63n, 0n, bitsOf(3)]);
        expect(roundTrip(enc, ts(vs.length, 15_000), vs).mismatch).toBe(-1);
      });

      it('handles negative and extreme timestamps', () => {
        const t = [-(2 ** 53) + 1, -(2 ** 40), -1, 0, 1, 2 ** 31, 2 ** 40, 2 ** 53 - 2, 2 ** 53 - 1];
        expect(roundTrip(enc, t, floats(t.map((_, i) => i * 1.5))).mismatch).toBe(-1);
      });

      it('cuts chunks at every sample count from 1 to 3000 without losing a sample', () => {
        const r = rng(7);
        const t: number[] = [];
        const v: number[] = [];
        let now = 0;
        for (let i = 0; i < 3000; i++) {
          now += 15_000 + (r() < 0.2 ? Math.floor(r() * 50) - 25 : 0);
          t.push(now);
          v.push(r() < 0.5 ? Math.floor(r() * 1000) : r());
        }
        for (let n = 1; n <= 3000; n += n < 60 ? 1 : 97) {
          expect(roundTrip(enc, t.slice(0, n), floats(v.slice(0, n))).mismatch, `n=${n}`).toBe(-1);
        }
      });

      it('matches the plain-TypeScript reference byte for byte', () => {
        const r = rng(11);
        for (const shape of ['counter', 'gauge', 'constant', 'jitter', 'mixed'] as const) {
          const t: number[] = [];
          const v: number[] = [];
          let now = 1_600_000_000_000;
          let x = 0;
          for (let i = 0; i < 5000; i++) {
            now += shape === 'jitter' ? 1 + Math.floor(r() * 200_000) : 15_000;
            if (shape === 'counter') x += Math.floor(r() * 20);
            else if (shape === 'gauge') x = 50 + r();
            else if (shape === 'constant') x = 1;
            else if (shape === 'mixed') x = i % 7 === 0 ? r() * 1e6 : Math.round(x + r() * 3);
            else x = r() * 100;
            t.push(now);
            v.push(x);
          }
          const ours = encodeChunks(enc, t, v);
          const ref = REFERENCE[enc].encode(t, v);
          expect(ours.length, shape).toBe(ref.length);
          ours.forEach((c, i) => expect(hex(c, 0, 1024), `${shape} chunk ${i}`).toBe(hex(ref[i]!, 0, 1024)));
        }
      });
    });
  }
});

// Random series: increasing timestamps from several delta shapes, values
// from several value shapes, including raw bit patterns (every NaN payload).
const deltaArb = fc.oneof(
  fc.constant(15_000),
  fc.integer({ min: 1, max: 100 }),
  fc.integer({ min: 14_990, max: 15_010 }),
  fc.integer({ min: 1, max: 2 ** 31 }),
  fc.integer({ min: 2 ** 24 - 2, max: 2 ** 24 + 2 }),
  // Jumps around the 32-bit edges of the time fields, and far beyond.
  fc.integer({ min: 2 ** 31 - 2, max: 2 ** 32 + 2 }),
  fc.integer({ min: 1, max: 2 ** 40 }),
);
// Values travel as bit patterns until they land in a Float64Array (see floatsFromBits).
const valueArb = fc.oneof(
  fc.double().map(bitsOf),
  fc.integer().map(bitsOf),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  fc.constantFrom(STALE_BITS, 0x7ff0000000000001n, 0xfff8000000000000n, 1n << 63n),
  fc.constantFrom(0, NaN, Infinity, -Infinity, 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53).map(bitsOf),
);
const seriesArb = fc
  .record({
    start: fc.integer({ min: -(2 ** 50), max: 2 ** 50 }).map((x) => x * 4),
    // Medium sizes, not fast-check's small default: long series transcode and cut chunks.
    deltas: fc.array(deltaArb, { minLength: 0, maxLength: 1500, size: 'medium' }),
    values: fc.array(valueArb, { minLength: 1, maxLength: 64 }),
    runs: fc.integer({ min: 1, max: 200 }),
  })
  .map(({ start, deltas, values, runs }) => {
    const ts: number[] = [];
    const bits: bigint[] = [];
    let t = start;
    for (let i = 0; i < deltas.length; i++) {
      t += deltas[i]!;
      if (!Number.isSafeInteger(t)) break;
      ts.push(t);
      // Long constant runs are a shape of their own (zero encoding, repeat counters).
      bits.push(values[Math.floor(i / runs) % values.length]!);
    }
    return { ts, vs: floatsFromBits(bits) };
  });

describe('property: round trip on random and adversarial series', () => {
  for (const enc of ENCODINGS) {
    it(`${enc}: decode(encode(x)) == x bit for bit, and matches the reference`, () => {
      fc.assert(
        fc.property(seriesArb, ({ ts, vs }) => {
          const { chunks, mismatch } = roundTrip(enc, ts, vs);
          expect(mismatch).toBe(-1);
          const ref = REFERENCE[enc].encode(ts, vs);
          if (ts.length > 0) expect(chunks.map((c) => hex(c, 0, 1024))).toEqual(ref.map((c) => hex(c, 0, 1024)));
        }),
        { numRuns: 150 },
      );
    });
  }
});

describe('bad input and corrupt chunks', () => {
  it('rejects non-increasing, non-integer and unsafe timestamps with the index', () => {
    expect(() => encodeChunks('varbit', [1, 1], [0, 0])).toThrow(/timestamp 1 \(1\) is not after timestamp 0/);
    expect(() => encodeChunks('varbit', [1, 1.5], [0, 0])).toThrow(/timestamp 1 is 1.5/);
    expect(() => encodeChunks('double-delta', [2 ** 53], [0])).toThrow(ChunkError);
    expect(() => encodeChunks('varbit', [1, 2], [0])).toThrow(/2 timestamps but 1 values/);
    expect(() => encodeChunks('gorilla' as ChunkEncoding, [1], [0])).toThrow(/unknown chunk encoding/);
  });

  it('needs an encoding for chunks that do not carry one, and a 1024-byte chunk', () => {
    const [c] = encodeChunks('varbit', [1, 2, 3], [1, 2, 3]);
    expect(() => decodeChunk(new Uint8Array(c!))).toThrow(/carries no encoding/);
    expect(decodeChunk(new Uint8Array(c!), 'varbit').timestamps).toEqual(new Float64Array([1, 2, 3]));
    expect(() => decodeChunk(new Uint8Array(100), 'varbit')).toThrow(/100 bytes/);
  });

  it('random bytes decode to samples or a ChunkError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1024, maxLength: 1024 }), fc.constantFrom<ChunkEncoding>('varbit', 'double-delta'), (bytes, enc) => {
        try {
          const d = decodeChunk(bytes, enc);
          expect(d.timestamps.length).toBe(d.values.length);
        } catch (e) {
          expect(e).toBeInstanceOf(ChunkError);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('flags a double-delta header with impossible widths as corrupt', () => {
    const [c] = encodeChunks('double-delta', [1, 2, 3], [1, 2, 3]);
    const bad = new Uint8Array(c!);
    bad[2] = 3; // time width must be 1, 2, 4 or 8
    expect(() => decodeChunk(bad, 'double-delta')).toThrow(/corrupt chunk/);
  });

  it('flags a varbit next-offset beyond the chunk as corrupt', () => {
    const [c] = encodeChunks('varbit', [1, 2, 3, 4], [1, 2, 5, 9]);
    const bad = new Uint8Array(c!);
    bad[36] = 0xff;
    bad[37] = 0xff;
    expect(() => decodeChunk(bad, 'varbit')).toThrow(/corrupt chunk/);
  });
});

describe('NaN payloads are distinct values', () => {
  it('a quiet NaN and the staleness marker are not merged into one run', () => {
    const bits = [bitsOf(NaN), bitsOf(NaN), STALE_BITS, bitsOf(NaN)];
    for (const enc of ENCODINGS) {
      const d = decodeChunk(encodeChunks(enc, [1, 2, 3, 4], floatsFromBits(bits))[0]!);
      expect([...new BigUint64Array(d.values.buffer)]).toEqual(bits);
    }
  });
});
