// The byte formats of an immutable block (docs/FORMAT.md draws them), shared
// by Node files and browser storage. Modelled on Prometheus's
// tsdb/docs/format/{index,chunks}.md, with promlet's own chunk encodings:
//
// chunks/NNNNNN: u32 magic "PRBC", u8 version, u8 encoding, u16 0, then records
//                uvarint len, len chunk bytes (trailing unused bytes cut off),
//                u32 CRC-32 of the chunk bytes. A chunk reference is
//                file * 2^32 + offset of the record.
// index:         u32 magic "PRBI", u8 version, u8 encoding, u16 0, then
//                symbols, series, postings and the postings offset table,
//                each section closed by a CRC-32, and a table of contents.
//
// Integers beyond 32 bits (timestamps) are written with arithmetic, not
// bit operators, so every safe integer round-trips.

import type { Labels } from '../model/labels.js';
import { crc32 } from './persist-format.js';
import { CHUNK_LEN } from '../wasm/layout.js';
import { ENC_DOUBLE_DELTA } from '../wasm/layout.js';

export class BlockCorruptionError extends Error {}

export const CHUNK_FILE_MAGIC = 0x43425250; // "PRBC"
export const INDEX_MAGIC = 0x49425250; // "PRBI"
export const BLOCK_VERSION = 1;
export const FILE_HEADER = 8;
/** Bytes of the table of contents at the end of the index: 4 section offsets and a CRC-32. */
export const TOC_LEN = 4 * 8 + 4;
/** A chunk file is closed once it passes this size (Prometheus: 512 MiB). */
export const CHUNK_FILE_MAX = 512 * 1024 * 1024;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A growable little-endian byte buffer with varints. */
export class Writer {
  buf = new Uint8Array(1 << 12);
  len = 0;
  private dv = new DataView(this.buf.buffer);

  room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.room(1);
    this.buf[this.len++] = v;
  }
  u32(v: number): void {
    this.room(4);
    this.dv.setUint32(this.len, v, true);
    this.len += 4;
  }
  u64(v: number): void {
    this.room(8);
    this.dv.setBigUint64(this.len, BigInt(v), true);
    this.len += 8;
  }
  /** Raw bits, little-endian (NaN payloads kept). */
  f64(v: number): void {
    this.room(8);
    this.dv.setFloat64(this.len, v, true);
    this.len += 8;
  }
  uvarint(v: number): void {
    this.room(10);
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.len++] = v;
  }
  varint(v: number): void {
    this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  str(s: string): void {
    const b = utf8.encode(s);
    this.uvarint(b.length);
    this.bytes(b);
  }
  /** Appends a CRC-32 of the bytes from `from` to here. */
  crcFrom(from: number): void {
    this.u32(crc32(this.buf.subarray(from, this.len)));
  }
  view(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

/**
 * Reads what Writer wrote; every overrun is a BlockCorruptionError naming
 * `where`. It reads `b` from `off` up to `end` (all of it unless reset):
 * one reader can go over series entry after series entry where they lie in
 * a cached page, without a view or a reader made for each.
 */
export class Reader {
  private dv: DataView | null = null;
  off = 0;
  /** Where reading stops (exclusive). */
  end: number;
  constructor(public b: Uint8Array, private readonly where: string, private base = 0) {
    this.end = b.length;
  }
  /** Reads `b` over [from, end) from now on; `at` is the file offset of byte `from`, for messages. */
  reset(b: Uint8Array, from: number, end: number, at: number): this {
    if (b !== this.b) {
      this.b = b;
      this.dv = null;
    }
    this.off = from;
    this.end = end;
    this.base = at - from;
    return this;
  }
  /** What messages name: the section or entry being read. */
  protected place(): string {
    return this.where;
  }
  need(n: number): void {
    if (this.off + n > this.end) throw new BlockCorruptionError(`${this.place()}: ends early at byte ${this.base + this.off}`);
  }
  private view(): DataView {
    return (this.dv ??= new DataView(this.b.buffer, this.b.byteOffset, this.b.byteLength));
  }
  u8(): number {
    this.need(1);
    return this.b[this.off++]!;
  }
  u32(): number {
    this.need(4);
    const v = this.view().getUint32(this.off, true);
    this.off += 4;
    return v;
  }
  u64(): number {
    this.need(8);
    const v = Number(this.view().getBigUint64(this.off, true));
    this.off += 8;
    return v;
  }
  f64(): number {
    this.need(8);
    const v = this.view().getFloat64(this.off, true);
    this.off += 8;
    return v;
  }
  uvarint(): number {
    let v = 0, mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.u8();
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 0x80;
    }
    throw new BlockCorruptionError(`${this.place()}: varint too long at byte ${this.base + this.off}`);
  }
  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }
  str(): string {
    const n = this.uvarint();
    this.need(n);
    const s = fromUtf8.decode(this.b.subarray(this.off, this.off + n));
    this.off += n;
    return s;
  }
  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.b.subarray(this.off, this.off + n);
    this.off += n;
    return out;
  }
}

export function uvarintLen(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    n++;
  }
  return n;
}

