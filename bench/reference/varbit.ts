// Plain-TypeScript varbit codec: the benchmark baseline and the
// differential-test oracle for assembly/varbit.ts. Same rules, no WASM;
// 64-bit patterns are handled as two u32 halves.

import {
  BitBuf, hiOf, loOf, fromWords, sameBits, clz64, ctz64, isInt32, getI64BE, setI64BE,
} from './bits64.js';

const CHUNK_LEN = 1024;
const FIRST_T = 0, FIRST_V = 8, LAST_T = 16, LAST_V = 24, FIRST_DT = 32, FLAGS = 35, NEXT = 36, FIRST_DV = 38;
const COUNT_OFFSET = CHUNK_LEN - 9, LAST_DT = CHUNK_LEN - 7, LAST_DV = CHUNK_LEN - 4;
const LAST_LEAD = CHUNK_LEN - 4, LAST_SIG = CHUNK_LEN - 3;
const SECOND = 1, THIRD = FIRST_DV * 8, THRESHOLD = COUNT_OFFSET * 8;
const MAX_DT = 0xffffff;
const ZERO = 0, INT = 1, XOR = 2, DIRECT = 3;
const WORST = [27, 27 + 38, 27 + 13 + 64, 27 + 64];


class VChunk {
  readonly b = new Uint8Array(CHUNK_LEN);
  readonly dv = new DataView(this.b.buffer);
  readonly bits = new BitBuf(this.b);
  constructor(enc: number) {
    this.b[FLAGS] = enc;
  }
  get next(): number { return this.dv.getUint16(NEXT, false); }
  set next(o: number) { this.dv.setUint16(NEXT, o, false); }
  get enc(): number { return this.b[FLAGS]! & 3; }
  set enc(e: number) { this.b[FLAGS] = (this.b[FLAGS]! & ~3) | e; }
  get closed(): boolean { return this.b[FLAGS]! > 0x7f; }
  get24(o: number): number { return (this.b[o]! << 16) | (this.b[o + 1]! << 8) | this.b[o + 2]!; }
  set24(o: number, x: number): void { this.b[o] = x >>> 16; this.b[o + 1] = x >>> 8; this.b[o + 2] = x; }
  setLast(t: number, v: number): void {
    setI64BE(this.dv, LAST_T, t);
    this.dv.setFloat64(LAST_V, v, false);
  }
  close(t: number, v: number): void {
    this.setLast(t, v);
    this.b[FLAGS]! |= 0x80;
  }
  zero(o: number): number {
    if (o >= THRESHOLD) this.bits.clear(o, 1);
    return o + 1;
  }
  ones(o: number, n: number): number {
    return this.bits.or(o, (1 << n) - 1, n);
  }
  pattern(o: number, x: number, n: number): number {
    const end = o + n;
    if (end > THRESHOLD) {
      const from = Math.max(o, THRESHOLD);
      this.bits.clear(from, end - from);
    }
    return this.bits.or(o, x, n);
  }
  /** Writes a 64-bit (hi, lo) value's low n bits. */
  pattern64(o: number, hi: number, lo: number, n: number): number {
    if (n > 32) {
      o = this.pattern(o, hi & (n === 64 ? 0xffffffff : (1 << (n - 32)) - 1) >>> 0, n - 32);
      return this.pattern(o, lo >>> 0, 32);
    }
    return this.pattern(o, (n === 32 ? lo : lo & ((1 << n) - 1)) >>> 0, n);
  }
  signed(o: number, i: number, n: number): number {
    const u = i < 0 ? i + 2 ** n : i;
    if (n > 32) return this.pattern64(o, Math.floor(u / 4294967296), u % 4294967296, n);
    return this.pattern(o, u, n);
  }
}

function fits(i: number, n: number): boolean {
  const upper = 2 ** (n - 1);
  return i < upper && i >= -upper;
}

function leadSig(hi: number, lo: number): [number, number] {
  if (hi === 0 && lo === 0) return [0, 0];
  let lead = clz64(hi, lo);
  if (lead > 31) lead = 31;
  return [lead, 64 - lead - ctz64(hi, lo)];
}

