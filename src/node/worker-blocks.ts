// Query workers read the data directory's blocks themselves: positional file
// reads, their own WebAssembly instance decoding the chunks, their own share
// of the chunk cache. Only the head (in the main thread's WebAssembly memory,
// out-of-order samples merged into it) comes from the main thread, copied as
// stored chunk bytes in one call per selection (storage/copied-head.ts). So a
// query's decoding and window reductions run on the worker's core, not the
// main thread's.
//
// Consistency with cutting, compaction and retention: at query start the
// main thread pins the head and its current blocks (pinBlocksForQuery: an
// open head reader, so a cut's truncation of the head waits for the query
// to end; a reference on each block, so a dropped one is deleted only after
// it) and hands the worker that block list. The worker opens what is new in
// it, closes what is gone from it (and, between queries, what was deleted
// since), and reopens every block when a deletion may have added tombstones since.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DB } from '../storage/db.js';
import type { Block } from '../storage/block.js';
import { openBlock } from '../storage/block-store.js';
import { ByteCache } from '../storage/byte-cache.js';
import { DBQuerier, type HeadView } from '../storage/merge-read.js';
import { copiedHeadSeries, type HeadCopy } from '../storage/copied-head.js';
import type { Querier, Queryable } from '../storage/interfaces.js';
import { encodingId, type ChunkEncoding } from '../wasm/codec.js';
import type { Matcher } from '../model/matcher.js';
import { nodeBlockBackend } from './node-block-backend.js';
import { fromWire, toWire, type ExtraCalls, type RemoteStorage } from './worker-storage.js';

/** The data directory whose blocks query workers open themselves. */
export interface WorkerBlocksSource {
  dataDir: string;
  db: DB;
}

/** What a worker is told at query start: the blocks to read (oldest first, as the database orders them). */
export interface BlockSnapshot {
  dataDir: string;
  ulids: string[];
  /** The database's deletion count: when it moved, tombstones may have too. */
  deletions: number;
  encoding: ChunkEncoding;
  /** The worker's share of --storage.tsdb.cache-size, in bytes. */
  cacheBytes: number;
  /**
   * The head's side of the query's selections, copied when the query was handed over
   * (prefetchHeadCopies), by headCopyKey: a selection found here needs no call to the main thread
   * (null: it has no series in the head).
   */
  headCopies?: Record<string, HeadCopy | null>;
}

/** Names a head copy by what it was asked for. */
export const headCopyKey = (matchers: readonly Matcher[], mint: number, maxt: number): string => JSON.stringify([toWire(matchers), mint, maxt]);

/**
 * Pins the database's blocks and head for one query. Null when it has no
 * blocks: the database then reads the head alone (a different querier), and
 * so does the worker, through the main thread.
 */
export function pinBlocksForQuery(src: WorkerBlocksSource, cacheBytes: number): { snapshot: BlockSnapshot; extra: ExtraCalls; release(): void } | null {
  const { db } = src;
  const blocks = db.blockList().slice();
  if (blocks.length === 0) return null;
  const unpinHead = db.pinHeadChunks();
  for (const b of blocks) b.acquire();
  let released = false;
  const head = db.headView();
  const extra: ExtraCalls = (name, args, transfer) => {
    switch (name) {
      case 'headCopy': {
        const [matchers, mint, maxt] = args as [Parameters<typeof fromWire>[0], number, number];
        const copy = db.copyHead(fromWire(matchers)!, mint, maxt);
        transfer.add(copy.bytes.buffer as ArrayBuffer);
        return copy;
      }
      case 'headLabelNames': return [...head.labelNames()];
      case 'headLabelValues': return [...head.labelValues(args[0] as string)];
      default: throw new Error(`no storage call ${name}`);
    }
  };
  return {
    snapshot: { dataDir: src.dataDir, ulids: blocks.map((b) => b.ulid), deletions: db.deletions, encoding: db.encoding, cacheBytes },
    extra,
    release: () => {
      if (released) return;
      released = true;
      unpinHead();
      for (const b of blocks) b.release();
    },
  };
}

/** How often an idle worker looks for blocks the main thread deleted (their open files hold disk space). */
const DELETED_BLOCK_CHECK_MS = 1000;

/**
 * The worker's open blocks of one data directory, kept across queries. A
 * worker reads more than one directory when the server warms it up
 * (query-warm-up.ts): each keeps its own blocks and cache, so reading one
 * never closes the other's.
 */
