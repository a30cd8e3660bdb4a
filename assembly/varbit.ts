// Prometheus 1.x varbit chunk (encoding 2), bit-compatible with
// storage/local/chunk/varbit.go. Layout and bit codes: FORMAT.md §2.
//
// Deviations, on purpose, so that every float64 round-trips bit for bit:
// - "same value" decisions (zero encoding) compare bit patterns, not ==
//   (Go's == treats -0 as 0 and never keeps a run of NaNs);
// - the integer encoding is used only when prev + Δv reproduces the value
//   exactly;
// - a Δt of exactly 2^24 ms closes the chunk (Go stores it, but the 24-bit
//   field cannot hold it and reads it back as 0).

import { CHUNK_LEN, STATUS_OUT_OF_ORDER } from "./layout";
import {
  loadBE64, storeBE64, loadBE32, storeBE32, loadBE16, storeBE16, loadBE24, storeBE24,
  clearBits, orBits, sameBits, isInt32, fitsSigned,
} from "./bits";
import { allocChunk, noteCreated, currentSlot, fail } from "./alloc";

export const FIRST_T = 0;
export const FIRST_V = 8;
export const LAST_T = 16;
export const LAST_V = 24;
export const FIRST_DT = 32;
export const FLAGS = 35;
export const NEXT_OFFSET = 36;
export const FIRST_DV = 38;
const COUNT_OFFSET = CHUNK_LEN - 9;
const LAST_DT = CHUNK_LEN - 7;
const LAST_DV = CHUNK_LEN - 4;
const LAST_LEADING = CHUNK_LEN - 4;
const LAST_SIGNIFICANT = CHUNK_LEN - 3;

/** Symbolic "next offset" values before the payload starts. */
export const SECOND_SAMPLE = 1;
export const THIRD_SAMPLE = FIRST_DV * 8;
/** Past this bit offset the payload has reached the footer: one more sample fits, in the header. */
export const OFFSET_THRESHOLD = 8 * COUNT_OFFSET;
const MAX_TIME_DELTA: i64 = 0xffffff;

export const ENC_ZERO = 0;
export const ENC_INT = 1;
export const ENC_XOR = 2;
export const ENC_DIRECT = 3;

// @ts-ignore: decorator
@inline function worstCaseBits(enc: i32): i32 {
  // 27 bits of timestamp plus the value's worst case.
  return enc == ENC_ZERO ? 27 : enc == ENC_INT ? 27 + 38 : enc == ENC_XOR ? 27 + 13 + 64 : 27 + 64;
}

// @ts-ignore: decorator
@inline export function vbNextOffset(c: usize): i32 { return <i32>loadBE16(c + NEXT_OFFSET); }
// @ts-ignore: decorator
@inline function setNextOffset(c: usize, o: i32): void { storeBE16(c + NEXT_OFFSET, <u32>o); }
// @ts-ignore: decorator
@inline export function vbEncoding(c: usize): i32 { return <i32>(load<u8>(c + FLAGS) & 3); }
// @ts-ignore: decorator
@inline export function vbClosed(c: usize): bool { return load<u8>(c + FLAGS) > 0x7f; }
// @ts-ignore: decorator
@inline export function vbFirstTime(c: usize): i64 { return <i64>loadBE64(c + FIRST_T); }
// @ts-ignore: decorator
@inline export function vbFirstValue(c: usize): f64 { return reinterpret<f64>(loadBE64(c + FIRST_V)); }
// @ts-ignore: decorator
@inline export function vbLastTime(c: usize): i64 { return <i64>loadBE64(c + LAST_T); }
// @ts-ignore: decorator
@inline export function vbLastValue(c: usize): f64 { return reinterpret<f64>(loadBE64(c + LAST_V)); }

function setEncoding(c: usize, enc: i32): void {
  store<u8>(c + FLAGS, (load<u8>(c + FLAGS) & ~3) | <u8>enc);
}

export function vbInit(c: usize, enc: i32): void {
  memory.fill(c, 0, <usize>CHUNK_LEN);
  setEncoding(c, enc);
}

function setLastSample(c: usize, t: i64, v: f64): void {
  storeBE64(c + LAST_T, <u64>t);
  storeBE64(c + LAST_V, reinterpret<u64>(v));
}

