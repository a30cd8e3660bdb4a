// Range scans over lists of chunks, so that no per-sample call crosses the
// JS/WASM boundary. One decoder per encoding writes a chunk's samples into
// scratch buffers; decodeRange hands them to the host, and the reductions
// (reduceRange, reduceWindows) fold them from there. Chunk lists are arrays
// of u32 chunk pointers in time order; times are i64 ms passed as f64.

import {
  CHUNK_ALLOC, ENC_DOUBLE_DELTA, ENC_VARBIT, STATUS_BAD_ENCODING, STATUS_CORRUPT,
  R_COUNT, R_SUM, R_SUM_COMP, R_MIN, R_MAX, R_FIRST_T, R_FIRST_V, R_LAST_T, R_LAST_V,
  R_PREV_T, R_PREV_V, R_CORRECTION, R_RESETS, R_CHANGES, R_SIZE, STALE_NAN_BITS,
} from "./layout";
import { ddLen, ddTimeAt, ddValueAt, ddValid, tb, vb, isInt, baseT, baseV, rawBaseDT, rawBaseDV, HEADER } from "./doubledelta";
import {
  vbNextOffset, vbEncoding, vbClosed, vbFirstTime, vbFirstValue, vbLastTime, vbLastValue,
  FIRST_DT, FIRST_DV, SECOND_SAMPLE, THIRD_SAMPLE, ENC_ZERO, ENC_INT, ENC_XOR,
} from "./varbit";
import { loadBE64, loadBE32, loadBE24 } from "./bits";

// @ts-ignore: decorator
@inline function isStale(v: f64): bool {
  return reinterpret<u64>(v) == STALE_NAN_BITS;
}

// Every scan decodes into these module-owned buffers, which grow as needed
// (a varbit chunk of a constant series can hold over 100k samples) and are
// kept across calls: a worker decodes into the same memory query after query.
let scratchT: usize = 0;
let scratchV: usize = 0;
let scratchCap: i32 = 0;

/** Doubles the scratch buffers. */
function growScratch(): void {
  const cap = scratchCap == 0 ? 4096 : scratchCap * 2;
  scratchT = scratchT == 0 ? heap.alloc(<usize>cap << 3) : heap.realloc(scratchT, <usize>cap << 3);
  scratchV = scratchV == 0 ? heap.alloc(<usize>cap << 3) : heap.realloc(scratchV, <usize>cap << 3);
  scratchCap = cap;
}

/** Stores sample n; returns n + 1. For the few samples outside the decoding loops, which keep the buffers in locals. */
function put(n: i32, t: i64, v: f64): i32 {
  if (n == scratchCap) growScratch();
  store<f64>(scratchT + (<usize>n << 3), <f64>t);
  store<f64>(scratchV + (<usize>n << 3), v);
  return n + 1;
}

// Set when a chunk's decode stopped at a sample past maxt: the chunks after it have none to give.
let pastEnd = false;

// @ts-ignore: decorator
@inline function stop(n: i32): i32 {
  pastEnd = true;
  return n;
}

/** First index of a double-delta chunk with time >= mint (binary search: O(1) random access). */
function ddLowerBound(c: usize, n: i32, mint: i64): i32 {
  let lo = 0, hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ddTimeAt(c, mid) < mint) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Appends the samples of double-delta chunk c within [mint, maxt] to the
 * scratch from index n; returns the new count or a negative status. Random
 * access, so it starts at a binary-searched index; header fields read once.
 */
