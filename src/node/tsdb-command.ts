// `promlet tsdb snapshot --data-dir DIR OUT`: a copy of a data directory
// taken while a server may still be writing to it.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { snapshotDataDir } from './disk-db.js';
import { tsdbAnalyze, tsdbList } from './tsdb-inspect.js';
import { type CliIO, UsageError, checkArgs, flagValue, positional } from './args.js';

export const TSDB_USAGE = `usage: promlet tsdb snapshot --data-dir DIR OUT
       promlet tsdb list DIR [--human-readable]
       promlet tsdb analyze DIR [BLOCK_ID] [--limit 20]

snapshot: copy the data directory DIR to OUT while ingestion may go on; OUT
opens as a data directory (--data-dir OUT) holding every commit made before the copy.
list: the blocks of DIR with their time ranges, samples, chunks, series and bytes.
analyze: cardinality and churn of one block (default: the newest), as promtool's.
`;

export function tsdbCommand(args: string[], io: CliIO): number {
  const [what, out, extra] = positional(args, ['--data-dir', '--storage.tsdb.path', '--limit']);
  if (args.includes('--help') || what === undefined) {
    io.out(TSDB_USAGE);
    return args.includes('--help') ? 0 : 2;
  }
  if (what === 'list' || what === 'analyze') {
    checkArgs(args, what === 'list'
      ? { command: 'tsdb list', values: ['--data-dir', '--storage.tsdb.path'], switches: ['--human-readable'], maxPositional: 2 }
      : { command: 'tsdb analyze', values: ['--data-dir', '--storage.tsdb.path', '--limit'], maxPositional: 3 });
    const dir = out ?? flagValue(args, '--data-dir', '--storage.tsdb.path');
    if (!dir) throw new UsageError(`tsdb ${what} needs a data directory`);
    if (what === 'list') return tsdbList(dir, io, args.includes('--human-readable'));
    return tsdbAnalyze(dir, extra, io, Number(flagValue(args, '--limit') ?? 20));
  }
  if (what !== 'snapshot') throw new UsageError(`tsdb ${what}: want "tsdb snapshot", "tsdb list" or "tsdb analyze"`);
  checkArgs(args, { command: 'tsdb snapshot', values: ['--data-dir', '--storage.tsdb.path'], maxPositional: 2 });
  const dataDir = flagValue(args, '--data-dir', '--storage.tsdb.path');
  if (!dataDir || !out) throw new UsageError('tsdb snapshot needs --data-dir DIR and OUT');
  if (!existsSync(join(dataDir, 'wal'))) throw new UsageError(`${dataDir} is not a promlet data directory (no wal/)`);
  // Writing over another folder would mix two databases' files.
  if (existsSync(out) && (!statSync(out).isDirectory() || readdirSync(out).length > 0)) {
    throw new UsageError(`${out} already exists and is not an empty folder: pick a new output folder`);
  }
  const r = snapshotDataDir(dataDir, out);
  io.out(`snapshot of ${dataDir} written to ${out}: ${r.files} files, ${r.bytes} bytes\n`);
  return 0;
}

/** A snapshot name as Prometheus forms them: 20060102T150405Z-<16 hex digits>. */
export function snapshotName(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const rand = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('');
  return `${stamp}-${rand}`;
}
