// `promlet import FILE --data-dir DIR`: backfills OpenMetrics or Prometheus
// text with timestamps (what `promtool tsdb create-blocks-from openmetrics`
// reads) into a data directory as blocks written directly: no log, no head.
// Each series' samples are sorted; blocks are aligned to the block range
// and overlapping data already in DIR is merged by the next compaction.

import { ExpositionError } from '../exposition/parse.js';
import { formatOfFile, readBackfillFile } from './import-read.js';
import { lockDataDir, readIndex } from './disk-db.js';
import type { CliIO } from './cli.js';
import { UsageError, flagValue, positional } from './commands.js';
import { BackfillBuffer, backfillRanges, fillBackfillBlock } from '../storage/backfill.js';
import { BlockWriter } from '../storage/block-writer.js';
import { writeBlockDir } from './block-dir.js';
import { blocksEncoding } from './disk-blocks.js';
import { parseRetention } from '../storage/db.js';
import { DEFAULT_BLOCK_RANGE } from '../storage/compact.js';
import { ENCODING_IDS, type ChunkEncoding } from '../wasm/codec.js';
import { mkdirSync } from 'node:fs';

export const IMPORT_USAGE = `usage: promlet import FILE --data-dir DIR [--format openmetrics|text] [--storage.encoding E]
                      [--max-block-duration 2h] [--retention 15d]

Backfill samples with timestamps from an OpenMetrics (default for .om files
or a file ending in "# EOF") or Prometheus text file into DIR, as blocks
written directly (like promtool tsdb create-blocks-from openmetrics). Each
series' samples are sorted; samples without a timestamp, and a second value
for the same series and timestamp, are rejected and counted. --retention is
the retention the server will run with: samples older than that before now
are imported, with a warning that the server will delete them.
`;

const iso = (t: number) => new Date(t).toISOString();

/** Prints a progress percentage on a terminal, each value once. */
function progressPrinter(io: CliIO & { isTTY?: boolean }): (fraction: number) => void {
  let shown = -1;
  return (f) => {
    const pct = Math.floor(f * 100);
    if (!io.isTTY || pct === shown) return;
    shown = pct;
    io.err(`\rimporting: ${pct}%`);
  };
}

export async function importCommand(args: string[], io: CliIO & { isTTY?: boolean }): Promise<number> {
  if (args.includes('--help')) {
    io.out(IMPORT_USAGE);
    return 0;
  }
  const valueFlags = ['--data-dir', '--storage.tsdb.path', '--format', '--storage.encoding', '--max-block-duration', '--retention', '--storage.tsdb.retention.time'];
  const [file] = positional(args, valueFlags);
  const dataDir = flagValue(args, '--data-dir', '--storage.tsdb.path');
  if (!file) throw new UsageError('import needs a file');
  if (!dataDir) throw new UsageError('import needs --data-dir');
  const blockRange = parseRetention(flagValue(args, '--max-block-duration') ?? '2h') || DEFAULT_BLOCK_RANGE;
  const retention = parseRetention(flagValue(args, '--retention', '--storage.tsdb.retention.time') ?? '15d');
  const format = flagValue(args, '--format') ?? (/\.om$/.test(file) ? 'openmetrics' : formatOfFile(file));
  if (format !== 'openmetrics' && format !== 'text') throw new UsageError(`--format: want openmetrics or text, got ${JSON.stringify(format)}`);
  // The file is read (and checked) before the directory is touched: bad input leaves it as it was.
  const rejected: string[] = [];
  const buffer = new BackfillBuffer();
  const progress = progressPrinter(io);
  // Reading is most of the work: it counts for 90% of the progress shown.
  progress(0);
  try {
    readBackfillFile(file, format, buffer, rejected, (f) => progress(f * 0.9));
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

    const series = buffer.finish(rejected, (line) => `${file}:${line}`);
    const total = series.reduce((n, s) => n + s.ts.length, 0);
    const ranges = backfillRanges(series, blockRange);
    let done = 0, blocks = 0;
    for (const [mint, maxt] of ranges) {
      const meta = writeBlockDir(dataDir, (sink) => new BlockWriter(encoding, sink), (w) => { done += fillBackfillBlock(series, encoding, mint, maxt, w); }, mint, maxt);
      if (meta) blocks++;
      progress(0.9 + (0.1 * done) / Math.max(1, total));
    }
    progress(1);
    if (io.isTTY) io.err('\n');
    for (const r of rejected.slice(0, 20)) io.err(`${r}\n`);
    if (rejected.length > 20) io.err(`... and ${rejected.length - 20} more rejected samples\n`);
    if (retention > 0 && total > 0) {
      const cutoff = Date.now() - retention;
      let old = 0, oldest = Infinity, newestOld = -Infinity;
      for (const s of series) {
        for (let i = 0; i < s.ts.length && s.ts[i]! < cutoff; i++) {
          old++;
          oldest = Math.min(oldest, s.ts[i]!);
          newestOld = Math.max(newestOld, s.ts[i]!);
        }
      }
      if (old > 0) {
        warn(`${old} of ${total} samples (${iso(oldest)} to ${iso(newestOld)}) are older than the retention window (${iso(cutoff)}, ` +
          `now minus ${flagValue(args, '--retention', '--storage.tsdb.retention.time') ?? '15d'}): a server on ${dataDir} with that retention will delete them once newer samples arrive`);
      }
    }
    io.out(`imported ${total} samples of ${series.length} series into ${dataDir} (${blocks} blocks), rejected ${rejected.length}\n`);
    return rejected.length > 0 && total === 0 ? 1 : 0;
  } finally {
    unlock();
  }
}
