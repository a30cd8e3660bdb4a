// The head's series copied out of WASM memory as stored chunk bytes, for a
// reader in another thread (a query worker, src/node/worker-blocks.ts) that
// opens the blocks itself and merges this copy in as the head's side
// (merge-read.ts HeadSeriesView). The copy is taken in one synchronous call,
// so it is the head as of one moment, and it is decoded by the same WASM
// code over the same bytes, so a read answers bit for bit as the head would.

import type { Labels } from '../model/labels.js';
import type { Matcher } from '../model/matcher.js';
import { mem } from '../wasm/loader.js';
import { CHUNK_LEN } from '../wasm/layout.js';
import { histogramChunkMeta } from '../wasm/histogram-codec.js';
import type { Head } from './head.js';
import { postingsForMatchers } from './select.js';
import { usedChunkBytes } from './block-format.js';
import type { ChunkPart, HeadSeriesView } from './merge-read.js';
import { decodeHistogramRun, type HistogramRun } from './histogram-runs.js';

/** One series of a copy; chunk bounds are flat quadruples [minT, maxT, offset into the copy's bytes, length]. */
export interface HeadSeriesCopy {
  labels: Labels;
  starts: { t: number[]; st: number[] } | null;
  chunks: number[];
  /** Histogram chunks in the same layout, or null when the series has none. */
  hist: number[] | null;
}

/** What crosses the thread boundary: plain data and one byte buffer (transferable). */
export interface HeadCopy {
  series: HeadSeriesCopy[];
  bytes: Uint8Array;
}

/** The head's series matching `matchers` with samples in [mint, maxt], with their chunks overlapping it. */
export function copyHead(head: Head, matchers: readonly Matcher[], mint: number, maxt: number): HeadCopy {
  const picked: { s: NonNullable<ReturnType<Head['get']>>; parts: { minT: number; maxT: number; ptr: number }[]; lens: number[]; hist: number[] }[] = [];
  // Sized to the bytes the chunks use, not their fixed slots: the buffer is zeroed here and transferred whole.
  const used = mem().u8;
  let total = 0;
  for (const id of postingsForMatchers(head.index, matchers)) {
    const s = head.get(id);
    if (!s || !s.hasSamples) continue;
    if (s.maxT < mint || head.seriesMinTime(s) > maxt) continue;
    const parts = head.chunkPartsOverlapping(s, mint, maxt);
    const hist = s.hist && s.hist.chunks.length > 0 ? s.hist.overlapping(mint, maxt) : [];
    const lens = parts.map((p) => usedChunkBytes(used.subarray(p.ptr, p.ptr + CHUNK_LEN), head.enc));
    for (const len of lens) total += len;
    for (const c of hist) total += histogramChunkMeta(c).bytes;
    picked.push({ s, parts, lens, hist });
  }
  const { u8 } = mem();
  const bytes = new Uint8Array(total);
  let at = 0;
  const series: HeadSeriesCopy[] = picked.map(({ s, parts, lens, hist }) => {
    const chunks: number[] = [];
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!, len = lens[i]!;
      bytes.set(u8.subarray(p.ptr, p.ptr + len), at);
      chunks.push(p.minT, p.maxT, at, len);
      at += len;
    }
    let h: number[] | null = null;
    if (s.hist && s.hist.chunks.length > 0) {
      h = [];
      for (const c of hist) {
        const m = histogramChunkMeta(c);
        bytes.set(u8.subarray(c, c + m.bytes), at);
        h.push(m.minT, m.maxT, at, m.bytes);
        at += m.bytes;
      }
    }
    return { labels: s.labels, starts: s.starts, chunks, hist: h };
  });
  return { series, bytes: bytes.subarray(0, at) };
}

/** A series of a copy as the merge reads the head's side. */
export function copiedHeadSeries(copy: HeadSeriesCopy, bytes: Uint8Array): HeadSeriesView {
  const { chunks, hist } = copy;
  const overlapping = (list: number[], lo: number, hi: number, each: (minT: number, maxT: number, b: Uint8Array) => void) => {
    for (let i = 0; i < list.length; i += 4) {
      if (list[i + 1]! < lo) continue;
      if (list[i]! > hi) break;
      each(list[i]!, list[i + 1]!, bytes.subarray(list[i + 2]!, list[i + 2]! + list[i + 3]!));
    }
  };
  const histogramRun = (lo: number, hi: number): HistogramRun | null => {
    if (!hist) return null;
    const hit: Uint8Array[] = [];
    overlapping(hist, lo, hi, (_a, _b, b) => hit.push(b));
    return decodeHistogramRun(hit, lo, hi);
  };
  return {
    labels: copy.labels,
    starts: copy.starts,
    chunkParts: (lo, hi) => {
      const out: ChunkPart[] = [];
      overlapping(chunks, lo, hi, (minT, maxT, b) => out.push({ minT, maxT, bytes: b, ptr: 0 }));
      return out;
    },
    histogramRun,
    // As SeriesHistograms.has: a chunk bound inside the range answers without decoding.
    hasHistograms: (lo, hi) => {
      if (!hist) return false;
      let any = false, inside = false;
      overlapping(hist, lo, hi, (minT, maxT) => {
        any = true;
        if ((minT >= lo && minT <= hi) || (maxT >= lo && maxT <= hi)) inside = true;
      });
      if (inside) return true;
      return any && histogramRun(lo, hi)!.timestamps.length > 0;
    },
  };
}