function decodeDD(c: usize, n: i32, mint: i64, maxt: i64, skipStale: bool): i32 {
  if (!ddValid(c)) return STATUS_CORRUPT;
  const len = ddLen(c);
  let i = ddLowerBound(c, len, mint);
  for (; i < len && i < 2; i++) {
    const t = ddTimeAt(c, i);
    if (t > maxt) return stop(n);
    const v = ddValueAt(c, i);
    if (skipStale && isStale(v)) continue;
    n = put(n, t, v);
  }
  if (i >= len) return n;
  const w = tb(c), x = vb(c), stride = w + x, integer = isInt(c);
  const t0 = baseT(c), dt = rawBaseDT(c), v0 = baseV(c), dv = rawBaseDV(c);
  let cap = scratchCap, T = scratchT, V = scratchV;
  let p = c + <usize>(HEADER + (i - 2) * stride);
  for (; i < len; i++, p += <usize>stride) {
    let t: i64;
    if (w == 8) t = load<i64>(p);
    else t = t0 + <i64>i * dt + (w == 1 ? <i64>load<i8>(p) : w == 2 ? <i64>load<i16>(p) : <i64>load<i32>(p));
    if (t > maxt) return stop(n);
    const q = p + <usize>w;
    let v: f64;
    if (x == 8) {
      v = load<f64>(q);
    } else {
      const proj = v0 + <f64>i * dv;
      if (!integer) v = proj + <f64>load<f32>(q);
      else if (x == 0) v = proj;
      else v = proj + (x == 1 ? <f64>load<i8>(q) : x == 2 ? <f64>load<i16>(q) : <f64>load<i32>(q));
    }
    if (skipStale && isStale(v)) continue;
    if (n == cap) {
      growScratch();
      cap = scratchCap;
      T = scratchT;
      V = scratchV;
    }
    store<f64>(T + (<usize>n << 3), <f64>t);
    store<f64>(V + (<usize>n << 3), v);
    n++;
  }
  return n;
}

// The varbit stream is big-endian and WebAssembly has no byte swap: a
// 64-bit swap is a dozen instructions, on the decoder's critical path when
// each read swaps. So a chunk's bytes are first copied in reverse, 8 at a
// time (independent swaps, which overlap), and the stream's 8 bytes from
// byte b are then one little-endian load from the reversed copy's end.
let reversed: usize = 0;

/** The end of a reversed copy of the first `bytes` (a multiple of 16, at most CHUNK_ALLOC) of chunk c. */
function reverseChunk(c: usize, bytes: i32): usize {
  if (reversed == 0) reversed = heap.alloc(<usize>CHUNK_ALLOC);
  const end = reversed + <usize>CHUNK_ALLOC;
  for (let i: usize = 0; i < <usize>bytes; i += 16) {
    store<u64>(end - 8 - i, bswap<u64>(load<u64>(c + i)));
    store<u64>(end - 16 - i, bswap<u64>(load<u64>(c + i + 8)));
  }
  return end;
}

/** The 64 bits from bit pos of the stream whose reversed copy ends at r, MSB first. */
// @ts-ignore: decorator
@inline function windowAt(r: usize, pos: i32): u64 {
  const q = r - 8 - <usize>(pos >>> 3);
  const shift = <u64>(pos & 7);
  return (load<u64>(q) << shift) | (<u64>load<u8>(q - 1) >> (8 - shift));
}

const PAYLOAD_END = 1024 * 8;

// A chunk's payload decoded without a branch on its data but the loop's
// own, and without the range's per-sample tests: a chunk whose time deltas
// never go negative and whose last time does not wrap around has its times
// in order from the first to the last, so the samples within the range are
// one run of them, cut out afterwards (trimToRange). Stale markers, when
// skipped, are still written and then overwritten. Anything else (a
// negative delta, a wrapped time, a position past the payload, an
// impossible XOR window, times past ±2^53 where the f64 copies round) is
// left to the general loop, which decodes the chunk again from the same
// state and so answers exactly as it always did.
const REDO = -1000;

/** The time of a fast loop's last sample. */
let loopLast: i64 = 0;

const MAX_EXACT: i64 = 1 << 53;

/** Samples at most that one fast loop writes: every sample reads at least one bit of the payload. */
const FAST_MAX_SAMPLES = PAYLOAD_END + 128;

