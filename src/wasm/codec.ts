// Host-side calls into the chunk codecs and scans. Every call crosses the
// boundary once per batch or chunk list, never per sample.

import { wasm, mem } from './loader.js';
import { WasmBuffer } from './buffer.js';
import {
  CHUNK_LEN, ENC_DOUBLE_DELTA, ENC_VARBIT, R_SIZE, STATUS_BAD_ENCODING, STATUS_CAPACITY, STATUS_CORRUPT,
  STATUS_OUT_OF_ORDER,
} from './layout.js';

/** Chunk encodings, named as in Prometheus 1.x. */
export type ChunkEncoding = 'double-delta' | 'varbit';

export const ENCODING_IDS: Record<ChunkEncoding, number> = {
  'double-delta': ENC_DOUBLE_DELTA,
  varbit: ENC_VARBIT,
};

/** Thrown for chunks that cannot be decoded and for input the codecs refuse. */
export class ChunkError extends Error {
  constructor(message: string, readonly code: number) {
    super(message);
    this.name = 'ChunkError';
  }
}

export function statusMessage(code: number): string {
  switch (code) {
    case STATUS_OUT_OF_ORDER: return 'timestamp older than the previous sample';
    case STATUS_BAD_ENCODING: return 'unknown chunk encoding';
    case STATUS_CORRUPT: return 'corrupt chunk: header or payload inconsistent';
    case STATUS_CAPACITY: return 'output buffer too small';
    default: return `status ${code}`;
  }
}

export function encodingId(encoding: ChunkEncoding): number {
  const id = ENCODING_IDS[encoding];
  if (id === undefined) throw new ChunkError(`unknown chunk encoding ${JSON.stringify(encoding)} (want "varbit" or "double-delta")`, STATUS_BAD_ENCODING);
  return id;
}

/** A 1024-byte chunk returned by encodeChunks, carrying its encoding. */
export type EncodedChunk = Uint8Array & { readonly encoding: ChunkEncoding };

function tag(bytes: Uint8Array, encoding: ChunkEncoding): EncodedChunk {
  Object.defineProperty(bytes, 'encoding', { value: encoding, enumerable: false });
  return bytes as EncodedChunk;
}

const inT = new WasmBuffer();
const inV = new WasmBuffer();
const listBuf = new WasmBuffer();
const recordBuf = new WasmBuffer();

/** Throws unless every timestamp is a safe integer and they strictly increase. */
export function checkTimestamps(timestamps: ArrayLike<number>): void {
  let prev = -Infinity;
  for (let i = 0; i < timestamps.length; i++) {
    const t = timestamps[i]!;
    if (!Number.isSafeInteger(t)) throw new ChunkError(`timestamp ${i} is ${t}: want an integer number of milliseconds within ±2^53`, STATUS_OUT_OF_ORDER);
    if (t <= prev) throw new ChunkError(`timestamp ${i} (${t}) is not after timestamp ${i - 1} (${prev})`, STATUS_OUT_OF_ORDER);
    prev = t;
  }
}

/**
 * Encodes samples into 1024-byte chunks exactly as Prometheus 1.x would cut
 * them (overflow and transcoding included). Timestamps are integer
 * milliseconds in strictly increasing order; values any float64. Pass
 * values as a Float64Array to keep signaling-NaN payloads such as the
 * staleness marker: V8's plain number arrays quiet them.
 */
export function encodeChunks(encoding: ChunkEncoding, timestamps: ArrayLike<number>, values: ArrayLike<number>): EncodedChunk[] {
  const enc = encodingId(encoding);
  if (timestamps.length !== values.length) {
    throw new ChunkError(`${timestamps.length} timestamps but ${values.length} values`, STATUS_CAPACITY);
  }
  checkTimestamps(timestamps);
  const n = timestamps.length;
  if (n === 0) return [];
  const tp = inT.reserve(n * 8);
  const vp = inV.reserve(n * 8);
  const { f64 } = mem();
  f64.set(timestamps, tp >>> 3);
  f64.set(values, vp >>> 3);
  const done = wasm.encodeSeries(tp, vp, n, enc);
  const created = wasm.createdCount();
  const cp = wasm.createdPtr();
  const { u8, u32 } = mem();
  const chunks: EncodedChunk[] = [];
  for (let i = 0; i < created; i++) {
    const c = u32[(cp >>> 2) + i * 2 + 1]!;
    chunks.push(tag(u8.slice(c, c + CHUNK_LEN), encoding));
  }
  for (let i = 0; i < created; i++) wasm.chunkFree(mem().u32[(cp >>> 2) + i * 2 + 1]!);
  if (done !== n) throw new ChunkError(`sample ${done}: ${statusMessage(wasm.status())}`, wasm.status());
  return chunks;
}

