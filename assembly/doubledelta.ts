// Prometheus 1.x double-delta chunk (encoding 1), byte-compatible with
// storage/local/chunk/doubledelta.go. Layout: FORMAT.md §1.
//
// Deviation, on purpose: before taking an integer or float32 deviation the
// encoder checks that the decoder's arithmetic reproduces the value bit for
// bit (Go compares with ==, which loses -0 and would accept a rounded int);
// if not, it widens exactly as it does for any other misfit.

import { CHUNK_LEN, STATUS_OUT_OF_ORDER } from "./layout";
import { sameBits, isInt64 } from "./bits";
import { allocChunk, noteCreated, currentSlot, fail, freeChunk } from "./alloc";

const USED = 0;        // u16 LE: bytes in use (kept current in memory, not only when marshalled)
const TB = 2;          // time field width
const VB = 3;          // value field width
const IS_INT = 4;
const BASE_T = 5;
const BASE_V = 13;
const BASE_DT = 21;    // t1 - t0, or absolute t1 when TB == 8
const BASE_DV = 29;    // v1 - v0, or absolute v1 when VB == 8
export const HEADER = 37;
const HEADER_MIN = 21; // a chunk with one sample

// @ts-ignore: decorator
@inline function used(c: usize): i32 { return <i32>load<u16>(c + USED); }
// @ts-ignore: decorator
@inline function setUsed(c: usize, n: i32): void { store<u16>(c + USED, <u16>n); }
// @ts-ignore: decorator
@inline export function tb(c: usize): i32 { return <i32>load<u8>(c + TB); }
// @ts-ignore: decorator
@inline export function vb(c: usize): i32 { return <i32>load<u8>(c + VB); }
// @ts-ignore: decorator
@inline export function isInt(c: usize): bool { return load<u8>(c + IS_INT) == 1; }

export function ddInit(c: usize, timeBytes: i32, valueBytes: i32, integer: bool): void {
  memory.fill(c, 0, <usize>CHUNK_LEN);
  store<u8>(c + TB, <u8>timeBytes);
  store<u8>(c + VB, <u8>valueBytes);
  store<u8>(c + IS_INT, valueBytes < 8 && integer ? 1 : 0);
  setUsed(c, IS_INT + 1);
}

/** A new chunk as Prometheus's default: 1 time byte, 0 value bytes, integer mode. */
export function ddInitDefault(c: usize): void {
  ddInit(c, 1, 0, true);
}

export function ddLen(c: usize): i32 {
  const u = used(c);
  if (u <= IS_INT + 1) return 0;
  if (u <= BASE_V + 8) return 1;
  return (u - HEADER) / (tb(c) + vb(c)) + 2;
}

/** Checks the header fields a decoder relies on. */
export function ddValid(c: usize): bool {
  const u = used(c);
  const t = tb(c), v = vb(c);
  if (u < IS_INT + 1 || u > CHUNK_LEN) return false;
  if (t != 1 && t != 2 && t != 4 && t != 8) return false;
  if (v != 0 && v != 1 && v != 2 && v != 4 && v != 8) return false;
  if (u > HEADER && (u - HEADER) % (t + v) != 0) return false;
  return u <= IS_INT + 1 || u == HEADER_MIN || u >= HEADER;
}

function bytesUnsignedT(d: i64): i32 {
  if (d > 0xffffffff) return 8;
  if (d > 0xffff) return 4;
  if (d > 0xff) return 2;
  return 1;
}

function bytesSignedT(d: i64): i32 {
  if (d > 2147483647 || d < -2147483648) return 8;
  if (d > 32767 || d < -32768) return 4;
  if (d > 127 || d < -128) return 2;
  return 1;
}

function bytesIntV(d: f64): i32 {
  if (d < -2147483648.0 || d > 2147483647.0) return 8;
  if (d < -32768.0 || d > 32767.0) return 4;
  if (d < -128.0 || d > 127.0) return 2;
  if (d != 0) return 1;
  return 0;
}

// @ts-ignore: decorator
@inline export function baseT(c: usize): i64 { return load<i64>(c + BASE_T); }
// @ts-ignore: decorator
@inline export function baseV(c: usize): f64 { return load<f64>(c + BASE_V); }
// @ts-ignore: decorator
@inline export function rawBaseDT(c: usize): i64 { return load<i64>(c + BASE_DT); }
// @ts-ignore: decorator
@inline export function rawBaseDV(c: usize): f64 { return load<f64>(c + BASE_DV); }
// @ts-ignore: decorator
@inline function baseDT(c: usize): i64 { return used(c) < BASE_DT + 8 ? 0 : load<i64>(c + BASE_DT); }
// @ts-ignore: decorator
@inline function baseDV(c: usize): f64 { return used(c) < BASE_DV + 8 ? 0 : load<f64>(c + BASE_DV); }

/** Timestamp of sample i (0 <= i < ddLen). */
export function ddTimeAt(c: usize, i: i32): i64 {
  if (i == 0) return baseT(c);
  const w = tb(c);
  if (i == 1) return w == 8 ? load<i64>(c + BASE_DT) : baseT(c) + load<i64>(c + BASE_DT);
  const p = c + <usize>(HEADER + (i - 2) * (w + vb(c)));
  if (w == 8) return load<i64>(p);
  let dd: i64;
  if (w == 1) dd = <i64>load<i8>(p);
  else if (w == 2) dd = <i64>load<i16>(p);
  else dd = <i64>load<i32>(p);
  return baseT(c) + <i64>i * load<i64>(c + BASE_DT) + dd;
}