/** (hi, lo) >>> k for 0 <= k < 64. */
function shr64(hi: number, lo: number, k: number): [number, number] {
  if (k === 0) return [hi >>> 0, lo >>> 0];
  if (k >= 32) return [0, hi >>> (k - 32)];
  return [hi >>> k, ((lo >>> k) | (hi << (32 - k))) >>> 0];
}

function addXor(c: VChunk, o: number, prev: number, v: number): number {
  const hi = (hiOf(prev) ^ hiOf(v)) >>> 0;
  const lo = (loOf(prev) ^ loOf(v)) >>> 0;
  if (hi === 0 && lo === 0) return c.zero(o);
  const lastLead = c.b[LAST_LEAD]!, lastSig = c.b[LAST_SIG]!;
  const [lead, sig] = leadSig(hi, lo);
  if (lead >= lastLead && lead + sig <= lastLead + lastSig && lastSig - sig < 10) {
    o = c.zero(c.ones(o, 1));
    const [h, l] = shr64(hi, lo, 64 - lastLead - lastSig);
    return c.pattern64(o, h, l, lastSig);
  }
  c.b[LAST_LEAD] = lead;
  c.b[LAST_SIG] = sig;
  o = c.ones(o, 2);
  o = c.pattern(o, lead, 5);
  o = c.pattern(o, sig - 1, 6);
  const [h, l] = shr64(hi, lo, 64 - lead - sig);
  return c.pattern64(o, h, l, sig);
}

function intStepExact(prev: number, v: number): boolean {
  const d = v - prev;
  return isInt32(d) && sameBits(prev + d, v);
}

function prepThird(c: VChunk, v1: number, v2: number): number {
  let o = THIRD;
  const v0 = c.dv.getFloat64(FIRST_V, false);
  const preset = c.enc;
  const sig1 = leadSig((hiOf(v0) ^ hiOf(v1)) >>> 0, (loOf(v0) ^ loOf(v1)) >>> 0)[1];
  const sig2 = leadSig((hiOf(v1) ^ hiOf(v2)) >>> 0, (loOf(v1) ^ loOf(v2)) >>> 0)[1];
  let enc: number;
  if (preset === ZERO && sameBits(v1, v0) && sameBits(v1, v2)) {
    enc = ZERO;
  } else if (preset <= INT && intStepExact(v0, v1)) {
    enc = INT;
    c.dv.setInt32(FIRST_DV, v1 - v0, false);
    c.dv.setInt32(LAST_DV, v1 - v0, false);
    o += 32;
  } else if (preset === DIRECT || sig1 + sig2 > 100) {
    enc = DIRECT;
    c.dv.setFloat64(FIRST_DV, v1, false);
    o += 64;
  } else {
    enc = XOR;
    o = addXor(c, o, v0, v1);
  }
  c.enc = enc;
  c.next = o;
  return o;
}

