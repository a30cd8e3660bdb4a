import { describe, expect, it } from 'vitest';
import { columnTexts, floatSlots, floatTexts, type StepPrefixTable } from '../../src/wasm/float-text.js';
import { FLOAT_TEXT_MAX } from '../../src/wasm/layout.js';
import { jsonFloat } from '../../src/model/float.js';
import { rng } from '../support/floats.js';

// The core's texts must be byte for byte jsonFloat's (Number::toString and
// toExponential, the reference kept in src/model/float.ts) for every double.

const latin1 = new TextDecoder('latin1');

/** The first value whose text differs, with both texts, or null when every byte agrees. */
function firstDifference(values: Float64Array): { i: number; v: number; want: string; got: string } | null {
  const n = values.length;
  floatSlots(n).set(values);
  const t = floatTexts(n);
  const got = latin1.decode(t.bytes.subarray(t.from, t.from + (n > 0 ? t.ends[n - 1]! : 0)));
  const wants = Array.from(values, jsonFloat);
  const want = wants.join('');
  if (got === want) {
    // Equal concatenations could still hide two texts with their boundary moved.
    let end = 0;
    for (let i = 0; i < n; i++) {
      end += wants[i]!.length;
      if (t.ends[i] !== end) return { i, v: values[i]!, want: wants[i]!, got: `ends at ${t.ends[i]}, not ${end}` };
    }
    return null;
  }
  let from = 0;
  for (let i = 0; i < n; i++) {
    const text = got.slice(from, t.ends[i]);
    if (text !== wants[i]) return { i, v: values[i]!, want: wants[i]!, got: text };
    from = t.ends[i]!;
  }
  return { i: -1, v: NaN, want, got };
}

function expectSame(values: readonly number[] | Float64Array): void {
  const all = Float64Array.from(values);
  // Batches keep each call's buffers small; the signs are flipped too.
  const BATCH = 1 << 16;
  for (let at = 0; at < all.length; at += BATCH) {
    const part = all.subarray(at, at + BATCH);
    expect(firstDifference(part)).toBeNull();
    expect(firstDifference(part.map((v) => -v))).toBeNull();
  }
}

const bits = new DataView(new ArrayBuffer(8));
/** The double `steps` representable values above v (below for negative steps; v ≥ 0). */
function ulps(v: number, steps: number): number {
  bits.setFloat64(0, v);
  bits.setBigUint64(0, bits.getBigUint64(0) + BigInt(steps));
  return bits.getFloat64(0);
}

/** v and its neighbours up to k ulps either side (positive, finite ones). */
function around(v: number, k = 2): number[] {
  const out = [v];
  for (let s = 1; s <= k; s++) {
    out.push(ulps(v, s));
    if (v > 0) out.push(ulps(v, -s));
  }
  return out.filter((x) => Number.isFinite(x) && x >= 0);
}

function randomU32(r: () => number): number {
  return Math.floor(r() * 4294967296) >>> 0;
}

