// The SAMPLES answer of remote read written straight into one buffer: the
// generic protobuf path builds an object per sample, which made large
// reads several times slower. Field numbers are prompb's: ReadResponse
// results=1; QueryResult timeseries=1; TimeSeries labels=1, samples=2;
// Label name=1, value=2; Sample value=1 (double), timestamp=2 (int64).

import type { PbLabel } from './read-proto.js';

export interface SeriesSamples {
  labels: readonly PbLabel[];
  timestamps: Float64Array;
  values: Float64Array;
  /** Encoded prometheus.Histogram messages (TimeSeries field 4), when the series has native histograms. */
  histograms?: readonly Uint8Array[];
}

const utf8 = new TextEncoder();

function varintLen(n: number): number {
  if (n < 0) return 10;
  let len = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

class Writer {
  readonly buf: Uint8Array;
  private readonly dv: DataView;
  pos = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(size);
    this.dv = new DataView(this.buf.buffer);
  }
  varint(n: number): void {
    if (n < 0) {
      // int64 two's complement: ten bytes.
      let v = BigInt.asUintN(64, BigInt(n));
      while (v >= 128n) {
        this.buf[this.pos++] = Number(v & 127n) | 128;
        v >>= 7n;
      }
      this.buf[this.pos++] = Number(v);
      return;
    }
    while (n >= 128) {
      this.buf[this.pos++] = (n % 128) | 128;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }
  bytes(b: Uint8Array): void {
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  double(v: number): void {
    this.dv.setFloat64(this.pos, v, true);
    this.pos += 8;
  }
}

/** Encodes a ReadResponse with one QueryResult per query. */
export function encodeSamplesResponse(results: readonly (readonly SeriesSamples[])[]): Uint8Array {
  // Sizes first (protobuf prefixes every message with its length), then one pass writing.
  const labelBytes = results.map((r) => r.map((s) => s.labels.map((l) => [utf8.encode(l.name), utf8.encode(l.value)] as const)));
  const labelSize = (n: Uint8Array, v: Uint8Array) => 1 + varintLen(n.length) + n.length + 1 + varintLen(v.length) + v.length;
  const sampleSize = (t: number) => 1 + 8 + 1 + varintLen(t);
  const seriesSizes = results.map((r, ri) => r.map((s, si) => {
    let n = 0;
    for (const [a, b] of labelBytes[ri]![si]!) {
      const ls = labelSize(a, b);
      n += 1 + varintLen(ls) + ls;
    }
    for (let i = 0; i < s.timestamps.length; i++) {
      const ss = sampleSize(s.timestamps[i]!);
      n += 1 + varintLen(ss) + ss;
    }
    for (const h of s.histograms ?? []) n += 1 + varintLen(h.length) + h.length;
    return n;
  }));
  const resultSizes = seriesSizes.map((sizes) => sizes.reduce((n, s) => n + 1 + varintLen(s) + s, 0));
  const total = resultSizes.reduce((n, s) => n + 1 + varintLen(s) + s, 0);
  const w = new Writer(total);
  results.forEach((r, ri) => {
    w.varint(0x0a);
    w.varint(resultSizes[ri]!);
    r.forEach((s, si) => {
      w.varint(0x0a);
      w.varint(seriesSizes[ri]![si]!);
      for (const [a, b] of labelBytes[ri]![si]!) {
        w.varint(0x0a);
        w.varint(labelSize(a, b));
        w.varint(0x0a);
        w.varint(a.length);
        w.bytes(a);
        w.varint(0x12);
        w.varint(b.length);
        w.bytes(b);
      }
      for (let i = 0; i < s.timestamps.length; i++) {
        const t = s.timestamps[i]!;
        w.varint(0x12);
        w.varint(sampleSize(t));
        w.varint(0x09);
        w.double(s.values[i]!);
        w.varint(0x10);
        w.varint(t);
      }
      for (const h of s.histograms ?? []) {
        w.varint(0x22);
        w.varint(h.length);
        w.bytes(h);
      }
    });
  });
  return w.buf;
}
