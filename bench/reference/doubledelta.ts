// Plain-TypeScript double-delta codec: the benchmark baseline and the
// differential-test oracle for assembly/doubledelta.ts. Same rules, no WASM.

import { getI64LE, setI64LE, isInt64, sameBits } from './bits64.js';

const CHUNK_LEN = 1024;
const TB = 2, VB = 3, IS_INT = 4, BASE_T = 5, BASE_V = 13, BASE_DT = 21, BASE_DV = 29, HEADER = 37;

class DDChunk {
  readonly b = new Uint8Array(CHUNK_LEN);
  readonly dv = new DataView(this.b.buffer);
  constructor(tb: number, vb: number, isInt: boolean) {
    this.b[TB] = tb;
    this.b[VB] = vb;
    this.b[IS_INT] = vb < 8 && isInt ? 1 : 0;
    this.used = IS_INT + 1;
  }
  get used(): number { return this.dv.getUint16(0, true); }
  set used(n: number) { this.dv.setUint16(0, n, true); }
  get tb(): number { return this.b[TB]!; }
  get vb(): number { return this.b[VB]!; }
  get isInt(): boolean { return this.b[IS_INT] === 1; }
  len(): number {
    const u = this.used;
    if (u <= IS_INT + 1) return 0;
    if (u <= BASE_V + 8) return 1;
    return (u - HEADER) / (this.tb + this.vb) + 2;
  }
}

function bytesSignedT(d: number): number {
  if (d > 2147483647 || d < -2147483648) return 8;
  if (d > 32767 || d < -32768) return 4;
  if (d > 127 || d < -128) return 2;
  return 1;
}

function bytesIntV(d: number): number {
  if (d < -2147483648 || d > 2147483647) return 8;
  if (d < -32768 || d > 32767) return 4;
  if (d < -128 || d > 127) return 2;
  return d !== 0 ? 1 : 0;
}

interface View {
  b: Uint8Array;
  dv: DataView;
}

function view(b: Uint8Array): View {
  return { b, dv: new DataView(b.buffer, b.byteOffset, b.byteLength) };
}

function ddTimeAt(c: View, i: number): number {
  const { b, dv } = c;
  const tb = b[TB]!, vb = b[VB]!;
  const baseT = getI64LE(dv, BASE_T);
  if (i === 0) return baseT;
  const bdt = getI64LE(dv, BASE_DT);
  if (i === 1) return tb === 8 ? bdt : baseT + bdt;
  const o = HEADER + (i - 2) * (tb + vb);
  if (tb === 8) return getI64LE(dv, o);
  const dd = tb === 1 ? dv.getInt8(o) : tb === 2 ? dv.getInt16(o, true) : dv.getInt32(o, true);
  return baseT + i * bdt + dd;
}

function ddValueAt(c: View, i: number): number {
  const { b, dv } = c;
  const tb = b[TB]!, vb = b[VB]!;
  const baseV = dv.getFloat64(BASE_V, true);
  if (i === 0) return baseV;
  const bdv = dv.getFloat64(BASE_DV, true);
  if (i === 1) return vb === 8 ? bdv : baseV + bdv;
  const o = HEADER + (i - 2) * (tb + vb) + tb;
  if (vb === 8) return dv.getFloat64(o, true);
  const proj = baseV + i * bdv;
  if (b[IS_INT] === 1) {
    if (vb === 0) return proj;
    return proj + (vb === 1 ? dv.getInt8(o) : vb === 2 ? dv.getInt16(o, true) : dv.getInt32(o, true));
  }
  return proj + dv.getFloat32(o, true);
}

export function ddLen(b: Uint8Array): number {
  const used = b[0]! | (b[1]! << 8);
  if (used <= IS_INT + 1) return 0;
  if (used <= BASE_V + 8) return 1;
  return (used - HEADER) / (b[TB]! + b[VB]!) + 2;
}