function addLastSample(c: usize, t: i64, v: f64): usize {
  setLastSample(c, t, v);
  store<u8>(c + FLAGS, load<u8>(c + FLAGS) | 0x80);
  return c;
}

// ---- bit writers with varbit's footer rules ----

function addZeroBit(c: usize, o: i32): i32 {
  // The payload starts zeroed; only the footer area may hold stale bits.
  if (o >= OFFSET_THRESHOLD) clearBits(c, o, 1);
  return o + 1;
}

function addOneBits(c: usize, o: i32, n: i32): i32 {
  return orBits(c, o, ((<u64>1) << <u64>n) - 1, n);
}

function addPattern(c: usize, o: i32, pattern: u64, n: i32): i32 {
  const end = o + n;
  if (end > OFFSET_THRESHOLD) {
    const from = o < OFFSET_THRESHOLD ? OFFSET_THRESHOLD : o;
    clearBits(c, from, end - from);
  }
  return orBits(c, o, pattern, n);
}

function addSigned(c: usize, o: i32, i: i64, n: i32): i32 {
  const u: u64 = n < 64 ? <u64>i & (((<u64>1) << <u64>n) - 1) : <u64>i;
  return addPattern(c, o, u, n);
}

/** Leading zeros (capped at 31, excess counted as significant) and significant bits of x. */
// @ts-ignore: decorator
@inline function leadingOf(x: u64): i32 {
  const l = <i32>clz<u64>(x);
  return l > 31 ? 31 : l;
}
// @ts-ignore: decorator
@inline function significantOf(x: u64): i32 {
  if (x == 0) return 0;
  return 64 - leadingOf(x) - <i32>ctz<u64>(x);
}

// ---- ΔΔt = 0 repeat counter kept in the footer ----

function repeatOffset(c: usize): i32 { return <i32>loadBE16(c + COUNT_OFFSET); }

function repeats(c: usize, at: i32): i32 {
  if (at == 0) return 0;
  return <i32>readPattern(c, at, 7) + 1;
}

function readPattern(c: usize, o: i32, n: i32): u64 {
  const byte = <usize>(o >>> 3);
  const shift = <u64>(o & 7);
  let w = loadBE64(c + byte) << shift;
  if (shift + <u64>n > 64) w |= <u64>load<u8>(c + byte + 8) >> (8 - shift);
  return w >> <u64>(64 - n);
}

function setRepeats(c: usize, count: i32, at: i32): void {
  if (count == 0) {
    storeBE16(c + COUNT_OFFSET, 0);
    return;
  }
  if (count == 1) {
    // Only remember the counter while it lies before the footer.
    if (at + 7 <= OFFSET_THRESHOLD) storeBE16(c + COUNT_OFFSET, <u32>at);
  } else {
    clearBits(c, at, 7);
  }
  addPattern(c, at, <u64>(count - 1), 7);
}

// ---- appending ----

/**
 * Appends (t, v) to chunk c. Returns the head chunk afterwards: c itself or
 * an overflow chunk (reported through noteCreated). A transcode rewrites c
 * in place. Returns 0 on error (lastStatus).
 */
export function vbAdd(c: usize, t: i64, v: f64): usize {
  const o = vbNextOffset(c);
  if (vbClosed(c)) return overflow(t, v);
  if (o > OFFSET_THRESHOLD) return addLastSample(c, t, v);
  if (o == 0) {
    storeBE64(c + FIRST_T, <u64>t);
    storeBE64(c + FIRST_V, reinterpret<u64>(v));
    setLastSample(c, t, v);
    setNextOffset(c, SECOND_SAMPLE);
    return c;
  }
  if (o == SECOND_SAMPLE) return addSecond(c, t, v);
  return addLater(c, t, v, o);
}

function addSecond(c: usize, t: i64, v: f64): usize {
  const dt = t - vbFirstTime(c);
  if (dt < 0) return fail(STATUS_OUT_OF_ORDER);
  if (dt > MAX_TIME_DELTA) return addLastSample(c, t, v);
  storeBE24(c + FIRST_DT, <u32>dt);
  storeBE24(c + LAST_DT, <u32>dt);
  setLastSample(c, t, v);
  setNextOffset(c, THIRD_SAMPLE);
  return c;
}

// @ts-ignore: decorator
@inline function intStepExact(prev: f64, v: f64): bool {
  const d = v - prev;
  return isInt32(d) && sameBits(prev + <f64><i32>d, v);
}

