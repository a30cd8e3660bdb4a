// Sample values as the query API's JSON writes them (Prometheus
// util/jsonutil.MarshalFloat): the shortest decimal, plain digits from 1e-6
// up to 1e21 and Go's 'e' form outside (at least two exponent digits,
// "1e-07"), "NaN", "+Inf", "-Inf", "-0". ASCII bytes straight into memory.

import { toShortest, shortestDigits, shortestExp10, decimalLength } from "./shortest";

const MINUS: u8 = 45, DOT: u8 = 46, ZERO: u8 = 48;

/** The n decimal digits of d at p. */
// @ts-ignore: decorator
@inline function writeDigits(p: usize, d: u64, n: i32): void {
  let end = p + <usize>n;
  // Eight digits at a time in 32-bit arithmetic, which is cheaper than 64-bit division.
  while (d >= 100000000) {
    const q = d / 100000000;
    let r = <u32>(d - q * 100000000);
    d = q;
    for (let i = 0; i < 8; i++) {
      const r10 = r / 10;
      store<u8>(--end, <u8>(ZERO + (r - r10 * 10)));
      r = r10;
    }
  }
  let r = <u32>d;
  while (end > p) {
    const r10 = r / 10;
    store<u8>(--end, <u8>(ZERO + (r - r10 * 10)));
    r = r10;
  }
}

// @ts-ignore: decorator
@inline function fill(p: usize, c: u8, n: i32): void {
  memory.fill(p, c, <usize>n);
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
      writeDigits(p, d, n);
      fill(p + <usize>n, ZERO, point - n);
      return p + <usize>point;
    }
    if (point > 0) {
      writeDigits(p, d, n);
      memory.copy(p + <usize>point + 1, p + <usize>point, <usize>(n - point));
      store<u8>(p + <usize>point, DOT);
      return p + <usize>n + 1;
    }
    store<u8>(p, ZERO);
    store<u8>(p + 1, DOT);
    fill(p + 2, ZERO, -point);
    writeDigits(p + 2 + <usize>(-point), d, n);
    return p + 2 + <usize>(n - point);
  }
  // d.ddde±XX
  writeDigits(p + 1, d, n);
  store<u8>(p, load<u8>(p + 1));
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
      memory.copy(p, lastFrom, lastLen);
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