/** The samples of one chunk. */
export interface DecodedSamples {
  timestamps: Float64Array;
  values: Float64Array;
}

/**
 * Decodes one chunk. The encoding comes from the chunk itself when it was
 * returned by encodeChunks, otherwise it must be given.
 */
export function decodeChunk(chunk: Uint8Array, encoding?: ChunkEncoding): DecodedSamples {
  const name = encoding ?? (chunk as Partial<EncodedChunk>).encoding;
  if (name === undefined) throw new ChunkError('decodeChunk: the chunk carries no encoding; pass "varbit" or "double-delta"', STATUS_BAD_ENCODING);
  const enc = encodingId(name);
  if (chunk.length !== CHUNK_LEN) throw new ChunkError(`chunk is ${chunk.length} bytes, want ${CHUNK_LEN}`, STATUS_CORRUPT);
  const c = wasm.chunkNew(enc);
  try {
    mem().u8.set(chunk, c);
    return decodeList([c], enc, -Infinity, Infinity, false);
  } finally {
    wasm.chunkFree(c);
  }
}

function writeList(chunks: ArrayLike<number>): number {
  const lp = listBuf.reserve(Math.max(4, chunks.length * 4));
  mem().u32.set(chunks, lp >>> 2);
  return lp;
}

/** Decodes the samples within [mint, maxt] of chunks (WASM pointers, time order) into fresh arrays. */
export function decodeList(chunks: ArrayLike<number>, enc: number, mint: number, maxt: number, skipStale: boolean): DecodedSamples {
  const lp = writeList(chunks);
  const n = wasm.decodeRange(lp, chunks.length, enc, mint, maxt, skipStale ? 1 : 0);
  if (n < 0) throw new ChunkError(statusMessage(n), n);
  const tp = wasm.decodedTimes() >>> 3;
  const vp = wasm.decodedValues() >>> 3;
  const { f64 } = mem();
  return { timestamps: f64.slice(tp, tp + n), values: f64.slice(vp, vp + n) };
}

/**
 * decodeList into arrays the caller reuses (grown by half again, or to the
 * count, when too short: a power of two could nearly double the largest
 * series' size): the count. Reading series one at a time, this copies
 * each sample once and allocates nothing per series, where decodeList's
 * fresh arrays per series were, with the collections their memory set off,
 * several milliseconds of a query over a few hundred series.
 */
export function decodeListInto(chunks: ArrayLike<number>, enc: number, mint: number, maxt: number, skipStale: boolean, into: { t: Float64Array; v: Float64Array }): number {
  const lp = writeList(chunks);
  const n = wasm.decodeRange(lp, chunks.length, enc, mint, maxt, skipStale ? 1 : 0);
  if (n < 0) throw new ChunkError(statusMessage(n), n);
  if (into.t.length < n) into.t = new Float64Array(capacityFor(n, into.t.length));
  if (into.v.length < n) into.v = new Float64Array(capacityFor(n, into.v.length));
  const tp = wasm.decodedTimes() >>> 3;
  const vp = wasm.decodedValues() >>> 3;
  const { f64 } = mem();
  into.t.set(f64.subarray(tp, tp + n));
  into.v.set(f64.subarray(vp, vp + n));
  return n;
}

function capacityFor(n: number, had: number): number {
  return Math.max(n, 1024, Math.ceil(had * 1.5));
}

const reduceOut = new WasmBuffer();

/** One reduction record (see layout.ts R_*) over [mint, maxt], stale markers skipped. */
export function reduceList(chunks: ArrayLike<number>, enc: number, mint: number, maxt: number): Float64Array {
  const op = reduceOut.reserve(R_SIZE * 8);
  const lp = writeList(chunks);
  const n = wasm.reduceRange(lp, chunks.length, enc, mint, maxt, op);
  if (n < 0) throw new ChunkError(statusMessage(n), n);
  const out = mem().f64.slice(op >>> 3, (op >>> 3) + R_SIZE);
  if (n === 0) out.fill(0, 0, 1);
  return out;
}

/** Reduction records for `steps` windows [firstMin + k*step, firstMax + k*step]. */
export function reduceWindowsList(chunks: ArrayLike<number>, enc: number, firstMin: number, firstMax: number, step: number, steps: number): Float64Array {
  const op = reduceOut.reserve(R_SIZE * 8 * Math.max(1, steps));
  const lp = writeList(chunks);
  const n = wasm.reduceWindows(lp, chunks.length, enc, firstMin, firstMax, step, steps, op);
  if (n < 0) throw new ChunkError(statusMessage(n), n);
  return mem().f64.slice(op >>> 3, (op >>> 3) + R_SIZE * steps);
}

