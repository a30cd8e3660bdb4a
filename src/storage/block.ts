// Reading an immutable block without holding it in memory: the symbols and
// the postings offset table stay resident once a query first needs them
// (opening reads only the header and the table of contents, so a server with
// many blocks is up before it has parsed any index); series entries,
// postings lists and chunks are read on demand through the database's
// ByteCache (index in 64 KiB pages, chunks one by one). Where the bytes come
// from (positional file reads in Node, memory in browsers) is a BlockFiles.

import type { Label, Labels } from '../model/labels.js';
import { crc32 } from './persist-format.js';
import type { Postings } from './postings.js';
import { merge } from './postings.js';
import type { PostingsSource } from './select.js';
import type { ByteCache } from './byte-cache.js';
import {
  type BlockChunkMeta, type BlockMeta, type BlockSeriesEntry, BlockCorruptionError, CHUNK_FILE_MAGIC, FILE_HEADER,
  INDEX_MAGIC, Reader, TOC_LEN, type Tombstones, checkHeader, chunkRefFile, chunkRefOffset, decodeTombstones, encodeTombstones, uvarintLen,
} from './block-format.js';

export interface BlockFiles {
  /** For messages: the block's directory or name. */
  readonly where: string;
  readonly indexSize: number;
  /** `len` bytes of the index from `off` (fewer at its end); valid until the next read. */
  readIndex(off: number, len: number): Uint8Array;
  /** `len` bytes of chunk file `file` from `off` (fewer at its end); valid until the next read. */
  readChunkFile(file: number, off: number, len: number): Uint8Array;
  /** Read each chunk exactly where it lies rather than in pages (a backend that pages and preloads itself). */
  readonly exactChunkReads?: boolean;
  /** The block's tombstones file, if it has one. */
  readTombstones?(): Uint8Array | null;
  /** Replaces the tombstones file durably (without this, deletions in the block live only in memory). */
  writeTombstones?(bytes: Uint8Array): void;
  close(): void;
}

const PAGE = 64 * 1024;
const EMPTY: Postings = [];
const EMPTY_BYTES = new Uint8Array(0);
/** No deleted ranges (shared: a query asks for every series it reads). */
const NONE_DELETED: readonly (readonly [number, number])[] = Object.freeze([]);
/** No chunk metas: shared, and frozen so that nothing adds to it. */
const NO_CHUNKS = Object.freeze([]) as unknown as BlockChunkMeta[];
/** How many label objects a block keeps for its series entries to share (see Block.label). */
const LABEL_CACHE = 4096;
/** The file number pages of the index are read under (chunk files are numbered from 1). */
const INDEX_FILE = -1;

/**
 * A cached page's view, with the ranges in it (offset -> length) of the
 * chunks, series entries and postings lists whose CRC-32 was checked since
 * it was read. A page read from the files again (a miss after eviction,
 * into a new or a reused buffer) is a new view without them, so what comes
 * from disk is always checked, and what a query reads from the cache again
 * is not re-hashed. A range across two pages is also kept on the second
 * under its offset in the first, negated (-1 - offset).
 */
type CheckedPage = Uint8Array & { checked?: Map<number, number> };

export class Block implements PostingsSource {
  readonly encoding: number;
  /** The symbols and the postings offset table (label name -> sorted values -> postings list offset), read at first use. */
  private resident: { symbols: string[]; table: Map<string, { values: string[]; offsets: number[] }> } | null = null;
  /** Where the resident sections are: symbols [symbolsOff, seriesOff), the postings offset table [tableOff, index size - TOC). */
  private readonly sections: { symbolsOff: number; seriesOff: number; tableOff: number };
  private readonly key: string;
  private closed = false;
  /** Queriers reading this block; a block dropped by compaction or retention closes when the last one does. */
  private readers = 0;
  private closeWhenIdle = false;
  /** Deleted ranges per series reference, applied by queries until compaction rewrites the block without them. */
  readonly tombstones: Tombstones;

