// The in-memory head: series, their chunks (in WASM memory), the label index
// and retention. Appending lives in head-append.ts, reading in head-read.ts.

import { type Labels, labelsKey } from '../model/labels.js';
import { wasm, mem } from '../wasm/loader.js';
import { WasmBuffer } from '../wasm/buffer.js';
import { CHUNK_LEN } from '../wasm/layout.js';
import { type ChunkEncoding, encodingId } from '../wasm/codec.js';
import { histogramChunkMeta } from '../wasm/histogram-codec.js';
import { MemPostings } from './postings.js';
import type { WalWriter } from './wal-records.js';
import type { FloatHistogram } from '../model/histogram.js';
import { SeriesHistograms } from './head-histograms.js';
import { SeriesByLabels } from './series-by-labels.js';

/**
 * The empty list every series starts with instead of six arrays of its own
 * (32 bytes each): frozen, so a push that forgot to go through `appended`
 * fails loudly instead of growing every series' list.
 */
export const NO_ENTRIES: number[] = Object.freeze([]) as unknown as number[];

/** `list` with `v` appended: the shared empty list is replaced by an array of exactly one. */
export function appended(list: number[], v: number): number[] {
  if (list.length === 0) return [v];
  list.push(v);
  return list;
}

/** Removes the first n entries of a list that may be the shared empty one. */
export function dropFront(list: number[], n: number): void {
  if (list.length > 0 && n > 0) list.splice(0, n);
}

/** One series of the head. Chunk pointers are WASM memory offsets, oldest first. */
export class MemSeries {
  /** Chunks in time order; the last one is the open head chunk. */
  chunks: number[] = NO_ENTRIES;
  /** Cached [minT, maxT] of chunks that will not change any more (all but the last). */
  closedMinT: number[] = NO_ENTRIES;
  closedMaxT: number[] = NO_ENTRIES;
  closedSamples: number[] = NO_ENTRIES;
  /** Newest committed sample (maxT = -Infinity before the first). */
  maxT = -Infinity;
  private newestValue = 0;
  /**
   * Set when a checkpoint is loaded: the newest value is decoded from the
   * series' last chunk when first asked for (a duplicate check), not for
   * every series while the server starts.
   */
  newestValueFrom: (() => number) | null = null;
  /** Samples in all chunks, and in the closed ones (the rest are in the head chunk). */
  totalSamples = 0;
  closedSampleSum = 0;
  /**
   * Newest sample buffered by an uncommitted appender, for ordering checks:
   * the appender's number (0: none). A number, not the appender itself: a
   * pointer from every long-lived series to a fresh appender on each commit
   * would make each young-generation collection visit all those series.
   */
  pendingOwner = 0;
  pendingT = -Infinity;
  pendingV = 0;
  /** The pending newest sample's histogram (null when it is a float). */
  pendingH: FloatHistogram | null = null;
  /** Native histogram samples, kept beside the float chunks (null until the first). */
  hist: SeriesHistograms | null = null;
  /** The newest committed sample's histogram (null when it is a float or there is none). */
  lastH: FloatHistogram | null = null;
  /** Start timestamps of the samples that have one, by sample time (rare: kept beside the chunks). */
  starts: { t: number[]; st: number[] } | null = null;
  /** Whether the write-ahead log has this series' record since it was attached. */
  walLogged = false;
  /** Where the leading closed chunks were persisted (chunk file and slot), one entry per chunk. */
  persistedFile: number[] = NO_ENTRIES;
  persistedSlot: number[] = NO_ENTRIES;
  /** Changes whenever chunks leave the front of the list (retention, a deletion), so chunk positions change meaning. */
  generation = 0;

  constructor(readonly id: number, readonly labels: Labels) {}

  /** The label set as one string (labelsKey), made when asked: no series keeps one. */
  get key(): string {
    return labelsKey(this.labels);
  }

  /** The newest committed float value: another value at maxT is a duplicate-timestamp error. */
  get lastValue(): number {
    if (this.newestValueFrom !== null) {
      this.newestValue = this.newestValueFrom();
      this.newestValueFrom = null;
    }
    return this.newestValue;
  }

  set lastValue(v: number) {
    this.newestValueFrom = null;
    this.newestValue = v;
  }

