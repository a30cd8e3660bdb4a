// Builds a block: chunk files as they fill (handed to a sink, so a large
// block never sits in memory whole) and, at the end, the index and
// meta.json. Series must be added in label order, each with its chunks in
// time order; where the bytes go (files, IndexedDB) is the caller's.

import { compareLabels, type Labels } from '../model/labels.js';
import { crc32 } from './persist-format.js';
import {
  type BlockChunkMeta, type BlockMeta, CHUNK_FILE_MAGIC, FILE_HEADER, INDEX_MAGIC, Writer, fileHeader, usedChunkBytes,
} from './block-format.js';
import { ENCODING_IDS, type ChunkEncoding } from '../wasm/codec.js';

/** A chunk as the head or the encoder produced it: 1024 bytes plus its bounds. */
export interface ChunkToWrite {
  bytes: Uint8Array;
  minT: number;
  maxT: number;
  samples: number;
}

export interface BlockSink {
  /** Stores the next bytes of chunk file `n` (numbered from 1): the first piece creates it, later ones (`append`) extend it. */
  chunkFile(n: number, bytes: Uint8Array, append: boolean): void;
}

/** Chunk files are closed past this size (Prometheus: 512 MiB). */
export const CHUNK_FILE_TARGET = 128 * 1024 * 1024;
/** Buffered chunk bytes are handed to the sink past this size, which bounds a writer's memory. */
const FLUSH_BYTES = 4 * 1024 * 1024;

/**
 * A series until the index is written. Its chunk metas are held as the
 * bytes the index stores them as (count, then delta-coded metas): a merge of
 * long blocks holds millions of them.
 */
interface PendingSeries {
  labels: Labels;
  chunkSection: Uint8Array;
  starts: { t: number[]; st: number[] } | null;
  /** The native histogram chunks' section, null when the series has none. */
  hchunkSection: Uint8Array | null;
}

export class BlockWriter {
  private readonly enc: number;
  private file = 1;
  private chunks = new Writer();
  /** Bytes of the current chunk file already handed to the sink. */
  private flushed = 0;
  private readonly series: PendingSeries[] = [];
  private readonly scratch = new Writer();
  private samples = 0;
  private numChunks = 0;
  minT = Infinity;
  maxT = -Infinity;
  bytes = 0;

  constructor(readonly encoding: ChunkEncoding, private readonly sink: BlockSink, private readonly fileTarget = CHUNK_FILE_TARGET, private readonly flushBytes = FLUSH_BYTES) {
    this.enc = ENCODING_IDS[encoding];
    this.chunks.bytes(fileHeader(CHUNK_FILE_MAGIC, this.enc));
  }

  get seriesCount(): number {
    return this.series.length;
  }

  /**
   * Adds a series: its float chunks, start timestamps, and native histogram
   * chunks (stored as histogramChunkBytes gave them, bounds included).
   */
  addSeries(labels: Labels, chunks: readonly ChunkToWrite[], starts: { t: number[]; st: number[] } | null = null, hchunks: readonly ChunkToWrite[] = []): void {
    if (chunks.length === 0 && hchunks.length === 0) return;
    const prev = this.series[this.series.length - 1];
    if (prev && compareLabels(prev.labels, labels) >= 0) throw new Error('BlockWriter: series must be added in label order, each once');
    const metas = this.writeChunks(chunks, false);
    const hmetas = this.writeChunks(hchunks, true);
    this.series.push({
      labels, chunkSection: this.section(metas), starts: starts && starts.t.length > 0 ? starts : null,
      hchunkSection: hmetas.length > 0 ? this.section(hmetas) : null,
    });
  }

  private section(metas: readonly BlockChunkMeta[]): Uint8Array {
    this.scratch.len = 0;
    writeChunkMetas(this.scratch, metas);
    return this.scratch.view().slice();
  }

  private writeChunks(chunks: readonly ChunkToWrite[], histogram: boolean): BlockChunkMeta[] {
    const metas: BlockChunkMeta[] = [];
    for (const c of chunks) {
      const len = histogram ? c.bytes.length : usedChunkBytes(c.bytes, this.enc);
      const data = c.bytes.subarray(0, len);
      if (this.flushed + this.chunks.len + len + 14 > this.fileTarget && this.flushed + this.chunks.len > FILE_HEADER) this.cutFile();
      else if (this.chunks.len > this.flushBytes) this.flush();
      const ref = this.file * 2 ** 32 + this.flushed + this.chunks.len;
      this.chunks.uvarint(len);
      this.chunks.bytes(data);
      this.chunks.u32(crc32(data));
      metas.push({ minT: c.minT, maxT: c.maxT, samples: c.samples, ref, len });
      this.samples += c.samples;
      if (c.minT < this.minT) this.minT = c.minT;
      if (c.maxT > this.maxT) this.maxT = c.maxT;
    }
    this.numChunks += metas.length;
    return metas;
  }

  private flush(): void {
    const bytes = this.chunks.view();
    this.bytes += bytes.length;
    this.sink.chunkFile(this.file, bytes, this.flushed > 0);
    this.flushed += bytes.length;
    this.chunks.len = 0;
  }

  private cutFile(): void {
    this.flush();
    this.file++;
    this.flushed = 0;
    this.chunks.bytes(fileHeader(CHUNK_FILE_MAGIC, this.enc));
  }