  constructor(readonly meta: BlockMeta, readonly files: BlockFiles, private readonly cache: ByteCache) {
    this.key = `${meta.ulid}/`;
    this.entryReader = new EntryReader(files);
    const size = files.indexSize;
    if (size < FILE_HEADER + TOC_LEN) throw new BlockCorruptionError(`${files.where}/index: ${size} bytes is too short`);
    this.encoding = checkHeader(files.readIndex(0, FILE_HEADER), INDEX_MAGIC, 'index', `${files.where}/index`);
    const toc = new Reader(files.readIndex(size - TOC_LEN, TOC_LEN), `${files.where}/index table of contents`, size - TOC_LEN);
    const offs = [toc.u64(), toc.u64(), toc.u64(), toc.u64()] as const;
    if (crc32(toc.b.subarray(0, 32)) !== toc.u32()) throw new BlockCorruptionError(`${files.where}/index: table of contents checksum mismatch`);
    const [symbolsOff, seriesOff, , tableOff] = offs;
    if (!(symbolsOff >= FILE_HEADER && symbolsOff < seriesOff && seriesOff <= tableOff && tableOff < size - TOC_LEN)) {
      throw new BlockCorruptionError(`${files.where}/index: table of contents points outside the index`);
    }
    this.sections = { symbolsOff, seriesOff, tableOff };
    const stones = files.readTombstones?.();
    this.tombstones = stones ? decodeTombstones(stones, `${files.where}/tombstones`) : new Map();
  }

  private get symbols(): string[] {
    return (this.resident ??= this.readResident()).symbols;
  }

  private get table(): Map<string, { values: string[]; offsets: number[] }> {
    return (this.resident ??= this.readResident()).table;
  }

  /** Reads the symbols and the postings offset table, checking their CRCs. */
  private readResident(): NonNullable<Block['resident']> {
    const { symbolsOff, seriesOff, tableOff } = this.sections;
    const symbols: string[] = [];
    const s = this.section(symbolsOff, seriesOff, 'symbols');
    for (let n = s.u32(); n > 0; n--) symbols.push(s.str());
    const table = new Map<string, { values: string[]; offsets: number[] }>();
    const t = this.section(tableOff, this.files.indexSize - TOC_LEN, 'postings offset table');
    for (let n = t.u32(); n > 0; n--) {
      const name = t.str(), value = t.str(), off = t.uvarint();
      let e = table.get(name);
      if (!e) table.set(name, (e = { values: [], offsets: [] }));
      e.values.push(value);
      e.offsets.push(off);
    }
    return { symbols, table };
  }

  /** Reads a resident section [from, to) and checks its trailing CRC-32. */
  private section(from: number, to: number, what: string): Reader {
    const b = this.files.readIndex(from, to - from);
    if (b.length !== to - from || to - from < 4) throw new BlockCorruptionError(`${this.files.where}/index: ${what} section cut short`);
    const body = b.subarray(0, b.length - 4);
    if (crc32(body) !== new DataView(b.buffer, b.byteOffset + b.length - 4, 4).getUint32(0, true)) {
      throw new BlockCorruptionError(`${this.files.where}/index: ${what} checksum mismatch at byte ${from}`);
    }
    return new Reader(body, `${this.files.where}/index ${what}`, from);
  }

  get minTime(): number { return this.meta.minTime; }
  /** Exclusive, as Prometheus's meta.json. */
  get maxTime(): number { return this.meta.maxTime; }
  get ulid(): string { return this.meta.ulid; }

  /** `len` index bytes from `off`, through 64 KiB cached pages. */
  private indexBytes(off: number, len: number, cached = true): Uint8Array {
    return this.paged(INDEX_FILE, off, len, cached);
  }

  /**
   * The page a read that bypasses the cache saw last: compaction reads every
   * page of its parents once, in order, and through the cache it would only
   * push out what queries use (and hold the cache's whole budget in a
   * process that only writes).
   */
  private readonly passing = new Map<number, { page: number; bytes: Uint8Array }>();

