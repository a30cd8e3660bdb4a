// Range scans over lists of chunks, computed while decoding so that no
// per-sample call crosses the JS/WASM boundary. Chunk lists are arrays of
// u32 chunk pointers in time order; times are i64 ms passed as f64.

import {
  ENC_DOUBLE_DELTA, ENC_VARBIT, STATUS_BAD_ENCODING, STATUS_CORRUPT, STATUS_CAPACITY,
  R_COUNT, R_SUM, R_SUM_COMP, R_MIN, R_MAX, R_FIRST_T, R_FIRST_V, R_LAST_T, R_LAST_V,
  R_PREV_T, R_PREV_V, R_CORRECTION, R_RESETS, R_CHANGES, R_SIZE, STALE_NAN_BITS,
} from "./layout";
import { ddLen, ddTimeAt, ddValueAt, ddValid, tb, vb, isInt, baseT, baseV, rawBaseDT, rawBaseDV, HEADER } from "./doubledelta";
import {
  vbNextOffset, vbEncoding, vbClosed, vbFirstTime, vbFirstValue, vbLastTime, vbLastValue,
  FIRST_DT, FIRST_DV, SECOND_SAMPLE, THIRD_SAMPLE, ENC_ZERO, ENC_INT, ENC_XOR,
} from "./varbit";
import { loadBE64, loadBE32, loadBE24 } from "./bits";

/** Receives the samples of a scan in time order. */
interface Sink {
  /** Returns false to stop the scan (output full). */
  add(t: i64, v: f64): bool;
}

