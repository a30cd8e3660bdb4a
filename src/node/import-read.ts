// Reading a backfill file for `promlet import` as a stream: the file in
// chunks of whole lines (never one string of it), sample lines through the
// scrape's fast scanner (the full parser only for a series text not seen
// before and for anything unusual, so values and errors stay
// parseExposition's), samples straight into per-series typed arrays.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { type ExpositionFormat } from '../exposition/parse.js';
import { SampleScanner } from '../exposition/sample-scanner.js';
import type { BackfillBuffer } from '../storage/backfill.js';

// Pieces of about 1 MiB: big enough that per-piece costs vanish, small
// enough that the dead pieces (large strings, freed only by a full
// collection) do not pile up into resident memory between collections.
const CHUNK_BYTES = 1 << 20;

/**
 * Calls `piece` with the file's text in pieces of whole lines (each but the
 * last ends with a newline), decoded as UTF-8 as readFileSync would (bad
 * bytes replaced; a newline byte is never inside a multi-byte character, so
 * cutting the bytes at one decodes the same). A line longer than a chunk
 * grows the buffer; returning false from `piece` stops.
 */
export function readLinePieces(file: string, piece: (text: string, final: boolean, bytesRead: number, size: number) => void | false, chunkBytes: number = CHUNK_BYTES): void {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    let buf = Buffer.allocUnsafe(chunkBytes);
    // Bytes held in buf: the tail of the last read after its last newline, then the next read.
    let held = 0;
    let bytesRead = 0;
    for (;;) {
      if (held === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, held);
        buf = bigger;
      }
      const n = readSync(fd, buf, held, buf.length - held, null);
      bytesRead += n;
      if (n === 0) {
        piece(buf.toString('utf8', 0, held), true, bytesRead, size);
        return;
      }
      held += n;
      const cut = buf.lastIndexOf(10, held - 1);
      if (cut < 0) continue;
      const text = buf.toString('utf8', 0, cut + 1);
      buf.copyWithin(0, cut + 1, held);
      held -= cut + 1;
      if (piece(text, false, bytesRead, size) === false) return;
    }
  } finally {
    closeSync(fd);
  }
}

const EOF_LINE = /^# EOF\s*$/m;

/** formatOfText for a file, without holding it: OpenMetrics when a line is "# EOF" (looked for at the end first). */
export function formatOfFile(file: string): ExpositionFormat {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const tail = Buffer.allocUnsafe(Math.min(size, 4096));
    readSync(fd, tail, 0, tail.length, size - tail.length);
    if (EOF_LINE.test(tail.toString('utf8'))) return 'openmetrics';
  } finally {
    closeSync(fd);
  }
  let format: ExpositionFormat = 'text';
  readLinePieces(file, (text) => {
    if (!EOF_LINE.test(text)) return;
    format = 'openmetrics';
    return false;
  });
  return format;
}

interface Known {
  /** The series text as written ("name{labels}"). */
  text: string;
  id: number;
  /** Another series text with the same hash. */
  sameHash: Known | null;
  /** The series text that followed this one last time: the next line's likely series. */
  after: Known | null;
}

export interface BackfillReadOptions {
  /** Bytes read at a time (tests cut small pieces). */
  chunkBytes?: number;
  /**
   * Keep only samples in [from, to): the others are still read and checked.
   * Unusable timestamps are not rejected again (a pass before did that).
   */
  window?: readonly [number, number];
  /** Keep no more than this many samples; past it the read goes on for checks and the time range only. */
  maxSamples?: number;
}

export interface BackfillRead {
  /** The time range of every usable sample in the file (Infinity, -Infinity when none). */
  mint: number;
  maxt: number;
  /** Whether maxSamples stopped the buffering: then `buffer` holds only part of the file. */
  overflowed: boolean;
}

/**
 * Reads the samples of `file` into `buffer`; samples without a usable
 * timestamp go to `rejected`. Throws ExpositionError (with its line) for
 * bad input, as parseExposition does.
 */
export function readBackfillFile(file: string, format: ExpositionFormat, buffer: BackfillBuffer, rejected: string[], progress: (fraction: number) => void, opts: BackfillReadOptions = {}): BackfillRead {
  const { window, maxSamples = Infinity } = opts;
  const from = window ? window[0] : -Infinity, to = window ? window[1] : Infinity;
  let mint = Infinity, maxt = -Infinity, overflowed = false;
  let scanner: SampleScanner | null = null;
  // Parsed series by their text as written: most lines then need neither a
  // label parse nor a labels key.
  let byHash = new Map<number, Known>();
  let previous: Known | null = null;
  let metadataLines = 0;
  readLinePieces(file, (text, final, bytesRead, size) => {
    if (!scanner) scanner = new SampleScanner('', format);
    const sc = scanner;
    sc.continueWith(text, final);
    while (sc.nextLine()) {
      if (sc.metadataLines !== metadataLines) {
        // A TYPE line can change how a series' labels parse (le, quantile).
        metadataLines = sc.metadataLines;
        byHash = new Map();
        previous = null;
      }
      let hit: Known | null = null;
      const guess = previous?.after;
      if (guess && sc.known(guess.text)) hit = guess;
      else {
        sc.read();
        if (sc.seriesEnd >= 0) {
          hit = byHash.get(sc.seriesHash) ?? null;
          while (hit && !sc.seriesIs(hit.text)) hit = hit.sameHash;
        }
      }
      const t = sc.timestamp;
      let id: number;
      if (hit) id = hit.id;
      else {
        // First sight of this text (or a line only the full parser reads): parse it, which also validates it.
        id = buffer.seriesId(sc.parse().labels);
        if (sc.seriesEnd >= 0) {
          hit = { text: sc.series, id, sameHash: byHash.get(sc.seriesHash) ?? null, after: null };
          byHash.set(sc.seriesHash, hit);
        }
      }
      if (previous && hit) previous.after = hit;
      previous = hit;
      if (t === undefined) {
        if (!window) rejected.push(`${file}:${sc.lineNo}: sample has no timestamp`);
      } else if (!Number.isSafeInteger(t)) {
        if (!window) rejected.push(`${file}:${sc.lineNo}: timestamp ${t} is not a whole number of milliseconds`);
      } else {
        if (t < mint) mint = t;
        if (t > maxt) maxt = t;
        if (t < from || t >= to || overflowed) continue;
        if (buffer.samples >= maxSamples) overflowed = true;
        else buffer.add(id, t, sc.value, sc.lineNo);
      }
    }
    progress(size > 0 ? bytesRead / size : 1);
  }, opts.chunkBytes);
  return { mint, maxt, overflowed };
}