  /**
   * The last page's cache key by file (INDEX_FILE + 1 for the index): reads
   * come many to a page, and a fresh key string is hashed on every lookup.
   * Only the last is kept, so the keys never grow with the data read.
   */
  private readonly lastKeyPage: number[] = [];
  private readonly lastKey: string[] = [];
  /** Reads pages for the cache (one object, not a closure per read). */
  private readonly pageReader = { block: this as Block, file: 0, page: 0, fill(into: Uint8Array): number {
    const b = this.block.readPage(this.file, this.page);
    into.set(b);
    return b.length;
  } };

  /** Page `p` of `file` (INDEX_FILE or a chunk file) as the files return it. */
  private readPage(file: number, p: number): Uint8Array {
    return file === INDEX_FILE ? this.files.readIndex(p * PAGE, PAGE) : this.files.readChunkFile(file, p * PAGE, PAGE);
  }

  private pageKey(file: number, p: number): string {
    const f = file + 1;
    if (this.lastKeyPage[f] === p) return this.lastKey[f]!;
    this.lastKeyPage[f] = p;
    return (this.lastKey[f] = file === INDEX_FILE ? `${this.key}i${p}` : `${this.key}c${file}/${p}`);
  }

  /** Page `p` of `file`, through the cache unless `cached` is false. */
  private page(file: number, p: number, cached: boolean): Uint8Array {
    if (cached) {
      const r = this.pageReader;
      r.file = file;
      r.page = p;
      return this.cache.getPage(this.pageKey(file, p), PAGE, r);
    }
    // One page per file (the index, each chunk file): a merge reads series entries and chunks in turn.
    let last = this.passing.get(file);
    if (last?.page !== p) this.passing.set(file, (last = { page: p, bytes: this.readPage(file, p).slice() }));
    return last.bytes;
  }

  /**
   * `len` bytes from `off` of `file`, through 64 KiB pages (fewer bytes at
   * the file's end). Pages, not single chunks: a query over a long range
   * reads a series' chunks (written side by side) with one read and one
   * allocation per 64 KiB, where one per chunk left a million small buffers
   * for the collector on a 10-day scan.
   */
  private paged(file: number, off: number, len: number, cached: boolean): Uint8Array {
    const first = Math.floor(off / PAGE), last = Math.floor((off + len - 1) / PAGE);
    if (first === last) return this.page(file, first, cached).subarray(off - first * PAGE, off - first * PAGE + len);
    const out = new Uint8Array(len);
    let at = 0;
    for (let p = first; p <= last && at < len; p++) {
      const b = this.page(file, p, cached);
      const from = p === first ? off - first * PAGE : 0;
      const n = Math.min(b.length - from, len - at);
      if (n <= 0) break;
      out.set(b.subarray(from, from + n), at);
      at += n;
    }
    return at === len ? out : out.subarray(0, at);
  }

  /**
   * `len` bytes from `off` of `file` through the cache, and whether their
   * CRC-32 still needs checking: false only when it was checked since the
   * page (or both pages, for bytes across a page boundary) came from the
   * files. The bytes start at `from` in `bytes`: within one page, `bytes` is
   * the page itself (no view made for each read), and may end before
   * `from + len` at the file's end.
   */
  private cachedRange(file: number, off: number, len: number, fetched?: Uint8Array): Block['range'] {
    const r = this.range;
    const first = Math.floor(off / PAGE), last = Math.floor((off + len - 1) / PAGE);
    const from = off - first * PAGE;
    r.at = from;
    r.len = len;
    if (first === last) {
      const page = fetched ?? this.page(file, first, true);
      r.bytes = page;
      r.from = from;
      r.page = page;
      r.next = null;
      r.unchecked = (page as CheckedPage).checked?.get(from) !== len;
      return r;
    }
    r.from = 0;
    if (last !== first + 1) {
      // Longer than a page (a long postings list): checked on every read.
      r.bytes = this.paged(file, off, len, true);
      r.page = r.next = null;
      r.unchecked = true;
      return r;
    }
    // Across two pages: the second is marked with the first's offset, negated.
    const a = this.page(file, first, true), b = this.page(file, last, true);
    const head = a.subarray(from), tail = b.subarray(0, Math.min(b.length, len - head.length));
    const out = new Uint8Array(head.length + tail.length);
    out.set(head);
    out.set(tail, head.length);
    r.bytes = out;
    r.page = a;
    r.next = b;
    r.unchecked = (a as CheckedPage).checked?.get(from) !== len || (b as CheckedPage).checked?.get(-1 - from) !== len;
    return r;
  }