// @ts-ignore: decorator
@inline function isStale(v: f64): bool {
  return reinterpret<u64>(v) == STALE_NAN_BITS;
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

// Scan results of one chunk: keep going, or stop because t > maxt was seen.
const CONTINUE = 0;
const PAST_END = 1;

/** Double-delta chunk: random access, so start at a binary-searched index; header fields read once. */
function scanDD<S extends Sink>(sink: S, c: usize, mint: i64, maxt: i64, skipStale: bool): i32 {
  if (!ddValid(c)) return STATUS_CORRUPT;
  const n = ddLen(c);
  let i = ddLowerBound(c, n, mint);
  for (; i < n && i < 2; i++) {
    const t = ddTimeAt(c, i);
    if (t > maxt) return PAST_END;
    const v = ddValueAt(c, i);
    if (skipStale && isStale(v)) continue;
    if (!sink.add(t, v)) return STATUS_CAPACITY;
  }
  if (i >= n) return CONTINUE;
  const w = tb(c), x = vb(c), stride = w + x, integer = isInt(c);
  const t0 = baseT(c), dt = rawBaseDT(c), v0 = baseV(c), dv = rawBaseDV(c);
  let p = c + <usize>(HEADER + (i - 2) * stride);
  for (; i < n; i++, p += <usize>stride) {
    let t: i64;
    if (w == 8) t = load<i64>(p);
    else t = t0 + <i64>i * dt + (w == 1 ? <i64>load<i8>(p) : w == 2 ? <i64>load<i16>(p) : <i64>load<i32>(p));
    if (t > maxt) return PAST_END;
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
    if (!sink.add(t, v)) return STATUS_CAPACITY;
  }
  return CONTINUE;
}

// A buffered MSB-first bit reader for the varbit scan: one unaligned
// 8-byte load serves several reads (as Prometheus's bstreamReader).
let rc: usize = 0;   // chunk
let rpos: i32 = 0;   // bit offset of the next unread bit
let rbuf: u64 = 0;   // upcoming bits, left-aligned
let ravail: i32 = 0; // valid bits in rbuf

// @ts-ignore: decorator
@inline function readerReset(c: usize, pos: i32): void {
  rc = c;
  rpos = pos;
  ravail = 0;
}

// @ts-ignore: decorator
@inline function refill(): void {
  const byte = <usize>(rpos >>> 3);
  const shift = rpos & 7;
  rbuf = loadBE64(rc + byte) << <u64>shift;
  ravail = 64 - shift;
}

/** Reads n (1..57) bits. */
// @ts-ignore: decorator
@inline function readBits(n: i32): u64 {
  if (n > ravail) refill();
  const r = rbuf >> <u64>(64 - n);
  rbuf <<= <u64>n;
  ravail -= n;
  rpos += n;
  return r;
}

/** Reads n (1..64) bits without the buffer (wide XOR windows, raw floats). */
function readWide(n: i32): u64 {
  const byte = <usize>(rpos >>> 3);
  const shift = <u64>(rpos & 7);
  let w = loadBE64(rc + byte) << shift;
  if (shift + <u64>n > 64) w |= <u64>load<u8>(rc + byte + 8) >> (8 - shift);
  rpos += n;
  ravail = 0;
  return w >> <u64>(64 - n);
}

/** Counts up to max leading 1-bits, consuming them and the terminating 0 if seen. */
// @ts-ignore: decorator
@inline function readOnes(max: i32): i32 {
  if (ravail < max) refill();
  const k0 = <i32>clz<u64>(~rbuf);
  const k = k0 > max ? max : k0;
  const used = k < max ? k + 1 : max;
  rbuf <<= <u64>used;
  ravail -= used;
  rpos += used;
  return k;
}

// @ts-ignore: decorator
@inline function signExtend(u: u64, n: i32): i64 {
  return (<i64>(u << <u64>(64 - n))) >> <i64>(64 - n);
}

// XOR value state of the current varbit scan: the stored window.
let xlead = 0;
let xsig = 1;
let xorBad = false;

// @ts-ignore: decorator
@inline function xorReset(): void {
  xlead = 0;
  xsig = 1;
  xorBad = false;
}

/** Applies the next XOR value code to prev (sets xorBad on an impossible window). */
// @ts-ignore: decorator
@inline function readXor(prev: f64): f64 {
  const k = readOnes(2);
  if (k == 0) return prev;
  if (k == 2) {
    xlead = <i32>readBits(5);
    xsig = <i32>readBits(6) + 1;
    if (xlead + xsig > 64) {
      xorBad = true;
      return prev;
    }
  }
  const x = xsig <= 57 ? readBits(xsig) : readWide(xsig);
  return reinterpret<f64>(reinterpret<u64>(prev) ^ (x << <u64>(64 - xsig - xlead)));
}

const PAYLOAD_END = 1024 * 8;

/**
 * Varbit chunk: a sequential decode with all state in locals (the same
 * rules as VarbitCursor, which the encoder uses; this is the hot loop).
 */
function scanVarbit<S extends Sink>(sink: S, c: usize, mint: i64, maxt: i64, skipStale: bool): i32 {
  const len = vbNextOffset(c);
  if (len == 0) return CONTINUE;
  if (len > PAYLOAD_END || (len > SECOND_SAMPLE && len < THIRD_SAMPLE)) return STATUS_CORRUPT;
  const closed = vbClosed(c);
  if (vbLastTime(c) < mint) return CONTINUE;
  let t = vbFirstTime(c);
  let v = vbFirstValue(c);
  if (t > maxt) return PAST_END;
  if (t >= mint && !(skipStale && isStale(v)) && !sink.add(t, v)) return STATUS_CAPACITY;
  if (len == SECOND_SAMPLE || (len == THIRD_SAMPLE && !closed)) {
    if (len == SECOND_SAMPLE && !closed) return CONTINUE;
    t = vbLastTime(c);
    v = vbLastValue(c);
    if (t > maxt) return PAST_END;
    if (t >= mint && !(skipStale && isStale(v)) && !sink.add(t, v)) return STATUS_CAPACITY;
    return CONTINUE;
  }
  const enc = vbEncoding(c);
  let dt = <i64>loadBE24(c + FIRST_DT);
  t += dt;
  let dv: i64 = 0;
  xorReset();
  let rep = 0;
  // The second sample's value sits in the header (int, direct) or at bit 304 (XOR).
  if (enc == ENC_INT) {
    dv = <i64><i32>loadBE32(c + FIRST_DV);
    v += <f64>dv;
    readerReset(c, THIRD_SAMPLE + 32);
  } else if (enc == ENC_XOR) {
    readerReset(c, THIRD_SAMPLE);
    v = readXor(v);
    if (xorBad) return STATUS_CORRUPT;
  } else if (enc == ENC_ZERO) {
    readerReset(c, THIRD_SAMPLE);
  } else {
    v = reinterpret<f64>(loadBE64(c + FIRST_DV));
    readerReset(c, THIRD_SAMPLE + 64);
  }
  if (t > maxt) return PAST_END;
  if (t >= mint && !(skipStale && isStale(v)) && !sink.add(t, v)) return STATUS_CAPACITY;
  // One sample reads at most 3+23 + 2+11+64 bits, so a corrupt chunk can
  // overrun its 8192 bits by 103 before the check below: CHUNK_ALLOC's slack.
  while (rpos < len || rep > 0) {
    if (rep > 0) {
      rep--;
    } else {
      const k = readOnes(3);
      if (k == 0) {
        rep = <i32>readBits(7);
      } else {
        const n = k == 1 ? 6 : k == 2 ? 17 : 23;
        dt += signExtend(readBits(n), n);
      }
    }
    t += dt;
    if (enc == ENC_INT) {
      const k = readOnes(4);
      if (k > 0) {
        const n = k == 1 ? 6 : k == 2 ? 13 : k == 3 ? 20 : 33;
        dv += signExtend(readBits(n), n);
      }
      v += <f64>dv;
    } else if (enc == ENC_XOR) {
      v = readXor(v);
      if (xorBad) return STATUS_CORRUPT;
    } else if (enc != ENC_ZERO) {
      v = reinterpret<f64>(readWide(64));
    }
    if (rpos > PAYLOAD_END) return STATUS_CORRUPT;
    if (t > maxt) return PAST_END;
    if (t >= mint && !(skipStale && isStale(v)) && !sink.add(t, v)) return STATUS_CAPACITY;
  }
  const pos = rpos;
  if (pos != len) return STATUS_CORRUPT;
  if (closed) {
    t = vbLastTime(c);
    v = vbLastValue(c);
    if (t > maxt) return PAST_END;
    if (t >= mint && !(skipStale && isStale(v)) && !sink.add(t, v)) return STATUS_CAPACITY;
  }
  return CONTINUE;
}

/**
 * Feeds every sample with mint <= t <= maxt to sink. Returns 0, or a
 * negative status. Stale markers are skipped when skipStale is set.
 */
function scan<S extends Sink>(sink: S, list: usize, n: i32, enc: i32, mint: i64, maxt: i64, skipStale: bool): i32 {
  if (enc != ENC_DOUBLE_DELTA && enc != ENC_VARBIT) return STATUS_BAD_ENCODING;
  for (let k = 0; k < n; k++) {
    const c = <usize>load<u32>(list + (<usize>k << 2));
    const st = enc == ENC_DOUBLE_DELTA ? scanDD<S>(sink, c, mint, maxt, skipStale) : scanVarbit<S>(sink, c, mint, maxt, skipStale);
    if (st < 0) return st;
    if (st == PAST_END) return 0;
  }
  return 0;
}

/** Accumulates one reduction record (layout.ts R_*). */
class ReduceSink implements Sink {
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
  @inline add(t: i64, v: f64): bool {
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
    return true;
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

/** One reduction record over [mint, maxt] (stale markers skipped) written at out. */
export function reduceRange(list: usize, n: i32, enc: i32, mint: f64, maxt: f64, out: usize): i32 {
  const s = reduceSink;
  s.clear();
  const st = scan<ReduceSink>(s, list, n, enc, <i64>mint, <i64>maxt, true);
  if (st < 0) return st;
  s.write(out);
  return s.count;
}


// Decoded samples live in module-owned buffers that grow as needed
// (a varbit chunk of a constant series can hold over 100k samples).
let scratchT: usize = 0;
let scratchV: usize = 0;
let scratchCap: i32 = 0;

/** Doubles the scratch buffers (kept across calls: a worker decodes into the same memory query after query). */
function growScratch(): void {
  const cap = scratchCap == 0 ? 4096 : scratchCap * 2;
  scratchT = scratchT == 0 ? heap.alloc(<usize>cap << 3) : heap.realloc(scratchT, <usize>cap << 3);
  scratchV = scratchV == 0 ? heap.alloc(<usize>cap << 3) : heap.realloc(scratchV, <usize>cap << 3);
  scratchCap = cap;
}

class ScratchSink implements Sink {
  n: i32 = 0;
  // @ts-ignore: decorator
  @inline add(t: i64, v: f64): bool {
    if (this.n == scratchCap) growScratch();
    store<f64>(scratchT + (<usize>this.n << 3), <f64>t);
    store<f64>(scratchV + (<usize>this.n << 3), v);
    this.n++;
    return true;
  }
}

const scratchSink = new ScratchSink();

/**
 * scanVarbit into the scratch buffers, the decoding hot loop written out
 * with the bit reader, the XOR window and the output position in locals
 * (the shared reader keeps them in module globals, which the engines load
 * and store around every read). Same samples, same checks in the same
 * order, so the same statuses. The header's samples go through
 * scratchSink as scanVarbit's do.
 */
function decodeVarbit(c: usize, mint: i64, maxt: i64, skipStale: bool): i32 {
  const s = scratchSink;
  const len = vbNextOffset(c);
  if (len == 0) return CONTINUE;
  if (len > PAYLOAD_END || (len > SECOND_SAMPLE && len < THIRD_SAMPLE)) return STATUS_CORRUPT;
  const closed = vbClosed(c);
  if (vbLastTime(c) < mint) return CONTINUE;
  let t = vbFirstTime(c);
  let v = vbFirstValue(c);
  if (t > maxt) return PAST_END;
  if (t >= mint && !(skipStale && isStale(v))) s.add(t, v);
  if (len == SECOND_SAMPLE || (len == THIRD_SAMPLE && !closed)) {
    if (len == SECOND_SAMPLE && !closed) return CONTINUE;
    t = vbLastTime(c);
    v = vbLastValue(c);
    if (t > maxt) return PAST_END;
    if (t >= mint && !(skipStale && isStale(v))) s.add(t, v);
    return CONTINUE;
  }
  const enc = vbEncoding(c);
  let dt = <i64>loadBE24(c + FIRST_DT);
  t += dt;
  let dv: i64 = 0;
  xorReset();
  if (enc == ENC_INT) {
    dv = <i64><i32>loadBE32(c + FIRST_DV);
    v += <f64>dv;
    readerReset(c, THIRD_SAMPLE + 32);
  } else if (enc == ENC_XOR) {
    readerReset(c, THIRD_SAMPLE);
    v = readXor(v);
    if (xorBad) return STATUS_CORRUPT;
  } else if (enc == ENC_ZERO) {
    readerReset(c, THIRD_SAMPLE);
  } else {
    v = reinterpret<f64>(loadBE64(c + FIRST_DV));
    readerReset(c, THIRD_SAMPLE + 64);
  }
  if (t > maxt) return PAST_END;
  if (t >= mint && !(skipStale && isStale(v))) s.add(t, v);
  // The reader restarts at rpos with nothing buffered: the next read refills from there.
  let pos = rpos;
  let buf: u64 = 0;
  let avail = 0;
  let lead = xlead, sig = xsig;
  let rep = 0;
  let n = s.n;
  let cap = scratchCap;
  let T = scratchT, V = scratchV;
  while (pos < len || rep > 0) {
    if (rep > 0) {
      rep--;
    } else {
      // readOnes(3)
      if (avail < 3) {
        buf = loadBE64(c + <usize>(pos >>> 3)) << <u64>(pos & 7);
        avail = 64 - (pos & 7);
      }
      const k0 = <i32>clz<u64>(~buf);
      const k = k0 > 3 ? 3 : k0;
      const used = k < 3 ? k + 1 : 3;
      buf <<= <u64>used;
      avail -= used;
      pos += used;
      const w = k == 0 ? 7 : k == 1 ? 6 : k == 2 ? 17 : 23;
      if (w > avail) {
        buf = loadBE64(c + <usize>(pos >>> 3)) << <u64>(pos & 7);
        avail = 64 - (pos & 7);
      }
      const u = buf >> <u64>(64 - w);
      buf <<= <u64>w;
      avail -= w;
      pos += w;
      if (k == 0) rep = <i32>u;
      else dt += signExtend(u, w);
    }
    t += dt;
    if (enc == ENC_INT) {
      // readOnes(4)
      if (avail < 4) {
        buf = loadBE64(c + <usize>(pos >>> 3)) << <u64>(pos & 7);
        avail = 64 - (pos & 7);
      }
      const k0 = <i32>clz<u64>(~buf);
      const k = k0 > 4 ? 4 : k0;
      const used = k < 4 ? k + 1 : 4;
      buf <<= <u64>used;
      avail -= used;
      pos += used;
      if (k > 0) {
        const w = k == 1 ? 6 : k == 2 ? 13 : k == 3 ? 20 : 33;
        if (w > avail) {
          buf = loadBE64(c + <usize>(pos >>> 3)) << <u64>(pos & 7);
          avail = 64 - (pos & 7);
        }
        const u = buf >> <u64>(64 - w);
        buf <<= <u64>w;
        avail -= w;
        pos += w;
        dv += signExtend(u, w);
      }
      v += <f64>dv;
    } else if (enc == ENC_XOR) {
      // readOnes(2)
      if (avail < 2) {
        buf = loadBE64(c + <usize>(pos >>> 3)) << <u64>(pos & 7);
        avail = 64 - (pos & 7);
      }
      const k0 = <i32>clz<u64>(~buf);
      const k = k0 > 2 ? 2 : k0;
      const used = k < 2 ? k + 1 : 2;
      buf <<= <u64>used;
      avail -= used;
      pos += used;
      if (k != 0) {
        if (k == 2) {
          // A new window: 5 bits of leading zeros, 6 of significant length - 1.
          if (11 > avail) {
            buf = loadBE64(c + <usize>(pos >>> 3)) << <u64>(pos & 7);
            avail = 64 - (pos & 7);
          }
          lead = <i32>(buf >> 59);
          sig = <i32>((buf >> 53) & 63) + 1;
          buf <<= 11;
          avail -= 11;
          pos += 11;
          if (lead + sig > 64) {
            s.n = n;
            return STATUS_CORRUPT;
          }
        }
        let x: u64;
        if (sig <= 57) {
          if (sig > avail) {
            buf = loadBE64(c + <usize>(pos >>> 3)) << <u64>(pos & 7);
            avail = 64 - (pos & 7);
          }
          x = buf >> <u64>(64 - sig);
          buf <<= <u64>sig;
          avail -= sig;
          pos += sig;
        } else {
          const byte = <usize>(pos >>> 3);
          const shift = <u64>(pos & 7);
          let wide = loadBE64(c + byte) << shift;
          if (shift + <u64>sig > 64) wide |= <u64>load<u8>(c + byte + 8) >> (8 - shift);
          pos += sig;
          avail = 0;
          x = wide >> <u64>(64 - sig);
        }
        v = reinterpret<f64>(reinterpret<u64>(v) ^ (x << <u64>(64 - sig - lead)));
      }
    } else if (enc != ENC_ZERO) {
      const byte = <usize>(pos >>> 3);
      const shift = <u64>(pos & 7);
      let wide = loadBE64(c + byte) << shift;
      if (shift > 0) wide |= <u64>load<u8>(c + byte + 8) >> (8 - shift);
      pos += 64;
      avail = 0;
      v = reinterpret<f64>(wide);
    }
    if (pos > PAYLOAD_END) {
      s.n = n;
      return STATUS_CORRUPT;
    }
    if (t > maxt) {
      s.n = n;
      return PAST_END;
    }
    if (t >= mint && !(skipStale && isStale(v))) {
      if (n == cap) {
        s.n = n;
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
  s.n = n;
  if (pos != len) return STATUS_CORRUPT;
  if (closed) {
    t = vbLastTime(c);
    v = vbLastValue(c);
    if (t > maxt) return PAST_END;
    if (t >= mint && !(skipStale && isStale(v))) s.add(t, v);
  }
  return CONTINUE;
}

/** scan into the scratch buffers (decodeVarbit for varbit chunks). */
function scanToScratch(list: usize, n: i32, enc: i32, mint: i64, maxt: i64, skipStale: bool): i32 {
  if (enc != ENC_DOUBLE_DELTA && enc != ENC_VARBIT) return STATUS_BAD_ENCODING;
  const s = scratchSink;
  for (let k = 0; k < n; k++) {
    const c = <usize>load<u32>(list + (<usize>k << 2));
    const st = enc == ENC_DOUBLE_DELTA ? scanDD<ScratchSink>(s, c, mint, maxt, skipStale) : decodeVarbit(c, mint, maxt, skipStale);
    if (st < 0) return st;
    if (st == PAST_END) return 0;
  }
  return 0;
}

/**
 * Decodes the samples of `n` chunks (pointers at `list`) within
 * [mint, maxt]. Returns the sample count (or a negative status); the
 * timestamps and values (f64 each) are at decodedTimes() and
 * decodedValues() until the next decodeRange or reduceWindows call.
 */
export function decodeRange(list: usize, n: i32, enc: i32, mint: f64, maxt: f64, skipStale: i32): i32 {
  const s = scratchSink;
  s.n = 0;
  const st = scanToScratch(list, n, enc, <i64>mint, <i64>maxt, skipStale != 0);
  return st < 0 ? st : s.n;
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
  const s = scratchSink;
  s.n = 0;
  const lastMax = <i64>firstMax + <i64>step * <i64>(steps - 1);
  const st = scanToScratch(list, n, enc, <i64>firstMin, lastMax, true);
  if (st < 0) return st;
  const sn = s.n;
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