describe('float texts (WASM) against jsonFloat', () => {
  it('special values, signs and zeros', () => {
    const nans: number[] = [];
    for (const hi of [0x7ff80000, 0xfff80000, 0x7ff00000, 0xfff00000]) {
      for (const lo of [0, 1, 2, 0xffffffff]) {
        const dv = new DataView(new ArrayBuffer(8));
        dv.setUint32(0, hi === 0x7ff00000 || hi === 0xfff00000 ? hi : hi | 0x7ffff, false);
        dv.setUint32(4, lo, false);
        nans.push(dv.getFloat64(0));
      }
    }
    expectSame([0, -0, NaN, Infinity, -Infinity, ...nans, 1, -1, 0.5, 2, 10, 100]);
    expect(firstDifference(Float64Array.of(-0))).toBeNull();
  });

  it('known boundary cases of the shortest form', () => {
    expectSame([
      5e-324, 1e-323, 2.2250738585072014e-308, 2.225073858507201e-308, 1.7976931348623157e308,
      9007199254740993, 9007199254740992, 9007199254740991, 2 ** 53 + 2, 2 ** 54, 2 ** 64, 0.1 + 0.2, 0.1, 0.2, 0.3,
      1 / 3, 2 / 3, Math.PI, Math.E, 123456789012345680, 1e21, 1e-6, 1e-7, 999999999999999900000, 5e-7, 4.35, 0.000001,
      2.5, 1.5, 0.05, 1e23, 8.41e21, 5.764607523034235e39, 9.007199254740993e15, 1.0e22, 299792458, 4.9406564584124654e-324,
      ...around(1e-6, 4), ...around(1e21, 4), ...around(1e-5, 2), ...around(1e20, 2),
    ]);
  });

  it('every power of two and its neighbours', () => {
    const xs: number[] = [];
    for (let e = -1074; e <= 1023; e++) xs.push(...around(2 ** e, 3));
    expectSame(xs);
  });

  it('every power of ten, decimal exponent and its neighbours', () => {
    const xs: number[] = [];
    for (let e = -324; e <= 308; e++) {
      for (const m of ['1', '9.999999999999999', '9.9999999999999999', '1.7976931348623157', '2.2250738585072014', '5', '4.9406564584124654', '1.5', '123456789', '1.0000000000000002', '3.0000000000000004']) {
        const v = Number(`${m}e${e}`);
        if (Number.isFinite(v) && v > 0) xs.push(...around(v, 2));
      }
    }
    expectSame(xs);
  });

  it('subnormals: the smallest, the largest and random ones', () => {
    const xs: number[] = [];
    for (let k = 1; k <= 20000; k++) xs.push(k * 5e-324);
    const r = rng(11);
    const dv = new DataView(new ArrayBuffer(8));
    for (let k = 0; k < 200000; k++) {
      dv.setUint32(0, randomU32(r) & 0xfffff);
      dv.setUint32(4, randomU32(r));
      xs.push(dv.getFloat64(0));
    }
    xs.push(ulps(2.2250738585072014e-308, -1), ulps(2.2250738585072014e-308, -2));
    expectSame(xs);
  });

  it('integers up to 2^53 and beyond, and multiples of powers of ten', () => {
    const xs: number[] = [];
    for (let k = 0; k <= 100000; k++) xs.push(k);
    const r = rng(12);
    for (let k = 0; k < 200000; k++) {
      xs.push(Math.floor(r() * 2 ** 53));
      xs.push(Math.floor(r() * 2 ** 53) * 2 ** Math.floor(r() * 30));
      xs.push(Math.floor(r() * 1e6) * 10 ** Math.floor(r() * 25));
      xs.push(Math.floor(r() * 1e6) / 10 ** Math.floor(r() * 25));
    }
    expectSame(xs);
  });

  it('two million random bit patterns (seeded)', () => {
    const r = rng(13);
    const n = 2_000_000;
    const u = new Uint32Array(n * 2);
    for (let i = 0; i < u.length; i++) u[i] = randomU32(r);
    expectSame(new Float64Array(u.buffer));
  });

  it('two million random doubles with exponents around the plain-digit range', () => {
    const r = rng(14);
    const n = 2_000_000;
    const dv = new DataView(new ArrayBuffer(n * 8));
    for (let i = 0; i < n; i++) {
      // Biased exponents 990 … 1100: about 1e-10 … 1e23.
      const e = 990 + Math.floor(r() * 111);
      dv.setUint32(i * 8, (e << 20) | (randomU32(r) & 0xfffff));
      dv.setUint32(i * 8 + 4, randomU32(r));
    }
    const xs = new Float64Array(n);
    for (let i = 0; i < n; i++) xs[i] = dv.getFloat64(i * 8);
    expectSame(xs);
  });

  it('short decimals (ties and trailing zeros) at many scales', () => {
    const r = rng(15);
    const xs: number[] = [];
    for (let k = 0; k < 300000; k++) {
      const digits = 1 + Math.floor(r() * 17);
      const mant = Math.floor(r() * 10 ** digits);
      xs.push(Number(`${mant}e${Math.floor(r() * 660) - 340}`));
    }
    expectSame(xs.filter((x) => Number.isFinite(x)));
  });

  it('repeats within a batch keep each value its own text', () => {
    expectSame([1, 1, 1, -0, 0, 0, -0, NaN, NaN, 0.1, 0.1, 1e-7, 1e-7, Infinity, Infinity, -Infinity, 2]);
  });

  it('no text is longer than FLOAT_TEXT_MAX', () => {
    const longest = [-0.0000012345678901234567, -1.2345678901234567e-100, -1.2345678901234567e100, -123456789012345680000];
    for (const v of longest) expect(jsonFloat(v).length).toBeLessThanOrEqual(FLOAT_TEXT_MAX);
    expect(jsonFloat(-0.0000012345678901234567).length).toBe(FLOAT_TEXT_MAX);
    expectSame(longest);
  });
});