  /** The last cachedRange (reused: one per block, read before the next call). */
  private readonly range: { bytes: Uint8Array; from: number; unchecked: boolean; page: Uint8Array | null; next: Uint8Array | null; at: number; len: number } = {
    bytes: EMPTY_BYTES, from: 0, unchecked: true, page: null, next: null, at: 0, len: 0,
  };

  /** Records that the last cachedRange's CRC matched. */
  private markChecked(): void {
    const { page, next, at, len } = this.range;
    if (page) ((page as CheckedPage).checked ??= new Map()).set(at, len);
    if (next) ((next as CheckedPage).checked ??= new Map()).set(-1 - at, len);
  }

  // ---- PostingsSource: series references are index offsets, ascending. ----

  get(name: string, value: string): Postings {
    const e = this.table.get(name);
    if (!e) return EMPTY;
    const i = binarySearch(e.values, value);
    return i < 0 ? EMPTY : this.postingsAt(e.offsets[i]!);
  }

  forValues(name: string, accept: (value: string) => boolean): Postings {
    const e = this.table.get(name);
    if (!e) return EMPTY;
    const lists: Postings[] = [];
    e.values.forEach((v, i) => { if (accept(v)) lists.push(this.postingsAt(e.offsets[i]!)); });
    return merge(lists);
  }

  all(): Postings {
    return this.get('', '');
  }

  labelNames(): string[] {
    return [...this.table.keys()].filter((n) => n !== '');
  }

  labelValues(name: string): string[] {
    return name === '' ? [] : [...(this.table.get(name)?.values ?? [])];
  }

  private postingsAt(off: number): Postings {
    const n = new Reader(this.indexBytes(off, 4), `${this.files.where}/index postings`, off).u32();
    const { bytes, from, unchecked } = this.cachedRange(INDEX_FILE, off, 4 + n * 4 + 4);
    const b = bytes.subarray(from, from + 4 + n * 4 + 4);
    if (unchecked) {
      if (b.length < 4 + n * 4 + 4 || crc32(b.subarray(0, 4 + n * 4)) !== new DataView(b.buffer, b.byteOffset + 4 + n * 4, 4).getUint32(0, true)) {
        throw new BlockCorruptionError(`${this.files.where}/index: postings checksum mismatch at byte ${off}`);
      }
      this.markChecked();
    }
    const dv = new DataView(b.buffer, b.byteOffset + 4, n * 4);
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = dv.getUint32(i * 4, true);
    return out;
  }

  /**
   * A series entry. Without `floatChunks` its float chunk metas are skipped
   * (chunks is empty): a selection over many series keeps only labels, and
   * reads the metas again when it reads the series. Without `cached` the
   * index is read past the cache (compaction).
   */
  series(ref: number, floatChunks = true, cached = true): BlockSeriesEntry {
    const r = this.entry(ref, cached);
    const symbols = this.symbols;
    const n = r.uvarint();
    // Each label takes two varints of a byte or more: a count past that is corrupt (and fails below), not a size.
    const labels = new Array<Label>(Math.min(n, (r.end - r.off) >> 1));
    for (let i = 0; i < n; i++) {
      const name = r.uvarint();
      if (name >= symbols.length) this.symbolOutOfRange(ref, name);
      const value = r.uvarint();
      if (value >= symbols.length) this.symbolOutOfRange(ref, value);
      labels[i] = this.label(name, value, symbols);
    }
    const chunks = floatChunks ? readChunkMetas(r) : skipChunkMetas(r);
    let starts: BlockSeriesEntry['starts'] = null;
    const ns = r.uvarint();
    if (ns > 0) {
      starts = { t: [], st: [] };
      for (let i = 0; i < ns; i++) {
        starts.t.push(r.varint());
        starts.st.push(r.varint());
      }
    }
    const entry: BlockSeriesEntry = { ref, labels: labels as Labels, chunks, starts };
    // Histogram chunk metas follow when the series has any (blocks written before them end here).
    if (r.off < r.end) entry.hchunks = readChunkMetas(r);
    return entry;
  }

