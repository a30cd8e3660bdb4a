// Big-endian, MSB-first bit access to a chunk in linear memory (varbit's
// bit order). Reads load 8 bytes at once; chunks are allocated with slack
// (CHUNK_ALLOC) so reading past the last byte stays in bounds.

import { CHUNK_LEN } from "./layout";

// @ts-ignore: decorator
@inline export function loadBE64(p: usize): u64 {
  return bswap<u64>(load<u64>(p));
}

// @ts-ignore: decorator
@inline export function storeBE64(p: usize, x: u64): void {
  store<u64>(p, bswap<u64>(x));
}

// @ts-ignore: decorator
@inline export function loadBE32(p: usize): u32 {
  return bswap<u32>(load<u32>(p));
}

// @ts-ignore: decorator
@inline export function storeBE32(p: usize, x: u32): void {
  store<u32>(p, bswap<u32>(x));
}

// @ts-ignore: decorator
@inline export function loadBE16(p: usize): u32 {
  return (<u32>load<u8>(p) << 8) | <u32>load<u8>(p + 1);
}

// @ts-ignore: decorator
@inline export function storeBE16(p: usize, x: u32): void {
  store<u8>(p, <u8>(x >> 8));
  store<u8>(p + 1, <u8>x);
}

// @ts-ignore: decorator
@inline export function loadBE24(p: usize): u32 {
  return (<u32>load<u8>(p) << 16) | (<u32>load<u8>(p + 1) << 8) | <u32>load<u8>(p + 2);
}

// @ts-ignore: decorator
@inline export function storeBE24(p: usize, x: u32): void {
  store<u8>(p, <u8>(x >> 16));
  store<u8>(p + 1, <u8>(x >> 8));
  store<u8>(p + 2, <u8>x);
}

/** Reads n (1..64) bits at bit offset pos of the chunk at c. Caller checks bounds. */
// @ts-ignore: decorator
@inline export function readBits(c: usize, pos: i32, n: i32): u64 {
  const byte = <usize>(pos >>> 3);
  const shift = <u64>(pos & 7);
  let w = loadBE64(c + byte) << shift;
  if (shift + <u64>n > 64) {
    w |= <u64>load<u8>(c + byte + 8) >> (8 - shift);
  }
  return w >> <u64>(64 - n);
}

/** Mask of `bits` consecutive 1-bits starting at bit `at` (0 = MSB) of a byte. */
// @ts-ignore: decorator
@inline function byteMask(bits: i32, at: i32): u8 {
  return <u8>(((0xff00 >> bits) & 0xff) >> at);
}

/** Clears `n` bits starting at bit offset pos (used for the footer and the repeat counter). */
export function clearBits(c: usize, pos: i32, n: i32): void {
  const end = pos + n;
  while (pos < end) {
    const inByte = pos & 7;
    let k = end - pos;
    if (k > 8 - inByte) k = 8 - inByte;
    const p = c + <usize>(pos >>> 3);
    store<u8>(p, load<u8>(p) & ~byteMask(k, inByte));
    pos += k;
  }
}

/** ORs the low n bits of pattern in at bit offset pos; returns pos + n. Target bits must be 0. */
export function orBits(c: usize, pos: i32, pattern: u64, n: i32): i32 {
  let byte = c + <usize>(pos >>> 3);
  let free = 8 - (pos & 7);
  let left = n;
  while (left > 0) {
    if (left <= free) {
      store<u8>(byte, load<u8>(byte) | <u8>(pattern << <u64>(free - left)));
      break;
    }
    store<u8>(byte, load<u8>(byte) | <u8>(pattern >> <u64>(left - free)));
    left -= free;
    free = 8;
    byte++;
  }
  return pos + n;
}

/** True when n bits at pos lie inside the chunk. */
// @ts-ignore: decorator
@inline export function inChunk(pos: i32, n: i32): bool {
  return pos + n <= CHUNK_LEN * 8;
}

/** f64 bit-for-bit equality (distinguishes -0 from 0, compares NaN payloads). */
// @ts-ignore: decorator
@inline export function sameBits(a: f64, b: f64): bool {
  return reinterpret<u64>(a) == reinterpret<u64>(b);
}

/** Go's `float64(int32(v)) == v` for in-range values; false for NaN and out-of-range. */
// @ts-ignore: decorator
@inline export function isInt32(v: f64): bool {
  return v >= -2147483648.0 && v <= 2147483647.0 && Math.floor(v) == v;
}

/** Go's `float64(int64(v)) == v` for in-range values; false for NaN and out-of-range. */
// @ts-ignore: decorator
@inline export function isInt64(v: f64): bool {
  return v >= -9223372036854775808.0 && v < 9223372036854775808.0 && Math.floor(v) == v;
}

/** Whether i fits a two's-complement integer of n bits. */
// @ts-ignore: decorator
@inline export function fitsSigned(i: i64, n: i32): bool {
  const upper = (<i64>1) << <i64>(n - 1);
  return i < upper && i >= upper - ((<i64>1) << <i64>n);
}