/**
 * How many leading bytes of a 1024-byte chunk its decoder reads: the rest is
 * zero or appender state (varbit's footer), which a block never appends to.
 */
export function usedChunkBytes(chunk: Uint8Array, enc: number): number {
  if (enc === ENC_DOUBLE_DELTA) {
    const used = chunk[0]! | (chunk[1]! << 8);
    return Math.min(CHUNK_LEN, Math.max(21, used));
  }
  // Varbit: the next bit offset (u16 big-endian at byte 36) ends the payload; the header is 38 bytes (+4 for a first Δv).
  const next = (chunk[36]! << 8) | chunk[37]!;
  return Math.min(CHUNK_LEN, Math.max(38, Math.ceil(next / 8)));
}

/** The file header of a chunk file or index. */
export function fileHeader(magic: number, encoding: number): Uint8Array {
  const h = new Uint8Array(FILE_HEADER);
  new DataView(h.buffer).setUint32(0, magic, true);
  h[4] = BLOCK_VERSION;
  h[5] = encoding;
  return h;
}

/** Checks a file header; returns the chunk encoding it names. */
export function checkHeader(h: Uint8Array, magic: number, what: string, where: string): number {
  if (h.length < FILE_HEADER || new DataView(h.buffer, h.byteOffset, h.byteLength).getUint32(0, true) !== magic) {
    throw new BlockCorruptionError(`${where}: not a promlet block ${what}`);
  }
  if (h[4] !== BLOCK_VERSION) throw new BlockCorruptionError(`${where}: ${what} version ${h[4]}, want ${BLOCK_VERSION}`);
  return h[5]!;
}

/** One chunk of a series in a block's index. */
export interface BlockChunkMeta {
  minT: number;
  maxT: number;
  samples: number;
  /** file * 2^32 + byte offset of the chunk record. */
  ref: number;
  /** Length of the stored chunk bytes. */
  len: number;
}

export interface BlockSeriesEntry {
  /** The series' reference in its block (index offset). */
  ref?: number;
  labels: Labels;
  chunks: BlockChunkMeta[];
  starts: { t: number[]; st: number[] } | null;
  /** Native histogram chunks (assembly/FORMAT.md §3), in time order; absent in blocks without any. */
  hchunks?: BlockChunkMeta[];
}

export const chunkRefFile = (ref: number) => Math.floor(ref / 2 ** 32);
export const chunkRefOffset = (ref: number) => ref % 2 ** 32;

/** What meta.json holds, as Prometheus's block meta (times in ms; maxTime exclusive). */
export interface BlockMeta {
  ulid: string;
  minTime: number;
  maxTime: number;
  stats: { numSamples: number; numSeries: number; numChunks: number; numTombstones?: number; numBytes?: number };
  compaction: { level: number; sources: string[]; parents?: { ulid: string; minTime: number; maxTime: number }[]; deletable?: boolean };
  version: 1;
  /** promlet's own: the chunk encoding of every chunk in the block. */
  promlet: { encoding: string; fromHead?: boolean };
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID (48-bit time in ms, 80 random bits, Crockford base32), as Prometheus names its blocks. */
export function newULID(now = Date.now()): string {
  let out = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[t % 32] + out;
    t = Math.floor(t / 32);
  }
  const rand = crypto.getRandomValues(new Uint8Array(16));
  for (let i = 0; i < 16; i++) out += CROCKFORD[rand[i]! % 32];
  return out;
}

export const isULID = (s: string) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(s);

export const TOMBSTONES_MAGIC = 0x54425250; // "PRBT"

/** Deleted time ranges per series reference, as Prometheus's tombstones file. */
export type Tombstones = Map<number, [number, number][]>;

/** tombstones: header (magic "PRBT", version, 0, 0), then uvarint ref, varint mint, varint maxt per range, u32 CRC-32 of all before. */
export function encodeTombstones(t: Tombstones): Uint8Array {
  const w = new Writer();
  w.bytes(fileHeader(TOMBSTONES_MAGIC, 0));
  for (const [ref, ranges] of [...t].sort((a, b) => a[0] - b[0])) {
    for (const [lo, hi] of ranges) {
      w.uvarint(ref);
      w.varint(lo);
      w.varint(hi);
    }
  }
  w.crcFrom(0);
  return w.view().slice();
}

export function decodeTombstones(b: Uint8Array, where: string): Tombstones {
  checkHeader(b, TOMBSTONES_MAGIC, 'tombstones file', where);
  const body = b.subarray(0, b.length - 4);
  if (b.length < FILE_HEADER + 4 || crc32(body) !== new DataView(b.buffer, b.byteOffset + b.length - 4, 4).getUint32(0, true)) {
    throw new BlockCorruptionError(`${where}: tombstones checksum mismatch`);
  }
  const r = new Reader(body, where);
  r.off = FILE_HEADER;
  const out: Tombstones = new Map();
  while (r.off < body.length) {
    const ref = r.uvarint(), lo = r.varint(), hi = r.varint();
    const list = out.get(ref);
    if (list) list.push([lo, hi]);
    else out.set(ref, [[lo, hi]]);
  }
  return out;
}
