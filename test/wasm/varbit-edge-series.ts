// Series that drive the varbit decoder through each of its cases: every
// time code (runs of 1 to 128 repeats, the 6, 17 and 23-bit changes at
// their bounds, a delta that closes the chunk), every value encoding (zero,
// integer double-delta at each width's bounds, XOR with the same value, the
// stored window and a new one, at 0 and 31 leading zeros and 1 and 64
// significant bits, direct), NaN payloads, stale markers, ±Inf, -0 and
// subnormals, one, two and three-sample chunks, and payloads ending at each
// bit offset modulo 64.

import { seededRandom } from '../../src/model/seeded-random.js';
import { STALE_NAN } from '../../src/model/stale.js';

export interface EdgeSeries {
  name: string;
  ts: number[];
  vs: Float64Array;
}

const fromBits = (hi: number, lo: number) => new Float64Array(Uint32Array.of(lo >>> 0, hi >>> 0).buffer)[0]!;

/** Timestamps from t0 by the given deltas, cycled. */
function stepped(n: number, deltas: readonly number[], t0 = 1_700_000_000_000): number[] {
  const ts: number[] = [];
  for (let i = 0, t = t0; i < n; i++, t += deltas[i % deltas.length]!) ts.push(t);
  return ts;
}

/** Timestamps whose second differences are the given ones, cycled, from a 15 s interval. */
function ddStepped(n: number, dds: readonly number[], t0 = 1_700_000_000_000): number[] {
  const ts: number[] = [];
  let dt = 15_000, t = t0;
  for (let i = 0; i < n; i++) {
    ts.push(t);
    if (i > 0) dt += dds[i % dds.length]!;
    if (dt < 1) dt = 1;
    t += dt;
  }
  return ts;
}

