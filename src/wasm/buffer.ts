// A growable region of WASM memory owned by the host (scratch space for
// calls). Growing may grow memory: take views with mem() afterwards.

import { wasm } from './loader.js';

export class WasmBuffer {
  ptr = 0;
  bytes = 0;

  /** Makes room for at least `bytes`; the old contents are not kept. */
  reserve(bytes: number): number {
    if (bytes > this.bytes) {
      if (this.ptr !== 0) wasm.free(this.ptr);
      const size = Math.max(bytes, this.bytes * 2, 64);
      // The core's allocator takes an i32: a larger size would wrap to a small block written past its end.
      if (size > 0x7fff_fff0) throw new RangeError(`promlet: WebAssembly scratch of ${size} bytes is past the core's 2 GiB`);
      this.ptr = wasm.alloc(size);
      if (this.ptr === 0) throw new Error(`promlet: WebAssembly allocation of ${size} bytes failed`);
      this.bytes = size;
    }
    return this.ptr;
  }
}