// @ts-ignore: decorator
@inline function fastLoop(enc: i32, skipStale: bool, r: usize, len: i32, n: i32, t: i64, v: f64, dt: i64, dv: i64, pos: i32, rep: i32): i32 {
  const t0 = t;
  // One output pointer: the values are at a fixed distance from the times.
  const gap = scratchV - scratchT;
  const o0 = scratchT + (<usize>n << 3);
  let o = o0;
  let lead = 0, sig = 1;
  let neg: i64 = dt;
  while (pos < len || rep > 0) {
    const win = windowAt(r, pos);
    let rest = win;
    if (rep > 0) {
      rep--;
    } else {
      // The code's length from its first three bits (0xx, 10x: 8; 110: 20; 111: 26), on the critical path;
      // the delta itself is not.
      const top = win >> 61;
      const used = (<u64>0x1a14080808080808 >> (top << 3)) & 0xff;
      rest = win << used;
      pos += <i32>used;
      if (top < 4) {
        rep = <i32>((win << 1) >> 57);
      } else {
        const ctrl = (<u64>0xfa55 >> (top << 1)) & 3;
        dt += (<i64>(win << ctrl)) >> <i64>(64 - used + ctrl);
        neg |= dt;
      }
    }
    t += dt;
    if (enc == ENC_INT) {
      // Control bits counted up to four (a 1 forced at the fifth), the code's length by their count.
      const j = clz<u64>(~rest | (<u64>1 << 59));
      const jb = j << 3;
      pos += <i32>((<u64>0x2518100801 >> jb) & 0xff);
      const vc = j + <u64>(j < 4);
      const vw = (<u64>0x21140d0600 >> jb) & 0xff;
      dv += j == 0 ? 0 : (<i64>(rest << vc)) >> <i64>(64 - vw);
      v += <f64>dv;
    } else {
      const j = clz<u64>(~rest | (<u64>1 << 61));
      const fresh = j == 2;
      const head = rest << 2;
      lead = fresh ? <i32>(head >> 59) : lead;
      sig = fresh ? <i32>((head >> 53) & 63) + 1 : sig;
      if (lead + sig > 64) return REDO;
      pos += <i32>((<u64>0x0d0201 >> (j << 3)) & 0xff);
      const x = windowAt(r, pos) >> <u64>(64 - sig);
      const change = j == 0 ? 0 : x << <u64>(64 - sig - lead);
      pos += j == 0 ? 0 : sig;
      v = reinterpret<f64>(reinterpret<u64>(v) ^ change);
    }
    if (pos > PAYLOAD_END) return REDO;
    store<f64>(o, <f64>t);
    store<f64>(o + gap, v);
    if (skipStale) o += <usize>(reinterpret<u64>(v) != STALE_NAN_BITS) << 3;
    else o += 8;
  }
  if (pos != len || neg < 0 || t < t0) return REDO;
  loopLast = t;
  return n + <i32>((o - o0) >>> 3);
}

function fastInt(r: usize, len: i32, n: i32, t: i64, v: f64, dt: i64, dv: i64, pos: i32, rep: i32): i32 {
  return fastLoop(ENC_INT, false, r, len, n, t, v, dt, dv, pos, rep);
}

function fastXor(r: usize, len: i32, n: i32, t: i64, v: f64, dt: i64, pos: i32, rep: i32): i32 {
  return fastLoop(ENC_XOR, false, r, len, n, t, v, dt, 0, pos, rep);
}

function fastIntLive(r: usize, len: i32, n: i32, t: i64, v: f64, dt: i64, dv: i64, pos: i32, rep: i32): i32 {
  return fastLoop(ENC_INT, true, r, len, n, t, v, dt, dv, pos, rep);
}

function fastXorLive(r: usize, len: i32, n: i32, t: i64, v: f64, dt: i64, pos: i32, rep: i32): i32 {
  return fastLoop(ENC_XOR, true, r, len, n, t, v, dt, 0, pos, rep);
}

/**
 * fastLoop for a chunk with no value bits (ENC_ZERO), whose runs of
 * repeated deltas need no reads: the scratch is grown as the samples come,
 * since runs let a chunk hold over 100k of them. The value is the chunk's
 * one value, so the caller takes this path only when it is kept.
 */
function fastZero(r: usize, len: i32, n: i32, t: i64, v: f64, dt: i64, pos: i32, rep: i32): i32 {
  const t0 = t;
  let cap = scratchCap;
  let T = scratchT, V = scratchV;
  let neg: i64 = dt;
  while (pos < len || rep > 0) {
    if (rep > 0) {
      if (n + rep > cap) {
        reserveScratch(n + rep);
        cap = scratchCap;
        T = scratchT;
        V = scratchV;
      }
      for (; rep > 0; rep--) {
        t += dt;
        store<f64>(T + (<usize>n << 3), <f64>t);
        store<f64>(V + (<usize>n << 3), v);
        n++;
      }
      continue;
    }
    const win = windowAt(r, pos);
    const top = win >> 61;
    const used = (<u64>0x1a14080808080808 >> (top << 3)) & 0xff;
    pos += <i32>used;
    if (top < 4) {
      rep = <i32>((win << 1) >> 57);
    } else {
      const ctrl = (<u64>0xfa55 >> (top << 1)) & 3;
      dt += (<i64>(win << ctrl)) >> <i64>(64 - used + ctrl);
      neg |= dt;
    }
    t += dt;
    if (pos > PAYLOAD_END) return REDO;
    if (n == cap) {
      growScratch();
      cap = scratchCap;
      T = scratchT;
      V = scratchV;
    }
    store<f64>(T + (<usize>n << 3), <f64>t);
    store<f64>(V + (<usize>n << 3), v);
    n++;
  }
  if (pos != len || neg < 0 || t < t0) return REDO;
  loopLast = t;
  return n;
}