  /** Whether the series holds any sample, float or histogram. */
  get hasSamples(): boolean {
    return this.chunks.length > 0 || (this.hist !== null && this.hist.count > 0);
  }
}

/**
 * A series' first chunk goes into an array of exactly one: an empty array
 * grown by a push keeps room for 17, about 130 bytes per series that most
 * series, holding one open chunk, never use.
 */
function pushChunk(s: MemSeries, chunk: number): void {
  s.chunks = appended(s.chunks, chunk);
}

/** What truncateBefore let go of: samples, chunks, series touched and left empty, and the time they spanned. */
export interface HeadDropped {
  samples: number;
  chunks: number;
  series: number;
  seriesRemoved: number;
  minTime: number;
  maxTime: number;
}

export interface HeadOptions {
  encoding: ChunkEncoding;
  /** Keep this many milliseconds of data behind the newest sample (0 = forever). */
  retention: number;
  /** Refuse commits that would grow WebAssembly memory past this many bytes (0 = only WebAssembly's own limit). */
  memoryLimit?: number;
}

export class Head {
  readonly encoding: ChunkEncoding;
  readonly enc: number;
  readonly retention: number;
  readonly index = new MemPostings();
  readonly series: (MemSeries | undefined)[] = [undefined];
  private readonly byLabels = new SeriesByLabels<MemSeries>();
  /** u32 head-chunk table indexed by series id, in WASM memory. */
  private readonly heads = new WasmBuffer();
  /** u32 table of each series' open histogram chunk (0 = none), indexed by series id, in WASM memory. */
  private readonly histHeads = new WasmBuffer();
  private headsCap = 0;

  liveSeries = 0;
  samples = 0;
  chunks = 0;
  minT = Infinity;
  maxT = -Infinity;
  /** Samples older than this are out of bounds (retention). */
  minValidTime = -Infinity;
  /**
   * Samples committed below minValidTime: appended (and checked) before it
   * moved, committed after. A block cut that began meanwhile must read the
   * head again.
   */
  committedBelowMinValid = 0;
  /** storage.tsdb.out_of_order_time_window in ms: how far behind the head's newest sample an older sample is still taken (0 = never). */
  outOfOrderTimeWindow = 0;
  /** Refused as out of order with the window closed, refused as older than the window, and taken out of order. */
  outOfOrder = 0;
  tooOld = 0;
  outOfOrderAppended = 0;
  duplicates = 0;
  outOfBounds = 0;
  /** Commits refused because memory could not grow. */
  storageFull = 0;
  readonly memoryLimit: number;
  /** The write-ahead log commits write to first, when the database has one. */
  wal: WalWriter | null = null;

  /**
   * Readers open, by the epoch they started in. Whatever a change lets go
   * of while readers are open (chunks, a deferred truncation) waits in the
   * epoch it happened in, and goes once every reader of that epoch or an
   * earlier one is done: a reader that started later never saw it. So a
   * server that always has a query running still frees memory and cuts
   * blocks, only one query's length later.
   */
  private readersByEpoch = new Map<number, number>();
  private readerEpoch = 0;
  /** Something waits in the current epoch: the next reader starts a new one. */
  private epochTaken = false;
  private deferred: { epoch: number; chunks: number[]; actions: (() => void)[] }[] = [];
  private lastRetentionAt = -Infinity;
  /** Told what time retention dropped from the head (a data directory logs it). */
  onRetention: ((dropped: HeadDropped, cutoff: number) => void) | null = null;

  constructor(opts: HeadOptions) {
    this.encoding = opts.encoding;
    this.enc = encodingId(opts.encoding);
    this.retention = opts.retention;
    this.memoryLimit = opts.memoryLimit ?? 0;
  }

  /** Pointer to the head-chunk table, sized for every series id handed out. */
  headsTable(): number {
    return this.heads.ptr;
  }

  histHeadsTable(): number {
    return this.histHeads.ptr;
  }

  hasOpenHistogramChunk(s: MemSeries): boolean {
    return mem().u32[(this.histHeads.ptr >>> 2) + s.id] !== 0;
  }

  /** Lets the next histogram of s start a chunk. */
  closeHistogramChunk(s: MemSeries): void {
    mem().u32[(this.histHeads.ptr >>> 2) + s.id] = 0;
  }

