// `promlet import FILE --data-dir DIR`: backfills OpenMetrics or Prometheus
// text with timestamps (what `promtool tsdb create-blocks-from openmetrics`
// reads) into a data directory as blocks written directly: no log, no head.
// Each series' samples are sorted; blocks are aligned to the block range
// and overlapping data already in DIR is merged by the next compaction.

import { ExpositionError } from '../exposition/parse.js';
import { formatOfFile, readBackfillFile } from './import-read.js';
import { lockDataDir, readIndex } from './disk-db.js';
import { type CliIO, UsageError, checkArgs, flagValue, positional } from './args.js';
import { BackfillBuffer, backfillRanges, fillBackfillBlock, type BackfillSeries } from '../storage/backfill.js';
import { labelsKey } from '../model/labels.js';
import { BlockWriter } from '../storage/block-writer.js';
import { writeBlockDir } from './block-dir.js';
import { blocksEncoding } from './disk-blocks.js';
import { parseRetention } from '../storage/db.js';
import { DEFAULT_BLOCK_RANGE } from '../storage/compact.js';
import { ENCODING_IDS, type ChunkEncoding } from '../wasm/codec.js';
import { mkdirSync } from 'node:fs';

export const IMPORT_USAGE = `usage: promlet import FILE --data-dir DIR [--format openmetrics|text] [--storage.encoding E]
                      [--max-block-duration 2h] [--retention 15d] [--max-buffered-samples 20000000]

Backfill samples with timestamps from an OpenMetrics (default for .om files
or a file ending in "# EOF") or Prometheus text file into DIR, as blocks
written directly (like promtool tsdb create-blocks-from openmetrics). Each
series' samples are sorted; samples without a timestamp, and a second value
for the same series and timestamp, are rejected and counted. --retention is
the retention the server will run with: samples older than that before now
are imported, with a warning that the server will delete them.
The file is read as a stream; its samples are held (about 20 bytes each)
until the blocks are written. A file of more than --max-buffered-samples
usable samples is read again once per block range instead (as promtool
does), holding only that range's samples.
`;

/** About 400 MB of buffered samples (20 bytes each) before import falls back to a pass per block. */
const DEFAULT_MAX_BUFFERED = 20_000_000;

const iso = (t: number) => new Date(t).toISOString();

/** Prints a progress percentage on a terminal, each value once, never going back. */
export function progressPrinter(io: CliIO & { isTTY?: boolean }): { (fraction: number): void; shown: number } {
  const show = (f: number) => {
    const pct = Math.floor(f * 100);
    if (!io.isTTY || pct <= show.shown) return;
    show.shown = pct;
    io.err(`\rimporting: ${pct}%`);
  };
  show.shown = -1;
  return show;
}

/** What the import wrote, summed over passes. */
interface Written {
  samples: number;
  blocks: number;
  series: Set<string>;
  old: number;
  oldest: number;
  newestOld: number;
}

/** Writes the blocks of [mint, maxt) ranges holding `series`' samples; counts samples older than `cutoff`. */
function writeSeries(dataDir: string, encoding: ChunkEncoding, series: BackfillSeries[], ranges: [number, number][], cutoff: number, out: Written, progress: (fraction: number) => void): void {
  const total = series.reduce((n, s) => n + s.ts.length, 0);
  let done = 0;
  for (const [mint, maxt] of ranges) {
    const meta = writeBlockDir(dataDir, (sink) => new BlockWriter(encoding, sink), (w) => { done += fillBackfillBlock(series, encoding, mint, maxt, w); }, mint, maxt);
    if (meta) out.blocks++;
    progress(done / Math.max(1, total));
  }
  out.samples += total;
  for (const s of series) {
    out.series.add(labelsKey(s.labels));
    for (let i = 0; i < s.ts.length && s.ts[i]! < cutoff; i++) {
      out.old++;
      out.oldest = Math.min(out.oldest, s.ts[i]!);
      out.newestOld = Math.max(out.newestOld, s.ts[i]!);
    }
  }
}

