// Answer values' JSON texts written by the WebAssembly core
// (assembly/float-text.ts): one call converts a whole column, so the
// boundary is crossed once per series and no string is made per value.

import { wasm, mem } from './loader.js';
import { WasmBuffer } from './buffer.js';
import { FLOAT_TEXT_MAX } from './layout.js';

const input = new WasmBuffer();
const output = new WasmBuffer();
const ends = new WasmBuffer();
let reserved = 0;

/** The texts of a batch: value i's bytes are bytes[from + (i ? ends[i - 1] : 0) … from + ends[i]). */
export interface FloatTexts {
  bytes: Uint8Array;
  from: number;
  ends: Uint32Array;
}

/**
 * Room for n values, as f64 slots to fill before floatTexts(n). The view
 * lives in WebAssembly memory: it is valid until the next call into the core.
 */
export function floatSlots(n: number): Float64Array {
  if (n > reserved) {
    input.reserve(n * 8);
    output.reserve(n * FLOAT_TEXT_MAX);
    ends.reserve(n * 4);
    reserved = n;
  }
  return new Float64Array(mem().f64.buffer, input.ptr, n);
}

/** The texts of the first n values put in floatSlots(n) (at least n) — views valid until the next call into the core. */
export function floatTexts(n: number): FloatTexts {
  if (n > reserved) throw new Error(`promlet: floatTexts(${n}) past the ${reserved} slots reserved`);
  wasm.floatTexts(input.ptr, n, output.ptr, ends.ptr);
  const m = mem();
  return { bytes: m.u8, from: output.ptr, ends: new Uint32Array(m.u32.buffer, ends.ptr, n) };
}