export function edgeSeries(): EdgeSeries[] {
  const out: EdgeSeries[] = [];
  const r = seededRandom(2024);
  const add = (name: string, ts: number[], f: (i: number) => number) => out.push({ name, ts, vs: Float64Array.from(ts, (_, i) => f(i)) });
  const grid = (n: number) => stepped(n, [15_000]);
  const jitter = (n: number, ms: number) => grid(n).map((t) => t + Math.floor(r() * ms));

  // Chunk sizes: one, two, three samples, and a little more.
  for (const n of [1, 2, 3, 4, 5]) {
    add(`zero ${n}`, jitter(n, 3000), () => 7);
    add(`int ${n}`, jitter(n, 3000), (i) => i * 3);
    add(`xor ${n}`, jitter(n, 3000), (i) => i * 0.1);
  }
  // Time codes: each second difference at and past each code's bounds, and runs of every length up to 128 and past.
  const dds = [0, 1, -1, 31, -32, 32, -33, 65535, -65536, 65536, -65537, 4194303, -4194304];
  for (const enc of ['zero', 'int', 'xor'] as const) {
    const f = enc === 'zero' ? () => 1 : enc === 'int' ? (i: number) => i : (i: number) => i / 7;
    add(`time codes ${enc}`, ddStepped(4000, dds), f);
    const runs: number[] = [];
    for (let len = 1; len <= 130; len++) for (let k = 0; k < len; k++) runs.push(k === len - 1 ? 7 : 0);
    add(`runs ${enc}`, ddStepped(runs.length, runs), f);
    add(`big delta ${enc}`, stepped(600, [15_000, 15_000, 2 ** 24 - 1, 15_000, 2 ** 24, 15_000, 2 ** 30]), f);
  }
  // Integer steps: ΔΔv at each width's bounds.
  const ddv = [0, 31, -32, 32, -33, 4095, -4096, 4096, -4097, 524287, -524288, 524288, -524289, 2 ** 32 - 1, -(2 ** 32), 2 ** 32, -(2 ** 32) - 1];
  {
    let v = 0, d = 0;
    const vs: number[] = [];
    for (let i = 0; i < 6000; i++) {
      vs.push(v);
      d += ddv[i % ddv.length]!;
      v += d;
    }
    add('int widths', jitter(6000, 5000), (i) => vs[i]!);
  }
  // XOR: same value, the stored window, new windows at the extremes of leading zeros and significant bits.
  add('xor same', grid(3000), (i) => (i % 5 === 0 ? 0.5 + i : 0.5 + i - (i % 5)));
  add('xor stored window', jitter(3000, 5000), (i) => 1000.5 + (i % 2) * 0.25);
  add('xor sign flips (0 leading zeros)', grid(3000), (i) => (i % 2 ? -1 : 1) * (1 + i / 1024));
  add('xor low bits (31 leading zeros, 1 significant bit)', grid(3000), (i) => fromBits(0x40000000, i % 2));
  add('xor 64 significant bits', grid(3000), (i) => (i % 2 ? fromBits(0x80000000, 1) : 0));
  add('xor every window', grid(8000), (i) => {
    const lead = i % 32, sig = 1 + ((i * 7) % (64 - lead));
    const x = (1n << BigInt(sig - 1)) << BigInt(64 - lead - sig);
    return new Float64Array(BigUint64Array.of(x | 1n << BigInt(64 - lead - sig)).buffer)[0]!;
  });
  add('xor random bits', jitter(4000, 5000), () => fromBits(Math.floor(r() * 2 ** 32), Math.floor(r() * 2 ** 32)));
  // Direct: the first two XORs need more than 100 significant bits.
  add('direct', grid(2000), (i) => fromBits(Math.floor(r() * 2 ** 32) | 0x80000000, Math.floor(r() * 2 ** 32) | 1) * (i % 3 ? 1 : -1));
  // Special values.
  const specials = [NaN, STALE_NAN, Infinity, -Infinity, 0, -0, 5e-324, -5e-324, 2.2250738585072009e-308, fromBits(0x7ff80000, 1), fromBits(0xfff00000, 7)];
  add('specials', jitter(4000, 5000), (i) => specials[i % specials.length]!);
  add('stale runs', jitter(4000, 5000), (i) => (Math.floor(i / 50) % 2 ? STALE_NAN : i));
  add('all stale', jitter(3000, 5000), () => STALE_NAN);
  add('stale constant, regular', grid(20_000), () => STALE_NAN);
  add('int with stale', jitter(3000, 5000), (i) => (i % 97 === 5 ? STALE_NAN : i * 2));
  add('int regular', grid(3000), (i) => i * 5 + (i % 3));
  // Payload ends: series of every length up to 200 of each kind, so that chunks end at every bit offset.
  for (let n = 6; n <= 200; n++) {
    add(`len ${n} int`, jitter(n, 5000), (i) => i * (1 + (n % 5)));
    add(`len ${n} xor`, jitter(n, 5000), (i) => Math.sqrt(i + n));
    add(`len ${n} zero`, jitter(n, 40), () => n);
  }
  return out;
}

/** The codec functions the digest below calls: this build's, or another build's to take its digest. */
export interface CodecApi {
  encodeChunks(encoding: 'varbit', ts: ArrayLike<number>, vs: ArrayLike<number>): Uint8Array[];
  decodeList(chunks: ArrayLike<number>, enc: number, mint: number, maxt: number, skipStale: boolean): { timestamps: Float64Array; values: Float64Array };
  reduceList(chunks: ArrayLike<number>, enc: number, mint: number, maxt: number): Float64Array;
  reduceWindowsList(chunks: ArrayLike<number>, enc: number, firstMin: number, firstMax: number, step: number, steps: number): Float64Array;
  chunkNew(enc: number): number;
  chunkFree(c: number): void;
  u8(): Uint8Array;
  /** The status a thrown error carries, or undefined for any other error. */
  statusOf(e: unknown): number | undefined;
}

const ENC_VARBIT = 2;

/**
 * A digest of what decodeList, reduceList and reduceWindowsList return
 * (samples' bits, records, statuses) over the edge series' chunks intact
 * and with 1 to 8 bits flipped, over the whole range, cut ranges, and a
 * range holding one chunk exactly, stale markers skipped and not; and with
 * headers whose times pass 2^63, over ranges to +Infinity.
 */
