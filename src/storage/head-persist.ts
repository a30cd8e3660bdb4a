// Checkpoints of the head and loading them back, independent of where the
// bytes go (files in Node, IndexedDB in browsers). A checkpoint is: the
// closed chunks not persisted before and every open head chunk, encoded with
// its appender state (one new chunk file), a record for every series (the
// log after the checkpoint refers to them), and an index of series, postings
// and chunk references.

import { chunkBytes, chunkFromBytes, decodeList } from '../wasm/codec.js';
import { wasm } from '../wasm/loader.js';
import { appended, type Head, type MemSeries } from './head.js';
import { histogramChunksRecord, seriesRecord } from './wal-records.js';
import { histogramChunkBytes, histogramChunkMeta } from '../wasm/histogram-codec.js';
import { CHUNK_LEN } from '../wasm/layout.js';
import { type SeriesHistograms, loadHistogramChunks } from './head-histograms.js';
import {
  type ChunkMeta, type ChunkRef, type IndexSeries, type PersistedIndex, chunkAt, encodeChunkFile, encodeIndex,
} from './persist-format.js';

export interface HeadCheckpoint {
  /** The new chunk file's bytes, or null when no chunk closed since the last checkpoint. */
  chunkFile: Uint8Array | null;
  /** Series records, to be stored as checkpoint.<walSegment>. */
  records: Uint8Array[];
  index: Uint8Array;
  /** Chunk files the index refers to, with the newest sample time in each. */
  fileMaxT: Map<number, number>;
  newChunks: number;
  headSamples: number;
  /** Call once the chunk file, the records and the index are all stored. */
  markPersisted(): void;
}

const RECORD_SAMPLES = 1 << 16;

export function checkpointHead(head: Head, fileNo: number, walSegment: number): HeadCheckpoint {
  const fresh: { meta: ChunkMeta; bytes: Uint8Array }[] = [];
  const freshOf: { s: MemSeries; generation: number; before: number; count: number; slot: number }[] = [];
  const ix: PersistedIndex = { encoding: head.enc, checkpoint: walSegment, series: [], postings: new Map() };
  const fileMaxT = new Map<number, number>();
  const rec = new RecordBatcher();
  const histFresh: HistFresh[] = [];

  for (const s of head.series) {
    if (!s) continue;
    rec.series(s);
    const hrefs = checkpointHistograms(s, fileNo, fresh, histFresh, rec);
    const closed = s.closedMinT.length;
    const before = s.persistedFile.length;
    for (let i = before; i < closed; i++) {
      fresh.push({ meta: { minT: s.closedMinT[i]!, maxT: s.closedMaxT[i]!, samples: s.closedSamples[i]! }, bytes: chunkBytes(s.chunks[i]!) });
    }
    if (closed > before) freshOf.push({ s, generation: s.generation, before, count: closed - before, slot: fresh.length - (closed - before) });
    const firstSlot = fresh.length - (closed - before);
    let open: ChunkRef | null = null;
    if (s.chunks.length > closed) {
      // The open chunk goes in whole, footer (appender state) included, so a restart appends to it as before.
      const c = s.chunks[closed]!;
      const meta = { minT: wasm.chunkMinTime(c, head.enc), maxT: s.maxT, samples: s.totalSamples - s.closedSampleSum };
      open = { ...meta, file: fileNo, slot: fresh.length };
      fresh.push({ meta, bytes: chunkBytes(c) });
      rec.openSamples += meta.samples;
    }
    if (closed > 0 || open || hrefs.length > 0) indexSeries(ix, s, fileNo, firstSlot, fileMaxT, open, hrefs);
  }
  return {
    chunkFile: fresh.length > 0 ? encodeChunkFile(head.enc, fresh) : null,
    records: rec.records,
    index: encodeIndex(ix),
    fileMaxT,
    newChunks: fresh.length,
    headSamples: rec.openSamples,
    markPersisted() {
      for (const { s, generation, before, count, slot } of freshOf) {
        // Where the store is asynchronous (IndexedDB), retention or a deletion may have moved
        // the series' chunks meanwhile: those chunks are then simply written again next time.
        if (s.generation !== generation || s.persistedFile.length !== before) continue;
        for (let k = 0; k < count; k++) {
          s.persistedFile = appended(s.persistedFile, fileNo);
          s.persistedSlot = appended(s.persistedSlot, slot + k);
        }
      }
      for (const { hist, generation, before, slots } of histFresh) {
        if (hist.generation !== generation || hist.persistedFile.length !== before) continue;
        for (const slot of slots) {
          hist.persistedFile.push(fileNo);
          hist.persistedSlot.push(slot);
        }
      }
    },
  };
}

