// 64-bit helpers for the plain-TypeScript reference codecs: a float64's bit
// pattern as two u32 halves (JavaScript has no native u64 other than BigInt).

const f = new Float64Array(1);
const u = new Uint32Array(f.buffer);
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE ? 1 : 0;
const LO = LITTLE ? 0 : 1;

export function hiOf(v: number): number {
  f[0] = v;
  return u[HI]!;
}

export function loOf(v: number): number {
  f[0] = v;
  return u[LO]!;
}

export function fromWords(hi: number, lo: number): number {
  u[HI] = hi >>> 0;
  u[LO] = lo >>> 0;
  return f[0]!;
}

export function sameBits(a: number, b: number): boolean {
  f[0] = a;
  const ah = u[HI], al = u[LO];
  f[0] = b;
  return ah === u[HI] && al === u[LO];
}

export function ctz32(x: number): number {
  return x === 0 ? 32 : 31 - Math.clz32(x & -x);
}

/** Leading zeros of a 64-bit (hi, lo). */
export function clz64(hi: number, lo: number): number {
  return hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(lo);
}

export function ctz64(hi: number, lo: number): number {
  return lo !== 0 ? ctz32(lo) : 32 + ctz32(hi);
}

export function isInt32(v: number): boolean {
  return v >= -2147483648 && v <= 2147483647 && Math.floor(v) === v;
}

export function isInt64(v: number): boolean {
  return v >= -9223372036854775808 && v < 9223372036854775808 && Math.floor(v) === v;
}

/** Bit reader/writer over a chunk, MSB first (varbit's order). */
export class BitBuf {
  constructor(readonly b: Uint8Array) {}

  /** Reads n <= 32 bits at pos as an unsigned number. */
  read(pos: number, n: number): number {
    let r = 0;
    let byte = pos >>> 3;
    let off = pos & 7;
    while (n > 0) {
      const avail = 8 - off;
      const take = n < avail ? n : avail;
      r = r * (1 << take) + ((this.b[byte]! >>> (avail - take)) & ((1 << take) - 1));
      n -= take;
      byte++;
      off = 0;
    }
    return r;
  }

  /** ORs the low n <= 32 bits of x in at pos; returns pos + n. */
  or(pos: number, x: number, n: number): number {
    let byte = pos >>> 3;
    let free = 8 - (pos & 7);
    let left = n;
    while (left > 0) {
      if (left <= free) {
        this.b[byte]! |= (x << (free - left)) & 0xff;
        break;
      }
      this.b[byte]! |= (x >>> (left - free)) & 0xff;
      left -= free;
      free = 8;
      byte++;
    }
    return pos + n;
  }

  clear(pos: number, n: number): void {
    for (let i = 0; i < n; i++, pos++) this.b[pos >>> 3]! &= ~(0x80 >>> (pos & 7));
  }
}

/** int64 little-endian field as a number (exact within ±2^53). */
export function getI64LE(dv: DataView, o: number): number {
  return dv.getInt32(o + 4, true) * 4294967296 + dv.getUint32(o, true);
}

export function setI64LE(dv: DataView, o: number, x: number): void {
  const hi = Math.floor(x / 4294967296);
  dv.setUint32(o, x - hi * 4294967296, true);
  dv.setInt32(o + 4, hi, true);
}

export function getI64BE(dv: DataView, o: number): number {
  return dv.getInt32(o, false) * 4294967296 + dv.getUint32(o + 4, false);
}

export function setI64BE(dv: DataView, o: number, x: number): void {
  const hi = Math.floor(x / 4294967296);
  dv.setInt32(o, hi, false);
  dv.setUint32(o + 4, x - hi * 4294967296, false);
}
