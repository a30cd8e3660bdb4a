// The querier over blocks and the head together. A series' chunks from
// every block and the head are handed to one WASM call as one time-ordered
// chunk list (block chunks copied into scratch memory for that call), so a
// reduction across a block boundary is exactly the reduction over the
// same samples in the head. Where sources overlap in time (a backfilled
// block over existing data, before compaction merges them) their samples
// are merged, newest source winning a shared timestamp, and re-encoded first.

import { compareLabels, compareStrings, labelsKey, type Labels } from '../model/labels.js';
import type { Matcher } from '../model/matcher.js';
import { decodeList, decodeListInto, encodeChunks, reduceList, reduceWindowsList, type ChunkEncoding } from '../wasm/codec.js';
import { mem } from '../wasm/loader.js';
import { WasmBuffer } from '../wasm/buffer.js';
import { CHUNK_LEN } from '../wasm/layout.js';
import { BlockCorruptionError } from './block-format.js';
import type { FloatBuffers, Querier, SampleBatch, SelectHints, Series, WindowReduction } from './interfaces.js';
import type { Head, MemSeries } from './head.js';
import type { Block } from './block.js';
import { postingsForMatchers } from './select.js';
import { attachStarts, toReduction } from './head-read.js';
import { StorageError } from './errors.js';
import type { BlockChunkMeta } from './block-format.js';
import { decodeHistogramList } from '../wasm/histogram-codec.js';
import { toBatch } from './head-histograms.js';
import { type HistogramRun, decodeHistogramRun, histogramsWithoutRanges, mergeHistogramRuns } from './histogram-runs.js';

/** Chunks in scratch memory keep the allocator's 32 bytes of read slack. */
const SLOT = CHUNK_LEN + 32;
const scratch = new WasmBuffer();

type Starts = { t: number[]; st: number[] };

/**
 * One series' head side as the merge reads it: the head's own series, or a
 * copy of its chunks taken for a query worker (src/node/worker-blocks.ts),
 * which opens the blocks itself and gets only the head from the database.
 */
export interface HeadSeriesView {
  readonly labels: Labels;
  /** Start timestamps of the series' head samples, if it has any. */
  readonly starts: Starts | null;
  /** Float chunks that may hold samples in [lo, hi], time-ordered: in WASM memory (`ptr`) or as stored bytes. */
  chunkParts(lo: number, hi: number): ChunkPart[];
  /** Histogram samples within [lo, hi], or null when the series has no histogram chunks. */
  histogramRun(lo: number, hi: number): HistogramRun | null;
  hasHistograms(lo: number, hi: number): boolean;
}

/** The head as the merge reads it (see HeadSeriesView). */
export interface HeadView {
  readonly enc: number;
  readonly encoding: ChunkEncoding;
  /** Pins what a querier reads until release (chunks are not freed, blocks are not swapped under it). */
  acquire(): void;
  release(): void;
  /** Series matching all `matchers` with samples in [mint, maxt]. */
  matching(matchers: readonly Matcher[], mint: number, maxt: number): Iterable<HeadSeriesView>;
  labelNames(): Iterable<string>;
  labelValues(name: string): Iterable<string>;
}

/** The head's own series, read in place. */
export function memHeadView(head: Head): HeadView {
  const view = (s: MemSeries): HeadSeriesView => ({
    labels: s.labels,
    starts: s.starts,
    chunkParts: (lo, hi) => head.chunkPartsOverlapping(s, lo, hi).map((p) => ({ ...p, bytes: null })),
    histogramRun: (lo, hi) => (s.hist && s.hist.chunks.length > 0 ? decodeHistogramList(s.hist.overlapping(lo, hi), lo, hi) : null),
    hasHistograms: (lo, hi) => !!s.hist?.has(lo, hi),
  });
  // One view per querier: the epoch its acquire took is the one its release gives back.
  let epoch = -1;
  return {
    enc: head.enc,
    encoding: head.encoding as ChunkEncoding,
    acquire: () => void (epoch = head.acquireReader()),
    release: () => head.releaseReader(epoch),
    *matching(matchers, mint, maxt) {
      for (const id of postingsForMatchers(head.index, matchers)) {
        const s = head.get(id);
        if (!s || !s.hasSamples) continue;
        if (s.maxT < mint || head.seriesMinTime(s) > maxt) continue;
        yield view(s);
      }
    },
    labelNames: () => head.index.labelNames(),
    labelValues: (name) => head.index.labelValues(name),
  };
}