/**
 * Keeps, of the samples [n, m) a fast loop wrote (times in order from
 * `first` to `last`), those within [mint, maxt], as the general loop would:
 * it stops at the first time past maxt, and skips those before mint.
 */
function trimToRange(n: i32, m: i32, first: i64, last: i64, mint: i64, maxt: i64): i32 {
  if (first < -MAX_EXACT || last > MAX_EXACT) return REDO;
  const T = scratchT, V = scratchV;
  if (last > maxt) {
    let i = n;
    while (i < m && <i64>load<f64>(T + (<usize>i << 3)) <= maxt) i++;
    m = i;
    pastEnd = true;
  }
  if (first < mint) {
    let j = n;
    while (j < m && <i64>load<f64>(T + (<usize>j << 3)) < mint) j++;
    if (j > n) {
      memory.copy(T + (<usize>n << 3), T + (<usize>j << 3), <usize>(m - j) << 3);
      memory.copy(V + (<usize>n << 3), V + (<usize>j << 3), <usize>(m - j) << 3);
      m -= j - n;
    }
  }
  return m;
}

/** Grows the scratch to hold at least `need` samples. */
function reserveScratch(need: i32): void {
  while (scratchCap < need) growScratch();
}

/**
 * Appends the samples of varbit chunk c within [mint, maxt] to the scratch
 * from index n; returns the new count or a negative status. The same rules
 * as VarbitCursor (which the encoder uses). The payload goes through a
 * fast loop (fastLoop, fastZero) when it can; this function's own loop,
 * with every test per sample, takes the rest and any chunk a fast loop
 * hands back.
 */
