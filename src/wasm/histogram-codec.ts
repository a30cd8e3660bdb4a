// Host-side calls into the native histogram chunk codec
// (assembly/histogram.ts): histograms go in and come out as flat f64
// records (layout.ts H_*), one crossing per batch or chunk list.

import type { FloatHistogram, CounterResetHint, Span } from '../model/histogram.js';
import { wasm, mem } from './loader.js';
import { WasmBuffer } from './buffer.js';
import { ChunkError, statusMessage } from './codec.js';
import {
  ENC_FLOAT_HISTOGRAM, ENC_HISTOGRAM, H_COUNT, H_CUSTOM, H_FIXED, H_HINT, H_INTEGER, H_NEG_BUCKETS, H_NEG_SPANS, H_POS_BUCKETS,
  H_POS_SPANS, H_SCHEMA, H_SUM, H_T, H_ZERO_COUNT, H_ZERO_THRESHOLD, HIST_HEADER, STATUS_CORRUPT,
} from './layout.js';

/** The chunk encoding a histogram is stored in. */
export function histogramEncoding(h: FloatHistogram): number {
  return h.integer ? ENC_HISTOGRAM : ENC_FLOAT_HISTOGRAM;
}

/** f64 slots of h's record. */
export function histogramRecordLen(h: FloatHistogram): number {
  return H_FIXED + 2 * (h.positiveSpans.length + h.negativeSpans.length) + h.positiveBuckets.length + h.negativeBuckets.length +
    (h.customValues?.length ?? 0);
}

/** Writes h's record at slot `at` of f64; returns the slot after it. */
function writeRecord(f64: Float64Array, at: number, t: number, h: FloatHistogram): number {
  f64[at + H_T] = t;
  f64[at + H_COUNT] = h.count;
  f64[at + H_ZERO_COUNT] = h.zeroCount;
  // Assigned from the object's property, the sum keeps a staleness marker's bits.
  f64[at + H_SUM] = h.sum;
  f64[at + H_ZERO_THRESHOLD] = h.zeroThreshold;
  f64[at + H_SCHEMA] = h.schema;
  f64[at + H_HINT] = h.counterResetHint;
  f64[at + H_POS_SPANS] = h.positiveSpans.length;
  f64[at + H_NEG_SPANS] = h.negativeSpans.length;
  f64[at + H_POS_BUCKETS] = h.positiveBuckets.length;
  f64[at + H_NEG_BUCKETS] = h.negativeBuckets.length;
  f64[at + H_CUSTOM] = h.customValues?.length ?? 0;
  f64[at + H_INTEGER] = h.integer ? 1 : 0;
  let k = at + H_FIXED;
  for (const s of h.positiveSpans) {
    f64[k++] = s.offset;
    f64[k++] = s.length;
  }
  for (const s of h.negativeSpans) {
    f64[k++] = s.offset;
    f64[k++] = s.length;
  }
  for (const b of h.positiveBuckets) f64[k++] = b;
  for (const b of h.negativeBuckets) f64[k++] = b;
  if (h.customValues) for (const b of h.customValues) f64[k++] = b;
  return k;
}

/** Reads a record at slot `at`; returns the histogram and the slot after it. */
function readRecord(f64: Float64Array, at: number): { t: number; h: FloatHistogram; next: number } {
  const nps = f64[at + H_POS_SPANS]!, nns = f64[at + H_NEG_SPANS]!, npb = f64[at + H_POS_BUCKETS]!, nnb = f64[at + H_NEG_BUCKETS]!;
  const nc = f64[at + H_CUSTOM]!;
  let k = at + H_FIXED;
  const spans = (n: number): Span[] => {
    const out: Span[] = new Array(n);
    for (let i = 0; i < n; i++, k += 2) out[i] = { offset: f64[k]!, length: f64[k + 1]! };
    return out;
  };
  const positiveSpans = spans(nps), negativeSpans = spans(nns);
  const positiveBuckets = Array.from(f64.subarray(k, k + npb));
  k += npb;
  const negativeBuckets = Array.from(f64.subarray(k, k + nnb));
  k += nnb;
  const h: FloatHistogram = {
    counterResetHint: f64[at + H_HINT]! as CounterResetHint,
    schema: f64[at + H_SCHEMA]!,
    zeroThreshold: f64[at + H_ZERO_THRESHOLD]!,
    zeroCount: f64[at + H_ZERO_COUNT]!,
    count: f64[at + H_COUNT]!,
    sum: f64[at + H_SUM]!,
    positiveSpans, positiveBuckets, negativeSpans, negativeBuckets,
  };
  if (f64[at + H_INTEGER] === 1) h.integer = true;
  if (nc > 0 || h.schema === -53) {
    h.customValues = Array.from(f64.subarray(k, k + nc));
    k += nc;
  }
  return { t: f64[at + H_T]!, h, next: k };
}

/** One histogram sample to append: into series slot `slot`'s open chunk, or a new chunk with header `cut` (>= 0). */
export interface HistogramAppend {
  slot: number;
  cut: number;
  t: number;
  h: FloatHistogram;
}

const recBuf = new WasmBuffer();
const listBuf = new WasmBuffer();
const bytesBuf = new WasmBuffer();

/**
 * Appends histogram samples to the open chunks in `heads` (a u32 table in
 * WASM memory indexed by slot). Returns how many were appended and the
 * (slot, chunk) pairs of the chunks created on the way.
 */