  /** Records a histogram chunk the WASM appender created for s (it is s's open one now). */
  addHistogramChunk(s: MemSeries, chunk: number): void {
    s.hist ??= new SeriesHistograms();
    s.hist.chunks.push(chunk);
    this.chunks++;
  }

  /** Makes `chunk` (loaded from a checkpoint) s's open histogram chunk. */
  setOpenHistogramChunk(s: MemSeries, chunk: number): void {
    this.addHistogramChunk(s, chunk);
    mem().u32[(this.histHeads.ptr >>> 2) + s.id] = chunk;
  }

  /** Frees all histogram chunks of s (once no reader holds them), for a rewrite. */
  clearHistograms(s: MemSeries): void {
    if (!s.hist) return;
    for (const c of s.hist.chunks) this.freeChunk(c);
    this.chunks -= s.hist.chunks.length;
    this.samples -= s.hist.count;
    s.hist = null;
    s.lastH = null;
    this.closeHistogramChunk(s);
  }

  getOrCreate(labels: Labels): MemSeries {
    const found = this.byLabels.get(labels);
    if (found) return found;
    const s = this.create(labels);
    this.index.add(s.id, labels);
    return s;
  }

  /**
   * Adds a series loaded from a persisted index, whose postings come from
   * that index (see MemPostings.load) rather than from its labels.
   */
  loadSeries(labels: Labels): MemSeries {
    return this.create(labels);
  }

  private create(labels: Labels): MemSeries {
    const id = this.series.length;
    const s = new MemSeries(id, labels);
    this.ensureHeadsCapacity(id + 1);
    mem().u32[(this.heads.ptr >>> 2) + id] = 0;
    mem().u32[(this.histHeads.ptr >>> 2) + id] = 0;
    this.series.push(s);
    this.byLabels.add(s);
    this.liveSeries++;
    return s;
  }

  get(id: number): MemSeries | undefined {
    return this.series[id];
  }

  private ensureHeadsCapacity(n: number): void {
    if (n <= this.headsCap) return;
    const cap = Math.max(1024, this.headsCap * 2, n);
    const oldCap = this.headsCap;
    for (const table of [this.heads, this.histHeads]) {
      const old = table.ptr;
      const fresh = wasm.alloc(cap * 4);
      const { u32 } = mem();
      u32.fill(0, fresh >>> 2, (fresh >>> 2) + cap);
      if (old !== 0) {
        u32.copyWithin(fresh >>> 2, old >>> 2, (old >>> 2) + oldCap);
        wasm.free(old);
      }
      table.ptr = fresh;
      table.bytes = cap * 4;
    }
    this.headsCap = cap;
  }

  /** Makes `chunk` (loaded from a checkpoint) the open head chunk of s, which the WASM appender continues. */
  setOpenChunk(s: MemSeries, chunk: number): void {
    pushChunk(s, chunk);
    this.chunks++;
    mem().u32[(this.heads.ptr >>> 2) + s.id] = chunk;
  }

  /** Records a chunk the WASM appender created for series `s`. */
  addChunk(s: MemSeries, chunk: number): void {
    // Chunks loaded from disk are all closed already.
    if (s.chunks.length > s.closedMinT.length) this.closeHeadChunk(s);
    pushChunk(s, chunk);
    this.chunks++;
  }

  private closeHeadChunk(s: MemSeries): void {
    const c = s.chunks[s.chunks.length - 1]!;
    s.closedMinT = appended(s.closedMinT, wasm.chunkMinTime(c, this.enc));
    s.closedMaxT = appended(s.closedMaxT, wasm.chunkMaxTime(c, this.enc));
    const n = wasm.chunkSamples(c, this.enc);
    s.closedSamples = appended(s.closedSamples, n);
    s.closedSampleSum += n;
  }

  /** Whether a querier is open (it holds chunk pointers and series as they are now). */
  get readersOpen(): boolean {
    return this.readersByEpoch.size > 0;
  }

  /** Pins chunks against being freed while a reader uses them; returns the epoch to release. */
  acquireReader(): number {
    if (this.epochTaken) {
      this.readerEpoch++;
      this.epochTaken = false;
    }
    const e = this.readerEpoch;
    this.readersByEpoch.set(e, (this.readersByEpoch.get(e) ?? 0) + 1);
    return e;
  }