/**
 * A series in one block. Its float chunk metas are read from the index
 * (through the cache) each time the series is read, not held: a selection
 * over a long range of many series would otherwise hold a meta for every
 * chunk in it, memory that grows with the data.
 */
interface BlockPart {
  block: Block;
  ref: number;
  starts: Starts | null;
  /** Native histogram chunks, when the series has any in this block. */
  hmetas: readonly BlockChunkMeta[] | null;
}

export interface ChunkPart {
  minT: number;
  maxT: number;
  /** Stored bytes of a block chunk, or null for a head chunk at `ptr`. */
  bytes: Uint8Array | null;
  ptr: number;
}

/**
 * The pointer list toScratch returns, reused call after call: every caller
 * hands it to one WASM call at once, before the next read.
 */
const pointers: number[] = [];

/** A part no read holds (what the reused list keeps between reads). */
const EMPTY_PART: ChunkPart = { minT: 0, maxT: 0, bytes: null, ptr: 0 };

/**
 * Copies the first `count` parts' chunk bytes (all of them by default) into
 * scratch slots (zeroed past the bytes) for one WASM call; returns their
 * pointers (valid until the next call).
 */
function toScratch(parts: readonly ChunkPart[], count = parts.length): number[] {
  let n = 0;
  for (let k = 0; k < count; k++) if (parts[k]!.bytes) n++;
  const out = pointers;
  out.length = count;
  if (n === 0) {
    for (let k = 0; k < count; k++) out[k] = parts[k]!.ptr;
    return out;
  }
  const base = scratch.reserve(n * SLOT);
  const { u8 } = mem();
  let i = 0;
  for (let k = 0; k < count; k++) {
    const p = parts[k]!;
    if (!p.bytes) {
      out[k] = p.ptr;
      continue;
    }
    const at = base + i++ * SLOT;
    // A chunk longer than the decoder's slot can only come from a damaged block; copied, it would overwrite the next slot.
    if (p.bytes.length > CHUNK_LEN) throw new BlockCorruptionError(`a stored chunk of ${p.bytes.length} bytes is longer than ${CHUNK_LEN}`);
    // Stored bytes are the chunk's used prefix: the decoder reads the rest as zeros.
    u8.set(p.bytes, at);
    u8.fill(0, at + p.bytes.length, at + SLOT);
    out[k] = at;
  }
  return out;
}

/** The samples of stored chunk bytes (a block's), in order, decoded in one WASM call. */
export function decodeStored(chunks: readonly Uint8Array[], enc: number, mint = -Infinity, maxt = Infinity): { timestamps: Float64Array; values: Float64Array } {
  return decodeList(toScratch(chunks.map((bytes) => ({ minT: 0, maxT: 0, bytes, ptr: 0 }))), enc, mint, maxt, false);
}

/** The samples outside every [from, to] of `ranges` (a block's tombstones). */
export function withoutRanges(d: { timestamps: Float64Array; values: Float64Array }, ranges: readonly (readonly [number, number])[]): { timestamps: Float64Array; values: Float64Array } {
  if (ranges.length === 0) return d;
  const ts = new Float64Array(d.timestamps.length), vs = new Float64Array(d.timestamps.length);
  let n = 0;
  for (let i = 0; i < d.timestamps.length; i++) {
    const t = d.timestamps[i]!;
    if (ranges.some(([a, b]) => t >= a && t <= b)) continue;
    ts[n] = t;
    vs[n] = d.values[i]!;
    n++;
  }
  return { timestamps: ts.subarray(0, n), values: vs.subarray(0, n) };
}

