// The ABI: every function the host may call. src/wasm/ is the only host
// code that calls these. Pointers are byte offsets into this module's
// memory; times are i64 milliseconds passed as f64 (exact to 2^53).

import {
  ABI_VERSION, CHUNK_LEN, ENC_DOUBLE_DELTA, ENC_VARBIT, STATUS_BAD_ENCODING, STATUS_CORRUPT,
} from "./layout";
import {
  allocChunk, freeChunk, noteCreated, resetCreated, createdPtr, createdCount, setCurrentSlot, lastStatus, clearStatus,
} from "./alloc";
import { ddInitDefault, ddAdd, ddLen, ddMinTime, ddLastTime, ddValid } from "./doubledelta";
import { vbInit, vbAdd, vbMinTime, vbMaxTime, VarbitCursor, ENC_ZERO } from "./varbit";

export { decodeRange, decodedTimes, decodedValues, reduceRange, reduceWindows } from "./scan";
export { floatTexts, columnTexts } from "./float-text";
export { histAppendBatch, histDecode, histDecoded, histFromBytes, histFree } from "./histogram";

export function abiVersion(): i32 {
  return ABI_VERSION;
}

export function chunkLen(): i32 {
  return CHUNK_LEN;
}

export function alloc(size: i32): usize {
  return heap.alloc(<usize>size);
}

export function free(p: usize): void {
  heap.free(p);
}

/** Status of the last failed call (STATUS_*). */
export function status(): i32 {
  return lastStatus;
}

/** A new empty chunk of the given encoding, or 0 for an unknown encoding. */
export function chunkNew(enc: i32): usize {
  if (enc != ENC_DOUBLE_DELTA && enc != ENC_VARBIT) return 0;
  const c = allocChunk();
  if (enc == ENC_DOUBLE_DELTA) ddInitDefault(c);
  else vbInit(c, ENC_ZERO);
  return c;
}

export function chunkFree(c: usize): void {
  freeChunk(c);
}

// @ts-ignore: decorator
@inline function add(c: usize, enc: i32, t: i64, v: f64): usize {
  return enc == ENC_DOUBLE_DELTA ? ddAdd(c, t, v) : vbAdd(c, t, v);
}

/**
 * Appends a batch. `heads` is a u32 table of each series slot's head chunk
 * (0 = none yet); `recs` holds n records of {slot u32, pad u32, t f64, v f64}.
 * Chunks created on the way (first chunk, overflows) are listed as
 * (slot, chunk) pairs at createdPtr(). Returns the number of records
 * appended; fewer than n means record [result] failed (see status()).
 */
export function appendBatch(heads: usize, recs: usize, n: i32, enc: i32): i32 {
  resetCreated();
  clearStatus();
  if (enc != ENC_DOUBLE_DELTA && enc != ENC_VARBIT) return 0;
  for (let i = 0; i < n; i++) {
    const r = recs + <usize>i * 24;
    const slot = load<u32>(r);
    const hp = heads + (<usize>slot << 2);
    let c = <usize>load<u32>(hp);
    setCurrentSlot(<i32>slot);
    if (c == 0) {
      c = chunkNew(enc);
      store<u32>(hp, <u32>c);
      noteCreated(<i32>slot, c);
    }
    const head = add(c, enc, <i64>load<f64>(r + 8), load<f64>(r + 16));
    if (head == 0) return i;
    store<u32>(hp, <u32>head);
  }
  return n;
}

export { createdPtr, createdCount };

/**
 * Encodes n samples (ts, vs: f64 arrays) into fresh chunks listed at
 * createdPtr(). Returns n, or the index of the first rejected sample.
 */
export function encodeSeries(ts: usize, vs: usize, n: i32, enc: i32): i32 {
  resetCreated();
  clearStatus();
  if (enc != ENC_DOUBLE_DELTA && enc != ENC_VARBIT) return 0;
  let c = chunkNew(enc);
  noteCreated(0, c);
  setCurrentSlot(0);
  for (let i = 0; i < n; i++) {
    c = add(c, enc, <i64>load<f64>(ts + (<usize>i << 3)), load<f64>(vs + (<usize>i << 3)));
    if (c == 0) return i;
  }
  return n;
}

const countCursor = new VarbitCursor();

/** Number of samples in chunk c, or a negative status. */
export function chunkSamples(c: usize, enc: i32): i32 {
  if (enc == ENC_DOUBLE_DELTA) return ddValid(c) ? ddLen(c) : STATUS_CORRUPT;
  if (enc != ENC_VARBIT) return STATUS_BAD_ENCODING;
  const cur = countCursor;
  cur.reset(c);
  let n = 0;
  while (cur.next()) n++;
  return cur.corrupt ? STATUS_CORRUPT : n;
}

/** First timestamp of chunk c (as f64; +Inf when empty). */
export function chunkMinTime(c: usize, enc: i32): f64 {
  const t = enc == ENC_DOUBLE_DELTA ? ddMinTime(c) : vbMinTime(c);
  return t == i64.MAX_VALUE ? Infinity : <f64>t;
}

/** Last timestamp of chunk c (as f64; -Inf when empty). */
export function chunkMaxTime(c: usize, enc: i32): f64 {
  const t = enc == ENC_DOUBLE_DELTA ? ddLastTime(c) : vbMaxTime(c);
  return t == i64.MIN_VALUE ? -Infinity : <f64>t;
}