  releaseReader(epoch: number): void {
    const n = this.readersByEpoch.get(epoch);
    if (n === undefined) throw new Error(`BUG: head reader of epoch ${epoch} released twice`);
    if (n > 1) this.readersByEpoch.set(epoch, n - 1);
    else this.readersByEpoch.delete(epoch);
    this.runDeferred();
  }

  /**
   * Runs `action` once every reader open now is done (at once when none
   * is): a change that would pull data from under a running query (the
   * truncation after a block cut) waits for the queries that began before it.
   */
  afterReaders(action: () => void): void {
    if (!this.readersOpen) action();
    else this.waiting().actions.push(action);
  }

  /** Head chunks waiting to be freed, and deferred actions, for tests and metrics. */
  get deferredWork(): { chunks: number; actions: number } {
    let chunks = 0, actions = 0;
    for (const d of this.deferred) {
      chunks += d.chunks.length;
      actions += d.actions.length;
    }
    return { chunks, actions };
  }

  private waiting(): { epoch: number; chunks: number[]; actions: (() => void)[] } {
    this.epochTaken = true;
    const last = this.deferred[this.deferred.length - 1];
    if (last && last.epoch === this.readerEpoch) return last;
    const fresh = { epoch: this.readerEpoch, chunks: [], actions: [] };
    this.deferred.push(fresh);
    return fresh;
  }

  private freeChunk(c: number): void {
    if (this.readersOpen) this.waiting().chunks.push(c);
    else wasm.chunkFree(c);
  }

  private runDeferred(): void {
    let oldest = Infinity;
    for (const e of this.readersByEpoch.keys()) oldest = Math.min(oldest, e);
    while (this.deferred.length > 0 && this.deferred[0]!.epoch < oldest) {
      const d = this.deferred.shift()!;
      for (const c of d.chunks) wasm.chunkFree(c);
      // An action may free chunks in turn: they wait for readers still open.
      for (const a of d.actions) a();
    }
  }

  /**
   * Empties a series' chunks (freed once no reader holds them) so that it
   * can be written again from scratch; the series itself stays.
   */
  clearSeries(s: MemSeries): void {
    for (const c of s.chunks) this.freeChunk(c);
    this.chunks -= s.chunks.length;
    this.samples -= s.totalSamples;
    mem().u32[(this.heads.ptr >>> 2) + s.id] = 0;
    s.chunks = NO_ENTRIES;
    s.closedMinT = NO_ENTRIES;
    s.closedMaxT = NO_ENTRIES;
    s.closedSamples = NO_ENTRIES;
    s.closedSampleSum = 0;
    s.totalSamples = 0;
    s.persistedFile = NO_ENTRIES;
    s.persistedSlot = NO_ENTRIES;
    s.generation++;
    s.starts = null;
    s.maxT = -Infinity;
    s.lastValue = 0;
  }

  /**
   * Frees chunks k and later of s (once no reader holds them) and leaves it
   * with no open chunk, so the appender can write that tail again.
   */
  dropTail(s: MemSeries, k: number): void {
    const n = s.chunks.length;
    if (k >= n) return;
    const closed = s.closedMinT.length;
    let removed = n > closed ? s.totalSamples - s.closedSampleSum : 0;
    for (let i = k; i < closed; i++) removed += s.closedSamples[i]!;
    for (let i = k; i < n; i++) this.freeChunk(s.chunks[i]!);
    this.chunks -= n - k;
    this.samples -= removed;
    s.totalSamples -= removed;
    for (let i = k; i < closed; i++) s.closedSampleSum -= s.closedSamples[i]!;
    s.chunks.length = k;
    if (k < closed) {
      s.closedMinT.length = k;
      s.closedMaxT.length = k;
      s.closedSamples.length = k;
    }
    if (s.persistedFile.length > k) {
      s.persistedFile.length = k;
      s.persistedSlot.length = k;
    }
    s.generation++;
    mem().u32[(this.heads.ptr >>> 2) + s.id] = 0;
  }