/** Merges sample runs by time; on a shared timestamp the later run wins. */
export function mergeRuns(runs: readonly { timestamps: Float64Array; values: Float64Array }[]): { timestamps: Float64Array; values: Float64Array } {
  const total = runs.reduce((n, d) => n + d.timestamps.length, 0);
  const ts = new Float64Array(total), vs = new Float64Array(total);
  const at = runs.map(() => 0);
  let n = 0;
  for (;;) {
    let best = -1;
    for (let k = 0; k < runs.length; k++) {
      if (at[k]! >= runs[k]!.timestamps.length) continue;
      const t = runs[k]!.timestamps[at[k]!]!;
      if (best < 0 || t <= runs[best]!.timestamps[at[best]!]!) best = k;
    }
    if (best < 0) break;
    const t = runs[best]!.timestamps[at[best]!]!;
    ts[n] = t;
    vs[n] = runs[best]!.values[at[best]!]!;
    n++;
    for (let k = 0; k < runs.length; k++) {
      while (at[k]! < runs[k]!.timestamps.length && runs[k]!.timestamps[at[k]!]! === t) at[k]!++;
    }
  }
  return { timestamps: ts.subarray(0, n), values: vs.subarray(0, n) };
}

/**
 * What readChunks gathers a series' chunks in, reused series after series:
 * the list, where each source begins in it, and the parts of block chunks
 * (a pool that only grows; a head's parts are its own objects). Nothing
 * holds them past the read: the chunks go to WebAssembly memory at once,
 * and overlapping sources are sliced into lists of their own first.
 */
const reading = {
  all: [] as ChunkPart[],
  /** Parts in `all` from the last read (its length only grows: shortened, V8 may give its store back, to grow it again). */
  n: 0,
  /** Where each source's parts begin in `all` (the first few entries). */
  starts: [] as number[],
  pool: [] as ChunkPart[],
  /** Pooled parts set by the last read. */
  used: 0,
  /** The pooled part at `i`, set to a block chunk's times and bytes. */
  part(i: number, minT: number, maxT: number, bytes: Uint8Array): ChunkPart {
    let p = this.pool[i];
    if (!p) this.pool[i] = p = { minT, maxT, bytes, ptr: 0 };
    p.minT = minT;
    p.maxT = maxT;
    p.bytes = bytes;
    if (i >= this.used) this.used = i + 1;
    return p;
  },
  /** Lets go of the last read's bytes: views of cached pages the cache may drop, a head copy's buffer. */
  release(): void {
    for (let i = 0; i < this.used; i++) this.pool[i]!.bytes = null;
    for (let i = 0; i < this.n; i++) this.all[i] = EMPTY_PART;
    this.used = this.n = 0;
  },
};

/** Whether any of `parts` has `field` (a loop: no closure made for each series read). */
function anyPart(parts: readonly BlockPart[], field: 'starts' | 'hmetas'): boolean {
  for (let i = 0; i < parts.length; i++) if (parts[i]![field]) return true;
  return false;
}

class MergedSeries implements Series {
  constructor(
    private readonly q: DBQuerier,
    readonly labels: Labels,
    /** Its parts in the querier's blocks, in their order (filled in as the querier merges the blocks' series). */
    readonly blockParts: BlockPart[],
    private headSeries: HeadSeriesView | null,
  ) {}

  /** Its series in the head (set as the querier merges the head's series in). */
  set head(s: HeadSeriesView) {
    this.headSeries = s;
  }

  /** The chunk pointers covering [lo, hi], time-ordered and without overlap. */
  private chunks(lo: number, hi: number): number[] {
    try {
      return this.readChunks(lo, hi);
    } finally {
      // The chunk bytes are copied into WebAssembly memory: the cache may reuse their pages.
      reading.release();
      for (const { block } of this.blockParts) block.settle();
    }
  }