function add(out: VChunk[], t: number, v: number): void {
  const c = out[out.length - 1]!;
  let o = c.next;
  if (c.closed) return overflow(out, t, v);
  if (o > THRESHOLD) return c.close(t, v);
  const dv = c.dv;
  if (o === 0) {
    setI64BE(dv, FIRST_T, t);
    dv.setFloat64(FIRST_V, v, false);
    c.setLast(t, v);
    c.next = SECOND;
    return;
  }
  if (o === SECOND) {
    const dt = t - getI64BE(dv, FIRST_T);
    if (dt > MAX_DT) return c.close(t, v);
    c.set24(FIRST_DT, dt);
    c.set24(LAST_DT, dt);
    c.setLast(t, v);
    c.next = THIRD;
    return;
  }
  const lastT = getI64BE(dv, LAST_T);
  const lastDT = c.get24(LAST_DT);
  const dt = t - lastT;
  const lastV = dv.getFloat64(LAST_V, false);
  if (o === THIRD) o = prepThird(c, lastV, v);
  const enc = c.enc;
  if (dt > MAX_DT) return c.close(t, v);
  if (o + WORST[enc]! > CHUNK_LEN * 8) return c.close(t, v);
  if (enc === ZERO && !sameBits(v, lastV)) {
    if (o > CHUNK_LEN * 4) return overflow(out, t, v);
    return transcode(out, isInt32(v - lastV) ? INT : XOR, t, v);
  }
  if (enc === INT && !intStepExact(lastV, v)) {
    if (o > CHUNK_LEN * 4) return overflow(out, t, v);
    return transcode(out, XOR, t, v);
  }
  const ddt = dt - lastDT;
  if (!fits(ddt, 23)) return c.close(t, v);
  c.set24(LAST_DT, dt);
  let at = dv.getUint16(COUNT_OFFSET, false);
  let count = at === 0 ? 0 : c.bits.read(at, 7) + 1;
  if (ddt === 0) {
    if (count === 0 || count === 128) {
      o = c.zero(o);
      at = o;
      o += 7;
      count = 0;
    }
    count++;
    if (count === 1) {
      if (at + 7 <= THRESHOLD) dv.setUint16(COUNT_OFFSET, at, false);
    } else {
      c.bits.clear(at, 7);
    }
    c.pattern(at, count - 1, 7);
  } else {
    if (at !== 0) dv.setUint16(COUNT_OFFSET, 0, false);
    if (fits(ddt, 6)) o = c.signed(c.zero(c.ones(o, 1)), ddt, 6);
    else if (fits(ddt, 17)) o = c.signed(c.zero(c.ones(o, 2)), ddt, 17);
    else o = c.signed(c.ones(o, 3), ddt, 23);
  }
  if (enc === INT) {
    const delta = v - lastV;
    const dd = delta - dv.getInt32(LAST_DV, false);
    dv.setInt32(LAST_DV, delta, false);
    if (dd === 0) o = c.zero(o);
    else if (fits(dd, 6)) o = c.signed(c.zero(c.ones(o, 1)), dd, 6);
    else if (fits(dd, 13)) o = c.signed(c.zero(c.ones(o, 2)), dd, 13);
    else if (fits(dd, 20)) o = c.signed(c.zero(c.ones(o, 3)), dd, 20);
    else o = c.signed(c.ones(o, 4), dd, 33);
  } else if (enc === XOR) {
    o = addXor(c, o, lastV, v);
  } else if (enc === DIRECT) {
    o = c.pattern64(o, hiOf(v), loOf(v), 64);
  }
  c.next = o;
  c.setLast(t, v);
}

function overflow(out: VChunk[], t: number, v: number): void {
  out.push(new VChunk(ZERO));
  add(out, t, v);
}

function transcode(out: VChunk[], preset: number, t: number, v: number): void {
  const old = out.pop()!;
  out.push(new VChunk(preset));
  const { timestamps, values } = decodeVarbit(old.b);
  for (let i = 0; i < timestamps.length; i++) add(out, timestamps[i]!, values[i]!);
  add(out, t, v);
}

/** Encodes a series into chunks, cutting and transcoding as Prometheus 1.x does. */
export function encodeVarbit(ts: ArrayLike<number>, vs: ArrayLike<number>): Uint8Array[] {
  const out = [new VChunk(ZERO)];
  for (let i = 0; i < ts.length; i++) add(out, ts[i]!, vs[i]!);
  return out.map((c) => c.b);
}