export async function importCommand(args: string[], io: CliIO & { isTTY?: boolean }): Promise<number> {
  if (args.includes('--help')) {
    io.out(IMPORT_USAGE);
    return 0;
  }
  const valueFlags = ['--data-dir', '--storage.tsdb.path', '--format', '--storage.encoding', '--max-block-duration', '--retention', '--storage.tsdb.retention.time', '--max-buffered-samples'];
  checkArgs(args, { command: 'import', values: valueFlags, maxPositional: 1 });
  const [file] = positional(args, valueFlags);
  const dataDir = flagValue(args, '--data-dir', '--storage.tsdb.path');
  if (!file) throw new UsageError('import needs a file');
  if (!dataDir) throw new UsageError('import needs --data-dir');
  const blockRange = parseRetention(flagValue(args, '--max-block-duration') ?? '2h') || DEFAULT_BLOCK_RANGE;
  const retention = parseRetention(flagValue(args, '--retention', '--storage.tsdb.retention.time') ?? '15d');
  const maxBuffered = Number(flagValue(args, '--max-buffered-samples') ?? DEFAULT_MAX_BUFFERED);
  if (!Number.isSafeInteger(maxBuffered) || maxBuffered < 1) throw new UsageError(`--max-buffered-samples: want a positive whole number, got ${JSON.stringify(flagValue(args, '--max-buffered-samples'))}`);
  const format = flagValue(args, '--format') ?? (/\.om$/.test(file) ? 'openmetrics' : formatOfFile(file));
  if (format !== 'openmetrics' && format !== 'text') throw new UsageError(`--format: want openmetrics or text, got ${JSON.stringify(format)}`);
  // The file is read (and checked) before the directory is touched: bad input leaves it as it was.
  const rejected: string[] = [];
  let buffer = new BackfillBuffer();
  const progress = progressPrinter(io);
  progress(0);
  let read;
  try {
    // Reading is most of the work of a single pass: it counts for 90% of the progress shown.
    // Once the buffer is full it stops: the passes that follow take the rest of the way.
    read = readBackfillFile(file, format, buffer, rejected, (f) => buffer.samples < maxBuffered && progress(f * 0.9), { maxSamples: maxBuffered });
  } catch (e) {
    if (e instanceof ExpositionError) {
      if (io.isTTY) io.err('\n');
      io.err(`promlet: ${file}:${e.line}: ${e.message.replace(/^line \d+: /, '')}\n`);
      return 1;
    }
    throw e;
  }
  mkdirSync(dataDir, { recursive: true });
  const unlock = lockDataDir(dataDir);
  try {
    const warn = (m: string) => io.err(`promlet: ${m}\n`);
    const requested: ChunkEncoding = flagValue(args, '--storage.encoding') === 'double-delta' ? 'double-delta' : 'varbit';
    // A data directory keeps the chunk encoding it was created with.
    const ix = readIndex(dataDir);
    const existing = ix ? (Object.keys(ENCODING_IDS) as ChunkEncoding[]).find((e) => ENCODING_IDS[e] === ix.encoding) : blocksEncoding(dataDir, false, warn);
    const encoding = existing ?? requested;

    const cutoff = retention > 0 ? Date.now() - retention : -Infinity;
    const written: Written = { samples: 0, blocks: 0, series: new Set(), old: 0, oldest: Infinity, newestOld: -Infinity };
    if (!read.overflowed) {
      const series = buffer.finish(rejected, (line) => `${file}:${line}`);
      writeSeries(dataDir, encoding, series, backfillRanges(series, blockRange), cutoff, written, (f) => progress(0.9 + 0.1 * f));
    } else {
      // More samples than may be held: as promtool does, one more pass over
      // the file per block range, keeping only that range's samples.
      buffer = new BackfillBuffer();
      const base = Math.max(0, progress.shown) / 100;
      const first = Math.floor(read.mint / blockRange) * blockRange;
      const passes = Math.floor((read.maxt - first) / blockRange) + 1;
      for (let k = 0; k < passes; k++) {
        const lo = first + k * blockRange;
        const share = (f: number) => progress(base + ((1 - base) * (k + f)) / passes);
        readBackfillFile(file, format, buffer, rejected, (f) => share(0.9 * f), { window: [lo, lo + blockRange] });
        const series = buffer.finish(rejected, (line) => `${file}:${line}`);
        writeSeries(dataDir, encoding, series, [[lo, lo + blockRange]], cutoff, written, (f) => share(0.9 + 0.1 * f));
      }
    }
    progress(1);
    if (io.isTTY) io.err('\n');
    for (const r of rejected.slice(0, 20)) io.err(`${r}\n`);
    if (rejected.length > 20) io.err(`... and ${rejected.length - 20} more rejected samples\n`);
    if (written.old > 0) {
      warn(`${written.old} of ${written.samples} samples (${iso(written.oldest)} to ${iso(written.newestOld)}) are older than the retention window (${iso(cutoff)}, ` +
        `now minus ${flagValue(args, '--retention', '--storage.tsdb.retention.time') ?? '15d'}): a server on ${dataDir} with that retention will delete them once newer samples arrive`);
    }
    io.out(`imported ${written.samples} samples of ${written.series.size} series into ${dataDir} (${written.blocks} blocks), rejected ${rejected.length}\n`);
    return rejected.length > 0 && written.samples === 0 ? 1 : 0;
  } finally {
    unlock();
  }
}
