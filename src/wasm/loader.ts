// The only module that instantiates WebAssembly or reads its memory
// directly. The binary is embedded (binary.generated.ts), so Node and
// browsers load it the same way; the module is instantiated once, at import.

import * as asLoader from '@assemblyscript/loader';
import { WASM_BASE64 } from './binary.generated.js';
import { ABI_VERSION } from './layout.js';
import type { CoreExports } from './exports.js';

function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const { exports } = await asLoader.instantiate<Record<string, unknown>>(decodeBase64(WASM_BASE64));
const core = exports as unknown as CoreExports;
if (core.abiVersion() !== ABI_VERSION) {
  throw new Error(`promlet: WebAssembly ABI version ${core.abiVersion()} does not match host version ${ABI_VERSION}`);
}

/** The instantiated core. */
export const wasm: CoreExports = core;

/**
 * Views over WASM memory. Any call that may allocate can grow memory and
 * detach earlier views, so call mem() again after such calls.
 */
export interface MemoryViews {
  u8: Uint8Array;
  u32: Uint32Array;
  f64: Float64Array;
}

let views: MemoryViews | null = null;
let viewsOf: ArrayBuffer | null = null;

export function mem(): MemoryViews {
  const buf = core.memory.buffer;
  if (views === null || viewsOf !== buf) {
    views = { u8: new Uint8Array(buf), u32: new Uint32Array(buf), f64: new Float64Array(buf) };
    viewsOf = buf;
  }
  return views;
}
