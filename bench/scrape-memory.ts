// Memory per scraped series in one process: a scrape loop over an in-process
// fetch of a 50,000-series body (the same shape as ingest.ts's target), then
// the live JavaScript heap (after a full collection) and the WebAssembly
// memory the head holds, divided by the series. With --snapshot, a heap
// snapshot's retained bytes are grouped by constructor to show what holds them.

import { writeHeapSnapshot } from 'node:v8';
import { readFileSync, rmSync } from 'node:fs';
import { openDB } from '../src/index.js';
import { ScrapeLoop } from '../src/scrape/scrape-loop.js';
import { scrapeConfigs, targetsOf } from '../src/scrape/targets.js';

function body(series: number, round: number): string {
  const parts: string[] = [];
  for (let s = 0; s < series; s++) {
    if (s % 100 === 0) parts.push(`# HELP bench_family_${s / 100}_total A benchmark counter.\n# TYPE bench_family_${s / 100}_total counter\n`);
    parts.push(`bench_family_${Math.floor(s / 100)}_total{instance_id="i-${String(s).padStart(6, '0')}",zone="zone-${s % 5}",kind="k${s % 13}"} `, String(s * 1000 + round * 1.5), '\n');
  }
  return parts.join('');
}

export interface ScrapeMemory { series: number; scrapes: number; heapBytesPerSeries: number; wasmBytesPerSeries: number; chunkBytesPerSeries: number }

/** Scrapes `series` series `scrapes` times into a fresh in-memory database and measures what stays. */
export async function scrapeMemory(series: number, scrapes: number, snapshot = false): Promise<ScrapeMemory> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  let round = 0;
  // Bodies are made per request, as a target would; none is kept.
  const fetchFn = (async () => new Response(body(series, ++round), { headers: { 'content-type': 'text/plain; version=0.0.4' } })) as typeof fetch;
  const [cfg] = scrapeConfigs({ scrape_configs: [{ job_name: 'bench', static_configs: [{ targets: ['127.0.0.1:1'] }] }] });
  const target = targetsOf(cfg!).active[0]!;
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  const db = await openDB();
  const wasm0 = db.stats().wasmMemoryBytes;
  const loop = new ScrapeLoop(cfg!, target, db, fetchFn);
  const t0 = Date.now();
  for (let i = 0; i < scrapes; i++) await loop.scrape(t0 + i * 1000);
  if (loop.report.health !== 'up') throw new Error(`scrape failed: ${loop.report.lastError}`);
  gc();
  gc();
  const heap = process.memoryUsage().heapUsed - heap0;
  const st = db.stats();
  if (snapshot) summariseSnapshot();
  const out = {
    series, scrapes, heapBytesPerSeries: heap / series, wasmBytesPerSeries: (st.wasmMemoryBytes - wasm0) / series, chunkBytesPerSeries: st.chunkBytesPerSeries,
  };
  // Kept reachable until measured.
  void loop.cachedSeries;
  await db.close();
  return out;
}

/** Self sizes in a heap snapshot, summed by node type and name, largest first. */
function summariseSnapshot(): void {
  const file = writeHeapSnapshot();
  const snap = JSON.parse(readFileSync(file, 'utf8')) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
  rmSync(file);
  const f = snap.snapshot.meta.node_fields, n = f.length;
  const typeI = f.indexOf('type'), nameI = f.indexOf('name'), sizeI = f.indexOf('self_size');
  const types = snap.snapshot.meta.node_types[0];
  const by = new Map<string, { bytes: number; count: number }>();
  for (let i = 0; i < snap.nodes.length; i += n) {
    const type = types[snap.nodes[i + typeI]!]!;
    const name = type === 'object' || type === 'closure' || type === 'hidden' || type === 'array' ? snap.strings[snap.nodes[i + nameI]!]!.slice(0, 40) : '';
    const k = `${type} ${name}`;
    const e = by.get(k) ?? { bytes: 0, count: 0 };
    e.bytes += snap.nodes[i + sizeI]!;
    e.count++;
    by.set(k, e);
  }
  console.log('| what (type, constructor) | objects | MiB |');
  console.log('|---|---:|---:|');
  for (const [k, e] of [...by].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 25)) console.log(`| ${k} | ${e.count} | ${(e.bytes / 1048576).toFixed(1)} |`);
}

export async function scrapeMemoryBench(quick: boolean, record: (row: Record<string, unknown>) => void): Promise<void> {
  const series = quick ? 5_000 : 50_000, scrapes = quick ? 5 : 30;
  console.log(`\n## Memory per scraped series: ${series.toLocaleString('en')} series scraped ${scrapes} times in one process (live heap after a full collection)\n`);
  const r = await scrapeMemory(series, scrapes, process.argv.includes('--snapshot'));
  record(r as unknown as Record<string, unknown>);
  console.log('| JS heap bytes/series | WASM memory bytes/series | chunk bytes/series |');
  console.log('|---:|---:|---:|');
  console.log(`| ${r.heapBytesPerSeries.toFixed(0)} | ${r.wasmBytesPerSeries.toFixed(0)} | ${r.chunkBytesPerSeries.toFixed(0)} |`);
}