  /**
   * Label objects by symbol pair (name symbol -> value symbol -> label),
   * shared by the series entries read: the series a query selects share
   * most of their pairs, and a label is never changed once built. Emptied
   * when it holds LABEL_CACHE pairs, so it never grows with the block.
   */
  private labels: (Map<number, Label> | undefined)[] = [];
  private labelCount = 0;

  private label(name: number, value: number, symbols: readonly string[]): Label {
    let byValue = this.labels[name];
    let l = byValue?.get(value);
    if (l) return l;
    if (this.labelCount >= LABEL_CACHE) {
      this.labels = [];
      this.labelCount = 0;
      byValue = undefined;
    }
    if (!byValue) this.labels[name] = byValue = new Map();
    l = { name: symbols[name]!, value: symbols[value]! };
    byValue.set(value, l);
    this.labelCount++;
    return l;
  }

  private symbolOutOfRange(ref: number, i: number): never {
    throw new BlockCorruptionError(`${entryWhere(this.files, ref)}: symbol ${i} out of range`);
  }

  /** The list chunkMetas fills and the meta objects it fills it with, reused call after call. */
  private readonly metas = { list: [] as BlockChunkMeta[], pool: [] as BlockChunkMeta[] };

  /**
   * The float chunk metas of the series entry at `ref`, its labels skipped
   * rather than looked up: what a query reads each time it reads a series'
   * samples (it has the labels from selecting it). The list and its metas
   * are this block's, overwritten by the next call: a query reads a
   * series' chunks through them at once, and keeps none.
   */
  chunkMetas(ref: number): readonly Readonly<BlockChunkMeta>[] {
    const r = this.entry(ref, true);
    const symbols = this.symbols.length;
    for (let n = r.uvarint() * 2; n > 0; n--) {
      const i = r.uvarint();
      if (i >= symbols) this.symbolOutOfRange(ref, i);
    }
    return readChunkMetas(r, this.metas);
  }

  /** Reads every series entry of this block, one after another (see entry). */
  private readonly entryReader: EntryReader;

  /**
   * The block's one reader, over the series entry at `ref` (its length
   * prefix read, its CRC checked): where the entry lies within one cached
   * page, over that page, without a copy or a view. Read it before the
   * next call.
   */
  private entry(ref: number, cached: boolean): EntryReader {
    const r = this.entryReader;
    r.ref = ref;
    const p = Math.floor(ref / PAGE), at = ref - p * PAGE;
    // The length prefix, read in its page unless it may cross into the next one.
    if (cached && at + 10 <= PAGE) {
      const page = this.page(INDEX_FILE, p, true);
      r.reset(page, at, Math.min(page.length, at + 10, this.files.indexSize - p * PAGE), ref);
    } else {
      r.reset(this.indexBytes(ref, Math.min(10, this.files.indexSize - ref), cached), 0, Math.min(10, this.files.indexSize - ref), ref);
    }
    const len = r.uvarint();
    const skip = uvarintLen(len);
    let b: Uint8Array, from = 0, unchecked = true;
    if (cached) ({ bytes: b, from, unchecked } = this.cachedRange(INDEX_FILE, ref + skip, len + 4));
    else b = this.indexBytes(ref + skip, len + 4, false);
    if (b.length - from < len + 4) throw new BlockCorruptionError(`${entryWhere(this.files, ref)}: cut short`);
    if (unchecked) {
      if (crc32(b.subarray(from, from + len)) !== new DataView(b.buffer, b.byteOffset + from + len, 4).getUint32(0, true)) {
        throw new BlockCorruptionError(`${entryWhere(this.files, ref)}: checksum mismatch`);
      }
      if (cached) this.markChecked();
    }
    return r.reset(b, from, from + len, ref + skip);
  }