  /** Forgets an emptied series: its labels leave the index. */
  removeSeries(s: MemSeries): void {
    this.byLabels.delete(s);
    this.series[s.id] = undefined;
    this.liveSeries--;
    this.index.delete(new Map([[s.id, s.labels]]));
  }

  /** Recomputes the head's time range after samples were removed. */
  refreshTimeRange(): void {
    this.recomputeMinT();
    let maxT = -Infinity;
    for (const s of this.series) if (s && s.hasSamples && s.maxT > maxT) maxT = s.maxT;
    this.maxT = maxT;
  }

  /** Drops whole chunks that end before maxT - retention; runs at most once a minute of data time. */
  maybeApplyRetention(): void {
    if (this.retention <= 0 || this.maxT === -Infinity) return;
    if (this.maxT - this.lastRetentionAt < 60_000) return;
    this.lastRetentionAt = this.maxT;
    const cutoff = this.maxT - this.retention;
    const dropped = this.truncateBefore(cutoff);
    if (dropped.samples > 0) this.onRetention?.(dropped, cutoff);
  }

  /** Drops every chunk whose samples all lie before mint, and series left without chunks; says what went. */
  truncateBefore(mint: number): HeadDropped {
    this.minValidTime = Math.max(this.minValidTime, mint);
    const dropped: HeadDropped = { samples: 0, chunks: 0, series: 0, seriesRemoved: 0, minTime: Infinity, maxTime: -Infinity };
    const removed = new Map<number, Labels>();
    const { u32 } = mem();
    const headsBase = this.heads.ptr >>> 2;
    for (const s of this.series) {
      if (!s) continue;
      const chunksBefore = dropped.chunks;
      if (s.hist && s.hist.chunks.length > 0) {
        this.truncateHistograms(s, mint, dropped);
        if (!s.hasSamples) {
          this.forgetEmptied(s, removed);
          dropped.seriesRemoved++;
          continue;
        }
      }
      if (s.chunks.length === 0) continue;
      let drop = 0;
      while (drop < s.closedMaxT.length && s.closedMaxT[drop]! < mint) drop++;
      if (drop === s.closedMaxT.length && s.maxT < mint) drop = s.chunks.length;
      if (drop === 0) continue;
      const firstT = s.closedMinT.length > 0 ? s.closedMinT[0]! : wasm.chunkMinTime(s.chunks[0]!, this.enc);
      const lastT = drop === s.chunks.length ? s.maxT : s.closedMaxT[drop - 1]!;
      dropped.minTime = Math.min(dropped.minTime, firstT);
      dropped.maxTime = Math.max(dropped.maxTime, lastT);
      // Counted once when its histogram chunks went too.
      if (dropped.chunks === chunksBefore) dropped.series++;
      dropped.chunks += drop;
      for (let i = 0; i < drop; i++) {
        const n = i < s.closedSamples.length ? s.closedSamples[i]! : s.totalSamples - s.closedSampleSum;
        this.samples -= n;
        dropped.samples += n;
        s.totalSamples -= n;
        if (i < s.closedSamples.length) s.closedSampleSum -= n;
        this.freeChunk(s.chunks[i]!);
      }
      this.chunks -= drop;
      if (s.starts) {
        // Start timestamps go with the samples of the dropped chunks.
        const droppedUpTo = drop === s.chunks.length ? Infinity : s.closedMaxT[drop - 1]!;
        let k = 0;
        while (k < s.starts.t.length && s.starts.t[k]! <= droppedUpTo) k++;
        s.starts.t.splice(0, k);
        s.starts.st.splice(0, k);
      }
      dropFront(s.chunks, drop);
      dropFront(s.closedMinT, drop);
      dropFront(s.closedMaxT, drop);
      dropFront(s.closedSamples, drop);
      dropFront(s.persistedFile, drop);
      dropFront(s.persistedSlot, drop);
      s.generation++;
      if (s.chunks.length === 0) {
        u32[headsBase + s.id] = 0;
        if (!s.hasSamples) {
          this.forgetEmptied(s, removed);
          dropped.seriesRemoved++;
        }
      }
    }
    this.index.delete(removed);
    this.recomputeMinT();
    return dropped;
  }

