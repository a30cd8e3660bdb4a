// `promlet import FILE --data-dir DIR`: backfills OpenMetrics or Prometheus
// text with timestamps (what `promtool tsdb create-blocks-from openmetrics`
// reads) into a data directory, counting imported and rejected samples.

import { readFileSync } from 'node:fs';
import { labelsKey } from '../model/labels.js';
import { ExpositionError, formatOfText, parseExposition, type ParsedSample } from '../exposition/parse.js';
import { appendSamples } from '../exposition/append.js';
import { openDiskDB } from './disk-db.js';
import { type CliIO, UsageError, checkArgs, flagValue, positional } from './args.js';

export const IMPORT_USAGE = `usage: promlet import FILE --data-dir DIR [--format openmetrics|text] [--storage.encoding E]

Backfill samples with timestamps from an OpenMetrics (default for .om files
or a file ending in "# EOF") or Prometheus text file into DIR. Samples
without a timestamp, or older than what DIR already holds for their series,
are rejected and counted.
`;

/** A progress callback that reports each whole percentage once: a large file has more batches than percents. */
export function percentOnce(say: (pct: number) => void): (fraction: number) => void {
  let shown = -1;
  return (f) => {
    const pct = Math.round(f * 100);
    if (pct !== shown) say((shown = pct));
  };
}

export async function importCommand(args: string[], io: CliIO & { isTTY?: boolean }): Promise<number> {
  if (args.includes('--help')) {
    io.out(IMPORT_USAGE);
    return 0;
  }
  const valueFlags = ['--data-dir', '--storage.tsdb.path', '--format', '--storage.encoding'];
  checkArgs(args, { command: 'import', values: valueFlags, maxPositional: 1 });
  const [file] = positional(args, valueFlags);
  const dataDir = flagValue(args, '--data-dir', '--storage.tsdb.path');
  if (!file) throw new UsageError('import needs a file');
  if (!dataDir) throw new UsageError('import needs --data-dir');
  const text = readFileSync(file, 'utf8');
  const format = flagValue(args, '--format') ?? (/\.om$/.test(file) ? 'openmetrics' : formatOfText(text));
  if (format !== 'openmetrics' && format !== 'text') throw new UsageError(`--format: want openmetrics or text, got ${JSON.stringify(format)}`);
  let samples: ParsedSample[];
  try {
    samples = parseExposition(text, format).samples;
  } catch (e) {
    if (e instanceof ExpositionError) {
      io.err(`promlet: ${file}:${e.line}: ${e.message.replace(/^line \d+: /, '')}\n`);
      return 1;
    }
    throw e;
  }
  const encoding = flagValue(args, '--storage.encoding') === 'double-delta' ? 'double-delta' : 'varbit';
  const disk = await openDiskDB(dataDir, { encoding, warn: (m) => io.err(`promlet: ${m}\n`) });
  let result;
  try {
    result = await appendSamples(disk.db, samples, {
      where: file,
      progress: io.isTTY ? percentOnce((pct) => io.err(`\rimporting ${pct}%`)) : undefined,
    });
  } finally {
    await disk.close();
  }
  const { imported, rejected } = result;
  if (io.isTTY && imported > 0) io.err('\n');
  for (const r of rejected.slice(0, 20)) io.err(`${r}\n`);
  if (rejected.length > 20) io.err(`... and ${rejected.length - 20} more rejected samples\n`);
  const series = new Set(samples.filter((s) => s.timestamp !== undefined).map((s) => labelsKey(s.labels))).size;
  io.out(`imported ${imported} samples of ${series} series into ${dataDir}, rejected ${rejected.length}\n`);
  return rejected.length > 0 && imported === 0 ? 1 : 0;
}
