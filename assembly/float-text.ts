// Sample values as the query API's JSON writes them (Prometheus
// util/jsonutil.MarshalFloat): the shortest decimal, plain digits from 1e-6
// up to 1e21 and Go's 'e' form outside (at least two exponent digits,
// "1e-07"), "NaN", "+Inf", "-Inf", "-0". ASCII bytes straight into memory.

import { toShortest, shortestDigits, shortestExp10, decimalLength } from "./shortest";

const MINUS: u8 = 45, DOT: u8 = 46, ZERO: u8 = 48;

// "00" … "99" as little-endian byte pairs, so two digits are one store.
const PAIRS = new StaticArray<u16>(100);
for (let i = 0; i < 100; i++) PAIRS[i] = <u16>((ZERO + i / 10) | ((ZERO + i % 10) << 8));

/** The digits of d (< 10^17) ending just before end. */
// @ts-ignore: decorator
@inline function writeDigitsBefore(end: usize, d: u64): void {
  // Eight digits at a time in 32-bit arithmetic, which is cheaper than 64-bit.
  while (d >= 100000000) {
    const q = d / 100000000;
    let r = <u32>(d - q * 100000000);
    d = q;
    for (let i = 0; i < 4; i++) {
      const r100 = r / 100;
      end -= 2;
      store<u16>(end, unchecked(PAIRS[r - r100 * 100]));
      r = r100;
    }
  }
  let r = <u32>d;
  while (r >= 100) {
    const r100 = r / 100;
    end -= 2;
    store<u16>(end, unchecked(PAIRS[r - r100 * 100]));
    r = r100;
  }
  if (r >= 10) store<u16>(end - 2, unchecked(PAIRS[r]));
  else store<u8>(end - 1, <u8>(ZERO + r));
}

// Runs of a few bytes: memory.fill and memory.copy cost a call each in the host.
// @ts-ignore: decorator
@inline function fill(p: usize, c: u8, n: i32): void {
  for (let i = 0; i < n; i++) store<u8>(p + <usize>i, c);
}

/**
 * Copies n bytes from src to dst (not overlapping) eight at a time, so it
 * may write up to 7 bytes past dst + n and read as far past src + n: the
 * callers' buffers have that slack, and what is written there is
 * overwritten next.
 */
// @ts-ignore: decorator
@inline function copyWords(dst: usize, src: usize, n: usize): void {
  for (let i: usize = 0; i < n; i += 8) store<u64>(dst + i, load<u64>(src + i));
}

/** Moves the n bytes at p + 1 down to p. */
// @ts-ignore: decorator
@inline function shiftDown(p: usize, n: i32): void {
  for (let i = 0; i < n; i++) store<u8>(p + <usize>i, load<u8>(p + <usize>i + 1));
}

/** v's text at p (at most FLOAT_TEXT_MAX bytes); returns the end. */
export function writeFloatText(v: f64, p: usize): usize {
  const bits = reinterpret<u64>(v);
  const neg = (bits >> 63) != 0;
  const mag = bits & 0x7fffffffffffffff;
  if (mag >= 0x7ff0000000000000) {
    if (mag != 0x7ff0000000000000) {
      store<u8>(p, 78); // N
      store<u8>(p + 1, 97); // a
      store<u8>(p + 2, 78); // N
      return p + 3;
    }
    store<u8>(p, neg ? MINUS : 43); // -, +
    store<u8>(p + 1, 73); // I
    store<u8>(p + 2, 110); // n
    store<u8>(p + 3, 102); // f
    return p + 4;
  }
  if (neg) store<u8>(p++, MINUS);
  if (mag == 0) {
    store<u8>(p, ZERO);
    return p + 1;
  }
  toShortest(mag);
  const d = shortestDigits;
  const n = decimalLength(d);
  // Where the point goes, counted from the first digit.
  const point = n + shortestExp10;
  const a = reinterpret<f64>(mag);
  if (a >= 1e-6 && a < 1e21) {
    if (point >= n) {
      writeDigitsBefore(p + <usize>n, d);
      fill(p + <usize>n, ZERO, point - n);
      return p + <usize>point;
    }
    if (point > 0) {
      // The digits one place on, then the integer part back over the gap, and the point.
      writeDigitsBefore(p + 1 + <usize>n, d);
      shiftDown(p, point);
      store<u8>(p + <usize>point, DOT);
      return p + <usize>n + 1;
    }
    store<u8>(p, ZERO);
    store<u8>(p + 1, DOT);
    fill(p + 2, ZERO, -point);
    const end = p + 2 + <usize>(n - point);
    writeDigitsBefore(end, d);
    return end;
  }
  // d.ddde±XX
  writeDigitsBefore(p + 1 + <usize>n, d);
  shiftDown(p, 1);
  let q = p + 1;
  if (n > 1) {
    store<u8>(q, DOT);
    q += <usize>n;
  }
  store<u8>(q++, 101); // e
  let x = point - 1;
  if (x < 0) {
    store<u8>(q++, MINUS);
    x = -x;
  } else {
    store<u8>(q++, 43); // +
  }
  if (x >= 100) {
    store<u8>(q++, <u8>(ZERO + x / 100));
    x %= 100;
  }
  store<u8>(q++, <u8>(ZERO + x / 10));
  store<u8>(q++, <u8>(ZERO + x % 10));
  return q;
}

