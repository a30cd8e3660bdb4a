// The persisted formats, isomorphic so Node files and browser IndexedDB hold
// the same bytes (all little-endian):
//
// chunk file: "PRMC", u8 version=1, u8 encoding id, u16 0, u32 count, u32 0,
//             then count entries of f64 minT, f64 maxT, u32 samples,
//             u32 CRC-32 of the chunk, the chunk's 1024 bytes as WASM encoded them.
// index:      "PRMI", u8 version=1, u8 encoding id, u16 0, u32 checkpoint
//             (the log segment the checkpoint covers), then sections
//             series:   u32 n; per series: labels, u32 chunk count, per chunk
//                       u32 file, u32 slot, f64 minT, f64 maxT, u32 samples;
//                       (version 2) u32 1 and the open head chunk's reference
//                       in the same form, or u32 0;
//                       u32 start-timestamp count, per one f64 t, f64 st;
//                       (version 3) u32 closed native histogram chunk count and
//                       their references in the same form (such a chunk's
//                       bytes are zero-padded to 1024 in the chunk file)
//             postings: u32 names; per name: string, u32 values; per value:
//                       string, u32 n, u32 series ordinal[n]
//             and a trailing u32 CRC-32 of everything before it.
// frames:     u32 length, u32 CRC-32, record; as the write-ahead log, for checkpoints.
// Strings are u32 byte length + UTF-8; labels are u32 count + name/value strings.

import CRC32 from 'crc-32';
import type { Label, Labels } from '../model/labels.js';
import { CHUNK_LEN } from '../wasm/layout.js';

export class PersistCorruptionError extends Error {}

export const crc32 = (b: Uint8Array): number => CRC32.buf(b) >>> 0;

const CHUNK_MAGIC = 0x434d5250; // "PRMC"
const INDEX_MAGIC = 0x494d5250; // "PRMI"
const VERSION = 1;
/**
 * Index version 2 adds each series' open head chunk (encoded, not as raw
 * samples in the checkpoint); version 3 each series' closed native histogram
 * chunks (zero-padded to 1024 bytes in the chunk files).
 */
const INDEX_VERSION = 3;
const CHUNK_HEADER = 16;
export const CHUNK_ENTRY = 24 + CHUNK_LEN;

export interface ChunkMeta {
  minT: number;
  maxT: number;
  samples: number;
}

export interface ChunkRef extends ChunkMeta {
  file: number;
  slot: number;
}

export interface IndexSeries {
  labels: Labels;
  chunks: ChunkRef[];
  /** The open head chunk, stored encoded with its appender state, if the series has one. */
  open?: ChunkRef | null;
  starts: { t: number[]; st: number[] } | null;
  /** Closed native histogram chunks (index version 3); the rest of the series' histogram chunks are in the checkpoint's records. */
  hchunks?: ChunkRef[];
}