  /** Flushes the last chunk file and returns the index and meta of block [mint, maxt) named ulid. */
  finish(ulid: string, mint: number, maxt: number, compaction: BlockMeta['compaction'] = { level: 1, sources: [ulid] }, fromHead = false): { index: Uint8Array; meta: BlockMeta } {
    const steps = this.finishSteps(ulid, mint, maxt, compaction, fromHead);
    for (let r = steps.next(); ; r = steps.next()) if (r.done) return r.value;
  }

  /** finish in steps (a few hundred series each), so a caller can let other work run between them. */
  *finishSteps(ulid: string, mint: number, maxt: number, compaction: BlockMeta['compaction'] = { level: 1, sources: [ulid] }, fromHead = false): Generator<void, { index: Uint8Array; meta: BlockMeta }> {
    if (this.chunks.len > 0) this.flush();
    const index = yield* encodeBlockIndex(this.enc, this.series);
    this.bytes += index.length;
    const meta: BlockMeta = {
      ulid, minTime: mint, maxTime: maxt,
      stats: { numSamples: this.samples, numSeries: this.series.length, numChunks: this.numChunks, numBytes: this.bytes },
      compaction, version: 1, promlet: fromHead ? { encoding: this.encoding, fromHead } : { encoding: this.encoding },
    };
    return { index, meta };
  }
}

function writeChunkMetas(body: Writer, chunks: readonly BlockChunkMeta[]): void {
  body.uvarint(chunks.length);
  let prevMaxT = 0, prevRef = 0;
  for (const [i, c] of chunks.entries()) {
    // Times and references as deltas, as Prometheus's chunk metas.
    body.varint(i === 0 ? c.minT : c.minT - prevMaxT);
    body.uvarint(c.maxT - c.minT);
    body.uvarint(c.samples);
    body.uvarint(i === 0 ? c.ref : c.ref - prevRef);
    body.uvarint(c.len);
    prevMaxT = c.maxT;
    prevRef = c.ref;
  }
}

/** Series (or postings lists) encoded between two yields of encodeBlockIndex. */
const INDEX_STEP = 512;

function* encodeBlockIndex(enc: number, series: readonly PendingSeries[]): Generator<void, Uint8Array> {
  const w = new Writer();
  w.bytes(fileHeader(INDEX_MAGIC, enc));

  const symbolSet = new Set<string>();
  for (const s of series) for (const l of s.labels) { symbolSet.add(l.name); symbolSet.add(l.value); }
  const symbols = [...symbolSet].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const symbolId = new Map(symbols.map((s, i) => [s, i]));
  const symbolsOff = w.len;
  w.u32(symbols.length);
  for (const s of symbols) w.str(s);
  w.crcFrom(symbolsOff);

  // Series, each at its own offset (its reference): uvarint length, body, CRC-32.
  const seriesOff = w.len;
  const refs: number[] = [];
  const body = new Writer();
  for (const [i, s] of series.entries()) {
    if (i % INDEX_STEP === INDEX_STEP - 1) yield;
    body.len = 0;
    body.uvarint(s.labels.length);
    for (const l of s.labels) {
      body.uvarint(symbolId.get(l.name)!);
      body.uvarint(symbolId.get(l.value)!);
    }
    body.bytes(s.chunkSection);
    const n = s.starts?.t.length ?? 0;
    body.uvarint(n);
    for (let i = 0; i < n; i++) {
      body.varint(s.starts!.t[i]!);
      body.varint(s.starts!.st[i]!);
    }
    // Only series with histograms carry their list, so blocks without any keep their old bytes.
    if (s.hchunkSection) body.bytes(s.hchunkSection);
    refs.push(w.len);
    const b = body.view();
    w.uvarint(b.length);
    w.bytes(b);
    w.u32(crc32(b));
  }

  // Postings: every (name, value) and the all-series list under ("", "").
  const lists = new Map<string, Map<string, number[]>>();
  lists.set('', new Map([['', refs]]));
  series.forEach((s, i) => {
    for (const l of s.labels) {
      let values = lists.get(l.name);
      if (!values) lists.set(l.name, (values = new Map()));
      const list = values.get(l.value);
      if (list) list.push(refs[i]!);
      else values.set(l.value, [refs[i]!]);
    }
  });
  const postingsOff = w.len;
  const table: [string, string, number][] = [];
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  yield;
  let written = 0;
  for (const name of [...lists.keys()].sort(cmp)) {
    const values = lists.get(name)!;
    for (const value of [...values.keys()].sort(cmp)) {
      if (++written % INDEX_STEP === 0) yield;
      const list = values.get(value)!;
      table.push([name, value, w.len]);
      const start = w.len;
      w.u32(list.length);
      for (const r of list) w.u32(r);
      w.crcFrom(start);
    }
  }
  const tableOff = w.len;
  w.u32(table.length);
  for (const [name, value, off] of table) {
    w.str(name);
    w.str(value);
    w.uvarint(off);
  }
  w.crcFrom(tableOff);

  const tocOff = w.len;
  w.u64(symbolsOff);
  w.u64(seriesOff);
  w.u64(postingsOff);
  w.u64(tableOff);
  w.crcFrom(tocOff);
  return w.view().slice();
}
