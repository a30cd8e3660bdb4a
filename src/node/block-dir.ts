// Blocks as directories of a data directory (DIR/<ULID>/meta.json, index,
// chunks/...): the shared block store (storage/block-store.ts) over the
// data directory's BlockBackend, under the names Node callers use.

import { basename, dirname } from 'node:path';
import type { Block } from '../storage/block.js';
import type { BlockSink, BlockWriter } from '../storage/block-writer.js';
import type { BlockMeta } from '../storage/block-format.js';
import type { ByteCache } from '../storage/byte-cache.js';
import { blockBytes, deleteBlock, listBlocks, openBlock, readMeta, writeBlock } from '../storage/block-store.js';
import { nodeBlockBackend } from './node-block-backend.js';

export { chunkFileName } from '../storage/block-store.js';
export { syncDir } from './node-block-backend.js';

/** Writes a block: `fill` adds series to the writer; returns the block's meta, or null when it holds no series. */
export function writeBlockDir(
  dataDir: string,
  writer: (sink: BlockSink) => BlockWriter,
  fill: (w: BlockWriter) => void,
  mint: number,
  maxt: number,
  compaction?: (ulid: string) => BlockMeta['compaction'],
  fromHead = false,
): BlockMeta | null {
  return writeBlock(nodeBlockBackend(dataDir), writer, fill, mint, maxt, compaction, fromHead);
}

/** The meta.json of the block directory `dir`. */
export function readBlockMeta(dir: string): BlockMeta {
  return readMeta(nodeBlockBackend(dirname(dir)), basename(dir));
}

export function openBlockDir(dataDir: string, ulid: string, cache: ByteCache): Block {
  return openBlock(nodeBlockBackend(dataDir), ulid, cache);
}

/** Block directory names in dataDir, after removing half-written or half-deleted ones. */
export function listBlockDirs(dataDir: string, readOnly = false, warn: (m: string) => void = () => {}): string[] {
  return listBlocks(nodeBlockBackend(dataDir), readOnly, warn);
}

/** Removes a block directory: renamed first, so a crash never leaves half a block that looks whole. */
export function deleteBlockDir(dataDir: string, ulid: string): void {
  deleteBlock(nodeBlockBackend(dataDir), ulid);
}

/** Bytes a block directory holds. */
export function blockDirBytes(dataDir: string, ulid: string): number {
  return blockBytes(nodeBlockBackend(dataDir), ulid);
}