/** What appendBatch did. */
export interface AppendBatchResult {
  appended: number;
  /** (slot, chunk pointer) for every chunk created, in creation order. */
  created: Uint32Array;
  /** Status of the failing record when appended < n. */
  status: number;
}

/** Appends a batch: slots index `heads` (a u32 table in WASM memory). */
export function appendBatch(heads: number, slots: Uint32Array, ts: Float64Array, vs: Float64Array, n: number, enc: number): AppendBatchResult {
  const rp = recordBuf.reserve(Math.max(24, n * 24));
  const { u32, f64 } = mem();
  // Copy element by element between typed arrays: NaN payloads survive.
  for (let i = 0; i < n; i++) {
    const o = rp + i * 24;
    u32[o >>> 2] = slots[i]!;
    f64[(o + 8) >>> 3] = ts[i]!;
    f64[(o + 16) >>> 3] = vs[i]!;
  }
  const appended = wasm.appendBatch(heads, rp, n, enc);
  const cp = wasm.createdPtr();
  const k = wasm.createdCount();
  const created = mem().u32.slice(cp >>> 2, (cp >>> 2) + k * 2);
  return { appended, created, status: wasm.status() };
}

/** A copy of the 1024 bytes of the chunk at WASM pointer `c`, exactly as the codec wrote them. */
export function chunkBytes(c: number): Uint8Array {
  return mem().u8.slice(c, c + CHUNK_LEN);
}

/** A new chunk in WASM memory holding `bytes` (as chunkBytes returned them); free it with wasm.chunkFree. */
export function chunkFromBytes(bytes: Uint8Array, enc: number): number {
  if (bytes.length !== CHUNK_LEN) throw new ChunkError(`chunk is ${bytes.length} bytes, want ${CHUNK_LEN}`, STATUS_CORRUPT);
  const c = wasm.chunkNew(enc);
  mem().u8.set(bytes, c);
  return c;
}

/** A chunk's bytes with the bounds a block index records. */
export interface ChunkWithMeta {
  bytes: Uint8Array;
  minT: number;
  maxT: number;
  samples: number;
}

/**
 * encodeChunks for storage: the same chunks, each with its first and last
 * timestamp and sample count, read in WASM before the chunk is freed.
 * Timestamps must already be checked (strictly increasing safe integers).
 */
export function encodeChunksWithMeta(enc: number, timestamps: Float64Array, values: Float64Array): ChunkWithMeta[] {
  const n = timestamps.length;
  if (n === 0) return [];
  const tp = inT.reserve(n * 8);
  const vp = inV.reserve(n * 8);
  mem().f64.set(timestamps, tp >>> 3);
  mem().f64.set(values, vp >>> 3);
  const done = wasm.encodeSeries(tp, vp, n, enc);
  const created = wasm.createdCount();
  const cp = wasm.createdPtr();
  const ptrs = mem().u32.slice(cp >>> 2, (cp >>> 2) + created * 2);
  const out: ChunkWithMeta[] = [];
  // Chunks hold consecutive runs of the input, so counts come from the timestamps, not from decoding.
  let at = 0;
  for (let i = 0; i < created; i++) {
    const c = ptrs[i * 2 + 1]!;
    const minT = wasm.chunkMinTime(c, enc), maxT = wasm.chunkMaxTime(c, enc);
    const from = at;
    while (at < done && timestamps[at]! <= maxT) at++;
    out.push({ bytes: mem().u8.slice(c, c + CHUNK_LEN), minT, maxT, samples: at - from });
    wasm.chunkFree(c);
  }
  if (done !== n) throw new ChunkError(`sample ${done}: ${statusMessage(wasm.status())}`, wasm.status());
  return out;
}

/**
 * Whether `bytes` more can be allocated in WASM memory without growing it
 * past `limit` (bytes of memory; 0 = only what WebAssembly allows). Probes by
 * allocating and freeing: the allocator traps before changing anything when
 * memory cannot grow, so a failed probe leaves the heap as it was, and the
 * commit that asked is refused before it touches a chunk.
 */
export function reserveHeadroom(bytes: number, limit: number): boolean {
  const before = mem().u8.byteLength;
  let p = 0;
  try {
    p = wasm.alloc(bytes);
  } catch (e) {
    if (e instanceof WebAssembly.RuntimeError) return false;
    throw e;
  }
  if (p === 0) return false;
  wasm.free(p);
  // Memory that had to grow for this may not pass the limit; room already there is fine.
  const after = mem().u8.byteLength;
  return limit <= 0 || after === before || after <= limit;
}