export interface PersistedIndex {
  encoding: number;
  /** Log segments up to this one are covered by checkpoint.<n> and the chunks. */
  checkpoint: number;
  series: IndexSeries[];
  /** label name -> value -> ordinals into series, ascending. */
  postings: Map<string, Map<string, number[]>>;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

class ByteWriter {
  private buf = new Uint8Array(1 << 16);
  private dv = new DataView(this.buf.buffer);
  len = 0;

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }
  u32(v: number): void {
    this.room(4);
    this.dv.setUint32(this.len, v, true);
    this.len += 4;
  }
  f64(v: number): void {
    this.room(8);
    this.dv.setFloat64(this.len, v, true);
    this.len += 8;
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  str(s: string): void {
    const b = utf8.encode(s);
    this.u32(b.length);
    this.bytes(b);
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

class ByteReader {
  private readonly dv: DataView;
  off = 0;
  constructor(private readonly b: Uint8Array, private readonly what: string) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  private need(n: number): void {
    if (this.off + n > this.b.length) throw new PersistCorruptionError(`${this.what}: ends early at byte ${this.off} (needs ${n} more)`);
  }
  u32(): number {
    this.need(4);
    const v = this.dv.getUint32(this.off, true);
    this.off += 4;
    return v;
  }
  f64(): number {
    this.need(8);
    const v = this.dv.getFloat64(this.off, true);
    this.off += 8;
    return v;
  }
  str(): string {
    const n = this.u32();
    this.need(n);
    const s = fromUtf8.decode(this.b.subarray(this.off, this.off + n));
    this.off += n;
    return s;
  }
}

export function encodeChunkFile(encoding: number, chunks: { meta: ChunkMeta; bytes: Uint8Array }[]): Uint8Array {
  const out = new Uint8Array(CHUNK_HEADER + chunks.length * CHUNK_ENTRY);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, CHUNK_MAGIC, true);
  out[4] = VERSION;
  out[5] = encoding;
  dv.setUint32(8, chunks.length, true);
  chunks.forEach(({ meta, bytes }, i) => {
    const o = CHUNK_HEADER + i * CHUNK_ENTRY;
    dv.setFloat64(o, meta.minT, true);
    dv.setFloat64(o + 8, meta.maxT, true);
    dv.setUint32(o + 16, meta.samples, true);
    dv.setUint32(o + 20, crc32(bytes), true);
    out.set(bytes, o + 24);
  });
  return out;
}

/** The bytes of chunk `slot` of a chunk file, checked against its CRC. */
export function chunkAt(file: Uint8Array, slot: number, where: string): Uint8Array {
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (file.length < CHUNK_HEADER || dv.getUint32(0, true) !== CHUNK_MAGIC) throw new PersistCorruptionError(`${where}: not a promlet chunk file`);
  if (file[4] !== VERSION) throw new PersistCorruptionError(`${where}: chunk file version ${file[4]}, want ${VERSION}`);
  const o = CHUNK_HEADER + slot * CHUNK_ENTRY;
  if (slot >= dv.getUint32(8, true) || o + CHUNK_ENTRY > file.length) {
    throw new PersistCorruptionError(`${where}: chunk ${slot} is past the end of the file (${file.length} bytes)`);
  }
  const bytes = file.subarray(o + 24, o + CHUNK_ENTRY);
  if (crc32(bytes) !== dv.getUint32(o + 20, true)) throw new PersistCorruptionError(`${where}: checksum mismatch in chunk ${slot} at byte ${o}`);
  return bytes;
}

function writeLabels(w: ByteWriter, labels: Labels): void {
  w.u32(labels.length);
  for (const l of labels) {
    w.str(l.name);
    w.str(l.value);
  }
}

export function encodeIndex(ix: PersistedIndex): Uint8Array {
  const w = new ByteWriter();
  w.u32(INDEX_MAGIC);
  w.u32(INDEX_VERSION | (ix.encoding << 8));
  w.u32(ix.checkpoint);
  w.u32(ix.series.length);
  for (const s of ix.series) {
    writeLabels(w, s.labels);
    w.u32(s.chunks.length);
    for (const c of s.chunks) {
      w.u32(c.file);
      w.u32(c.slot);
      w.f64(c.minT);
      w.f64(c.maxT);
      w.u32(c.samples);
    }
    const o = s.open;
    w.u32(o ? 1 : 0);
    if (o) {
      w.u32(o.file);
      w.u32(o.slot);
      w.f64(o.minT);
      w.f64(o.maxT);
      w.u32(o.samples);
    }
    const starts = s.starts?.t.length ?? 0;
    w.u32(starts);
    for (let i = 0; i < starts; i++) {
      w.f64(s.starts!.t[i]!);
      w.f64(s.starts!.st[i]!);
    }
    const h = s.hchunks ?? [];
    w.u32(h.length);
    for (const c of h) {
      w.u32(c.file);
      w.u32(c.slot);
      w.f64(c.minT);
      w.f64(c.maxT);
      w.u32(c.samples);
    }
  }
  w.u32(ix.postings.size);
  for (const [name, values] of ix.postings) {
    w.str(name);
    w.u32(values.size);
    for (const [value, ids] of values) {
      w.str(value);
      w.u32(ids.length);
      for (const id of ids) w.u32(id);
    }
  }
  const body = w.done();
  const out = new Uint8Array(body.length + 4);
  out.set(body);
  new DataView(out.buffer).setUint32(body.length, crc32(body), true);
  return out;
}

export function decodeIndex(b: Uint8Array, where: string): PersistedIndex {
  if (b.length < 16) throw new PersistCorruptionError(`${where}: ${b.length} bytes is too short for an index`);
  const body = b.subarray(0, b.length - 4);
  const want = new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(b.length - 4, true);
  if (crc32(body) !== want) throw new PersistCorruptionError(`${where}: index checksum mismatch`);
  const r = new ByteReader(body, where);
  if (r.u32() !== INDEX_MAGIC) throw new PersistCorruptionError(`${where}: not a promlet index`);
  const head = r.u32();
  const version = head & 0xff;
  if (version < 1 || version > INDEX_VERSION) throw new PersistCorruptionError(`${where}: index version ${version}, want 1 to ${INDEX_VERSION}`);
  const ix: PersistedIndex = { encoding: (head >>> 8) & 0xff, checkpoint: r.u32(), series: [], postings: new Map() };
  const nSeries = r.u32();
  for (let i = 0; i < nSeries; i++) {
    const labels: Label[] = [];
    for (let k = r.u32(); k > 0; k--) labels.push({ name: r.str(), value: r.str() });
    const chunks: ChunkRef[] = [];
    for (let k = r.u32(); k > 0; k--) chunks.push({ file: r.u32(), slot: r.u32(), minT: r.f64(), maxT: r.f64(), samples: r.u32() });
    const open = version >= 2 && r.u32() === 1 ? { file: r.u32(), slot: r.u32(), minT: r.f64(), maxT: r.f64(), samples: r.u32() } : null;
    const nStarts = r.u32();
    let starts: IndexSeries['starts'] = null;
    if (nStarts > 0) {
      starts = { t: [], st: [] };
      for (let k = 0; k < nStarts; k++) {
        starts.t.push(r.f64());
        starts.st.push(r.f64());
      }
    }
    const entry: IndexSeries = { labels, chunks, open, starts };
    if (version >= 3) {
      const h: ChunkRef[] = [];
      for (let k = r.u32(); k > 0; k--) h.push({ file: r.u32(), slot: r.u32(), minT: r.f64(), maxT: r.f64(), samples: r.u32() });
      if (h.length > 0) entry.hchunks = h;
    }
    ix.series.push(entry);
  }
  for (let n = r.u32(); n > 0; n--) {
    const values = new Map<string, number[]>();
    ix.postings.set(r.str(), values);
    for (let v = r.u32(); v > 0; v--) {
      const value = r.str();
      const ids: number[] = [];
      for (let k = r.u32(); k > 0; k--) ids.push(r.u32());
      values.set(value, ids);
    }
  }
  return ix;
}

export const FRAME_HEADER = 8;

/**
 * Frames of records, for one write: u32 length, u32 CRC-32 (`crc`, e.g. the
 * host's native one), the record. With `into` long enough, the frames are
 * written at its start (the result is a view of it) rather than into a new array.
 */
export function encodeFrames(records: readonly Uint8Array[], crc: (b: Uint8Array) => number = crc32, into?: Uint8Array): Uint8Array {
  const size = records.reduce((n, r) => n + FRAME_HEADER + r.length, 0);
  const out = into && into.length >= size ? into.subarray(0, size) : new Uint8Array(size);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let off = 0;
  for (const r of records) {
    dv.setUint32(off, r.length, true);
    dv.setUint32(off + 4, crc(r), true);
    out.set(r, off + FRAME_HEADER);
    off += FRAME_HEADER + r.length;
  }
  return out;
}

export type Frame = { record: Uint8Array; end: number } | { problem: 'a partial frame header' | 'a partial record' | 'a checksum mismatch' };

/**
 * The frame starting at byte `off` of `b`: its record (a plain Uint8Array
 * view, even over a Node buffer, since record decoding relies on slice()
 * copying) and where the next frame starts, or what is wrong with it.
 */
export function frameAt(b: Uint8Array, off: number, crc: (b: Uint8Array) => number = crc32): Frame {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (off + FRAME_HEADER > b.length) return { problem: 'a partial frame header' };
  const len = dv.getUint32(off, true);
  const end = off + FRAME_HEADER + len;
  if (end > b.length) return { problem: 'a partial record' };
  const record = new Uint8Array(b.buffer, b.byteOffset + off + FRAME_HEADER, len);
  if (crc(record) !== dv.getUint32(off + 4, true)) return { problem: 'a checksum mismatch' };
  return { record, end };
}

/** The records of a frames file; any damage is an error (a checkpoint is written whole, then renamed). */
export function* decodeFrames(b: Uint8Array, where: string): Generator<Uint8Array> {
  for (let off = 0; off < b.length;) {
    const f = frameAt(b, off);
    if ('problem' in f) throw new PersistCorruptionError(`${where}: ${f.problem} at byte ${off}`);
    yield f.record;
    off = f.end;
  }
}
