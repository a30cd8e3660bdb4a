// Range scans over lists of chunks, computed while decoding so that no
// per-sample call crosses the JS/WASM boundary. Chunk lists are arrays of
// u32 chunk pointers in time order; times are i64 ms passed as f64.

import {
  ENC_DOUBLE_DELTA, ENC_VARBIT, STATUS_BAD_ENCODING, STATUS_CORRUPT, STATUS_CAPACITY,
  R_COUNT, R_SUM, R_SUM_COMP, R_MIN, R_MAX, R_FIRST_T, R_FIRST_V, R_LAST_T, R_LAST_V,
  R_PREV_T, R_PREV_V, R_CORRECTION, R_RESETS, R_CHANGES, R_SIZE, STALE_NAN_BITS,
} from "./layout";
import { ddLen, ddTimeAt, ddValueAt, ddValid } from "./doubledelta";
import { VarbitCursor } from "./varbit";

/** Receives the samples of a scan in time order. */
interface Sink {
  /** Returns false to stop the scan (output full). */
  add(t: i64, v: f64): bool;
}

const cursor = new VarbitCursor();

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

/**
 * Feeds every sample with mint <= t <= maxt to sink. Returns 0, or a
 * negative status. Stale markers are skipped when skipStale is set.
 */
function scan<S extends Sink>(sink: S, list: usize, n: i32, enc: i32, mint: i64, maxt: i64, skipStale: bool): i32 {
  if (enc == ENC_DOUBLE_DELTA) {
    for (let k = 0; k < n; k++) {
      const c = <usize>load<u32>(list + (<usize>k << 2));
      if (!ddValid(c)) return STATUS_CORRUPT;
      const len = ddLen(c);
      for (let i = ddLowerBound(c, len, mint); i < len; i++) {
        const t = ddTimeAt(c, i);
        if (t > maxt) return 0;
        const v = ddValueAt(c, i);
        if (skipStale && isStale(v)) continue;
        if (!sink.add(t, v)) return STATUS_CAPACITY;
      }
    }
    return 0;
  }
  if (enc == ENC_VARBIT) {
    for (let k = 0; k < n; k++) {
      const c = <usize>load<u32>(list + (<usize>k << 2));
      cursor.reset(c);
      while (cursor.next()) {
        const t = cursor.t;
        if (t < mint) continue;
        if (t > maxt) return 0;
        const v = cursor.v;
        if (skipStale && isStale(v)) continue;
        if (!sink.add(t, v)) return STATUS_CAPACITY;
      }
      if (cursor.corrupt) return STATUS_CORRUPT;
    }
    return 0;
  }
  return STATUS_BAD_ENCODING;
}

class DecodeSink implements Sink {
  ts: usize = 0;
  vs: usize = 0;
  cap: i32 = 0;
  n: i32 = 0;

  // @ts-ignore: decorator
  @inline add(t: i64, v: f64): bool {
    if (this.n >= this.cap) return false;
    store<f64>(this.ts + (<usize>this.n << 3), <f64>t);
    store<f64>(this.vs + (<usize>this.n << 3), v);
    this.n++;
    return true;
  }
}

const decodeSink = new DecodeSink();

/**
 * Decodes the samples of `n` chunks (pointers at `list`) within
 * [mint, maxt] into ts/vs (f64 each, room for cap samples). Returns the
 * sample count or a negative status.
 */
export function decodeRange(list: usize, n: i32, enc: i32, mint: f64, maxt: f64, skipStale: i32, ts: usize, vs: usize, cap: i32): i32 {
  const s = decodeSink;
  s.ts = ts;
  s.vs = vs;
  s.cap = cap;
  s.n = 0;
  const st = scan<DecodeSink>(s, list, n, enc, <i64>mint, <i64>maxt, skipStale != 0);
  return st < 0 ? st : s.n;
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

let scratchT: usize = 0;
let scratchV: usize = 0;
let scratchCap: i32 = 0;

class ScratchSink implements Sink {
  n: i32 = 0;
  // @ts-ignore: decorator
  @inline add(t: i64, v: f64): bool {
    if (this.n == scratchCap) {
      const cap = scratchCap == 0 ? 4096 : scratchCap * 2;
      scratchT = scratchT == 0 ? heap.alloc(<usize>cap << 3) : heap.realloc(scratchT, <usize>cap << 3);
      scratchV = scratchV == 0 ? heap.alloc(<usize>cap << 3) : heap.realloc(scratchV, <usize>cap << 3);
      scratchCap = cap;
    }
    store<i64>(scratchT + (<usize>this.n << 3), t);
    store<f64>(scratchV + (<usize>this.n << 3), v);
    this.n++;
    return true;
  }
}

const scratchSink = new ScratchSink();

/**
 * Reductions for `steps` windows: window k is [firstMin + k*step,
 * firstMax + k*step]. Writes steps records of R_SIZE f64 at out. The
 * series is decoded once; each window then reduces its own samples.
 */
export function reduceWindows(list: usize, n: i32, enc: i32, firstMin: f64, firstMax: f64, step: f64, steps: i32, out: usize): i32 {
  const s = scratchSink;
  s.n = 0;
  const lastMax = <i64>firstMax + <i64>step * <i64>(steps - 1);
  const st = scan<ScratchSink>(s, list, n, enc, <i64>firstMin, lastMax, true);
  if (st < 0) return st;
  const r = reduceSink;
  let lo = 0;
  for (let k = 0; k < steps; k++) {
    const wmin = <i64>firstMin + <i64>step * <i64>k;
    const wmax = <i64>firstMax + <i64>step * <i64>k;
    while (lo < s.n && load<i64>(scratchT + (<usize>lo << 3)) < wmin) lo++;
    r.clear();
    for (let i = lo; i < s.n; i++) {
      const t = load<i64>(scratchT + (<usize>i << 3));
      if (t > wmax) break;
      r.add(t, load<f64>(scratchV + (<usize>i << 3)));
    }
    r.write(out + <usize>k * <usize>R_SIZE * 8);
  }
  return s.n;
}