/** Closed histogram chunks a checkpoint writes to its chunk file, to be marked persisted once it is stored. */
interface HistFresh {
  hist: SeriesHistograms;
  generation: number;
  before: number;
  slots: number[];
}

/**
 * s's histogram chunks in a checkpoint: closed ones that fit a slot go to
 * the chunk file once (persisted ones are referenced again), the rest (the
 * open one, any after an oversized one) into a record. Returns the index
 * references of the closed ones.
 */
function checkpointHistograms(s: MemSeries, fileNo: number, fresh: { meta: ChunkMeta; bytes: Uint8Array }[], histFresh: HistFresh[], rec: RecordBatcher): ChunkRef[] {
  const h = s.hist;
  if (!h || h.chunks.length === 0) return [];
  const refs: ChunkRef[] = [];
  const closed = h.chunks.length - 1;
  let k = 0;
  for (; k < closed && k < h.persistedFile.length; k++) {
    const m = histogramChunkMeta(h.chunks[k]!);
    refs.push({ file: h.persistedFile[k]!, slot: h.persistedSlot[k]!, minT: m.minT, maxT: m.maxT, samples: m.samples });
  }
  const before = k;
  const slots: number[] = [];
  for (; k < closed; k++) {
    const m = histogramChunkMeta(h.chunks[k]!);
    if (m.bytes > CHUNK_LEN) break;
    const bytes = new Uint8Array(CHUNK_LEN);
    bytes.set(histogramChunkBytes(h.chunks[k]!));
    const meta = { minT: m.minT, maxT: m.maxT, samples: m.samples };
    slots.push(fresh.length);
    refs.push({ ...meta, file: fileNo, slot: fresh.length });
    fresh.push({ meta, bytes });
  }
  if (slots.length > 0) histFresh.push({ hist: h, generation: h.generation, before, slots });
  rec.records.push(histogramChunksRecord(s.id, h.chunks.slice(k).map(histogramChunkBytes)));
  return refs;
}

/** Adds s (all its closed chunks: persisted ones and those going to `fileNo` from `firstSlot`) to the index. */
function indexSeries(
  ix: PersistedIndex, s: MemSeries, fileNo: number, firstSlot: number, fileMaxT: Map<number, number>, open: ChunkRef | null, hrefs: ChunkRef[],
): void {
  const ordinal = ix.series.length;
  const entry: IndexSeries = { labels: s.labels, chunks: [], open, starts: null };
  if (hrefs.length > 0) {
    entry.hchunks = hrefs;
    for (const c of hrefs) fileMaxT.set(c.file, Math.max(fileMaxT.get(c.file) ?? -Infinity, c.maxT));
  }
  if (open) fileMaxT.set(fileNo, Math.max(fileMaxT.get(fileNo) ?? -Infinity, open.maxT));
  const closed = s.closedMinT.length;
  for (let i = 0; i < closed; i++) {
    const persisted = i < s.persistedFile.length;
    const file = persisted ? s.persistedFile[i]! : fileNo;
    const slot = persisted ? s.persistedSlot[i]! : firstSlot + i - s.persistedFile.length;
    const maxT = s.closedMaxT[i]!;
    entry.chunks.push({ file, slot, minT: s.closedMinT[i]!, maxT, samples: s.closedSamples[i]! });
    fileMaxT.set(file, Math.max(fileMaxT.get(file) ?? -Infinity, maxT));
  }
  // All of a histogram series' samples are in the checkpoint (closed chunks or records), so all its starts are too.
  if (s.starts && (open || (s.hist !== null && s.hist.chunks.length > 0))) {
    entry.starts = { t: [...s.starts.t], st: [...s.starts.st] };
  } else if (s.starts) {
    const upTo = s.closedMaxT[closed - 1]!;
    const n = s.starts.t.findIndex((t) => t > upTo);
    const k = n < 0 ? s.starts.t.length : n;
    if (k > 0) entry.starts = { t: s.starts.t.slice(0, k), st: s.starts.st.slice(0, k) };
  }
  ix.series.push(entry);
  for (const l of s.labels) {
    let values = ix.postings.get(l.name);
    if (!values) ix.postings.set(l.name, (values = new Map()));
    const list = values.get(l.value);
    if (list) list.push(ordinal);
    else values.set(l.value, [ordinal]);
  }
}

