// Reading blocks whose chunk bytes cannot be read synchronously (a browser's
// IndexedDB, where every read is asynchronous): a query names what it will
// read (selectors and time ranges, after lookback, range, offset and @), the
// chunk byte ranges those need are loaded and held for the query, and the
// query then runs synchronously as everywhere else. The indexes stay
// readable at once, so planning reads only them. Memory is what one query
// reads, while it runs, plus the bounded cache; not the retention.

import type { Block } from './block.js';
import { type BlockChunkMeta, chunkRefFile, chunkRefOffset, uvarintLen } from './block-format.js';
import { chunkFileName } from './block-store.js';
import { StorageError } from './errors.js';
import type { StorageRead } from './interfaces.js';
import { postingsForMatchers } from './select.js';

/** `len` bytes from `off` of a backend file. */
export interface ByteRange {
  path: string;
  off: number;
  len: number;
}

/** Where chunk bytes come from asynchronously (src/browser/idb-block-backend.ts). */
export interface BlockLoader {
  /** Loads the ranges and keeps them readable until the returned function is called. */
  load(ranges: readonly ByteRange[]): Promise<() => void>;
}

/** A synchronous read of block bytes that were not loaded first. */
export class BlockDataNotLoadedError extends StorageError {
  /** The block whose bytes were missing. */
  readonly ulid: string;

  constructor(where: string, readonly path: string, off: number, len: number) {
    super(
      `${where}/${path}: bytes ${off} to ${off + len} are not in memory. Blocks kept in IndexedDB are read by the ` +
      'asynchronous queries (engine.instantQuery, engine.rangeQuery), which load what they need first; ' +
      'synchronous reads (the *Sync queries, a querier opened directly) reach only what is loaded',
    );
    this.ulid = path.split('/')[0]!;
  }
}

/** The bytes of one chunk in its block's chunk file: length, data and CRC, as Block.chunk reads them. */
export function chunkByteRange(block: Block, c: BlockChunkMeta): ByteRange {
  return { path: `${block.ulid}/chunks/${chunkFileName(chunkRefFile(c.ref))}`, off: chunkRefOffset(c.ref), len: uvarintLen(c.len) + c.len + 4 };
}

const overlaps = (c: BlockChunkMeta, lo: number, hi: number) => c.maxT >= lo && c.minT <= hi;

/**
 * The chunk ranges `reads` need from `blocks`. Blocks in `whole` give every
 * series' chunks in the reads' overall span, for reads nobody named (info()'s
 * own selection, say).
 */
export function chunkRangesFor(blocks: readonly Block[], reads: readonly StorageRead[], whole: ReadonlySet<Block> = new Set()): ByteRange[] {
  const out: ByteRange[] = [];
  const add = (b: Block, refs: Iterable<number>, lo: number, hi: number, hlo: number) => {
    for (const ref of refs) {
      const e = b.series(ref);
      // A series with histograms may be read from histogramStart, floats included (the sample before a range).
      const from = e.hchunks?.length ? Math.min(lo, hlo) : lo;
      for (const c of e.chunks) if (overlaps(c, from, hi)) out.push(chunkByteRange(b, c));
      for (const c of e.hchunks ?? []) if (overlaps(c, from, hi)) out.push(chunkByteRange(b, c));
    }
  };
  let lo = Infinity, hi = -Infinity, hlo = Infinity;
  for (const r of reads) {
    lo = Math.min(lo, r.start);
    hi = Math.max(hi, r.end);
    hlo = Math.min(hlo, r.histogramStart ?? r.start);
  }
  for (const b of blocks) {
    if (whole.has(b)) {
      if (b.maxTime > Math.min(lo, hlo) && b.minTime <= hi) add(b, b.all(), lo, hi, hlo);
      continue;
    }
    for (const r of reads) {
      const from = Math.min(r.start, r.histogramStart ?? r.start);
      if (b.maxTime <= from || b.minTime > r.end) continue;
      add(b, postingsForMatchers(b, r.matchers), r.start, r.end, r.histogramStart ?? r.start);
    }
  }
  return out;
}

/** The whole chunk files of `block` (compaction reads all of them). */
export function wholeBlockRanges(block: Block, sizeOf: (path: string) => number, list: (dir: string) => string[]): ByteRange[] {
  return list(`${block.ulid}/chunks`).map((f) => {
    const path = `${block.ulid}/chunks/${f}`;
    return { path, off: 0, len: sizeOf(path) };
  });
}

const ROUNDS = 4;

/**
 * Loads what `reads` need, runs `evaluate`, lets the bytes go. A read the
 * plan missed (the set of blocks changed meanwhile, or a selection the reads
 * did not name) makes it plan again: with the new blocks, or else reading
 * every series of the blocks in the reads' span.
 */
export async function runPrefetched<T>(
  blocks: () => readonly Block[], loader: BlockLoader, reads: () => readonly StorageRead[] | null, evaluate: () => T,
): Promise<T> {
  const named = reads();
  if (named === null) return evaluate();
  const whole = new Set<Block>();
  for (let round = 1; ; round++) {
    const planned = blocks();
    const release = await loader.load(chunkRangesFor(planned, named, whole));
    try {
      return evaluate();
    } catch (e) {
      if (!(e instanceof BlockDataNotLoadedError) || round >= ROUNDS) throw e;
      const now = blocks();
      const changed = now.length !== planned.length || now.some((b, i) => b !== planned[i]);
      // Unchanged blocks and still a miss: the reads did not name everything the query selects.
      if (!changed) for (const b of now) whole.add(b);
    } finally {
      release();
    }
  }
}