function addLater(c: usize, t: i64, v: f64, o: i32): usize {
  const lastT = vbLastTime(c);
  const lastDT = <i64>loadBE24(c + LAST_DT);
  const dt = t - lastT;
  const lastV = vbLastValue(c);
  let enc = vbEncoding(c);
  if (dt < 0) return fail(STATUS_OUT_OF_ORDER);
  if (o == THIRD_SAMPLE) {
    o = prepThird(c, lastV, v, enc);
    enc = vbEncoding(c);
  }
  if (dt > MAX_TIME_DELTA) return addLastSample(c, t, v);
  if (o + worstCaseBits(enc) > CHUNK_LEN * 8) return addLastSample(c, t, v);

  if (enc == ENC_ZERO && !sameBits(v, lastV)) {
    if (o > CHUNK_LEN * 4) return overflow(t, v);
    return transcode(c, isInt32(v - lastV) ? ENC_INT : ENC_XOR, t, v);
  }
  if (enc == ENC_INT && !intStepExact(lastV, v)) {
    if (o > CHUNK_LEN * 4) return overflow(t, v);
    return transcode(c, ENC_XOR, t, v);
  }

  // Timestamp: ΔΔt with a run counter for zeros.
  const ddt = dt - lastDT;
  if (!fitsSigned(ddt, 23)) return addLastSample(c, t, v);
  storeBE24(c + LAST_DT, <u32>dt);
  let at = repeatOffset(c);
  let count = repeats(c, at);
  if (ddt == 0) {
    if (count == 0 || count == 128) {
      o = addZeroBit(c, o);
      at = o;
      o += 7;
      count = 0;
    }
    setRepeats(c, count + 1, at);
  } else {
    setRepeats(c, 0, at);
    if (fitsSigned(ddt, 6)) {
      o = addZeroBit(c, addOneBits(c, o, 1));
      o = addSigned(c, o, ddt, 6);
    } else if (fitsSigned(ddt, 17)) {
      o = addZeroBit(c, addOneBits(c, o, 2));
      o = addSigned(c, o, ddt, 17);
    } else {
      o = addOneBits(c, o, 3);
      o = addSigned(c, o, ddt, 23);
    }
  }

  if (enc == ENC_INT) o = addIntValue(c, o, lastV, v);
  else if (enc == ENC_XOR) o = addXorValue(c, o, lastV, v);
  else if (enc == ENC_DIRECT) o = addPattern(c, o, reinterpret<u64>(v), 64);

  setNextOffset(c, o);
  setLastSample(c, t, v);
  return c;
}

/** Chooses the value encoding when the third sample arrives; returns the payload offset. */
function prepThird(c: usize, v1: f64, v2: f64, preset: i32): i32 {
  let o = THIRD_SAMPLE;
  const v0 = vbFirstValue(c);
  const firstDelta = v1 - v0;
  const sig1 = significantOf(reinterpret<u64>(v0) ^ reinterpret<u64>(v1));
  const sig2 = significantOf(reinterpret<u64>(v1) ^ reinterpret<u64>(v2));
  let enc: i32;
  if (preset == ENC_ZERO && sameBits(v1, v0) && sameBits(v1, v2)) {
    enc = ENC_ZERO;
  } else if (preset <= ENC_INT && intStepExact(v0, v1)) {
    enc = ENC_INT;
    storeBE32(c + FIRST_DV, <u32><i32>firstDelta);
    storeBE32(c + LAST_DV, <u32><i32>firstDelta);
    o += 32;
  } else if (preset == ENC_DIRECT || sig1 + sig2 > 100) {
    enc = ENC_DIRECT;
    storeBE64(c + FIRST_DV, reinterpret<u64>(v1));
    o += 64;
  } else {
    enc = ENC_XOR;
    o = addXorValue(c, o, v0, v1);
  }
  setEncoding(c, enc);
  setNextOffset(c, o);
  return o;
}