/** Encodes a series into chunks, cutting and transcoding as Prometheus 1.x does. */
export function encodeDoubleDelta(ts: ArrayLike<number>, vs: ArrayLike<number>): Uint8Array[] {
  const out: DDChunk[] = [new DDChunk(1, 0, true)];
  for (let i = 0; i < ts.length; i++) add(out, ts[i]!, vs[i]!);
  return out.map((c) => c.b);
}

function add(out: DDChunk[], t: number, v: number): void {
  const c = out[out.length - 1]!;
  const n = c.len();
  const dv = c.dv;
  if (n === 0) {
    setI64LE(dv, BASE_T, t);
    dv.setFloat64(BASE_V, v, true);
    c.used = BASE_V + 8;
    return;
  }
  if (n === 1) {
    const dt = t - getI64LE(dv, BASE_T);
    c.used = HEADER;
    if (c.tb >= 8 || dt > 0xffffffff) {
      c.b[TB] = 8;
      setI64LE(dv, BASE_DT, t);
    } else {
      setI64LE(dv, BASE_DT, dt);
    }
    const bv = dv.getFloat64(BASE_V, true);
    const d = v - bv;
    // A NaN delta is never stored: the payload NaN arithmetic yields is the engine's choice, not the format's.
    if (c.vb >= 8 || Number.isNaN(d) || !sameBits(bv + d, v)) {
      c.b[VB] = 8;
      c.b[IS_INT] = 0;
      dv.setFloat64(BASE_DV, v, true);
    } else {
      dv.setFloat64(BASE_DV, d, true);
    }
    return;
  }
  const tb = c.tb, vb = c.vb, isInt = c.isInt, used = c.used;
  if (CHUNK_LEN - used < tb + vb) return overflow(out, t, v);
  const ddt = t - (getI64LE(dv, BASE_T) + n * getI64LE(dv, BASE_DT));
  const projV = dv.getFloat64(BASE_V, true) + n * dv.getFloat64(BASE_DV, true);
  const ddv = v - projV;
  let ntb = tb, nvb = vb, nInt = isInt;
  if (isInt && !(isInt64(ddv) && sameBits(projV + ddv, v))) {
    nvb = 4;
    nInt = false;
  } else if (!isInt && vb === 4 && (Number.isNaN(ddv) || !sameBits(projV + Math.fround(ddv), v))) {
    nvb = 8;
  } else {
    if (tb < 8) ntb = Math.max(tb, bytesSignedT(ddt));
    if (isInt && vb < 8) nvb = Math.max(vb, bytesIntV(ddv));
  }
  if (ntb !== tb || nvb !== vb || nInt !== isInt) {
    if (used * 2 < CHUNK_LEN) {
      const old = out.pop()!;
      out.push(new DDChunk(ntb, nvb, nInt));
      for (let i = 0; i < n; i++) add(out, ddTimeAt(old, i), ddValueAt(old, i));
      add(out, t, v);
      return;
    }
    return overflow(out, t, v);
  }
  c.used = used + tb + vb;
  if (tb === 1) dv.setInt8(used, ddt);
  else if (tb === 2) dv.setInt16(used, ddt, true);
  else if (tb === 4) dv.setInt32(used, ddt, true);
  else setI64LE(dv, used, t);
  const q = used + tb;
  if (isInt) {
    if (vb === 1) dv.setInt8(q, ddv);
    else if (vb === 2) dv.setInt16(q, ddv, true);
    else if (vb === 4) dv.setInt32(q, ddv, true);
  } else if (vb === 4) {
    dv.setFloat32(q, ddv, true);
  } else {
    dv.setFloat64(q, v, true);
  }
}

function overflow(out: DDChunk[], t: number, v: number): void {
  out.push(new DDChunk(1, 0, true));
  add(out, t, v);
}

/** Decodes every sample of a double-delta chunk. */
export function decodeDoubleDelta(b: Uint8Array): { timestamps: Float64Array; values: Float64Array } {
  const n = ddLen(b);
  const v = view(b);
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    timestamps[i] = ddTimeAt(v, i);
    values[i] = ddValueAt(v, i);
  }
  return { timestamps, values };
}