export function appendHistogramBatch(heads: number, items: readonly HistogramAppend[]): { appended: number; created: Uint32Array; status: number } {
  let slots = 0;
  for (const it of items) slots += 3 + histogramRecordLen(it.h);
  const rp = recBuf.reserve(Math.max(8, slots * 8));
  const f64 = mem().f64;
  let k = rp >>> 3;
  for (const it of items) {
    f64[k] = it.slot;
    f64[k + 1] = it.cut;
    f64[k + 2] = histogramEncoding(it.h);
    k = writeRecord(f64, k + 3, it.t, it.h);
  }
  const appended = wasm.histAppendBatch(heads, rp, items.length);
  const cp = wasm.createdPtr();
  const n = wasm.createdCount();
  return { appended, created: mem().u32.slice(cp >>> 2, (cp >>> 2) + n * 2), status: wasm.status() };
}

/** Decodes the samples within [mint, maxt] of histogram chunks (WASM pointers, time order). */
export function decodeHistogramList(chunks: ArrayLike<number>, mint: number, maxt: number): { timestamps: number[]; histograms: FloatHistogram[] } {
  const timestamps: number[] = [];
  const histograms: FloatHistogram[] = [];
  if (chunks.length === 0) return { timestamps, histograms };
  const lp = listBuf.reserve(Math.max(4, chunks.length * 4));
  mem().u32.set(chunks, lp >>> 2);
  const n = wasm.histDecode(lp, chunks.length, mint, maxt);
  if (n < 0) throw new ChunkError(statusMessage(n), n);
  const base = wasm.histDecoded() >>> 3;
  const f64 = mem().f64;
  for (let k = base; k < base + n;) {
    const r = readRecord(f64, k);
    timestamps.push(r.t);
    histograms.push(r.h);
    k = r.next;
  }
  return { timestamps, histograms };
}

/** What a histogram chunk's header says. */
export interface HistogramChunkMeta {
  encoding: number;
  /** The counter-reset header (CounterResetHint of the chunk's first sample). */
  hint: number;
  samples: number;
  minT: number;
  maxT: number;
  /** Bytes that hold data: what chunkBytes copies and blocks store. */
  bytes: number;
}

export function histogramChunkMeta(c: number): HistogramChunkMeta {
  const { u8 } = mem();
  const dv = new DataView(u8.buffer, c, HIST_HEADER);
  return {
    encoding: dv.getUint8(0),
    hint: dv.getUint8(1),
    samples: dv.getUint16(2, true),
    minT: Number(dv.getBigInt64(16, true)),
    maxT: Number(dv.getBigInt64(24, true)),
    bytes: Math.ceil(dv.getUint32(8, true) / 8),
  };
}

/** The stored bytes of histogram chunk c (header and payload, no slack). */
export function histogramChunkBytes(c: number): Uint8Array {
  const n = histogramChunkMeta(c).bytes;
  return mem().u8.slice(c, c + n);
}

/** Whether stored chunk bytes are a histogram chunk's (by the header's encoding byte). */
export function isHistogramEncoding(enc: number): boolean {
  return enc === ENC_HISTOGRAM || enc === ENC_FLOAT_HISTOGRAM;
}

/**
 * A histogram chunk in WASM memory from stored bytes, ready for appending
 * (its appender state rebuilt). Free with wasm.histFree.
 */
export function histogramChunkFromBytes(bytes: Uint8Array): number {
  // Bytes padded with zeros past the payload (a checkpoint's fixed slots) are cut to what the header says.
  if (bytes.length >= HIST_HEADER) {
    const used = Math.ceil(new DataView(bytes.buffer, bytes.byteOffset, HIST_HEADER).getUint32(8, true) / 8);
    if (used >= HIST_HEADER && used < bytes.length && bytes.subarray(used).every((b) => b === 0)) bytes = bytes.subarray(0, used);
  }
  const p = bytesBuf.reserve(Math.max(8, bytes.length));
  mem().u8.set(bytes, p);
  const c = wasm.histFromBytes(p, bytes.length);
  if (c === 0) throw new ChunkError(`histogram chunk of ${bytes.length} bytes: ${statusMessage(STATUS_CORRUPT)}`, STATUS_CORRUPT);
  return c;
}

/** Decodes stored histogram chunks (as histogramChunkBytes returned them) within [mint, maxt]. */
export function decodeHistogramChunks(chunks: readonly Uint8Array[], mint = -Infinity, maxt = Infinity): { timestamps: number[]; histograms: FloatHistogram[] } {
  const ptrs = chunks.map(histogramChunkFromBytes);
  try {
    return decodeHistogramList(ptrs, mint, maxt);
  } finally {
    for (const p of ptrs) wasm.histFree(p);
  }
}

/** A stored histogram chunk with the bounds a block index records. */
export interface HistogramChunkWithMeta {
  bytes: Uint8Array;
  minT: number;
  maxT: number;
  samples: number;
}

/**
 * Encodes a run of histograms (time order, each with its cut as
 * HistogramAppend.cut) into fresh chunks, returned as stored bytes with
 * their bounds; nothing stays in WASM memory.
 */
export function encodeHistogramChunks(items: readonly { t: number; h: FloatHistogram; cut: number }[]): HistogramChunkWithMeta[] {
  if (items.length === 0) return [];
  const heads = wasm.alloc(4);
  mem().u32[heads >>> 2] = 0;
  try {
    const { appended, created, status } = appendHistogramBatch(heads, items.map((it) => ({ slot: 0, cut: it.cut, t: it.t, h: it.h })));
    const out: HistogramChunkWithMeta[] = [];
    for (let i = 0; i < created.length; i += 2) {
      const c = created[i + 1]!;
      const m = histogramChunkMeta(c);
      out.push({ bytes: histogramChunkBytes(c), minT: m.minT, maxT: m.maxT, samples: m.samples });
      wasm.histFree(c);
    }
    if (appended !== items.length) throw new ChunkError(`histogram ${appended}: ${statusMessage(status)}`, status);
    return out;
  } finally {
    wasm.free(heads);
  }
}
