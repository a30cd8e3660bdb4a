// openDB: the embeddable database. Today a head in memory; persistence
// plugs in here later without changing the interfaces.

import { CHUNK_LEN } from '../wasm/layout.js';
import { mem } from '../wasm/loader.js';
import type { ChunkEncoding } from '../wasm/codec.js';
import { encodingId } from '../wasm/codec.js';
import { Head, type HeadDropped } from './head.js';
import { HeadAppender } from './head-append.js';
import { HeadQuerier } from './head-read.js';
import type { Appendable, Appender, Querier, Queryable, StorageRead } from './interfaces.js';
import { type BlockLoader, runPrefetched } from './block-prefetch.js';
import { type WalWriter, WalRecordError, decodeRecord } from './wal-records.js';
import { type HeadCheckpoint, checkpointHead, loadHead } from './head-persist.js';
import type { PersistedIndex } from './persist-format.js';
import { deleteSamples } from './head-delete.js';
import { loadHistogramChunks } from './head-histograms.js';
import { decodeHistogramRun, histogramsWithoutRanges } from './histogram-runs.js';
import { postingsForMatchers } from './select.js';
import type { Matcher } from '../model/matcher.js';
import type { Labels } from '../model/labels.js';
import { parseBase2Bytes } from '../model/units.js';
import type { Block } from './block.js';
import { ByteCache, DEFAULT_CACHE_SIZE } from './byte-cache.js';
import { DBQuerier, decodeStored, memHeadView, withoutRanges, type HeadView } from './merge-read.js';
import { copyHead, type HeadCopy } from './copied-head.js';
import { headRangeSteps, truncateHeadBefore, truncateHeadSteps, writeHeadRange } from './head-compact.js';
import type { BlockWriter } from './block-writer.js';

export interface DBOptions {
  /** Chunk encoding for new chunks: "varbit" (default) or "double-delta". */
  encoding?: ChunkEncoding;
  /** Retention: milliseconds, or a duration string such as "15d" (default: keep everything). */
  retention?: number | string;
  /** Bytes of block chunks and index pages kept in memory (--storage.tsdb.cache-size; default 64 MiB). */
  cacheSize?: number;
  /**
   * Refuse commits (StorageFullError) that would grow WebAssembly memory past
   * this size: bytes, or "512MB". Default: only WebAssembly's 4 GiB limit.
   */
  memoryLimit?: number | string;
  /** storage.tsdb.out_of_order_time_window: milliseconds or a duration such as "30m" (default 0: refuse out-of-order samples). */
  outOfOrderTimeWindow?: number | string;
}

/** What db.stats() reports about the blocks on disk. */
export interface BlockStats {
  ulid: string;
  minTime: number;
  maxTime: number;
  series: number;
  samples: number;
  chunks: number;
  bytes: number;
  level: number;
}

/** What db.stats() reports. Bytes count whole 1024-byte chunks, as they are allocated. */
export interface DBStats {
  encoding: ChunkEncoding;
  /** Series in the head (blocks may hold more: see blocks). */
  series: number;
  /** Samples in the head and all blocks. */
  samples: number;
  /** The head's samples, in WASM memory; chunks, chunkBytes and bytesPerSample are the head's too. */
  headSamples: number;
  chunks: number;
  chunkBytes: number;
  bytesPerSample: number;
  /** Chunk bytes per series (the chunk share of memory per series). */
  chunkBytesPerSeries: number;
  /** Size of the WebAssembly memory that holds the chunks (grows, never shrinks). */
  wasmMemoryBytes: number;
  minTime: number | null;
  maxTime: number | null;
  /** Refused as out of order (window closed), refused as older than the window, and taken out of order. */
  outOfOrderSamples: number;
  tooOldSamples: number;
  outOfOrderAppendedSamples: number;
  duplicateSamples: number;
  outOfBoundsSamples: number;
  /** The head alone (what Prometheus's headStats report); null times when it is empty. */
  head: { series: number; samples: number; chunks: number; minTime: number | null; maxTime: number | null };
  /** Commits refused with StorageFullError. */
  storageFullCommits: number;
  /** Immutable blocks on disk, oldest first (empty for a database in memory). */
  blocks: BlockStats[];
  /** The block chunk and index page cache: bytes held, its capacity, hits and misses. */
  cache: { bytes: number; capacity: number; hits: number; misses: number };
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 7 * 86400e3, y: 365 * 86400e3 };

