// Write-ahead-log records: what a commit appends to the log before it is
// applied, so a restarted process can replay acknowledged samples. The
// encoding is isomorphic; framing, checksums and files belong to the host
// (src/node/wal-file.ts in Node).
//
// series:  u8 type=1, u8 0, u16 0, u32 id, u32 label count, then per label
//          u32 byte length + UTF-8 name, u32 byte length + UTF-8 value
// samples: u8 type=2, u8 has-start-timestamps, u16 0, u32 n, u64 0, then
//          f64 t[n], f64 v[n] (raw bits: staleness markers survive),
//          f64 st[n] if flagged, u32 series id[n]
// deletion: u8 type=3, u8 0, u16 0, u32 n, f64 mint, f64 maxt, u32 series id[n]
//          (the samples of those series within [mint, maxt] are deleted)
// histograms: u8 type=7 (integer) or 8 (float), as Prometheus numbers its
//          histogram records, u8 0, u16 0, u32 n, then per sample uvarint
//          series id, varint t, varint schema, u8 hint, f64 zero threshold,
//          zero count and count (integer: uvarint; float: f64), f64 sum,
//          per side uvarint spans and (varint offset, uvarint length) each,
//          per side uvarint buckets and each count (integer: varint delta
//          from the previous bucket; float: f64), uvarint custom bounds + 1
//          (0: none) and each bound as f64; floats as raw bits
// histogram chunks (checkpoints only, promlet's own): u8 type=64, u8 0, u16 0,
//          u32 series id, u32 n, then per chunk u32 length and the chunk's
//          bytes (assembly/FORMAT.md §3); the last one is the open chunk

import type { Label, Labels } from '../model/labels.js';
import type { CounterResetHint, FloatHistogram, Span } from '../model/histogram.js';
import { BlockCorruptionError, Reader, Writer } from './block-format.js';

export const WAL_SERIES = 1;
export const WAL_SAMPLES = 2;
export const WAL_DELETION = 3;
export const WAL_HISTOGRAMS = 7;
export const WAL_FLOAT_HISTOGRAMS = 8;
export const WAL_HISTOGRAM_CHUNKS = 64;

/** Where commits write their records; returns once the records are as durable as the log promises. */
export interface WalWriter {
  write(records: Uint8Array[]): void;
}

export type WalRecord =
  | { kind: 'series'; id: number; labels: Labels }
  | { kind: 'samples'; ids: Uint32Array; ts: Float64Array; vs: Float64Array; sts: Float64Array | null }
  | { kind: 'deletion'; ids: Uint32Array; mint: number; maxt: number }
  | { kind: 'histograms'; ids: number[]; ts: number[]; hs: FloatHistogram[] }
  | { kind: 'histogramChunks'; id: number; chunks: Uint8Array[] };