class WorkerBlockSet {
  private readonly open = new Map<string, Block>();
  private readonly cache = new ByteCache(0);
  private deletions = -1;
  private checker: ReturnType<typeof setInterval> | null = null;

  /** `gone` is called once the directory itself is gone and everything of it is closed. */
  constructor(private readonly dataDir: string, private readonly gone: () => void) {}

  /** The snapshot's blocks, in its order: new ones opened, dropped ones closed. */
  sync(snap: BlockSnapshot): Block[] {
    if (snap.deletions !== this.deletions) {
      this.closeAll();
      this.deletions = snap.deletions;
    }
    if (this.cache.capacity !== snap.cacheBytes) this.cache.resize(snap.cacheBytes);
    const wanted = new Set(snap.ulids);
    for (const [ulid, b] of this.open) {
      if (wanted.has(ulid)) continue;
      b.close();
      this.open.delete(ulid);
    }
    const backend = nodeBlockBackend(snap.dataDir);
    const blocks = snap.ulids.map((ulid) => {
      let b = this.open.get(ulid);
      if (!b) this.open.set(ulid, (b = openBlock(backend, ulid, this.cache)));
      return b;
    });
    // A query runs synchronously on this thread, so the check only ever runs between queries.
    this.checker ??= setInterval(() => this.closeDeleted(), DELETED_BLOCK_CHECK_MS);
    this.checker.unref();
    return blocks;
  }

  /**
   * Closes blocks whose directory is gone: compaction or retention deleted
   * them once the main thread's last query over them ended, and an idle
   * worker would otherwise keep their files (and disk space) until its next query.
   */
  private closeDeleted(): void {
    if (!existsSync(this.dataDir)) {
      this.closeAll();
      this.cache.resize(0);
      clearInterval(this.checker!);
      this.checker = null;
      this.gone();
      return;
    }
    for (const [ulid, b] of this.open) {
      if (existsSync(join(this.dataDir, ulid))) continue;
      b.close();
      this.open.delete(ulid);
    }
  }

  closeAll(): void {
    for (const b of this.open.values()) b.close();
    this.open.clear();
  }
}

/**
 * The worker's storage: with a block snapshot, its own blocks merged with
 * the head copied from the main thread, as the database's querier merges
 * them; without one, everything through the main thread.
 */
export class BlockReadingStorage implements Queryable {
  private readonly sets = new Map<string, WorkerBlockSet>();
  private blocks: Block[] | null = null;
  private head: HeadView | null = null;

  constructor(private readonly remote: RemoteStorage) {}

  /** Called at each query's start with what the main thread pinned for it (nothing: no blocks). */
  begin(snap: BlockSnapshot | undefined): void {
    if (!snap) {
      this.blocks = null;
      this.head = null;
      return;
    }
    let set = this.sets.get(snap.dataDir);
    if (!set) this.sets.set(snap.dataDir, (set = new WorkerBlockSet(snap.dataDir, () => this.sets.delete(snap.dataDir))));
    this.blocks = set.sync(snap);
    this.head = remoteHead(this.remote, snap.encoding, snap.headCopies);
  }

  /** Called when a query is answered: an idle worker keeps no head copy or block list of the last one. */
  end(): void {
    this.blocks = null;
    this.head = null;
  }

  querier(mint: number, maxt: number): Querier {
    if (!this.blocks || !this.head) return this.remote.querier(mint, maxt);
    return new DBQuerier(this.head, this.blocks, mint, maxt);
  }
}

/** The head read from the main thread: each selection's series copied in one call. */
function remoteHead(remote: RemoteStorage, encoding: ChunkEncoding, prefetched: Record<string, HeadCopy | null> = {}): HeadView {
  return {
    enc: encodingId(encoding),
    encoding,
    // The main thread pinned the head for the whole query.
    acquire: () => {},
    release: () => {},
    matching: (matchers: readonly Matcher[], mint: number, maxt: number) => {
      const key = headCopyKey(matchers, mint, maxt);
      const copy = key in prefetched ? prefetched[key] : remote.call<HeadCopy>({ op: 'extra', name: 'headCopy', args: [toWire(matchers), mint, maxt] });
      return copy ? copy.series.map((s) => copiedHeadSeries(s, copy.bytes)) : [];
    },
    labelNames: () => remote.call<string[]>({ op: 'extra', name: 'headLabelNames', args: [] }),
    labelValues: (name: string) => remote.call<string[]>({ op: 'extra', name: 'headLabelValues', args: [name] }),
  };
}
