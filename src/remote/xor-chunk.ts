// Prometheus's XOR chunk encoding (tsdb/chunkenc/xor.go), the only float
// chunk format remote read's STREAMED_XOR_CHUNKS carries. promlet stores
// double-delta and varbit chunks, so remote read transcodes samples into
// these on the way out, and a remote-read client decodes them on the way in.
// The encoder works on 32-bit halves; the decoder (the client side, off
// any hot path) uses BigInt.

/** Prometheus cuts head chunks at 120 samples. */
export const XOR_SAMPLES_PER_CHUNK = 120;

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
const fromBits = (b: bigint): number => {
  u64[0] = b;
  return f64[0]!;
};
const MASK64 = (1n << 64n) - 1n;

class BitWriter {
  private buf = new Uint8Array(256);
  /** Bits written. */
  private n = 0;

  bit(b: number): void {
    const i = this.n >>> 3;
    if (i >= this.buf.length) {
      const nb = new Uint8Array(this.buf.length * 2);
      nb.set(this.buf);
      this.buf = nb;
    }
    if (b) this.buf[i]! |= 0x80 >>> (this.n & 7);
    this.n++;
  }

  /** The low `count` bits of v (up to 32), most significant first, a byte's worth at a time. */
  bits(v: number, count: number): void {
    if (count < 32) v &= (1 << count) - 1;
    while (count > 0) {
      const i = this.n >>> 3;
      if (i >= this.buf.length) {
        const nb = new Uint8Array(this.buf.length * 2);
        nb.set(this.buf);
        this.buf = nb;
      }
      const free = 8 - (this.n & 7);
      const take = count < free ? count : free;
      const chunk = (v >>> (count - take)) & ((1 << take) - 1);
      this.buf[i]! |= chunk << (free - take);
      this.n += take;
      count -= take;
    }
  }

  big(v: bigint, count: number): void {
    if (count > 32) {
      this.bits(Number((v >> 32n) & 0xffffffffn), count - 32);
      this.bits(Number(v & 0xffffffffn), 32);
    } else this.bits(Number(v & 0xffffffffn), count);
  }

  byte(b: number): void {
    this.bits(b, 8);
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, (this.n + 7) >>> 3);
  }
}

class BitReader {
  private n = 0;
  constructor(private readonly buf: Uint8Array, start: number) {
    this.n = start * 8;
  }

  bit(): number {
    const i = this.n >>> 3;
    if (i >= this.buf.length) throw new Error('XOR chunk: unexpected end of data');
    const b = (this.buf[i]! >>> (7 - (this.n & 7))) & 1;
    this.n++;
    return b;
  }

  bits(count: number): number {
    let v = 0;
    for (let k = 0; k < count; k++) v = v * 2 + this.bit();
    return v;
  }

  big(count: number): bigint {
    if (count > 32) {
      const hi = BigInt(this.bits(count - 32));
      return (hi << 32n) | BigInt(this.bits(32));
    }
    return BigInt(this.bits(count));
  }

  byte(): number {
    return this.bits(8);
  }
}

function writeVarint(w: BitWriter, v: bigint, signed: boolean): void {
  // binary.PutVarint zig-zags; PutUvarint writes 7 bits a byte, low first.
  let u = signed ? ((v << 1n) ^ (v < 0n ? MASK64 : 0n)) & MASK64 : v & MASK64;
  while (u >= 0x80n) {
    w.byte(Number(u & 0x7fn) | 0x80);
    u >>= 7n;
  }
  w.byte(Number(u));
}

function readVarint(r: BitReader, signed: boolean): bigint {
  let u = 0n, shift = 0n;
  for (;;) {
    const b = r.byte();
    u |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) break;
    shift += 7n;
    if (shift > 63n) throw new Error('XOR chunk: varint overflows 64 bits');
  }
  if (!signed) return u;
  return u & 1n ? -(u >> 1n) - 1n : u >> 1n;
}

const u32 = new Uint32Array(f64.buffer);

/** Writes the 64-bit word (hi, lo)'s bits from index `top` down to `bottom`, most significant first. */
function writeWordBits(w: BitWriter, hi: number, lo: number, top: number, bottom: number): void {
  if (top >= 32) {
    const b = bottom > 32 ? bottom : 32;
    w.bits(hi >>> (b - 32), top - b + 1);
  }
  if (bottom < 32) {
    const t = top < 31 ? top : 31;
    w.bits(lo >>> bottom, t - bottom + 1);
  }
}

/** The low `count` bits (up to 32) of a small signed integer, two's complement. */
function writeSigned(w: BitWriter, v: number, count: number): void {
  w.bits(count === 32 ? v >>> 0 : (v & ((1 << count) - 1)) >>> 0, count);
}