/**
 * The texts of n f64 values at vals, one after another at out (room for
 * n · FLOAT_TEXT_MAX bytes); ends (u32 × n) gets where each text ends,
 * counted from out. Returns the bytes written.
 */
export function floatTexts(vals: usize, n: i32, out: usize, ends: usize): i32 {
  let p = out;
  // Gauges repeat a value over many steps: the same bits have the same text.
  let lastBits: u64 = 0, lastFrom: usize = 0, lastLen: usize = 0;
  for (let i = 0; i < n; i++) {
    const bits = load<u64>(vals + (<usize>i << 3));
    if (i > 0 && bits == lastBits) {
      for (let j: usize = 0; j < lastLen; j++) store<u8>(p + j, load<u8>(lastFrom + j));
      p += lastLen;
    } else {
      const end = writeFloatText(reinterpret<f64>(bits), p);
      lastBits = bits;
      lastFrom = p;
      lastLen = end - p;
      p = end;
    }
    store<u32>(ends + (<usize>i << 2), <u32>(p - out));
  }
  return <i32>(p - out);
}

/**
 * A matrix series' `values` array between its brackets, for the steps
 * whose byte in present (u8 × steps) is 1: `[t,"text"]` joined by commas,
 * where `[t,"` is step k's prefix, bytes prefixBytes[offsets[k] …
 * offsets[k + 1]) (offsets: u32 × (steps + 1)). vals holds f64 × steps.
 * Returns the bytes written at out (room for every prefix and
 * steps · (FLOAT_TEXT_MAX + 3) + 8 more); prefixBytes has 8 bytes of
 * slack past its end.
 */
export function columnTexts(vals: usize, present: usize, steps: i32, prefixBytes: usize, offsets: usize, out: usize): i32 {
  let p = out;
  let comma = false;
  let lastBits: u64 = 0, lastFrom: usize = 0, lastLen: usize = 0, any = false;
  for (let k = 0; k < steps; k++) {
    if (load<u8>(present + <usize>k) != 1) continue;
    if (comma) store<u8>(p++, 44); // ,
    comma = true;
    const from = prefixBytes + <usize>load<u32>(offsets + (<usize>k << 2));
    const n = <usize>load<u32>(offsets + (<usize>k << 2) + 4) - <usize>load<u32>(offsets + (<usize>k << 2));
    copyWords(p, from, n);
    p += n;
    const bits = load<u64>(vals + (<usize>k << 3));
    if (any && bits == lastBits) {
      copyWords(p, lastFrom, lastLen);
      p += lastLen;
    } else {
      const end = writeFloatText(reinterpret<f64>(bits), p);
      lastBits = bits;
      lastFrom = p;
      lastLen = end - p;
      any = true;
      p = end;
    }
    store<u8>(p, 34); // "
    store<u8>(p + 1, 93); // ]
    p += 2;
  }
  return <i32>(p - out);
}
