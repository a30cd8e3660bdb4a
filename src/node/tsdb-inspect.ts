// `promlet tsdb list DIR` and `promlet tsdb analyze DIR [BLOCK]`, after
// promtool's: the blocks of a data directory with their ranges and sizes,
// and one block's cardinality and churn. Read-only: no lock is taken.

import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { blockDirBytes, listBlockDirs, openBlockDir, readBlockMeta } from './block-dir.js';
import { ByteCache } from '../storage/byte-cache.js';
import { readIndex } from './disk-db.js';
import { UsageError } from './commands.js';
import type { CliIO } from './cli.js';

const iso = (t: number) => new Date(t).toISOString();

function duration(ms: number): string {
  const parts: string[] = [];
  for (const [unit, n] of [['d', 86400e3], ['h', 3600e3], ['m', 60e3], ['s', 1e3]] as const) {
    if (ms >= n) {
      parts.push(`${Math.floor(ms / n)}${unit}`);
      ms %= n;
    }
  }
  return parts.join('') || '0s';
}

function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${n}B` : `${n.toFixed(1)}${units[i]}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((v, c) => v.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n') + '\n';
}

export function tsdbList(dir: string, io: CliIO, human: boolean): number {
  if (!existsSync(dir)) throw new UsageError(`${dir}: no such directory`);
  const rows = [['BLOCK ULID', 'MIN TIME', 'MAX TIME', 'DURATION', 'NUM SAMPLES', 'NUM CHUNKS', 'NUM SERIES', 'SIZE']];
  for (const ulid of listBlockDirs(dir, true)) {
    const m = readBlockMeta(join(dir, ulid));
    const size = blockDirBytes(dir, ulid);
    rows.push([
      ulid, human ? iso(m.minTime) : String(m.minTime), human ? iso(m.maxTime) : String(m.maxTime), duration(m.maxTime - m.minTime),
      String(m.stats.numSamples), String(m.stats.numChunks), String(m.stats.numSeries), human ? humanBytes(size) : String(size),
    ]);
  }
  io.out(table(rows));
  const ix = readIndex(dir);
  if (ix) {
    const chunks = ix.series.reduce((n, s) => n + s.chunks.length + (s.open ? 1 : 0), 0);
    io.out(`head (as of its last checkpoint): ${ix.series.length} series, ${chunks} chunks; newer samples are in the write-ahead log\n`);
  }
  return 0;
}

function top(m: Map<string, number>, n = 20): string[] {
  return [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n).map(([k, v]) => `${v} ${k}`);
}

export function tsdbAnalyze(dir: string, blockId: string | undefined, io: CliIO, limit: number): number {
  const blocks = listBlockDirs(dir, true);
  if (blocks.length === 0) throw new UsageError(`${dir}: no blocks to analyze`);
  const ulid = blockId ?? blocks.reduce((a, b) => (readBlockMeta(join(dir, b)).maxTime > readBlockMeta(join(dir, a)).maxTime ? b : a));
  if (!blocks.includes(ulid)) throw new UsageError(`${dir}: no block ${ulid}`);
  const block = openBlockDir(dir, ulid, new ByteCache(16 * 1024 * 1024));
  try {
    const { meta } = block;
    const span = meta.maxTime - meta.minTime;
    io.out(`Block ID: ${ulid}\nDuration: ${duration(span)}\nTotal Series: ${meta.stats.numSeries}\n`);
    const uncoveredByName = new Map<string, number>(), uncoveredByPair = new Map<string, number>(), pairCount = new Map<string, number>();
    const valueLength = new Map<string, number>(), cardinality = new Map<string, Set<string>>(), metricSeries = new Map<string, number>();
    let entries = 0;
    for (const ref of block.all()) {
      const s = block.series(ref);
      // The share of the block's range this series does not cover: series that start or stop inside it churn.
      const uncovered = s.chunks.length === 0 ? span : span - (s.chunks[s.chunks.length - 1]!.maxT - s.chunks[0]!.minT);
      for (const l of s.labels) {
        const pair = `${l.name}=${l.value}`;
        uncoveredByName.set(l.name, (uncoveredByName.get(l.name) ?? 0) + uncovered);
        uncoveredByPair.set(pair, (uncoveredByPair.get(pair) ?? 0) + uncovered);
        pairCount.set(pair, (pairCount.get(pair) ?? 0) + 1);
        entries++;
        let values = cardinality.get(l.name);
        if (!values) cardinality.set(l.name, (values = new Set()));
        if (!values.has(l.value)) {
          values.add(l.value);
          valueLength.set(l.name, (valueLength.get(l.name) ?? 0) + l.value.length);
        }
        if (l.name === '__name__') metricSeries.set(l.value, (metricSeries.get(l.value) ?? 0) + 1);
      }
    }
    const perSpan = (m: Map<string, number>) => new Map([...m].map(([k, v]) => [k, Math.floor(v / Math.max(1, span))]));
    io.out(`Label names: ${cardinality.size}\nPostings (unique label pairs): ${pairCount.size}\nPostings entries (total label pairs): ${entries}\n`);
    const section = (title: string, lines: string[]) => io.out(`\n${title}:\n${lines.join('\n')}${lines.length ? '\n' : ''}`);
    section('Label pairs most involved in churning', top(perSpan(uncoveredByPair), limit));
    section('Label names most involved in churning', top(perSpan(uncoveredByName), limit));
    section('Most common label pairs', top(pairCount, limit));
    section('Label names with highest cumulative label value length', top(valueLength, limit));
    section('Highest cardinality labels', top(new Map([...cardinality].map(([k, v]) => [k, v.size])), limit));
    section('Highest cardinality metric names', top(metricSeries, limit));
  } finally {
    block.close();
  }
  return 0;
}