/** Parses a Prometheus duration such as "15d" or "1h30m" into milliseconds. */
export function parseRetention(r: number | string | undefined): number {
  if (r === undefined) return 0;
  if (typeof r === 'number') {
    if (!(r >= 0) || !Number.isFinite(r)) throw new Error(`retention ${r}: want a non-negative number of milliseconds`);
    return r;
  }
  const re = /(\d+)(ms|s|m|h|d|w|y)/gy;
  let total = 0;
  let pos = 0;
  for (let m = re.exec(r); m; m = re.exec(r)) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    pos = re.lastIndex;
  }
  if (r === '' || pos !== r.length) throw new Error(`retention ${JSON.stringify(r)}: not a duration like "15d" or "12h30m"`);
  return total;
}

export class DB implements Queryable, Appendable {
  private readonly head: Head;
  private blocks: Block[] = [];
  /** Block chunks and index pages read from disk, bounded. */
  readonly cache: ByteCache;

  constructor(opts: DBOptions = {}) {
    const encoding = opts.encoding ?? 'varbit';
    encodingId(encoding);
    const memoryLimit = typeof opts.memoryLimit === 'string' ? parseBase2Bytes(opts.memoryLimit) : opts.memoryLimit ?? 0;
    if (memoryLimit === null || !(memoryLimit >= 0)) throw new Error(`memoryLimit ${JSON.stringify(opts.memoryLimit)}: want bytes or a size such as 512MB`);
    this.head = new Head({ encoding, retention: parseRetention(opts.retention), memoryLimit });
    this.cache = new ByteCache(opts.cacheSize ?? DEFAULT_CACHE_SIZE);
    if (opts.outOfOrderTimeWindow !== undefined) this.setOutOfOrderTimeWindow(opts.outOfOrderTimeWindow);
  }

  get encoding(): ChunkEncoding {
    return this.head.encoding;
  }

  /** The blocks queries read besides the head, oldest first. */
  blockList(): readonly Block[] {
    return this.blocks;
  }

  /**
   * Replaces the set of blocks (after opening, writing, compacting or
   * deleting some). Dropped blocks close once the queriers reading them are.
   */
  setBlocks(blocks: readonly Block[]): void {
    for (const b of blocks) {
      if (b.encoding !== this.head.enc) throw new Error(`block ${b.ulid} uses chunk encoding ${b.encoding}, this database ${this.head.enc}`);
    }
    const kept = new Set(blocks);
    for (const b of this.blocks) if (!kept.has(b)) b.closeWhenUnused();
    this.blocks = [...blocks].sort((a, b) => a.minTime - b.minTime || a.maxTime - b.maxTime);
  }

  /**
   * storage.tsdb.out_of_order_time_window: milliseconds, or a duration such
   * as "30m" (0, the default, refuses samples older than their series' newest).
   */
  setOutOfOrderTimeWindow(window: number | string): void {
    try {
      this.head.outOfOrderTimeWindow = parseRetention(window);
    } catch (e) {
      throw new Error(`out_of_order_time_window: ${(e as Error).message.replace(/^retention /, '')}`);
    }
  }

  get outOfOrderTimeWindow(): number {
    return this.head.outOfOrderTimeWindow;
  }

  /**
   * Called when retention drops samples from the head (not when a block
   * cut lets them go): what went, and the cutoff (newest sample minus the
   * retention time) it fell before.
   */
  set onHeadRetention(f: ((dropped: HeadDropped, cutoff: number) => void) | null) {
    this.head.onRetention = f;
  }

  /** Bumped by every deleteSeries: a cut or compaction that read data before it writes it again. */
  deletions = 0;

  /** Samples committed below the head's minValidTime (checked before it moved): a cut under way must read the head again. */
  get committedBelowMinValid(): number {
    return this.head.committedBelowMinValid;
  }