  private readChunks(lo: number, hi: number): number[] {
    this.q.checkOpen();
    // Every source's parts in one list (its first n), in source order; `starts` marks where each source begins.
    const all = reading.all, starts = reading.starts;
    let n = 0, ns = 0;
    let deleted: (readonly (readonly [number, number])[])[] | null = null;
    let ordered = true;
    for (const { block, ref } of this.blockParts) {
      const from = n;
      for (const c of block.chunkMetas(ref)) {
        if (c.maxT < lo) continue;
        if (c.minT > hi) break;
        if (n > 0 && c.minT <= all[n - 1]!.maxT) ordered = false;
        all[n] = reading.part(n, c.minT, c.maxT, block.chunk(c));
        n++;
      }
      if (n === from) continue;
      starts[ns++] = from;
      const stones = block.deleted(ref);
      const gone = stones.length === 0 ? stones : stones.filter(([a, b]) => b >= lo && a <= hi);
      if (gone.length > 0) (deleted ??= starts.slice(0, ns - 1).map(() => [])).push(gone);
      else deleted?.push(gone);
    }
    const head = this.headSeries;
    if (head) {
      const parts = head.chunkParts(lo, hi);
      if (parts.length > 0) {
        starts[ns++] = n;
        deleted?.push([]);
        for (const p of parts) {
          if (n > 0 && p.minT <= all[n - 1]!.maxT) ordered = false;
          all[n++] = p;
        }
      }
    }
    reading.n = n;
    // One source is read as it is; several go as one list when their chunks follow each other in time.
    if (!deleted && (ns <= 1 || ordered)) return toScratch(all, n);
    const sources: ChunkPart[][] = [];
    for (let k = 0; k < ns; k++) sources.push(all.slice(starts[k], k + 1 < ns ? starts[k + 1] : n));
    return this.mergedChunks(sources, lo, hi, deleted ?? []);
  }

  /** Overlapping sources: decode each, merge by time (a later source wins a shared timestamp), encode again. */
  private mergedChunks(sources: ChunkPart[][], lo: number, hi: number, deleted: (readonly (readonly [number, number])[])[] = []): number[] {
    const merged = mergeRuns(sources.map((parts, k) => withoutRanges(decodeList(toScratch(parts), this.q.head.enc, lo, hi, false), deleted[k] ?? [])));
    const enc = this.q.head.encoding as ChunkEncoding;
    const chunks = encodeChunks(enc, merged.timestamps, merged.values);
    return toScratch(chunks.map((bytes) => ({ minT: 0, maxT: 0, bytes, ptr: 0 })));
  }

  private starts(): Starts | null {
    // Most series have none: no list made for them.
    if (!this.headSeries?.starts && !anyPart(this.blockParts, 'starts')) return null;
    const lists: Starts[] = [];
    for (const { starts } of this.blockParts) if (starts) lists.push(starts);
    if (this.headSeries?.starts) lists.push(this.headSeries.starts);
    if (lists.length <= 1) return lists[0] ?? null;
    const pairs = lists.flatMap((l) => l.t.map((t, i) => [t, l.st[i]!] as const)).sort((a, b) => a[0] - b[0]);
    return { t: pairs.map((p) => p[0]), st: pairs.map((p) => p[1]) };
  }

  samples(mint: number, maxt: number, opts?: { skipStale?: boolean }): SampleBatch {
    const lo = Math.max(mint, this.q.mint), hi = Math.min(maxt, this.q.maxt);
    const batch: SampleBatch = decodeList(this.chunks(lo, hi), this.q.head.enc, lo, hi, opts?.skipStale ?? false);
    const run = this.histogramRun(lo, hi);
    const histograms = run && toBatch(run, opts?.skipStale ?? false);
    if (histograms) batch.histograms = histograms;
    const starts = this.starts();
    if (starts && this.hasStartTimestamps(lo, hi)) attachStarts(batch, starts);
    return batch;
  }