function writeUvarint(w: BitWriter, n: number): void {
  while (n >= 0x80) {
    w.byte((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  w.byte(n);
}

/**
 * Encodes samples [from, to) as one XOR chunk (at most 65535 samples).
 * Values are handled as two 32-bit halves; BigInt only for the rare
 * timestamp jump that needs the 64-bit bucket.
 */
export function encodeXorChunk(ts: Float64Array, vs: Float64Array, from = 0, to = ts.length): Uint8Array {
  const n = to - from;
  if (n > 0xffff) throw new Error(`XOR chunk: ${n} samples exceed a chunk's 65535`);
  const w = new BitWriter();
  w.bits(n, 16);
  let prevT = 0, tDelta = 0, prevHi = 0, prevLo = 0, leading = 0xff, trailing = 0;
  for (let i = from; i < to; i++) {
    const t = ts[i]!;
    f64[0] = vs[i]!;
    const lo = u32[0]!, hi = u32[1]!;
    const k = i - from;
    if (k === 0) {
      writeUvarint(w, t >= 0 ? 2 * t : -2 * t - 1); // zig-zag, as binary.PutVarint
      w.bits(hi, 32);
      w.bits(lo, 32);
    } else {
      const d = t - prevT;
      if (k === 1) {
        if (d < 0) writeVarint(w, BigInt(d), false);
        else writeUvarint(w, d);
      } else {
        const dod = d - tDelta;
        if (dod === 0) w.bit(0);
        else if (dod >= -8191 && dod <= 8192) { w.bits(0b10, 2); writeSigned(w, dod, 14); }
        else if (dod >= -65535 && dod <= 65536) { w.bits(0b110, 3); writeSigned(w, dod, 17); }
        else if (dod >= -524287 && dod <= 524288) { w.bits(0b1110, 4); writeSigned(w, dod, 20); }
        else { w.bits(0b1111, 4); w.big(BigInt(dod) & MASK64, 64); }
      }
      tDelta = d;
      const dHi = (hi ^ prevHi) >>> 0, dLo = (lo ^ prevLo) >>> 0;
      if (dHi === 0 && dLo === 0) w.bit(0);
      else {
        w.bit(1);
        let lead = dHi !== 0 ? Math.clz32(dHi) : 32 + Math.clz32(dLo);
        const trail = dLo !== 0 ? 31 - Math.clz32(dLo & -dLo) : 32 + 31 - Math.clz32(dHi & -dHi);
        if (lead >= 32) lead = 31;
        if (leading !== 0xff && lead >= leading && trail >= trailing) {
          w.bit(0);
          writeWordBits(w, dHi, dLo, 63 - leading, trailing);
        } else {
          leading = lead;
          trailing = trail;
          w.bit(1);
          w.bits(lead, 5);
          w.bits((64 - lead - trail) & 63, 6);
          writeWordBits(w, dHi, dLo, 63 - lead, trail);
        }
      }
    }
    prevT = t;
    prevHi = hi;
    prevLo = lo;
  }
  return w.bytes();
}

/** Decodes an XOR chunk into timestamps and values (values keep every bit). */
export function decodeXorChunk(data: Uint8Array): { timestamps: Float64Array; values: Float64Array } {
  if (data.length < 2) throw new Error('XOR chunk: shorter than its 2-byte header');
  const n = (data[0]! << 8) | data[1]!;
  const timestamps = new Float64Array(n), values = new Float64Array(n);
  const r = new BitReader(data, 2);
  let t = 0n, tDelta = 0n, v = 0n, leading = 0, trailing = 0;
  for (let k = 0; k < n; k++) {
    if (k === 0) {
      t = readVarint(r, true);
      v = r.big(64);
    } else {
      // The first delta is a uvarint of the int64 difference, as Go's uint64(t - prevT).
      if (k === 1) tDelta = BigInt.asIntN(64, readVarint(r, false));
      else {
        let size = 0;
        for (; size < 4 && r.bit() === 1; size++);
        const width = [0, 14, 17, 20, 64][size]!;
        if (width > 0) {
          let dod = r.big(width);
          if (width < 64 && dod > 1n << BigInt(width - 1)) dod -= 1n << BigInt(width);
          if (width === 64) dod = BigInt.asIntN(64, dod);
          tDelta += dod;
        }
      }
      t += tDelta;
      if (r.bit() === 1) {
        if (r.bit() === 1) {
          leading = r.bits(5);
          let sig = r.bits(6);
          if (sig === 0) sig = 64;
          trailing = 64 - leading - sig;
        }
        const sig = 64 - leading - trailing;
        v ^= r.big(sig) << BigInt(trailing);
      }
    }
    timestamps[k] = Number(t);
    values[k] = fromBits(v);
  }
  return { timestamps, values };
}