  /**
   * Keeps head chunks from being freed (and reused) until the returned
   * function is called, for work that reads the head a series at a time
   * between commits (a block cut). Counts as an open querier meanwhile.
   */
  pinHeadChunks(): () => void {
    const epoch = this.head.acquireReader();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.head.releaseReader(epoch);
    };
  }

  /**
   * Runs `action` once every querier and pin open now is closed (at once
   * when none is); later ones do not hold it up.
   */
  afterOpenQueriers(action: () => void): void {
    this.head.afterReaders(action);
  }

  /** Head chunks and actions waiting for open queriers to close (see afterOpenQueriers). */
  get deferredHeadWork(): { chunks: number; actions: number } {
    return this.head.deferredWork;
  }

  /** writeHeadBlock a series per step (see head-compact.ts headRangeSteps). */
  headBlockSteps(mint: number, maxt: number, writer: BlockWriter): Generator<void> {
    return headRangeSteps(this.head, mint, maxt, writer);
  }

  /** Called after every commit (the data directory cuts blocks from the head there). */
  onCommitted: (() => void) | null = null;

  /**
   * Back-pressure: after a commit is logged and applied, what its `commit()`
   * waits for before it resolves (null: nothing). A data directory holds
   * committers here while the head outgrows its span faster than blocks are
   * cut from it, so WebAssembly memory (which never shrinks) stays bounded.
   */
  commitHold: (() => Promise<void> | null) | null = null;

  /** Whether a querier is open: the set of blocks and the head's ranges must not change under it. */
  hasOpenQueriers(): boolean {
    return this.head.readersOpen;
  }

  /** The head's time range (null bounds when it is empty). */
  headRange(): { minTime: number | null; maxTime: number | null } {
    const h = this.head;
    return { minTime: h.minT === Infinity ? null : h.minT, maxTime: h.maxT === -Infinity ? null : h.maxT };
  }

  /** Writes the head's samples in [mint, maxt) to a block writer (see head-compact.ts). */
  writeHeadBlock(mint: number, maxt: number, writer: BlockWriter): void {
    writeHeadRange(this.head, mint, maxt, writer);
  }

  /** Samples before t are out of bounds for the head from now on (a block holds that range). */
  setHeadMinValidTime(t: number): void {
    this.head.minValidTime = Math.max(this.head.minValidTime, t);
  }

  /** Lets go of the head's samples before t (they are in a block now). */
  truncateHead(t: number): void {
    truncateHeadBefore(this.head, t);
  }

  /** truncateHead a series per step (see head-compact.ts truncateHeadSteps). */
  truncateHeadSteps(t: number): Generator<void> {
    return truncateHeadSteps(this.head, t);
  }

  appender(): Appender {
    return new HeldAppender(this.head, () => {
      this.head.maybeApplyRetention();
      this.onCommitted?.();
    }, () => this.commitHold?.() ?? null);
  }

  private loader: BlockLoader | null = null;

  /**
   * Where block chunks come from when they cannot be read synchronously
   * (IndexedDB in a browser): asynchronous queries load what they read
   * through it first (see block-prefetch.ts).
   */
  setBlockLoader(loader: BlockLoader | null): void {
    this.loader = loader;
  }

  async prefetched<T>(reads: () => readonly StorageRead[] | null, evaluate: () => T): Promise<T> {
    const loader = this.loader;
    // Without a loader this evaluates at once, as the engine's asynchronous queries always did.
    if (!loader || this.blocks.length === 0) return evaluate();
    return runPrefetched(() => this.blocks, loader, reads, evaluate);
  }

  /** The head as queriers over blocks read it (label names and values among them). */
  headView(): HeadView {
    return memHeadView(this.head);
  }

  /** A copy of the head's series matching `matchers` in [mint, maxt], for a reader that opens the blocks itself (copied-head.ts). */
  copyHead(matchers: readonly Matcher[], mint: number, maxt: number): HeadCopy {
    return copyHead(this.head, matchers, mint, maxt);
  }

  querier(mint: number, maxt: number): Querier {
    if (this.blocks.length > 0) return new DBQuerier(memHeadView(this.head), this.blocks, mint, maxt);
    return new HeadQuerier(this.head, mint, maxt);
  }

  /**
   * Re-applies write-ahead-log records in order (before attachWal). Samples
   * the head refuses (older than what it holds, say) are counted, not fatal.
   */
  replayWal(records: Iterable<Uint8Array>): { records: number; samples: number; skipped: number } {
    const byWalId = new Map<number, number>();
    let count = 0, samples = 0, skipped = 0;
    for (const raw of records) {
      count++;
      const r = decodeRecord(raw);
      if (r.kind === 'series') {
        byWalId.set(r.id, this.head.getOrCreate(r.labels).id);
        continue;
      }
      if (r.kind === 'histogramChunks') {
        const ref = byWalId.get(r.id);
        if (ref === undefined) throw new WalRecordError(`histogram chunks for series ${r.id} before its series record`);
        loadHistogramChunks(this.head, this.head.get(ref)!, r.chunks);
        continue;
      }
      if (r.kind === 'deletion') {
        const ids = [...r.ids].map((id) => byWalId.get(id)).filter((id): id is number => id !== undefined);
        samples -= deleteSamples(this.head, ids, r.mint, r.maxt, false);
        continue;
      }
      const app = new HeadAppender(this.head, () => this.head.maybeApplyRetention(), true);
      if (r.kind === 'histograms') {
        for (let i = 0; i < r.ids.length; i++) {
          const ref = byWalId.get(r.ids[i]!);
          if (ref === undefined) throw new WalRecordError(`histograms for series ${r.ids[i]} before its series record`);
          try {
            app.appendHistogram(ref, r.ts[i]!, r.hs[i]!, r.sts ? r.sts[i]! : 0);
            samples++;
          } catch {
            skipped++;
          }
        }
        app.commitSync();
        continue;
      }
      for (let i = 0; i < r.ids.length; i++) {
        const ref = byWalId.get(r.ids[i]!);
        if (ref === undefined) throw new WalRecordError(`samples for series ${r.ids[i]} before its series record`);
        try {
          app.append(ref, r.ts[i]!, r.vs[i]!, r.sts ? r.sts[i]! : 0);
          samples++;
        } catch {
          skipped++;
        }
      }
      app.commitSync();
    }
    return { records: count, samples, skipped };
  }

  /** Every series with its ref, which is also its id in the write-ahead-log records this database writes. */
  *seriesRefs(): Generator<[number, Labels]> {
    for (const s of this.head.series) if (s) yield [s.id, s.labels];
  }

  /** From now on every commit writes its records to `wal` before it is applied. */
  attachWal(wal: WalWriter): void {
    for (const s of this.head.series) if (s) s.walLogged = false;
    this.head.wal = wal;
  }

  /**
   * Everything needed to restart from this moment without the log before it:
   * see head-persist.ts. Synchronous, so no commit lands in between.
   */
  checkpoint(chunkFileNo: number, walSegment: number): HeadCheckpoint {
    return checkpointHead(this.head, chunkFileNo, walSegment);
  }

  /** Loads a persisted index and its chunks into this (empty) database, before replaying the log after it. */
  loadPersisted(ix: PersistedIndex, chunkFile: (n: number) => Uint8Array, where: (n: number) => string): void {
    if (ix.encoding !== this.head.enc) throw new Error(`the persisted chunks use encoding ${ix.encoding}, this database ${this.head.enc}`);
    loadHead(this.head, ix, chunkFile, where);
  }

  /**
   * Deletes the samples within [mint, maxt] of the series matching all
   * `matchers` (Prometheus's delete_series); logged first when the database
   * has a write-ahead log. Returns the number of samples deleted.
   */
  deleteSeries(matchers: readonly Matcher[], mint = -Infinity, maxt = Infinity): number {
    this.deletions++;
    let deleted = 0;
    // Blocks are immutable: their deletions are tombstones, which queries apply and compaction carries out.
    for (const b of this.blocks) {
      if (b.maxTime <= mint || b.minTime > maxt) continue;
      const refs: number[] = [];
      for (const ref of postingsForMatchers(b, matchers)) {
        const e = b.series(ref);
        const hit = e.chunks.filter((c) => c.maxT >= mint && c.minT <= maxt);
        const hhit = (e.hchunks ?? []).filter((c) => c.maxT >= mint && c.minT <= maxt);
        if (hit.length === 0 && hhit.length === 0) continue;
        const gone = (hit.length > 0 ? withoutRanges(decodeStored(hit.map((c) => b.chunk(c)), b.encoding, mint, maxt), b.deleted(ref)).timestamps.length : 0) +
          (hhit.length > 0 ? histogramsWithoutRanges(decodeHistogramRun(hhit.map((c) => b.chunk(c)), mint, maxt), b.deleted(ref)).timestamps.length : 0);
        b.settle();
        if (gone === 0) continue;
        refs.push(ref);
        deleted += gone;
      }
      b.addTombstones(refs, Math.max(mint, -Number.MAX_SAFE_INTEGER), Math.min(maxt, Number.MAX_SAFE_INTEGER));
    }
    return deleted + deleteSamples(this.head, postingsForMatchers(this.head.index, matchers), mint, maxt);
  }

  /** Drops all chunks that end before `mint` (what retention does). */
  truncateBefore(mint: number): void {
    this.head.truncateBefore(mint);
  }

  stats(): DBStats {
    const h = this.head;
    const chunkBytes = h.chunks * CHUNK_LEN;
    const blocks: BlockStats[] = this.blocks.map((b) => ({
      ulid: b.ulid, minTime: b.minTime, maxTime: b.maxTime, series: b.meta.stats.numSeries, samples: b.meta.stats.numSamples,
      chunks: b.meta.stats.numChunks, bytes: b.meta.stats.numBytes ?? 0, level: b.meta.compaction.level,
    }));
    let minTime = h.minT === Infinity ? null : h.minT;
    let maxTime = h.maxT === -Infinity ? null : h.maxT;
    for (const b of blocks) {
      if (b.samples === 0) continue;
      minTime = minTime === null ? b.minTime : Math.min(minTime, b.minTime);
      maxTime = maxTime === null ? b.maxTime - 1 : Math.max(maxTime, b.maxTime - 1);
    }
    return {
      encoding: h.encoding,
      series: h.liveSeries,
      samples: h.samples + blocks.reduce((n, b) => n + b.samples, 0),
      headSamples: h.samples,
      chunks: h.chunks,
      chunkBytes,
      bytesPerSample: h.samples > 0 ? chunkBytes / h.samples : 0,
      chunkBytesPerSeries: h.liveSeries > 0 ? chunkBytes / h.liveSeries : 0,
      wasmMemoryBytes: mem().u8.byteLength,
      minTime,
      maxTime,
      outOfOrderSamples: h.outOfOrder,
      tooOldSamples: h.tooOld,
      outOfOrderAppendedSamples: h.outOfOrderAppended,
      duplicateSamples: h.duplicates,
      outOfBoundsSamples: h.outOfBounds,
      storageFullCommits: h.storageFull,
      head: { series: h.liveSeries, samples: h.samples, chunks: h.chunks, ...this.headRange() },
      blocks,
      cache: { bytes: this.cache.bytes, capacity: this.cache.capacity, hits: this.cache.hits, misses: this.cache.misses },
    };
  }

  /** Frees the database's memory; the DB must not be used afterwards. */
  async close(): Promise<void> {
    for (const b of this.blocks) b.close();
    this.blocks = [];
    this.head.close();
  }
}

/** A head appender whose commit, once stored, waits for the database's commitHold. */
class HeldAppender extends HeadAppender {
  constructor(head: Head, onCommit: () => void, private readonly hold: () => Promise<void> | null) {
    super(head, onCommit);
  }

  override async commit(): Promise<void> {
    this.commitSync();
    await this.hold();
  }
}

/** Opens a database. The same call works in Node and in browsers. */
export async function openDB(opts: DBOptions = {}): Promise<DB> {
  return new DB(opts);
}