function decodeVarbit(c: usize, n: i32, mint: i64, maxt: i64, skipStale: bool): i32 {
  const len = vbNextOffset(c);
  if (len == 0) return n;
  if (len > PAYLOAD_END || (len > SECOND_SAMPLE && len < THIRD_SAMPLE)) return STATUS_CORRUPT;
  const closed = vbClosed(c);
  if (vbLastTime(c) < mint) return n;
  let t = vbFirstTime(c);
  let v = vbFirstValue(c);
  if (t > maxt) return stop(n);
  if (t >= mint && !(skipStale && isStale(v))) n = put(n, t, v);
  if (len == SECOND_SAMPLE || (len == THIRD_SAMPLE && !closed)) {
    if (len == SECOND_SAMPLE && !closed) return n;
    t = vbLastTime(c);
    v = vbLastValue(c);
    if (t > maxt) return stop(n);
    if (t >= mint && !(skipStale && isStale(v))) n = put(n, t, v);
    return n;
  }
  const enc = vbEncoding(c);
  let dt = <i64>loadBE24(c + FIRST_DT);
  let dv: i64 = 0;
  // The second sample's time delta is the header's. Its value is the
  // header's 32-bit integer step (ENC_INT); otherwise it is coded at bit
  // THIRD_SAMPLE as the loop reads any value (an XOR code, or the 64 bits
  // of a direct value), so the loop decodes it as a one-sample run.
  let pos = THIRD_SAMPLE;
  let rep = 1;
  if (enc == ENC_INT) {
    t += dt;
    dv = <i64><i32>loadBE32(c + FIRST_DV);
    v += <f64>dv;
    pos = THIRD_SAMPLE + 32;
    rep = 0;
    if (t > maxt) return stop(n);
    if (t >= mint && !(skipStale && isStale(v))) n = put(n, t, v);
  }
  // An intact chunk's fast loop ends at len, reading below bit len + 103, the window's 9 bytes past that
  // bit's byte. A damaged one (a last run longer than its samples) may read on past head, into bytes an
  // earlier chunk left in the reversed copy (still inside CHUNK_ALLOC); it then cannot end exactly at len,
  // so it hands the chunk back to the general loop, which reverses the whole chunk first.
  const head = min(CHUNK_ALLOC, (((len + 102) >>> 3) + 9 + 15) & ~15);
  let r = reverseChunk(c, head);
  {
    let m = REDO;
    if (enc == ENC_ZERO) {
      // Only when the chunk ends within the range: fastZero writes every sample before trimming, and a
      // long constant chunk read for its first few (a point lookup) would fill scratch for nothing.
      if (!(skipStale && isStale(v)) && vbLastTime(c) <= maxt) m = fastZero(r, len, n, t, v, dt, pos, rep);
    } else if (enc == ENC_INT || enc == ENC_XOR) {
      reserveScratch(n + FAST_MAX_SAMPLES);
      // Stale markers skipped or not: a loop each, so neither pays for the other's test.
      m = enc == ENC_INT
        ? (skipStale ? fastIntLive(r, len, n, t, v, dt, dv, pos, rep) : fastInt(r, len, n, t, v, dt, dv, pos, rep))
        : (skipStale ? fastXorLive(r, len, n, t, v, dt, pos, rep) : fastXor(r, len, n, t, v, dt, pos, rep));
    }
    if (m != REDO && (t < mint || loopLast > maxt)) m = trimToRange(n, m, t, loopLast, mint, maxt);
    if (m != REDO) return pastEnd ? m : closedSample(c, m, mint, maxt, closed, skipStale);
  }
  // The general loop may run on past len inside a run of repeated deltas, up to the payload's end.
  if (head < CHUNK_ALLOC) r = reverseChunk(c, CHUNK_ALLOC);
  let lead = 0, sig = 1;
  let cap = scratchCap;
  let T = scratchT, V = scratchV;
  // One sample reads at most 3+23 + 2+11+64 bits, so a corrupt chunk can
  // overrun its 8192 bits by 103 before the check below: CHUNK_ALLOC's slack.
  // The codes are read without branches on their bits (a jittered scrape's
  // time codes and a counter's XOR windows vary from sample to sample, so
  // branches on them are mispredicted): each sample takes one 64-bit window
  // of the stream, which holds its time code and an integer value's code
  // (26 + 37 bits at most), and an XOR value one more for its bits.
  while (pos < len || rep > 0) {
    if (rep > 0 && enc == ENC_ZERO) {
      // A run of repeated deltas with no value bits (a constant series is
      // mostly these): its samples need no reads, and the position, so its
      // bounds check, stays as the code before it left them.
      const keep = !(skipStale && isStale(v));
      for (; rep > 0; rep--) {
        t += dt;
        if (t > maxt) return stop(n);
        if (t >= mint && keep) {
          if (n == cap) {
            growScratch();
            cap = scratchCap;
            T = scratchT;
            V = scratchV;
          }
          store<f64>(T + (<usize>n << 3), <f64>t);
          store<f64>(V + (<usize>n << 3), v);
          n++;
        }
      }
      continue;
    }
    const win = windowAt(r, pos);
    // Time: 0 then a 7-bit count of repeats of the last delta, or 10, 110, 111 then a 6, 17 or 23-bit change;
    // none inside a run.
    const k0 = <u32>clz<u64>(~win);
    const k = k0 > 3 ? 3 : k0;
    const tc = k + <u32>(k < 3);
    const tw = (<u32>0x17110607 >> (k << 3)) & 0xff;
    const tx = win << <u64>tc;
    const inRun = rep > 0;
    const tu = <i32>(tx >> <u64>(64 - tw));
    const ts = (<i64>tx) >> <i64>(64 - tw);
    rep = inRun ? rep - 1 : (k == 0 ? tu : 0);
    dt += inRun || k == 0 ? 0 : ts;
    const used = inRun ? 0 : tc + tw;
    const rest = win << <u64>used;
    pos += <i32>used;
    t += dt;
    if (enc == ENC_INT) {
      // 0, or 10, 110, 1110, 1111 then a 6, 13, 20 or 33-bit change of the step.
      const j0 = <u32>clz<u64>(~rest);
      const j = j0 > 4 ? 4 : j0;
      const vc = j + <u32>(j < 4);
      const vw = <u32>((<u64>0x21140d0600 >> <u64>(j << 3)) & 0xff);
      const vx = rest << <u64>vc;
      dv += j == 0 ? 0 : (<i64>vx) >> <i64>(64 - vw);
      pos += <i32>(vc + vw);
      v += <f64>dv;
    } else if (enc == ENC_XOR) {
      // 0 (same value), 10 (XOR in the stored window), 11 then a new window (5 bits of leading zeros, 6 of
      // significant length - 1) and the XOR.
      const j0 = <u32>clz<u64>(~rest);
      const j = j0 > 2 ? 2 : j0;
      const fresh = j == 2;
      const head = rest << 2;
      lead = fresh ? <i32>(head >> 59) : lead;
      sig = fresh ? <i32>((head >> 53) & 63) + 1 : sig;
      if (lead + sig > 64) return STATUS_CORRUPT;
      pos += j == 0 ? 1 : fresh ? 13 : 2;
      const x = windowAt(r, pos) >> <u64>(64 - sig);
      const change = j == 0 ? 0 : x << <u64>(64 - sig - lead);
      pos += j == 0 ? 0 : sig;
      v = reinterpret<f64>(reinterpret<u64>(v) ^ change);
    } else if (enc != ENC_ZERO) {
      v = reinterpret<f64>(windowAt(r, pos));
      pos += 64;
    }
    if (pos > PAYLOAD_END) return STATUS_CORRUPT;
    if (t > maxt) return stop(n);
    if (t >= mint && !(skipStale && isStale(v))) {
      if (n == cap) {
        growScratch();
        cap = scratchCap;
        T = scratchT;
        V = scratchV;
      }
      store<f64>(T + (<usize>n << 3), <f64>t);
      store<f64>(V + (<usize>n << 3), v);
      n++;
    }
  }
  if (pos != len) return STATUS_CORRUPT;
  return closedSample(c, n, mint, maxt, closed, skipStale);
}