function addIntValue(c: usize, o: i32, prev: f64, v: f64): i32 {
  const delta = <i64><i32>(v - prev);
  const dd = delta - <i64><i32>loadBE32(c + LAST_DV);
  storeBE32(c + LAST_DV, <u32><i32>delta);
  if (dd == 0) return addZeroBit(c, o);
  if (fitsSigned(dd, 6)) return addSigned(c, addZeroBit(c, addOneBits(c, o, 1)), dd, 6);
  if (fitsSigned(dd, 13)) return addSigned(c, addZeroBit(c, addOneBits(c, o, 2)), dd, 13);
  if (fitsSigned(dd, 20)) return addSigned(c, addZeroBit(c, addOneBits(c, o, 3)), dd, 20);
  return addSigned(c, addOneBits(c, o, 4), dd, 33);
}

function addXorValue(c: usize, o: i32, prev: f64, v: f64): i32 {
  const x = reinterpret<u64>(prev) ^ reinterpret<u64>(v);
  if (x == 0) return addZeroBit(c, o);
  const lastLead = <i32>load<u8>(c + LAST_LEADING);
  const lastSig = <i32>load<u8>(c + LAST_SIGNIFICANT);
  const lead = leadingOf(x);
  const sig = significantOf(x);
  // Reuse the stored window unless the value got much narrower (then a
  // fresh window pays for its 11-bit header soon).
  if (lead >= lastLead && lead + sig <= lastLead + lastSig && lastSig - sig < 10) {
    o = addZeroBit(c, addOneBits(c, o, 1));
    return addPattern(c, o, x >> <u64>(64 - lastLead - lastSig), lastSig);
  }
  store<u8>(c + LAST_LEADING, <u8>lead);
  store<u8>(c + LAST_SIGNIFICANT, <u8>sig);
  o = addOneBits(c, o, 2);
  o = addPattern(c, o, <u64>lead, 5);
  o = addPattern(c, o, <u64>(sig - 1), 6);
  return addPattern(c, o, x >> <u64>(64 - lead - sig), sig);
}

function overflow(t: i64, v: f64): usize {
  const fresh = allocChunk();
  vbInit(fresh, ENC_ZERO);
  noteCreated(currentSlot, fresh);
  return vbAdd(fresh, t, v);
}

/** Re-encodes c's samples with the given preset (in place, may overflow), then adds (t, v). */
function transcode(c: usize, preset: i32, t: i64, v: f64): usize {
  const old = allocChunk();
  memory.copy(old, c, <usize>CHUNK_LEN);
  vbInit(c, preset);
  let head = c;
  // A transcode can nest (int preset turning out to need XOR): one cursor per level.
  const cur = transcodeCursors[transcodeDepth++];
  cur.reset(old);
  while (head != 0 && cur.next()) head = vbAdd(head, cur.t, cur.v);
  transcodeDepth--;
  heap.free(old);
  if (head == 0) return 0;
  return vbAdd(head, t, v);
}

// ---- decoding ----

/** Sequential decoder. After next() returns true, t and v hold the sample. */
export class VarbitCursor {
  c: usize = 0;
  pos: i32 = 0;
  len: i32 = 0;
  t: i64 = 0;
  dt: i64 = 0;
  rep: i32 = 0;
  v: f64 = 0;
  dv: i64 = 0;
  leading: i32 = 0;
  significant: i32 = 1;
  enc: i32 = 0;
  /** Set when the chunk would be read outside its bounds. */
  corrupt: bool = false;

  reset(c: usize): void {
    this.c = c;
    this.pos = 0;
    this.len = vbNextOffset(c);
    this.t = 0;
    this.dt = 0;
    this.rep = 0;
    this.v = 0;
    this.dv = 0;
    this.leading = 0;
    this.significant = 1;
    this.enc = vbEncoding(c);
    this.corrupt = this.len > CHUNK_LEN * 8 || (this.len > 1 && this.len < THIRD_SAMPLE);
  }