  /**
   * The stored bytes of a chunk (the decoder's prefix of its 1024 bytes),
   * checked against its CRC when they come from the files (not again while
   * they stay cached); without `cached`, read past the cache. Through the
   * cache, a view of a cached page: valid until settle() is called.
   */
  chunk(c: BlockChunkMeta, cached = true): Uint8Array {
    const file = chunkRefFile(c.ref), off = chunkRefOffset(c.ref);
    const skip = uvarintLen(c.len);
    if (off < FILE_HEADER) throw new BlockCorruptionError(`${this.chunkFileName(file)}: chunk reference ${off} inside the file header`);
    const len = skip + c.len + 4;
    if (this.files.exactChunkReads) {
      // The cache holds checked copies: a chunk is checked once, when it is read from the files.
      if (cached) return this.cache.get(`${this.key}c${c.ref}`, () => this.checkedChunk(this.files.readChunkFile(file, off, len), c, file, off).slice());
      return this.checkedChunk(this.files.readChunkFile(file, off, len), c, file, off).slice();
    }
    if (!cached) return this.checkedChunk(this.paged(file, off, len, false), c, file, off);
    const first = Math.floor(off / PAGE);
    let page: Uint8Array | undefined;
    if (first === Math.floor((off + len - 1) / PAGE)) {
      // Most reads: a chunk checked before, within one cached page. One view, of its data only.
      page = this.page(file, first, true);
      const from = off - first * PAGE;
      if ((page as CheckedPage).checked?.get(from) === len) return page.subarray(from + skip, from + skip + c.len);
    }
    // The page just fetched is handed on: fetched again, a cache too small to keep it would read it twice.
    const { bytes, from, unchecked } = this.cachedRange(file, off, len, page);
    if (!unchecked) return bytes.subarray(from + skip, from + skip + c.len);
    const data = this.checkedChunk(bytes.subarray(from, from + len), c, file, off);
    this.markChecked();
    return data;
  }

  private chunkFileName(file: number): string {
    return `${this.files.where}/chunks/${String(file).padStart(6, '0')}`;
  }

  /** The chunk's data within `b` (its stored form: length, data, CRC), its CRC checked. */
  private checkedChunk(b: Uint8Array, c: BlockChunkMeta, file: number, off: number): Uint8Array {
    const skip = uvarintLen(c.len);
    if (b.length < skip + c.len + 4) throw new BlockCorruptionError(`${this.chunkFileName(file)}: chunk at byte ${off} is past the end of the file`);
    const data = b.subarray(skip, skip + c.len);
    if (crc32(data) !== new DataView(b.buffer, b.byteOffset + skip + c.len, 4).getUint32(0, true)) {
      throw new BlockCorruptionError(`${this.chunkFileName(file)}: checksum mismatch in the chunk at byte ${off}`);
    }
    return data;
  }

  /**
   * Says the caller holds no bytes that this block, or any block sharing its
   * cache, returned (it has copied or decoded them): the cache may then read
   * the next pages into the buffers of evicted ones.
   */
  settle(): void {
    this.cache.settle();
  }

  /** Checks the chunk file headers (at open). */
  checkChunkFile(file: number): void {
    checkHeader(this.files.readChunkFile(file, 0, FILE_HEADER), CHUNK_FILE_MAGIC, 'chunk file', `${this.files.where}/chunks/${String(file).padStart(6, '0')}`);
  }

  /** Deleted ranges of series `ref` (empty when none). */
  deleted(ref: number): readonly (readonly [number, number])[] {
    return this.tombstones.get(ref) ?? NONE_DELETED;
  }