/** After the payload: a closed chunk's last sample, kept in its header. */
// @ts-ignore: decorator
@inline function closedSample(c: usize, n: i32, mint: i64, maxt: i64, closed: bool, skipStale: bool): i32 {
  if (closed) {
    const t = vbLastTime(c);
    const v = vbLastValue(c);
    if (t > maxt) return stop(n);
    if (t >= mint && !(skipStale && isStale(v))) n = put(n, t, v);
  }
  return n;
}

/** Appends chunk c's samples within [mint, maxt] to the scratch from index n (see decodeDD, decodeVarbit). */
// @ts-ignore: decorator
@inline function decodeChunk(c: usize, enc: i32, n: i32, mint: i64, maxt: i64, skipStale: bool): i32 {
  return enc == ENC_DOUBLE_DELTA ? decodeDD(c, n, mint, maxt, skipStale) : decodeVarbit(c, n, mint, maxt, skipStale);
}

/**
 * Decodes the samples within [mint, maxt] of `count` chunks (u32 pointers
 * at list, in time order) into the scratch from index 0. Returns the sample
 * count, or a negative status.
 */
function decodeChunks(list: usize, count: i32, enc: i32, mint: i64, maxt: i64, skipStale: bool): i32 {
  if (enc != ENC_DOUBLE_DELTA && enc != ENC_VARBIT) return STATUS_BAD_ENCODING;
  pastEnd = false;
  let n = 0;
  for (let k = 0; k < count && !pastEnd; k++) {
    n = decodeChunk(<usize>load<u32>(list + (<usize>k << 2)), enc, n, mint, maxt, skipStale);
    if (n < 0) break;
  }
  return n;
}

/** Accumulates one reduction record (layout.ts R_*). */
class ReduceSink {
  count: i32 = 0;
  sum: f64 = 0;
  comp: f64 = 0;
  min: f64 = NaN;
  max: f64 = NaN;
  firstT: i64 = 0;
  firstV: f64 = NaN;
  lastT: i64 = 0;
  lastV: f64 = NaN;
  prevT: i64 = 0;
  prevV: f64 = NaN;
  correction: f64 = 0;
  resets: i32 = 0;
  changes: i32 = 0;

  clear(): void {
    this.count = 0;
    this.sum = 0;
    this.comp = 0;
    this.min = NaN;
    this.max = NaN;
    this.firstT = 0;
    this.firstV = NaN;
    this.lastT = 0;
    this.lastV = NaN;
    this.prevT = 0;
    this.prevV = NaN;
    this.correction = 0;
    this.resets = 0;
    this.changes = 0;
  }

