// The blocks of a data directory over time: the shared block lifecycle
// (storage/block-lifecycle.ts: cutting, compaction, retention) over the
// data directory's BlockBackend, under the names the Node database uses.

import type { DB } from '../storage/db.js';
import type { Block } from '../storage/block.js';
import * as life from '../storage/block-lifecycle.js';
import type { ChunkEncoding } from '../wasm/codec.js';
import { nodeBlockBackend } from './node-block-backend.js';

export { type BlockPolicy, headCutUpTo, headNeedsCut } from '../storage/block-lifecycle.js';

/** Opens every block of dataDir (removing half-written ones unless read-only). */
export function openBlocks(dataDir: string, db: DB, readOnly: boolean, warn: (m: string) => void): Block[] {
  return life.openBlocks(nodeBlockBackend(dataDir), db, readOnly, warn);
}

/** The chunk encoding of the directory's blocks, if it has any. */
export function blocksEncoding(dataDir: string, readOnly: boolean, warn: (m: string) => void): ChunkEncoding | undefined {
  return life.blocksEncoding(nodeBlockBackend(dataDir), readOnly, warn);
}

/** Cuts blocks from the head while it spans more than 1.5 block ranges; returns how many ranges were cut. */
export function cutHeadBlocks(dataDir: string, db: DB, policy: life.BlockPolicy): number {
  return life.cutHeadBlocks(nodeBlockBackend(dataDir), db, policy);
}

/** cutHeadBlocks a series at a time between other work (see block-lifecycle.ts). */
export function cutHeadBlocksAsync(dataDir: string, db: DB, policy: life.BlockPolicy, pause: life.Pause, warn?: (m: string) => void): Promise<number> {
  return life.cutHeadBlocksAsync(nodeBlockBackend(dataDir), db, policy, pause, warn);
}

/** compactBlocks a series at a time between other work. */
export function compactBlocksAsync(dataDir: string, db: DB, retentionMs: number, policy: life.BlockPolicy, pause: life.Pause, warn?: (m: string) => void): Promise<number> {
  return life.compactBlocksAsync(nodeBlockBackend(dataDir), db, retentionMs, policy, pause, warn);
}

/** Runs compaction until nothing is left to merge; returns the number of merges. */
export function compactBlocks(dataDir: string, db: DB, retentionMs: number, policy: life.BlockPolicy): number {
  return life.compactBlocks(nodeBlockBackend(dataDir), db, retentionMs, policy);
}

/** Writes every block with tombstones again without the deleted samples (clean_tombstones); returns how many. */
export function cleanTombstones(dataDir: string, db: DB): number {
  return life.cleanTombstones(nodeBlockBackend(dataDir), db);
}

/** Deletes whole blocks that end at or before the newest sample minus the retention. */
export function applyBlockTimeRetention(dataDir: string, db: DB, retentionMs: number, log: (m: string) => void): number {
  return life.applyBlockTimeRetention(nodeBlockBackend(dataDir), db, retentionMs, log);
}

/** Deletes the oldest blocks while the directory (blocks + `otherBytes`) exceeds `limit`. */
export function applyBlockSizeRetention(dataDir: string, db: DB, limit: number, otherBytes: number, log: (m: string) => void): number {
  return life.applyBlockSizeRetention(nodeBlockBackend(dataDir), db, limit, otherBytes, log);
}