  next(): bool {
    if (this.corrupt) return false;
    const c = this.c;
    const pos = this.pos;
    if (pos > this.len) {
      // Only our own end marker may step past the payload.
      if (pos != this.len + 1) this.corrupt = true;
      return false;
    }
    if (pos == this.len && this.rep == 0) {
      this.pos = this.len + 1;
      if (!vbClosed(c)) return false;
      this.t = vbLastTime(c);
      this.v = vbLastValue(c);
      return true;
    }
    if (pos == 0) {
      this.t = vbFirstTime(c);
      this.v = vbFirstValue(c);
      this.pos = SECOND_SAMPLE;
      return true;
    }
    if (pos == SECOND_SAMPLE) {
      if (this.len == THIRD_SAMPLE && !vbClosed(c)) {
        this.t = vbLastTime(c);
        this.v = vbLastValue(c);
        this.pos = this.len + 1;
        return true;
      }
      this.dt = <i64>loadBE24(c + FIRST_DT);
      this.t += this.dt;
      const enc = this.enc;
      if (enc == ENC_ZERO) {
        this.pos = THIRD_SAMPLE;
      } else if (enc == ENC_INT) {
        this.dv = <i64><i32>loadBE32(c + FIRST_DV);
        this.v += <f64>this.dv;
        this.pos = THIRD_SAMPLE + 32;
      } else if (enc == ENC_XOR) {
        this.pos = THIRD_SAMPLE;
        this.readXor();
      } else {
        this.v = reinterpret<f64>(loadBE64(c + FIRST_DV));
        this.pos = THIRD_SAMPLE + 64;
      }
      return !this.corrupt;
    }
    this.readDDT();
    const enc = this.enc;
    if (enc == ENC_INT) this.readDDV();
    else if (enc == ENC_XOR) this.readXor();
    else if (enc == ENC_DIRECT) this.v = reinterpret<f64>(this.bits(64));
    return !this.corrupt;
  }

  // @ts-ignore: decorator
  @inline bits(n: i32): u64 {
    if (this.pos + n > CHUNK_LEN * 8) {
      this.corrupt = true;
      return 0;
    }
    const r = readPattern(this.c, this.pos, n);
    this.pos += n;
    return r;
  }

  // @ts-ignore: decorator
  @inline signed(n: i32): i64 {
    const u = this.bits(n);
    return (<i64>(u << <u64>(64 - n))) >> <i64>(64 - n);
  }

  /** Counts 1-bits up to max, consuming the terminating 0 if seen first. */
  // @ts-ignore: decorator
  @inline control(max: i32): i32 {
    if (this.pos + max > CHUNK_LEN * 8) {
      // Slow path near the end of the chunk.
      let n = 0;
      while (n < max) {
        if (this.pos >= CHUNK_LEN * 8) { this.corrupt = true; return n; }
        const b = readPattern(this.c, this.pos, 1);
        this.pos++;
        if (b == 0) return n;
        n++;
      }
      return n;
    }
    const w = <i32>readPattern(this.c, this.pos, max);
    // Number of leading ones within max bits.
    const ones = <i32>clz<u32>(~(w << (32 - max)));
    const n = ones > max ? max : ones;
    this.pos += n < max ? n + 1 : n;
    return n;
  }

  readDDT(): void {
    if (this.rep > 0) {
      this.rep--;
    } else {
      const k = this.control(3);
      if (k == 0) this.rep = <i32>this.bits(7);
      else if (k == 1) this.dt += this.signed(6);
      else if (k == 2) this.dt += this.signed(17);
      else this.dt += this.signed(23);
    }
    this.t += this.dt;
  }

  readDDV(): void {
    const k = this.control(4);
    if (k == 1) this.dv += this.signed(6);
    else if (k == 2) this.dv += this.signed(13);
    else if (k == 3) this.dv += this.signed(20);
    else if (k == 4) this.dv += this.signed(33);
    this.v += <f64>this.dv;
  }

  readXor(): void {
    const k = this.control(2);
    if (k == 0) return;
    if (k == 2) {
      this.leading = <i32>this.bits(5);
      this.significant = <i32>this.bits(6) + 1;
    }
    const lead = this.leading, sig = this.significant;
    if (lead + sig > 64) {
      this.corrupt = true;
      return;
    }
    const x = this.bits(sig) << <u64>(64 - sig - lead);
    this.v = reinterpret<f64>(reinterpret<u64>(this.v) ^ x);
  }
}

/** Timestamp of the first sample (i64.MAX_VALUE when empty). */
export function vbMinTime(c: usize): i64 {
  return vbNextOffset(c) == 0 ? i64.MAX_VALUE : vbFirstTime(c);
}

/** Timestamp of the last sample (i64.MIN_VALUE when empty). */
export function vbMaxTime(c: usize): i64 {
  return vbNextOffset(c) == 0 ? i64.MIN_VALUE : vbLastTime(c);
}

const transcodeCursors: StaticArray<VarbitCursor> = [
  new VarbitCursor(), new VarbitCursor(), new VarbitCursor(), new VarbitCursor(),
];
let transcodeDepth = 0;