  // @ts-ignore: decorator
  @inline add(t: i64, v: f64): void {
    if (this.count == 0) {
      this.firstT = t;
      this.firstV = v;
      this.min = v;
      this.max = v;
    } else {
      const last = this.lastV;
      if (v < last) {
        this.correction += last;
        this.resets++;
      }
      if (!(v == last || (isNaN(v) && isNaN(last)))) this.changes++;
      if (v < this.min || isNaN(this.min)) this.min = v;
      if (v > this.max || isNaN(this.max)) this.max = v;
      this.prevT = this.lastT;
      this.prevV = last;
    }
    // Kahan-Neumaier summation, as Prometheus's kahanSumInc.
    const s = this.sum;
    const sum = s + v;
    if (!isFinite(sum) && !isNaN(sum)) this.comp = 0;
    else if (Math.abs(s) >= Math.abs(v)) this.comp += (s - sum) + v;
    else this.comp += (v - sum) + s;
    this.sum = sum;
    this.lastT = t;
    this.lastV = v;
    this.count++;
  }

  write(out: usize): void {
    store<f64>(out + (<usize>R_COUNT << 3), <f64>this.count);
    store<f64>(out + (<usize>R_SUM << 3), this.sum);
    store<f64>(out + (<usize>R_SUM_COMP << 3), this.comp);
    store<f64>(out + (<usize>R_MIN << 3), this.min);
    store<f64>(out + (<usize>R_MAX << 3), this.max);
    store<f64>(out + (<usize>R_FIRST_T << 3), <f64>this.firstT);
    store<f64>(out + (<usize>R_FIRST_V << 3), this.firstV);
    store<f64>(out + (<usize>R_LAST_T << 3), <f64>this.lastT);
    store<f64>(out + (<usize>R_LAST_V << 3), this.lastV);
    store<f64>(out + (<usize>R_PREV_T << 3), <f64>this.prevT);
    store<f64>(out + (<usize>R_PREV_V << 3), this.prevV);
    store<f64>(out + (<usize>R_CORRECTION << 3), this.correction);
    store<f64>(out + (<usize>R_RESETS << 3), <f64>this.resets);
    store<f64>(out + (<usize>R_CHANGES << 3), <f64>this.changes);
  }
}

const reduceSink = new ReduceSink();

/**
 * One reduction record over [mint, maxt] (stale markers skipped) written
 * at out. Chunk by chunk, each decoded and folded in turn, so a reduction
 * over a long range holds one chunk's samples, not the range's.
 */
export function reduceRange(list: usize, n: i32, enc: i32, mint: f64, maxt: f64, out: usize): i32 {
  if (enc != ENC_DOUBLE_DELTA && enc != ENC_VARBIT) return STATUS_BAD_ENCODING;
  const s = reduceSink;
  s.clear();
  pastEnd = false;
  for (let k = 0; k < n && !pastEnd; k++) {
    const m = decodeChunk(<usize>load<u32>(list + (<usize>k << 2)), enc, 0, <i64>mint, <i64>maxt, true);
    if (m < 0) return m;
    const T = scratchT, V = scratchV;
    for (let i = 0; i < m; i++) s.add(<i64>load<f64>(T + (<usize>i << 3)), load<f64>(V + (<usize>i << 3)));
  }
  s.write(out);
  return s.count;
}

/**
 * Decodes the samples of `n` chunks (pointers at `list`) within
 * [mint, maxt]. Returns the sample count (or a negative status); the
 * timestamps and values (f64 each) are at decodedTimes() and
 * decodedValues() until the next decodeRange, reduceRange or reduceWindows call.
 */
export function decodeRange(list: usize, n: i32, enc: i32, mint: f64, maxt: f64, skipStale: i32): i32 {
  return decodeChunks(list, n, enc, <i64>mint, <i64>maxt, skipStale != 0);
}

export function decodedTimes(): usize {
  return scratchT;
}

export function decodedValues(): usize {
  return scratchV;
}