/** Decodes every sample of a varbit chunk. */
export function decodeVarbit(b: Uint8Array): { timestamps: Float64Array; values: Float64Array } {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const bits = new BitBuf(b);
  const len = dv.getUint16(NEXT, false);
  const enc = b[FLAGS]! & 3;
  const closed = b[FLAGS]! > 0x7f;
  // Typed arrays, not number[]: V8's double arrays quiet signaling NaNs.
  let ts = new Float64Array(1024);
  let vs = new Float64Array(1024);
  let count = 0;
  const push = (t: number, v: number) => {
    if (count === ts.length) {
      const nt = new Float64Array(count * 2);
      const nv = new Float64Array(count * 2);
      nt.set(ts);
      nv.set(vs);
      ts = nt;
      vs = nv;
    }
    ts[count] = t;
    vs[count] = v;
    count++;
  };
  if (len === 0) return { timestamps: new Float64Array(0), values: new Float64Array(0) };
  let t = getI64BE(dv, FIRST_T);
  let v = dv.getFloat64(FIRST_V, false);
  push(t, v);
  const finish = () => {
    if (closed) push(getI64BE(dv, LAST_T), dv.getFloat64(LAST_V, false));
    return { timestamps: ts.slice(0, count), values: vs.slice(0, count) };
  };
  if (len === SECOND) return finish();
  if (len === THIRD && !closed) {
    push(getI64BE(dv, LAST_T), dv.getFloat64(LAST_V, false));
    return finish();
  }
  let dt = (b[FIRST_DT]! << 16) | (b[FIRST_DT + 1]! << 8) | b[FIRST_DT + 2]!;
  t += dt;
  let pos: number;
  let dvInt = 0;
  let lead = 0, sig = 1;
  const control = (max: number): number => {
    let n = 0;
    while (n < max) {
      const bit = bits.read(pos++, 1);
      if (bit === 0) return n;
      n++;
    }
    return n;
  };
  const readSigned = (n: number): number => {
    const u = n > 32 ? bits.read(pos, n - 32) * 4294967296 + bits.read(pos + n - 32, 32) : bits.read(pos, n);
    pos += n;
    return u >= 2 ** (n - 1) ? u - 2 ** n : u;
  };
  const readXor = (): void => {
    const k = control(2);
    if (k === 0) return;
    if (k === 2) {
      lead = bits.read(pos, 5);
      sig = bits.read(pos + 5, 6) + 1;
      pos += 11;
    }
    // The significant bits, placed at 64 - lead - sig from the right.
    const shift = 64 - lead - sig;
    let hi = 0, lo = 0;
    const hiBits = sig > 32 ? sig - 32 : 0;
    const top = hiBits > 0 ? bits.read(pos, hiBits) : 0;
    const bottom = bits.read(pos + hiBits, sig - hiBits);
    pos += sig;
    // (top:bottom) << shift, as 64-bit.
    if (shift >= 32) {
      hi = (bottom << (shift - 32)) >>> 0;
    } else if (shift === 0) {
      hi = top >>> 0;
      lo = bottom >>> 0;
    } else {
      hi = ((top << shift) | (bottom >>> (32 - shift))) >>> 0;
      lo = (bottom << shift) >>> 0;
    }
    v = fromWords(hiOf(v) ^ hi, loOf(v) ^ lo);
  };
  if (enc === ZERO) {
    pos = THIRD;
  } else if (enc === INT) {
    dvInt = dv.getInt32(FIRST_DV, false);
    v += dvInt;
    pos = THIRD + 32;
  } else if (enc === XOR) {
    pos = THIRD;
    readXor();
  } else {
    v = dv.getFloat64(FIRST_DV, false);
    pos = THIRD + 64;
  }
  push(t, v);
  let rep = 0;
  while (pos < len || rep > 0) {
    if (rep > 0) {
      rep--;
    } else {
      const k = control(3);
      if (k === 0) {
        rep = bits.read(pos, 7);
        pos += 7;
      } else {
        dt += readSigned(k === 1 ? 6 : k === 2 ? 17 : 23);
      }
    }
    t += dt;
    if (enc === INT) {
      const k = control(4);
      if (k > 0) dvInt += readSigned(k === 1 ? 6 : k === 2 ? 13 : k === 3 ? 20 : 33);
      v += dvInt;
    } else if (enc === XOR) {
      readXor();
    } else if (enc === DIRECT) {
      v = fromWords(bits.read(pos, 32), bits.read(pos + 32, 32));
      pos += 64;
    }
    push(t, v);
  }
  return finish();
}