export function edgeDigest(api: CodecApi, update: (s: string | Uint8Array) => void): { cases: number; failures: number } {
  const r = seededRandom(77);
  let cases = 0, failures = 0;
  const status = (f: () => void): boolean => {
    try {
      f();
      return true;
    } catch (e) {
      const s = api.statusOf(e);
      if (s === undefined) throw e;
      update(`status ${s};`);
      failures++;
      return false;
    }
  };
  const bitsOf = (a: Float64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  for (const s of edgeSeries()) {
    const chunks = api.encodeChunks('varbit', s.ts, s.vs);
    // Damaged chunks, headers whose times run past 2^63 (the decoder's times wrap around), and an open
    // chunk's last run of repeated deltas made longer than its samples, with damage past the payload (the
    // decoder reads on into it).
    for (const flips of [0, 1, 2, 8, -1, -2]) {
      const ptrs = chunks.map((c) => {
        const b = c.slice();
        const at = (b[1015]! << 8) | b[1016]!;
        if (flips === -2 && at > 0 && b[35]! < 0x80) {
          for (let k = 0; k < 7; k++) b[(at + k) >> 3]! |= 0x80 >> ((at + k) & 7);
          const len = (b[36]! << 8) | b[37]!;
          for (let i = (len >> 3) + 1; i < 1015; i++) b[i] = Math.floor(r() * 256);
        }
        for (let k = 0; k < flips; k++) b[Math.floor(r() * b.length)]! ^= 1 << Math.floor(r() * 8);
        if (flips < 0) {
          b.set([0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0, 0x00], 0);
          b.set([0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 16);
        }
        const p = api.chunkNew(ENC_VARBIT);
        api.u8().set(b, p);
        return p;
      });
      try {
        const first = s.ts[0]!, last = s.ts[s.ts.length - 1]!;
        const pick = () => s.ts[Math.floor(r() * s.ts.length)]!;
        const ranges: [number, number][] = flips === -2
          ? [[-8.64e15, last + 60 * (s.ts[1] ?? first + 1) - 60 * first], [first, last + 300_000], [pick(), last + 900_000]]
          : flips < 0
          ? [[-Infinity, Infinity], [0, Infinity], [first, Infinity]]
          : [[-8.64e15, 8.64e15], [first, last], [pick(), pick()], [pick(), 8.64e15], [-8.64e15, pick()]];
        for (const [mint, maxt] of ranges) {
          for (const skipStale of [false, true]) {
            cases++;
            update(`${s.name} ${flips} ${mint} ${maxt} ${skipStale};`);
            status(() => {
              const d = api.decodeList(ptrs, ENC_VARBIT, mint, maxt, skipStale);
              update(`n ${d.timestamps.length};`);
              update(bitsOf(d.timestamps));
              update(bitsOf(d.values));
            });
          }
          // A NaN field's payload is the arithmetic's, so any NaN is one.
          const record = (a: Float64Array) => update(Array.from(a, (x) => (Number.isNaN(x) ? 'NaN' : String(x) + (Object.is(x, -0) ? '-' : ''))).join(','));
          status(() => record(api.reduceList(ptrs, ENC_VARBIT, mint, maxt)));
          status(() => record(api.reduceWindowsList(ptrs, ENC_VARBIT, mint, mint + 300_000, 15_000, 20)));
        }
      } finally {
        for (const p of ptrs) api.chunkFree(p);
      }
    }
  }
  return { cases, failures };
}

/**
 * The open chunk of a regular integer series with its last run of repeated
 * deltas made 128 long and random bytes after its payload: the decoder
 * reads on past the payload for the run's samples, whose values come from
 * those bytes, until a time passes maxt.
 */
export function overrunChunk(): { bytes: Uint8Array; maxt: number } {
  const s = edgeSeries().find((x) => x.name === 'int regular')!;
  const chunks = encodeChunksForOverrun(s);
  const b = chunks[chunks.length - 1]!.slice();
  const at = (b[1015]! << 8) | b[1016]!;
  const len = (b[36]! << 8) | b[37]!;
  for (let k = 0; k < 7; k++) b[(at + k) >> 3]! |= 0x80 >> ((at + k) & 7);
  const r = seededRandom(5);
  for (let i = (len >> 3) + 1; i < 1015; i++) b[i] = Math.floor(r() * 256);
  return { bytes: b, maxt: s.ts[s.ts.length - 1]! + 900_000 };
}

let encodeChunksForOverrun: (s: EdgeSeries) => Uint8Array[] = () => [];
/** The encoder overrunChunk uses (the test's build). */
export function setOverrunEncoder(f: (s: EdgeSeries) => Uint8Array[]): void {
  encodeChunksForOverrun = f;
}