/** A series' histogram chunks as a checkpoint stores them. */
export function histogramChunksRecord(id: number, chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(12 + chunks.reduce((n, c) => n + 4 + c.length, 0));
  const dv = new DataView(out.buffer);
  out[0] = WAL_HISTOGRAM_CHUNKS;
  dv.setUint32(4, id, true);
  dv.setUint32(8, chunks.length, true);
  let o = 12;
  for (const c of chunks) {
    dv.setUint32(o, c.length, true);
    out.set(c, o + 4);
    o += 4 + c.length;
  }
  return out;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes of `s` when every character is ASCII (one byte each), else -1. */
function asciiLength(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return -1;
  return s.length;
}

export function seriesRecord(id: number, labels: Labels): Uint8Array {
  // Label text is nearly always ASCII: written byte by byte, without an encoder call and an array per string.
  let size = 12;
  for (const l of labels) {
    const n = asciiLength(l.name), v = asciiLength(l.value);
    if (n < 0 || v < 0) return seriesRecordUtf8(id, labels);
    size += 8 + n + v;
  }
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  out[0] = WAL_SERIES;
  dv.setUint32(4, id, true);
  dv.setUint32(8, labels.length, true);
  let off = 12;
  const put = (str: string) => {
    dv.setUint32(off, str.length, true);
    off += 4;
    for (let i = 0; i < str.length; i++) out[off + i] = str.charCodeAt(i);
    off += str.length;
  };
  for (const l of labels) {
    put(l.name);
    put(l.value);
  }
  return out;
}

function seriesRecordUtf8(id: number, labels: Labels): Uint8Array {
  const parts = labels.flatMap((l) => [utf8.encode(l.name), utf8.encode(l.value)]);
  const out = new Uint8Array(12 + parts.reduce((n, p) => n + 4 + p.length, 0));
  const dv = new DataView(out.buffer);
  out[0] = WAL_SERIES;
  dv.setUint32(4, id, true);
  dv.setUint32(8, labels.length, true);
  let off = 12;
  for (const p of parts) {
    dv.setUint32(off, p.length, true);
    out.set(p, off + 4);
    off += 4 + p.length;
  }
  return out;
}

const bytes = (a: Float64Array | Uint32Array, n: number) => new Uint8Array(a.buffer, a.byteOffset, n * a.BYTES_PER_ELEMENT);

export function samplesRecord(ids: Uint32Array, ts: Float64Array, vs: Float64Array, sts: Float64Array | null, n: number): Uint8Array {
  const out = new Uint8Array(16 + n * (sts ? 28 : 20));
  out[0] = WAL_SAMPLES;
  out[1] = sts ? 1 : 0;
  new DataView(out.buffer).setUint32(4, n, true);
  let off = 16;
  for (const a of sts ? [ts, vs, sts] : [ts, vs]) {
    // Copied as bytes, never as numbers, so NaN payloads are kept exactly.
    out.set(bytes(a, n), off);
    off += n * 8;
  }
  out.set(bytes(ids, n), off);
  return out;
}

export function deletionRecord(ids: readonly number[], mint: number, maxt: number): Uint8Array {
  const out = new Uint8Array(24 + ids.length * 4);
  const dv = new DataView(out.buffer);
  out[0] = WAL_DELETION;
  dv.setUint32(4, ids.length, true);
  dv.setFloat64(8, mint, true);
  dv.setFloat64(16, maxt, true);
  ids.forEach((id, i) => dv.setUint32(24 + i * 4, id, true));
  return out;
}

/** One histogram record per kind (integer, float) present in the samples. */
export function histogramRecords(items: readonly { id: number; t: number; h: FloatHistogram }[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const integer of [true, false]) {
    const mine = items.filter((it) => !!it.h.integer === integer);
    if (mine.length === 0) continue;
    const w = new Writer();
    w.u8(integer ? WAL_HISTOGRAMS : WAL_FLOAT_HISTOGRAMS);
    w.u8(0);
    w.u8(0);
    w.u8(0);
    w.u32(mine.length);
    // Counts of integer histograms as varints (neighbouring buckets as deltas, as Prometheus logs them); floats as raw bits.
    const count = integer ? (v: number) => w.uvarint(v) : (v: number) => w.f64(v);
    for (const { id, t, h } of mine) {
      w.uvarint(id);
      w.varint(t);
      w.varint(h.schema);
      w.u8(h.counterResetHint);
      w.f64(h.zeroThreshold);
      count(h.zeroCount);
      count(h.count);
      w.f64(h.sum);
      for (const spans of [h.positiveSpans, h.negativeSpans]) {
        w.uvarint(spans.length);
        for (const sp of spans) {
          w.varint(sp.offset);
          w.uvarint(sp.length);
        }
      }
      for (const buckets of [h.positiveBuckets, h.negativeBuckets]) {
        w.uvarint(buckets.length);
        let prev = 0;
        for (const v of buckets) {
          if (integer) w.varint(v - prev);
          else w.f64(v);
          prev = v;
        }
      }
      const cv = h.customValues;
      w.uvarint(cv ? cv.length + 1 : 0);
      if (cv) for (const v of cv) w.f64(v);
    }
    out.push(w.view().slice());
  }
  return out;
}

function decodeHistograms(rec: Uint8Array): WalRecord {
  const integer = rec[0] === WAL_HISTOGRAMS;
  const r = new Reader(rec, 'histogram record');
  r.off = 4;
  const n = r.u32();
  const ids: number[] = [], ts: number[] = [], hs: FloatHistogram[] = [];
  const count = integer ? () => r.uvarint() : () => r.f64();
  try {
    for (let i = 0; i < n; i++) {
      ids.push(r.uvarint());
      ts.push(r.varint());
      const schema = r.varint();
      const hint = r.u8() as CounterResetHint;
      const zeroThreshold = r.f64(), zeroCount = count(), cnt = count(), sum = r.f64();
      const spans = (): Span[] => Array.from({ length: r.uvarint() }, () => ({ offset: r.varint(), length: r.uvarint() }));
      const positiveSpans = spans(), negativeSpans = spans();
      const buckets = (): number[] => {
        let prev = 0;
        return Array.from({ length: r.uvarint() }, () => (prev = integer ? prev + r.varint() : r.f64()));
      };
      const positiveBuckets = buckets(), negativeBuckets = buckets();
      const h: FloatHistogram = {
        counterResetHint: hint, schema, zeroThreshold, zeroCount, count: cnt, sum, positiveSpans, positiveBuckets, negativeSpans, negativeBuckets,
      };
      const ncv = r.uvarint();
      if (ncv > 0) h.customValues = Array.from({ length: ncv - 1 }, () => r.f64());
      if (integer) h.integer = true;
      hs.push(h);
    }
  } catch (e) {
    if (e instanceof BlockCorruptionError) throw new WalRecordError(e.message);
    throw e;
  }
  return { kind: 'histograms', ids, ts, hs };
}

export class WalRecordError extends Error {}

export function decodeRecord(rec: Uint8Array): WalRecord {
  const dv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
  const need = (end: number) => {
    if (end > rec.byteLength) throw new WalRecordError(`record of ${rec.byteLength} bytes ends early (needs ${end})`);
  };
  need(8);
  if (rec[0] === WAL_SERIES) {
    need(12);
    const id = dv.getUint32(4, true);
    const count = dv.getUint32(8, true);
    const labels: Label[] = [];
    let off = 12;
    const str = () => {
      need(off + 4);
      const len = dv.getUint32(off, true);
      need(off + 4 + len);
      const s = fromUtf8.decode(rec.subarray(off + 4, off + 4 + len));
      off += 4 + len;
      return s;
    };
    for (let i = 0; i < count; i++) labels.push({ name: str(), value: str() });
    return { kind: 'series', id, labels };
  }
  if (rec[0] === WAL_SAMPLES) {
    const n = dv.getUint32(4, true);
    const hasSt = rec[1] === 1;
    need(16 + n * (hasSt ? 28 : 20));
    // slice() copies into a fresh, aligned buffer.
    const f64At = (i: number) => new Float64Array(rec.slice(16 + i * n * 8, 16 + (i + 1) * n * 8).buffer);
    const ts = f64At(0);
    const vs = f64At(1);
    const sts = hasSt ? f64At(2) : null;
    const idOff = 16 + n * (hasSt ? 24 : 16);
    const ids = new Uint32Array(rec.slice(idOff, idOff + n * 4).buffer);
    return { kind: 'samples', ids, ts, vs, sts };
  }
  if (rec[0] === WAL_DELETION) {
    const n = dv.getUint32(4, true);
    need(24 + n * 4);
    return { kind: 'deletion', ids: new Uint32Array(rec.slice(24, 24 + n * 4).buffer), mint: dv.getFloat64(8, true), maxt: dv.getFloat64(16, true) };
  }
  if (rec[0] === WAL_HISTOGRAMS || rec[0] === WAL_FLOAT_HISTOGRAMS) return decodeHistograms(rec);
  if (rec[0] === WAL_HISTOGRAM_CHUNKS) {
    need(12);
    const n = dv.getUint32(8, true);
    const chunks: Uint8Array[] = [];
    let o = 12;
    for (let i = 0; i < n; i++) {
      need(o + 4);
      const len = dv.getUint32(o, true);
      need(o + 4 + len);
      chunks.push(rec.slice(o + 4, o + 4 + len));
      o += 4 + len;
    }
    return { kind: 'histogramChunks', id: dv.getUint32(4, true), chunks };
  }
  throw new WalRecordError(`unknown record type ${rec[0]}`);
}