/**
 * Reductions for `steps` windows: window k is [firstMin + k*step,
 * firstMax + k*step]. Writes steps records of R_SIZE f64 at out. The
 * series is decoded once; each window's record is then what ReduceSink
 * would give over its samples, bit for bit, computed in locals: the first,
 * last and previous samples and the count from the window's bounds, resets
 * and changes (integers) kept as the bounds slide, and only the fields that
 * depend on the order of additions (the Kahan sum, min and max, the reset
 * correction) summed over the window's samples. Overlapping windows (a
 * dashboard's 5m rate at a 15s step) no longer pay ReduceSink's fourteen
 * fields in memory per sample per window.
 */
export function reduceWindows(list: usize, n: i32, enc: i32, firstMin: f64, firstMax: f64, step: f64, steps: i32, out: usize): i32 {
  const lastMax = <i64>firstMax + <i64>step * <i64>(steps - 1);
  const sn = decodeChunks(list, n, enc, <i64>firstMin, lastMax, true);
  if (sn < 0) return sn;
  const T = scratchT, V = scratchV;
  // The window is samples [lo, hi); resets and changes count the pairs (i-1, i) with lo < i < hi.
  let lo = 0, hi = 0, resets = 0, changes = 0;
  for (let k = 0; k < steps; k++) {
    const wmin = <i64>firstMin + <i64>step * <i64>k;
    const wmax = <i64>firstMax + <i64>step * <i64>k;
    while (hi < sn && <i64>load<f64>(T + (<usize>hi << 3)) <= wmax) {
      if (hi > lo) {
        const v = load<f64>(V + (<usize>hi << 3)), last = load<f64>(V + (<usize>(hi - 1) << 3));
        if (v < last) resets++;
        if (!(v == last || (isNaN(v) && isNaN(last)))) changes++;
      }
      hi++;
    }
    while (lo < hi && <i64>load<f64>(T + (<usize>lo << 3)) < wmin) {
      if (lo + 1 < hi) {
        const v = load<f64>(V + (<usize>(lo + 1) << 3)), last = load<f64>(V + (<usize>lo << 3));
        if (v < last) resets--;
        if (!(v == last || (isNaN(v) && isNaN(last)))) changes--;
      }
      lo++;
    }
    const o = out + <usize>k * <usize>R_SIZE * 8;
    const count = hi - lo;
    if (count == 0) {
      reduceSink.clear();
      reduceSink.write(o);
      continue;
    }
    // The order-dependent fields, as ReduceSink.add computes them sample by sample.
    const first = load<f64>(V + (<usize>lo << 3));
    let min = first, max = first, sum: f64 = 0, comp: f64 = 0, correction: f64 = 0;
    let prev = first;
    for (let i = lo; i < hi; i++) {
      const v = load<f64>(V + (<usize>i << 3));
      if (i > lo) {
        if (resets > 0 && v < prev) correction += prev;
        if (v < min || isNaN(min)) min = v;
        if (v > max || isNaN(max)) max = v;
      }
      const sv = sum + v;
      if (!isFinite(sv) && !isNaN(sv)) comp = 0;
      else if (Math.abs(sum) >= Math.abs(v)) comp += (sum - sv) + v;
      else comp += (v - sv) + sum;
      sum = sv;
      prev = v;
    }
    const last = hi - 1;
    store<f64>(o + (<usize>R_COUNT << 3), <f64>count);
    store<f64>(o + (<usize>R_SUM << 3), sum);
    store<f64>(o + (<usize>R_SUM_COMP << 3), comp);
    store<f64>(o + (<usize>R_MIN << 3), min);
    store<f64>(o + (<usize>R_MAX << 3), max);
    store<f64>(o + (<usize>R_FIRST_T << 3), load<f64>(T + (<usize>lo << 3)));
    store<f64>(o + (<usize>R_FIRST_V << 3), first);
    store<f64>(o + (<usize>R_LAST_T << 3), load<f64>(T + (<usize>last << 3)));
    store<f64>(o + (<usize>R_LAST_V << 3), load<f64>(V + (<usize>last << 3)));
    store<f64>(o + (<usize>R_PREV_T << 3), count > 1 ? load<f64>(T + (<usize>(last - 1) << 3)) : 0);
    store<f64>(o + (<usize>R_PREV_V << 3), count > 1 ? load<f64>(V + (<usize>(last - 1) << 3)) : NaN);
    store<f64>(o + (<usize>R_CORRECTION << 3), correction);
    store<f64>(o + (<usize>R_RESETS << 3), <f64>resets);
    store<f64>(o + (<usize>R_CHANGES << 3), <f64>changes);
  }
  return sn;
}