describe('a step column\'s values array (WASM) against jsonFloat', () => {
  /** The array's inside as the answer writer wrote it with jsonFloat: `[t,"v"]` per present step, comma-joined. */
  function reference(values: Float64Array, present: Uint8Array, prefixes: string[]): string {
    const parts: string[] = [];
    for (let k = 0; k < present.length; k++) if (present[k] === 1) parts.push(`${prefixes[k]}${jsonFloat(values[k]!)}"]`);
    return parts.join(',');
  }

  function table(texts: string[]): StepPrefixTable {
    const bytes = new Uint8Array(texts.reduce((n, t) => n + t.length, 0)), offsets = new Uint32Array(texts.length + 1);
    let p = 0;
    texts.forEach((t, i) => {
      offsets[i] = p;
      for (let j = 0; j < t.length; j++) bytes[p++] = t.charCodeAt(j);
    });
    offsets[texts.length] = p;
    return { bytes, offsets };
  }

  it('random columns with gaps, repeats, -0 beside 0 and NaN, over grids used in turn', () => {
    const r = rng(21);
    const grids = [1, 2, 3].map((g) => {
      const steps = 1 + Math.floor(r() * 3000) * g;
      const texts = Array.from({ length: steps }, (_, k) => `[${(1767225600000 + k * 15_000 * g + g) / 1000},"`);
      return { steps, texts, prefixes: table(texts) };
    });
    const dv = new DataView(new ArrayBuffer(8));
    const pick = (): number => {
      const c = r();
      if (c < 0.05) return [0, -0, NaN, Infinity, -Infinity, 1e-7, 1e21][Math.floor(r() * 7)]!;
      if (c < 0.3) return Math.round(r() * 1e4) / 100;
      dv.setUint32(0, randomU32(r));
      dv.setUint32(4, randomU32(r));
      return c < 0.6 ? dv.getFloat64(0) : r() * 10 ** Math.floor(r() * 30 - 10);
    };
    for (let round = 0; round < 60; round++) {
      const { steps, texts, prefixes } = grids[round % grids.length]!;
      const values = new Float64Array(steps), present = new Uint8Array(steps);
      const density = r();
      let last = pick();
      for (let k = 0; k < steps; k++) {
        if (r() < 0.3) last = pick();
        values[k] = r() < 0.5 ? last : pick();
        // Absent steps hold leftovers, which must not be written.
        present[k] = r() < density ? 1 : 0;
      }
      const t = columnTexts(values, present, prefixes);
      const got = latin1.decode(t.bytes.subarray(t.from, t.to));
      const want = reference(values, present, texts);
      if (got !== want) {
        const at = [...want].findIndex((ch, i) => got[i] !== ch);
        expect(got.slice(Math.max(0, at - 60), at + 60)).toBe(want.slice(Math.max(0, at - 60), at + 60));
      }
      expect(got.length).toBe(want.length);
    }
  });

  it('an empty column and a column with no step present write nothing', () => {
    const p = table(['[1,"', '[2,"']);
    const none = columnTexts(Float64Array.of(1, 2), Uint8Array.of(0, 0), p);
    expect(none.to - none.from).toBe(0);
    const empty = columnTexts(new Float64Array(0), new Uint8Array(0), table([]));
    expect(empty.to - empty.from).toBe(0);
  });
});