/** Value of sample i (0 <= i < ddLen). */
export function ddValueAt(c: usize, i: i32): f64 {
  if (i == 0) return baseV(c);
  const w = vb(c);
  if (i == 1) return w == 8 ? load<f64>(c + BASE_DV) : baseV(c) + load<f64>(c + BASE_DV);
  const p = c + <usize>(HEADER + (i - 2) * (tb(c) + w) + tb(c));
  if (w == 8) return load<f64>(p);
  const proj = baseV(c) + <f64>i * load<f64>(c + BASE_DV);
  if (isInt(c)) {
    if (w == 0) return proj;
    if (w == 1) return proj + <f64>load<i8>(p);
    if (w == 2) return proj + <f64>load<i16>(p);
    return proj + <f64>load<i32>(p);
  }
  return proj + <f64>load<f32>(p);
}

/** Timestamp of the last sample, or i64.MIN_VALUE for an empty chunk. */
export function ddLastTime(c: usize): i64 {
  const n = ddLen(c);
  return n == 0 ? i64.MIN_VALUE : ddTimeAt(c, n - 1);
}

function addFirst(c: usize, t: i64, v: f64): void {
  store<i64>(c + BASE_T, t);
  store<f64>(c + BASE_V, v);
  setUsed(c, BASE_V + 8);
}

function addSecond(c: usize, t: i64, v: f64): usize {
  const dt = t - baseT(c);
  if (dt < 0) return fail(STATUS_OUT_OF_ORDER);
  setUsed(c, HEADER);
  if (tb(c) >= 8 || bytesUnsignedT(dt) >= 8) {
    store<u8>(c + TB, 8);
    store<i64>(c + BASE_DT, t);
  } else {
    store<i64>(c + BASE_DT, dt);
  }
  const bv = baseV(c);
  const dv = v - bv;
  // A NaN delta is never stored: the payload NaN arithmetic yields is the engine's choice, not the format's.
  if (vb(c) >= 8 || isNaN(dv) || !sameBits(bv + dv, v)) {
    store<u8>(c + VB, 8);
    store<u8>(c + IS_INT, 0);
    store<f64>(c + BASE_DV, v);
  } else {
    store<f64>(c + BASE_DV, dv);
  }
  return c;
}

/**
 * Appends (t, v) to chunk c. Returns the chunk that is now the head: c
 * itself, or a new overflow chunk (reported through noteCreated). A
 * transcode rewrites c in place. Returns 0 on error (lastStatus).
 */
export function ddAdd(c: usize, t: i64, v: f64): usize {
  const n = ddLen(c);
  if (n == 0) {
    addFirst(c, t, v);
    return c;
  }
  if (n == 1) return addSecond(c, t, v);
  if (t < ddTimeAt(c, n - 1)) return fail(STATUS_OUT_OF_ORDER);

  const w = tb(c), x = vb(c), integer = isInt(c);
  const u = used(c);
  if (CHUNK_LEN - u < w + x) return overflow(t, v);

  const dt = load<i64>(c + BASE_DT);
  const projT = baseT(c) + <i64>n * dt;
  const ddt = t - projT;
  const projV = baseV(c) + <f64>n * load<f64>(c + BASE_DV);
  const ddv = v - projV;

  let nw = w, nx = x, nInt = integer;
  if (integer && !(isInt64(ddv) && sameBits(projV + <f64><i64>ddv, v))) {
    nx = 4;
    nInt = false;
  } else if (!integer && x == 4 && (isNaN(ddv) || !sameBits(projV + <f64><f32>ddv, v))) {
    nx = 8;
  } else {
    if (w < 8) nw = max(w, bytesSignedT(ddt));
    if (integer && x < 8) nx = max(x, bytesIntV(ddv));
  }
  if (nw != w || nx != x || nInt != integer) {
    if (u * 2 < CHUNK_LEN) return transcode(c, nw, nx, nInt, t, v);
    return overflow(t, v);
  }

  const p = c + <usize>u;
  setUsed(c, u + w + x);
  if (w == 1) store<i8>(p, <i8>ddt);
  else if (w == 2) store<i16>(p, <i16>ddt);
  else if (w == 4) store<i32>(p, <i32>ddt);
  else store<i64>(p, t);
  const q = p + <usize>w;
  if (integer) {
    if (x == 1) store<i8>(q, <i8><i64>ddv);
    else if (x == 2) store<i16>(q, <i16><i64>ddv);
    else if (x == 4) store<i32>(q, <i32><i64>ddv);
  } else if (x == 4) {
    store<f32>(q, <f32>ddv);
  } else {
    store<f64>(q, v);
  }
  return c;
}

function overflow(t: i64, v: f64): usize {
  const fresh = allocChunk();
  ddInitDefault(fresh);
  noteCreated(currentSlot, fresh);
  addFirst(fresh, t, v);
  return fresh;
}

/** Re-encodes c's samples with wider fields (in place, may overflow), then adds (t, v). */
function transcode(c: usize, w: i32, x: i32, integer: bool, t: i64, v: f64): usize {
  const old = allocChunk();
  memory.copy(old, c, <usize>CHUNK_LEN);
  ddInit(c, w, x, integer);
  const n = ddLen(old);
  let head = c;
  for (let i = 0; i < n && head != 0; i++) {
    head = ddAdd(head, ddTimeAt(old, i), ddValueAt(old, i));
  }
  freeChunk(old);
  if (head == 0) return 0;
  return ddAdd(head, t, v);
}

export function ddMinTime(c: usize): i64 {
  return ddLen(c) == 0 ? i64.MAX_VALUE : baseT(c);
}
