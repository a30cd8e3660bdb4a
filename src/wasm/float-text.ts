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

/** A step grid's `[t,"` texts: step k's bytes are bytes[offsets[k] … offsets[k + 1]). */
export interface StepPrefixTable {
  bytes: Uint8Array;
  offsets: Uint32Array;
}

const colValues = new WasmBuffer();
const colPresent = new WasmBuffer();
const colOut = new WasmBuffer();
const prefixBytes = new WasmBuffer();
const prefixOffsets = new WasmBuffer();
// The table whose bytes are in the core now: a matrix's series share one grid, so it is copied in once.
let loaded: StepPrefixTable | null = null;

/**
 * The JSON `values` array's inside (without the brackets) of a series' step
 * columns: `[t,"text"]` for each present step, joined by commas. The bytes
 * are a view of the core's memory, valid until the next call into the core.
 */
export function columnTexts(values: Float64Array, present: Uint8Array, prefixes: StepPrefixTable): { bytes: Uint8Array; from: number; to: number } {
  const steps = present.length;
  if (prefixes.offsets.length < steps + 1 || values.length < steps) throw new Error('promlet: step columns longer than their grid');
  // Every reservation first: one may grow memory, which detaches views taken before it.
  if (loaded !== prefixes) {
    loaded = null;
    // The core copies eight bytes at a time and may read and write up to 7 past the end.
    prefixBytes.reserve(prefixes.bytes.length + 8);
    prefixOffsets.reserve(prefixes.offsets.length * 4);
  }
  colValues.reserve(steps * 8);
  colPresent.reserve(steps);
  colOut.reserve(prefixes.bytes.length + steps * (FLOAT_TEXT_MAX + 3) + 8);
  const m = mem();
  if (loaded !== prefixes) {
    m.u8.set(prefixes.bytes, prefixBytes.ptr);
    m.u32.set(prefixes.offsets, prefixOffsets.ptr >>> 2);
    loaded = prefixes;
  }
  m.f64.set(values.length === steps ? values : values.subarray(0, steps), colValues.ptr >>> 3);
  m.u8.set(present, colPresent.ptr);
  const n = wasm.columnTexts(colValues.ptr, colPresent.ptr, steps, prefixBytes.ptr, prefixOffsets.ptr, colOut.ptr);
  return { bytes: m.u8, from: colOut.ptr, to: colOut.ptr + n };
}
