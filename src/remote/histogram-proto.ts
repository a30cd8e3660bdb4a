// prometheus.Histogram (prompb/types.proto), the native histogram message of
// remote write 1.0 and remote read, encoded and decoded by hand: integer
// histograms carry delta-encoded counts (count_int, *_deltas), float ones
// absolute counts (count_float, *_counts); which oneof is set says which.
// FloatHistogram keeps absolute counts either way.

import { type CounterResetHint, type FloatHistogram, type Span } from '../model/histogram.js';
import { absoluteCounts, countDeltas } from '../model/histogram-layout.js';
import { ProtoDecodeError } from './write-decoder.js';

export interface TimedHistogram {
  t: number;
  h: FloatHistogram;
}

const WIRE_VARINT = 0, WIRE_FIXED64 = 1, WIRE_BYTES = 2, WIRE_FIXED32 = 5;

class Reader {
  readonly view: DataView;
  constructor(readonly buf: Uint8Array, public pos: number, readonly end: number) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** An unsigned varint as a number (exact below 2^53). */
  uvarint(): number {
    let result = 0, mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtoDecodeError('varint truncated', this.pos);
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    throw new ProtoDecodeError('varint longer than 64 bits', this.pos);
  }

  /** int64 in two's complement, read as 32-bit halves so negatives stay exact. */
  int64(): number {
    let lo = 0, hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtoDecodeError('varint truncated', this.pos);
      const b = this.buf[this.pos++]!;
      const bits = b & 0x7f;
      const shift = 7 * i;
      if (shift < 28) lo |= bits << shift;
      else if (shift === 28) {
        lo |= bits << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (shift - 32);
      if (b < 0x80) return (hi | 0) * 4294967296 + (lo >>> 0);
    }
    throw new ProtoDecodeError('varint longer than 64 bits', this.pos);
  }

  zigzag(): number {
    const v = this.uvarint();
    // v / 2 with the sign in the low bit, without 32-bit operators.
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }

  double(): number {
    if (this.pos + 8 > this.end) throw new ProtoDecodeError('double truncated', this.pos);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  bytesEnd(): number {
    const len = this.uvarint();
    if (this.pos + len > this.end) throw new ProtoDecodeError('field truncated', this.pos);
    return this.pos + len;
  }

  skip(wire: number, at: number): void {
    if (wire === WIRE_VARINT) this.uvarint();
    else if (wire === WIRE_FIXED64) this.pos += 8;
    else if (wire === WIRE_FIXED32) this.pos += 4;
    else if (wire === WIRE_BYTES) this.pos = this.bytesEnd();
    else throw new ProtoDecodeError(`unsupported wire type ${wire}`, at);
    if (this.pos > this.end) throw new ProtoDecodeError('field truncated', at);
  }

  /** A repeated double, packed or not. */
  doubles(wire: number, out: number[]): void {
    if (wire === WIRE_FIXED64) {
      out.push(this.double());
      return;
    }
    const end = this.bytesEnd();
    while (this.pos < end) out.push(this.double());
  }

  /** A repeated sint64, packed or not. */
  zigzags(wire: number, out: number[]): void {
    if (wire === WIRE_VARINT) {
      out.push(this.zigzag());
      return;
    }
    const end = this.bytesEnd();
    while (this.pos < end) out.push(this.zigzag());
  }

  span(): Span {
    const end = this.bytesEnd();
    const s: Span = { offset: 0, length: 0 };
    while (this.pos < end) {
      const at = this.pos;
      const tag = this.uvarint();
      if (tag === 8) s.offset = this.zigzag();
      else if (tag === 16) s.length = this.uvarint();
      else this.skip(tag & 7, at);
    }
    return s;
  }
}

/** Decodes one Histogram message from buf[start, end). */
export function decodeHistogram(buf: Uint8Array, start: number, end: number): TimedHistogram {
  const r = new Reader(buf, start, end);
  let isFloat = false, countInt = 0, countFloat = 0, zeroInt = 0, zeroFloat = 0, t = 0;
  const h: FloatHistogram = {
    counterResetHint: 0, schema: 0, zeroThreshold: 0, zeroCount: 0, count: 0, sum: 0,
    positiveSpans: [], positiveBuckets: [], negativeSpans: [], negativeBuckets: [],
  };
  const posDeltas: number[] = [], negDeltas: number[] = [], posCounts: number[] = [], negCounts: number[] = [], custom: number[] = [];
  while (r.pos < end) {
    const at = r.pos;
    const tag = r.uvarint();
    const field = Math.floor(tag / 8), wire = tag & 7;
    switch (field) {
      case 1: countInt = r.uvarint(); isFloat = false; break;
      case 2: countFloat = r.double(); isFloat = true; break;
      case 3: h.sum = r.double(); break;
      case 4: h.schema = r.zigzag(); break;
      case 5: h.zeroThreshold = r.double(); break;
      case 6: zeroInt = r.uvarint(); break;
      case 7: zeroFloat = r.double(); break;
      case 8: h.negativeSpans.push(r.span()); break;
      case 9: r.zigzags(wire, negDeltas); break;
      case 10: r.doubles(wire, negCounts); break;
      case 11: h.positiveSpans.push(r.span()); break;
      case 12: r.zigzags(wire, posDeltas); break;
      case 13: r.doubles(wire, posCounts); break;
      case 14: h.counterResetHint = r.uvarint() as CounterResetHint; break;
      case 15: t = r.int64(); break;
      case 16: r.doubles(wire, custom); break;
      default: r.skip(wire, at);
    }
  }
  if (r.pos !== end) throw new ProtoDecodeError('Histogram overruns its length', end);
  if (h.counterResetHint > 3) throw new ProtoDecodeError(`Histogram.reset_hint ${h.counterResetHint} unknown`, start);
  if (isFloat) {
    h.count = countFloat;
    h.zeroCount = zeroFloat;
    h.positiveBuckets = posCounts;
    h.negativeBuckets = negCounts;
  } else {
    h.integer = true;
    h.count = countInt;
    h.zeroCount = zeroInt;
    h.positiveBuckets = absoluteCounts(posDeltas);
    h.negativeBuckets = absoluteCounts(negDeltas);
  }
  if (custom.length > 0) h.customValues = custom;
  return { t, h };
}

/** Appends protobuf fields to a growing byte list. */
class Writer {
  private buf = new Uint8Array(128);
  len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const b = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }

  uvarint(v: number): void {
    this.ensure(10);
    while (v >= 128) {
      this.buf[this.len++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.len++] = v;
  }

  int64(v: number): void {
    if (v >= 0) {
      this.uvarint(v);
      return;
    }
    // Two's complement over 64 bits, written from 32-bit halves: ten bytes.
    let lo = v % 4294967296 >>> 0;
    let hi = Math.floor(v / 4294967296) >>> 0;
    this.ensure(10);
    for (let i = 0; i < 9; i++) {
      this.buf[this.len++] = (lo & 0x7f) | 0x80;
      lo = (lo >>> 7) | ((hi & 0x7f) << 25);
      hi >>>= 7;
    }
    this.buf[this.len++] = lo & 0x01;
  }

  zigzag(v: number): void {
    this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  double(v: number): void {
    this.ensure(8);
    new DataView(this.buf.buffer).setFloat64(this.len, v, true);
    this.len += 8;
  }

  bytes(b: Uint8Array): void {
    this.uvarint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

function spanBytes(s: Span): Uint8Array {
  const w = new Writer();
  if (s.offset !== 0) {
    w.uvarint(8);
    w.zigzag(s.offset);
  }
  if (s.length !== 0) {
    w.uvarint(16);
    w.uvarint(s.length);
  }
  return w.finish();
}

/** Encodes a histogram sample as a Histogram message (h.integer picks the integer form). */
export function encodeHistogram(t: number, h: FloatHistogram): Uint8Array {
  const w = new Writer();
  const packedDoubles = (field: number, vs: number[]) => {
    if (vs.length === 0) return;
    w.uvarint(field * 8 + WIRE_BYTES);
    w.uvarint(vs.length * 8);
    for (const v of vs) w.double(v);
  };
  const packedZigzags = (field: number, vs: number[]) => {
    if (vs.length === 0) return;
    const inner = new Writer();
    for (const v of vs) inner.zigzag(v);
    w.uvarint(field * 8 + WIRE_BYTES);
    w.bytes(inner.finish());
  };
  const spans = (field: number, ss: Span[]) => {
    for (const s of ss) {
      w.uvarint(field * 8 + WIRE_BYTES);
      w.bytes(spanBytes(s));
    }
  };
  if (h.integer) {
    w.uvarint(1 * 8 + WIRE_VARINT);
    w.uvarint(h.count);
  } else {
    w.uvarint(2 * 8 + WIRE_FIXED64);
    w.double(h.count);
  }
  if (h.sum !== 0) {
    w.uvarint(3 * 8 + WIRE_FIXED64);
    w.double(h.sum);
  }
  if (h.schema !== 0) {
    w.uvarint(4 * 8 + WIRE_VARINT);
    w.zigzag(h.schema);
  }
  if (h.zeroThreshold !== 0) {
    w.uvarint(5 * 8 + WIRE_FIXED64);
    w.double(h.zeroThreshold);
  }
  if (h.integer) {
    w.uvarint(6 * 8 + WIRE_VARINT);
    w.uvarint(h.zeroCount);
  } else {
    w.uvarint(7 * 8 + WIRE_FIXED64);
    w.double(h.zeroCount);
  }
  spans(8, h.negativeSpans);
  if (h.integer) packedZigzags(9, countDeltas(h.negativeBuckets));
  else packedDoubles(10, h.negativeBuckets);
  spans(11, h.positiveSpans);
  if (h.integer) packedZigzags(12, countDeltas(h.positiveBuckets));
  else packedDoubles(13, h.positiveBuckets);
  if (h.counterResetHint !== 0) {
    w.uvarint(14 * 8 + WIRE_VARINT);
    w.uvarint(h.counterResetHint);
  }
  if (t !== 0) {
    w.uvarint(15 * 8 + WIRE_VARINT);
    w.int64(t);
  }
  if (h.customValues?.length) packedDoubles(16, h.customValues);
  return w.finish();
}

/** A batch's histograms as encoded messages (a remote read answer's TimeSeries.histograms). */
export function encodeHistograms(b: { timestamps: Float64Array; histograms: FloatHistogram[] }): Uint8Array[] {
  return b.histograms.map((h, i) => encodeHistogram(b.timestamps[i]!, h));
}

/** Decoded TimeSeries.histograms, as a storage batch in time order. */
export function decodeHistograms(msgs: readonly Uint8Array[]): { timestamps: Float64Array; histograms: FloatHistogram[] } {
  const decoded = msgs.map((m) => decodeHistogram(m, 0, m.length)).sort((a, b) => a.t - b.t);
  return { timestamps: Float64Array.from(decoded, (d) => d.t), histograms: decoded.map((d) => d.h) };
}