  /** Marks [mint, maxt] of series `refs` deleted, stored before it returns where the files allow. */
  addTombstones(refs: readonly number[], mint: number, maxt: number): void {
    if (refs.length === 0) return;
    const next: Tombstones = new Map([...this.tombstones].map(([r, l]) => [r, [...l]]));
    for (const ref of refs) {
      const list = next.get(ref);
      if (list) list.push([mint, maxt]);
      else next.set(ref, [[mint, maxt]]);
    }
    this.files.writeTombstones?.(encodeTombstones(next));
    this.tombstones.clear();
    for (const [r, l] of next) this.tombstones.set(r, l);
  }

  acquire(): void {
    this.readers++;
  }

  release(): void {
    this.readers--;
    if (this.readers === 0 && this.closeWhenIdle) this.close();
  }

  /** Closes now, or once the queriers reading it are done. */
  /** Forgets the pages reads past the cache kept (a merge is done with this block). */
  dropPassingPages(): void {
    this.passing.clear();
  }

  closeWhenUnused(): void {
    if (this.readers === 0) this.close();
    else this.closeWhenIdle = true;
  }

  private onClose: (() => void)[] = [];

  /**
   * Runs `action` once this block is closed (at once if it is): a block
   * dropped by compaction or retention is deleted only when the queriers
   * still reading it are done.
   */
  afterClose(action: () => void): void {
    if (this.closed) action();
    else this.onClose.push(action);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.cache.dropPrefix(this.key);
    this.files.close();
    for (const a of this.onClose.splice(0)) a();
  }
}

/** A count of chunk metas, then each as the writer packs them (deltas, as Prometheus's). */
function skipChunkMetas(r: Reader): BlockChunkMeta[] {
  for (let n = r.uvarint() * 5; n > 0; n--) r.uvarint();
  return NO_CHUNKS;
}

/**
 * Reads a series entry's chunk metas: into a fresh list (the shared empty
 * one when there are none), or into `reuse.list` over the objects of
 * `reuse.pool` (which only grows, so a series with fewer chunks than the
 * last leaves the rest for the next).
 */
function readChunkMetas(r: Reader, reuse?: { list: BlockChunkMeta[]; pool: BlockChunkMeta[] }): BlockChunkMeta[] {
  let prevMaxT = 0, prevRef = 0;
  const n = r.uvarint();
  if (n === 0 && !reuse) return NO_CHUNKS;
  const chunks: BlockChunkMeta[] = reuse ? reuse.list : [];
  // Each meta takes five varints of a byte or more: a count past that is corrupt, and would size the list.
  if (n * 5 > r.end - r.off) throw new BlockCorruptionError(`series entry: ${n} chunks in ${r.end - r.off} bytes`);
  chunks.length = n;
  for (let i = 0; i < n; i++) {
    const minT = i === 0 ? r.varint() : prevMaxT + r.varint();
    const maxT = minT + r.uvarint();
    const samples = r.uvarint();
    const ref = i === 0 ? r.uvarint() : prevRef + r.uvarint();
    const len = r.uvarint();
    const c = reuse?.pool[i];
    if (c) {
      c.minT = minT;
      c.maxT = maxT;
      c.samples = samples;
      c.ref = ref;
      c.len = len;
      chunks[i] = c;
    } else {
      chunks[i] = { minT, maxT, samples, ref, len };
      reuse?.pool.push(chunks[i]!);
    }
    prevMaxT = maxT;
    prevRef = ref;
  }
  return chunks;
}

/** How a series entry is named in messages. */
function entryWhere(files: BlockFiles, ref: number): string {
  return `${files.where}/index series at byte ${ref}`;
}

/** A Reader over series entries; its messages name the entry it reads, made only when one is needed. */
class EntryReader extends Reader {
  ref = 0;
  constructor(private readonly files: BlockFiles) {
    super(EMPTY_BYTES, '');
  }
  protected override place(): string {
    return entryWhere(this.files, this.ref);
  }
}

function binarySearch(a: readonly string[], x: string): number {
  let lo = 0, hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = a[mid]!;
    if (v === x) return mid;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
