// Blocks held in memory as byte arrays: what a browser loads from IndexedDB,
// and what tests use. BlockFiles over files live in src/node/block-dir.ts.

import type { BlockFiles } from './block.js';
import type { BlockSink } from './block-writer.js';

export class MemoryBlockFiles implements BlockFiles, BlockSink {
  readonly chunkFiles = new Map<number, Uint8Array>();
  index: Uint8Array = new Uint8Array(0);

  constructor(readonly where: string) {}

  chunkFile(n: number, bytes: Uint8Array, append: boolean): void {
    const before = append ? this.chunkFiles.get(n) : undefined;
    const next = new Uint8Array((before?.length ?? 0) + bytes.length);
    if (before) next.set(before);
    next.set(bytes, before?.length ?? 0);
    this.chunkFiles.set(n, next);
  }

  get indexSize(): number {
    return this.index.length;
  }

  readIndex(off: number, len: number): Uint8Array {
    return this.index.subarray(off, off + len);
  }

  readChunkFile(file: number, off: number, len: number): Uint8Array {
    const f = this.chunkFiles.get(file);
    if (!f) throw new Error(`${this.where}: no chunk file ${file}`);
    return f.subarray(off, off + len);
  }

  close(): void {}
}