  /** Drops s's histogram chunks whose samples all lie before mint, counting them into `dropped`. */
  private truncateHistograms(s: MemSeries, mint: number, dropped: HeadDropped): void {
    const h = s.hist!;
    let drop = 0;
    while (drop < h.chunks.length && histogramChunkMeta(h.chunks[drop]!).maxT < mint) drop++;
    if (drop === 0) return;
    dropped.series++;
    dropped.chunks += drop;
    for (let i = 0; i < drop; i++) {
      const c = h.chunks[i]!;
      const meta = histogramChunkMeta(c);
      const n = meta.samples;
      h.count -= n;
      this.samples -= n;
      dropped.samples += n;
      dropped.minTime = Math.min(dropped.minTime, meta.minT);
      dropped.maxTime = Math.max(dropped.maxTime, meta.maxT);
      this.freeChunk(c);
    }
    if (drop === h.chunks.length) this.closeHistogramChunk(s);
    h.chunks.splice(0, drop);
    h.persistedFile.splice(0, drop);
    h.persistedSlot.splice(0, drop);
    h.generation++;
    this.chunks -= drop;
  }

  private forgetEmptied(s: MemSeries, removed: Map<number, Labels>): void {
    removed.set(s.id, s.labels);
    this.byLabels.delete(s);
    this.series[s.id] = undefined;
    this.liveSeries--;
  }

  private recomputeMinT(): void {
    let minT = Infinity;
    for (const s of this.series) {
      if (!s) continue;
      const t = this.seriesMinTime(s);
      if (t < minT) minT = t;
    }
    this.minT = minT;
  }

  /** Chunk pointers of s that may hold samples in [mint, maxt]. */
  chunksOverlapping(s: MemSeries, mint: number, maxt: number): number[] {
    const out: number[] = [];
    const n = s.chunks.length;
    const closed = s.closedMinT.length;
    for (let i = 0; i < n; i++) {
      const lo = i < closed ? s.closedMinT[i]! : -Infinity;
      const hi = i < closed ? s.closedMaxT[i]! : s.maxT;
      if (hi < mint) continue;
      if (lo > maxt) break;
      out.push(s.chunks[i]!);
    }
    return out;
  }

  /** chunksOverlapping with each chunk's time bounds (the open chunk's minimum read from WASM). */
  chunkPartsOverlapping(s: MemSeries, mint: number, maxt: number): { minT: number; maxT: number; ptr: number }[] {
    const out: { minT: number; maxT: number; ptr: number }[] = [];
    const n = s.chunks.length;
    const closed = s.closedMinT.length;
    for (let i = 0; i < n; i++) {
      const lo = i < closed ? s.closedMinT[i]! : wasm.chunkMinTime(s.chunks[i]!, this.enc);
      const hi = i < closed ? s.closedMaxT[i]! : s.maxT;
      if (hi < mint) continue;
      if (lo > maxt) break;
      out.push({ minT: lo, maxT: hi, ptr: s.chunks[i]! });
    }
    return out;
  }

  /** Oldest sample time of s (Infinity when it has none). */
  seriesMinTime(s: MemSeries): number {
    return Math.min(s.hist ? s.hist.minT : Infinity, this.floatMinTime(s));
  }

  /** Oldest float sample time of s (Infinity when it has none). */
  floatMinTime(s: MemSeries): number {
    if (s.chunks.length === 0) return Infinity;
    return s.closedMinT.length > 0 ? s.closedMinT[0]! : wasm.chunkMinTime(s.chunks[0]!, this.enc);
  }

  chunkBytes(): number {
    return this.chunks * CHUNK_LEN;
  }

  /** Frees all WASM memory held by this head. */
  close(): void {
    for (const s of this.series) {
      if (!s) continue;
      for (const c of s.chunks) wasm.chunkFree(c);
      if (s.hist) for (const c of s.hist.chunks) wasm.chunkFree(c);
    }
    // Deferred actions are dropped: the head they would change is gone.
    for (const d of this.deferred.splice(0)) for (const c of d.chunks) wasm.chunkFree(c);
    if (this.heads.ptr !== 0) wasm.free(this.heads.ptr);
    if (this.histHeads.ptr !== 0) wasm.free(this.histHeads.ptr);
    this.heads.ptr = 0;
    this.histHeads.ptr = 0;
    this.series.length = 1;
    this.byLabels.clear();
  }
}