  floatsInto(mint: number, maxt: number, into: FloatBuffers, opts?: { keepStale?: boolean }): number {
    const lo = Math.max(mint, this.q.mint), hi = Math.min(maxt, this.q.maxt);
    // Whatever would give samples() histograms or start timestamps here sends the caller there.
    if (this.headSeries?.starts || anyPart(this.blockParts, 'starts') || this.histogramRun(lo, hi)) return -1;
    return decodeListInto(this.chunks(lo, hi), this.q.head.enc, lo, hi, !opts?.keepStale, into);
  }

  /** The histogram samples within [lo, hi] of every source, tombstones applied, merged (a later source wins a timestamp); null when no source has histogram chunks there. */
  private histogramRun(lo: number, hi: number): HistogramRun | null {
    this.q.checkOpen();
    if (!this.headSeries && !anyPart(this.blockParts, 'hmetas')) return null;
    const runs: HistogramRun[] = [];
    for (const { block, ref, hmetas } of this.blockParts) {
      if (!hmetas) continue;
      const hit = hmetas.filter((c) => c.maxT >= lo && c.minT <= hi);
      if (hit.length === 0) continue;
      runs.push(histogramsWithoutRanges(decodeHistogramRun(hit.map((c) => block.chunk(c)), lo, hi), block.deleted(ref)));
      block.settle();
    }
    const h = this.headSeries?.histogramRun(lo, hi);
    if (h) runs.push(h);
    return runs.length === 0 ? null : mergeHistogramRuns(runs);
  }

  hasHistograms(mint: number, maxt: number): boolean {
    this.q.checkOpen();
    const lo = Math.max(mint, this.q.mint), hi = Math.min(maxt, this.q.maxt);
    if (this.headSeries?.hasHistograms(lo, hi)) return true;
    if (!this.blockParts.some((p) => p.hmetas?.some((c) => c.maxT >= lo && c.minT <= hi))) return false;
    return (this.histogramRun(lo, hi)?.timestamps.length ?? 0) > 0;
  }

  hasStartTimestamps(mint: number, maxt: number): boolean {
    if (!this.headSeries?.starts && !this.blockParts.some((p) => p.starts)) return false;
    const st = this.starts();
    return !!st && st.t.some((t) => t >= mint && t <= maxt);
  }

  reduce(mint: number, maxt: number): WindowReduction {
    const lo = Math.max(mint, this.q.mint), hi = Math.min(maxt, this.q.maxt);
    return toReduction(reduceList(this.chunks(lo, hi), this.q.head.enc, lo, hi));
  }

  reduceWindows(firstMin: number, firstMax: number, step: number, steps: number): Float64Array {
    const lastMax = firstMax + step * (steps - 1);
    return reduceWindowsList(this.chunks(firstMin, lastMax), this.q.head.enc, firstMin, firstMax, step, steps);
  }
}


export class DBQuerier implements Querier {
  private closed = false;
  private readonly blocks: Block[];

  constructor(readonly head: HeadView, blocks: readonly Block[], readonly mint: number, readonly maxt: number) {
    this.blocks = blocks.filter((b) => b.maxTime > mint && b.minTime <= maxt);
    head.acquire();
    for (const b of this.blocks) b.acquire();
  }

  checkOpen(): void {
    if (this.closed) throw new StorageError('querier used after close');
  }

  /** The series matching `matchers` in the blocks and the head, in label order, each source's parts in block order. */
  private matching(matchers: readonly Matcher[]): MergedSeries[] {
    this.checkOpen();
    const heads = [...this.head.matching(matchers, this.mint, this.maxt)];
    // Without blocks there is nothing to merge with.
    if (this.blocks.length === 0) return heads.map((s) => new MergedSeries(this, s.labels, [], s));
    let acc: MergedSeries[] = [];
    for (const block of this.blocks) {
      const next = this.mergeBlock(acc, block, postingsForMatchers(block, matchers));
      if (!next) return this.matchingByKey(matchers, heads);
      acc = next;
    }
    if (heads.length === 0) return acc;
    heads.sort((a, b) => compareLabels(a.labels, b.labels));
    const out: MergedSeries[] = [];
    let i = 0;
    for (const s of heads) {
      let c = 1;
      while (i < acc.length && (c = compareLabels(acc[i]!.labels, s.labels)) < 0) out.push(acc[i++]!);
      if (c === 0) {
        const found = acc[i++]!;
        found.head = s;
        out.push(found);
      } else {
        out.push(new MergedSeries(this, s.labels, [], s));
      }
    }
    while (i < acc.length) out.push(acc[i++]!);
    return out;
  }