/** Collects the series records of a checkpoint. */
class RecordBatcher {
  readonly records: Uint8Array[] = [];
  /** Samples in the open chunks the checkpoint stores. */
  openSamples = 0;

  series(s: MemSeries): void {
    this.records.push(seriesRecord(s.id, s.labels));
  }
}

/**
 * Loads a persisted index into an empty head: series, postings and chunks
 * (copied into WASM memory, checked against their CRC). The checkpoint's
 * records and the log after it are replayed afterwards.
 */
export function loadHead(head: Head, ix: PersistedIndex, chunkFile: (n: number) => Uint8Array, where: (n: number) => string): void {
  if (head.liveSeries > 0) throw new Error('loadHead: the head is not empty');
  const ids: number[] = [];
  for (const entry of ix.series) {
    const s = head.loadSeries(entry.labels);
    ids.push(s.id);
    for (const c of entry.chunks) {
      const ptr = chunkFromBytes(chunkAt(chunkFile(c.file), c.slot, where(c.file)), head.enc);
      s.chunks = appended(s.chunks, ptr);
      s.closedMinT = appended(s.closedMinT, c.minT);
      s.closedMaxT = appended(s.closedMaxT, c.maxT);
      s.closedSamples = appended(s.closedSamples, c.samples);
      s.closedSampleSum += c.samples;
      s.persistedFile = appended(s.persistedFile, c.file);
      s.persistedSlot = appended(s.persistedSlot, c.slot);
    }
    s.totalSamples = s.closedSampleSum;
    s.starts = entry.starts;
    if (entry.open) {
      const o = entry.open;
      head.setOpenChunk(s, chunkFromBytes(chunkAt(chunkFile(o.file), o.slot, where(o.file)), head.enc));
      s.totalSamples += o.samples;
    }
    const last = entry.open ?? entry.chunks[entry.chunks.length - 1];
    if (last) {
      s.maxT = last.maxT;
      // The newest value decides whether a repeated sample is a duplicate: decoded when first needed.
      // An append sets it first; a chunk no longer the series' last (retention took it) holds nothing of it.
      const ptr = s.chunks[s.chunks.length - 1]!, at = last.maxT, enc = head.enc;
      s.newestValueFrom = () => (s.chunks[s.chunks.length - 1] === ptr ? decodeList([ptr], enc, at, at, false).values[0] ?? 0 : 0);
      head.minT = Math.min(head.minT, (entry.chunks[0] ?? last).minT);
      head.maxT = Math.max(head.maxT, last.maxT);
    }
    head.chunks += entry.chunks.length;
    head.samples += s.totalSamples;
    // Closed histogram chunks; the checkpoint's record appends the rest, the open one last.
    if (entry.hchunks) {
      loadHistogramChunks(head, s, entry.hchunks.map((c) => chunkAt(chunkFile(c.file), c.slot, where(c.file))), false, entry.hchunks);
    }
  }
  head.index.load(ix.postings, ids.length, (i) => ids[i]!);
}