  /**
   * `acc` (in label order) with the series `refs` of `block` merged in by
   * their labels: a block's series references ascend in label order (its
   * writer takes series in no other), so the sources are merged without a
   * key string per series. Null when the block's series are not in that
   * order after all.
   */
  private mergeBlock(acc: readonly MergedSeries[], block: Block, refs: readonly number[]): MergedSeries[] | null {
    const out: MergedSeries[] = [];
    let i = 0;
    let prev: Labels | null = null;
    for (const ref of refs) {
      const entry = block.series(ref, false);
      const labels = entry.labels;
      if (prev && compareLabels(prev, labels) >= 0) return null;
      prev = labels;
      const part: BlockPart = { block, ref, starts: entry.starts, hmetas: entry.hchunks?.length ? entry.hchunks : null };
      let c = 1;
      while (i < acc.length && (c = compareLabels(acc[i]!.labels, labels)) < 0) out.push(acc[i++]!);
      if (c === 0) {
        const s = acc[i++]!;
        s.blockParts.push(part);
        out.push(s);
      } else {
        out.push(new MergedSeries(this, labels, [part], null));
      }
    }
    while (i < acc.length) out.push(acc[i++]!);
    return out;
  }

  /** matching() for blocks whose series are out of label order: sources joined by a key per label set. */
  private matchingByKey(matchers: readonly Matcher[], heads: readonly HeadSeriesView[]): MergedSeries[] {
    const byKey = new Map<string, { labels: Labels; parts: BlockPart[]; head: HeadSeriesView | null }>();
    for (const block of this.blocks) {
      for (const ref of postingsForMatchers(block, matchers)) {
        const entry = block.series(ref, false);
        const key = labelsKey(entry.labels);
        const part = { block, ref, starts: entry.starts, hmetas: entry.hchunks?.length ? entry.hchunks : null };
        const found = byKey.get(key);
        if (found) found.parts.push(part);
        else byKey.set(key, { labels: entry.labels, parts: [part], head: null });
      }
    }
    for (const s of heads) {
      const key = labelsKey(s.labels);
      const found = byKey.get(key);
      if (found) found.head = s;
      else byKey.set(key, { labels: s.labels, parts: [], head: s });
    }
    const out: MergedSeries[] = [];
    for (const { labels, parts, head } of byKey.values()) out.push(new MergedSeries(this, labels, parts, head));
    return out;
  }

  select(matchers: readonly Matcher[], _hints?: SelectHints): Series[] {
    const found = this.matching(matchers);
    found.sort((a, b) => compareLabels(a.labels, b.labels));
    return found;
  }

  labelNames(matchers?: readonly Matcher[]): string[] {
    this.checkOpen();
    const names = new Set<string>();
    if (!matchers || matchers.length === 0) {
      for (const n of this.head.labelNames()) names.add(n);
      for (const b of this.blocks) for (const n of b.labelNames()) names.add(n);
    } else {
      for (const s of this.matching(matchers)) for (const l of s.labels) names.add(l.name);
    }
    return [...names].sort(compareStrings);
  }

  labelValues(name: string, matchers?: readonly Matcher[]): string[] {
    this.checkOpen();
    const values = new Set<string>();
    if (!matchers || matchers.length === 0) {
      for (const v of this.head.labelValues(name)) values.add(v);
      for (const b of this.blocks) for (const v of b.labelValues(name)) values.add(v);
    } else {
      for (const s of this.matching(matchers)) for (const l of s.labels) if (l.name === name) values.add(l.value);
    }
    return [...values].sort(compareStrings);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.head.release();
    for (const b of this.blocks) b.release();
  }
}
