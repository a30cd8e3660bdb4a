// npm run bench [-- --json FILE] [--corpus DIR] [--quick] [--only storage|codec|head|parser|query|http|responsiveness|exposition|restart|remote-write|remote-receivers|intake|remote-write-receive|scrape|scrape-memory|playground|blocks|ui|browser-blocks|out-of-order|dashboard|import|histograms|histogram-peer|histogram-query|histogram-output|large-directory|open-directory|maintenance-load] [--repeats N]
// Figures, not pass/fail: bytes per sample per encoding (and Prometheus 2.x
// XOR on the same data), WASM vs plain-TypeScript codec throughput, head
// append throughput and memory per series. All ratios come from one run.

import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Bench } from 'tinybench';
import { encodeChunks, decodeChunk, openDB, type ChunkEncoding } from '../src/index.js';
import { encodingId, reduceList } from '../src/wasm/codec.js';
import { wasm, mem } from '../src/wasm/loader.js';
import { encodeVarbit, decodeVarbit } from './reference/varbit.js';
import { encodeDoubleDelta, decodeDoubleDelta } from './reference/doubledelta.js';
import { shapeSeries, replayExposition, rng, START, INTERVAL, type SeriesData, type Shape } from './data.js';
import { prometheusBytesPerSample } from './promtool.js';
import { parserBench } from './parser.js';
import { queryBench } from './query.js';
import { httpBench } from './http.js';
import { responsivenessBench } from './responsiveness.js';
import { maintenanceLoadBench } from './maintenance-load.js';
import { expositionBench } from './exposition.js';
import { restartBench } from './restart.js';
import { playgroundBench } from './playground.js';
import { uiBench } from './ui.js';
import { remoteWriteBench } from './remote-write.js';
import { remoteReceiversBench } from './remote-receivers.js';
import { remoteWriteReceiveBench, scrapeCpuBench } from './ingest.js';
import { scrapeMemoryBench } from './scrape-memory.js';
import { intakeBench } from './intake.js';
import { blocksBench, importBench, largeDirectory } from './blocks.js';
import { openDirectoryBench } from './open-directory.js';
import { browserBlocksBench } from './browser-blocks.js';
import { outOfOrderBench } from './out-of-order.js';
import { dashboardBench } from './dashboard.js';
import { recordResults } from './results-db.js';
import { histogramsBench } from './histograms.js';
import { histogramPeerBench } from './histogram-peer.js';
import { histogramQueryBench } from './histogram-query.js';
import { histogramOutputBench } from './histogram-output.js';

const args = process.argv.slice(2);
const argOf = (flag: string) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const jsonOut = argOf('--json');
const corpus = resolve(argOf('--corpus') ?? '../shared/corpus');
const quick = args.includes('--quick');

const ENCODINGS: ChunkEncoding[] = ['varbit', 'double-delta'];
const REFERENCE = {
  varbit: { encode: encodeVarbit, decode: decodeVarbit },
  'double-delta': { encode: encodeDoubleDelta, decode: decodeDoubleDelta },
};
const results: Record<string, unknown>[] = [];
const record = (section: string, row: Record<string, unknown>) => results.push({ section, ...row });

function datasets(): { name: string; series: SeriesData[] }[] {
  const n = quick ? 1440 : 5760; // 6 h or 24 h at 15 s
  const out: { name: string; series: SeriesData[] }[] = (['gauge', 'counter', 'constant', 'histogram'] as Shape[]).map(
    (shape, i) => ({ name: shape, series: shapeSeries(shape, n, 100 + i) }),
  );
  const dir = join(corpus, 'exposition');
  if (existsSync(dir)) {
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.txt') && !f.includes('openmetrics')).sort()) {
      out.push({ name: f.replace(/\.txt$/, ''), series: replayExposition(readFileSync(join(dir, f), 'utf8'), 6, 7) });
    }
  } else {
    console.error(`no exposition fixtures at ${dir}; pass --corpus DIR`);
  }
  return out;
}

function bytesPerSample(): void {
  console.log('\n## Bytes per sample (whole 1024-byte chunks; Prometheus XOR: chunks/ files of promtool-built blocks)\n');
  console.log('| data | series | samples | varbit | double-delta | Prometheus 2.x XOR | varbit / XOR |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const { name, series } of datasets()) {
    const samples = series.reduce((n, s) => n + s.timestamps.length, 0);
    const bps: Record<string, number> = {};
    for (const enc of ENCODINGS) {
      let chunks = 0;
      for (const s of series) chunks += encodeChunks(enc, s.timestamps, s.values).length;
      bps[enc] = (chunks * 1024) / samples;
    }
    const prom = prometheusBytesPerSample(series);
    const row = { data: name, series: series.length, samples, varbit: bps.varbit, doubleDelta: bps['double-delta'], prometheusXor: prom?.bytesPerSample ?? null };
    record('bytesPerSample', row);
    const f = (x: number | null | undefined) => (x == null ? 'n/a' : x.toFixed(3));
    console.log(`| ${name} | ${series.length} | ${samples} | ${f(bps.varbit)} | ${f(bps['double-delta'])} | ${f(prom?.bytesPerSample)} | ${prom ? (bps.varbit! / prom.bytesPerSample).toFixed(2) : 'n/a'} |`);
  }
}

async function codecThroughput(): Promise<void> {
  console.log('\n## Codec throughput, WASM vs plain TypeScript (same data, same run)\n');
  console.log('decode: decodeChunk per chunk (copies in and out). reduce: sum/count/min/max/first/last over the');
  console.log('whole series; WASM scans chunks already in its memory (the head read path), TS decodes then loops.\n');
  console.log('| encoding | data | op | WASM Msamples/s | TS Msamples/s | WASM / TS |');
  console.log('|---|---|---|---:|---:|---:|');
  for (const enc of ENCODINGS) {
    for (const shape of ['counter', 'gauge'] as Shape[]) {
      const s = shapeSeries(shape, 100_000, 9)[0]!;
      const n = s.timestamps.length;
      const wasmChunks = encodeChunks(enc, s.timestamps, s.values);
      const tsChunks = REFERENCE[enc].encode(s.timestamps, s.values);
      // Chunks placed in WASM memory once, as the head keeps them.
      const id = encodingId(enc);
      const ptrs = wasmChunks.map((c) => {
        const p = wasm.chunkNew(id);
        mem().u8.set(c, p);
        return p;
      });
      let sink = 0;
      const bench = new Bench({ time: quick ? 300 : 1500, warmupTime: 200 });
      bench
        .add('wasm encode', () => void encodeChunks(enc, s.timestamps, s.values))
        .add('ts encode', () => void REFERENCE[enc].encode(s.timestamps, s.values))
        .add('wasm decode', () => { for (const c of wasmChunks) decodeChunk(c); })
        .add('ts decode', () => { for (const c of tsChunks) REFERENCE[enc].decode(c); })
        .add('wasm reduce', () => { sink += reduceList(ptrs, id, -Infinity, Infinity)[1]!; })
        .add('ts reduce', () => {
          // Decode, then the same Kahan-Neumaier sum, count, min, max, first, last.
          let sum = 0, c = 0, n = 0, min = NaN, max = NaN, last = NaN;
          for (const ch of tsChunks) {
            const d = REFERENCE[enc].decode(ch);
            for (let i = 0; i < d.values.length; i++) {
              const v = d.values[i]!;
              const t = sum + v;
              if (Math.abs(sum) >= Math.abs(v)) c += sum - t + v;
              else c += v - t + sum;
              sum = t;
              if (!(v >= min)) min = v;
              if (!(v <= max)) max = v;
              last = v;
              n++;
            }
          }
          sink += sum + c + n + min + max + last;
        });
      await bench.run();
      for (const p of ptrs) wasm.chunkFree(p);
      if (sink === 42) console.log('');
      const rate = (name: string) => {
        const t = bench.tasks.find((x) => x.name === name)!.result;
        return t.state === 'completed' ? n / t.latency.mean / 1000 : NaN;
      };
      for (const op of ['encode', 'decode', 'reduce']) {
        const w = rate(`wasm ${op}`), t = rate(`ts ${op}`);
        record('codec', { encoding: enc, data: shape, op, wasmMsps: w, tsMsps: t, ratio: w / t });
        console.log(`| ${enc} | ${shape} | ${op} | ${w.toFixed(1)} | ${t.toFixed(1)} | ${(w / t).toFixed(2)} |`);
      }
    }
  }
}

async function headAppend(): Promise<void> {
  console.log('\n## Head append (10,000 series, 1M samples, one commit per scrape round) and memory per series\n');
  console.log('| encoding | Msamples/s (best of 3) | chunk bytes/series | JS heap bytes/series | WASM memory bytes/series |');
  console.log('|---|---:|---:|---:|---:|');
  const SERIES = 10_000, ROUNDS = 100;
  const labels = Array.from({ length: SERIES }, (_, i) => ({
    __name__: `metric_${i % 100}`, instance: `host-${Math.floor(i / 100)}:9100`, job: 'node',
  }));
  const r = rng(5);
  const values = Float64Array.from({ length: SERIES }, () => Math.floor(r() * 1000));
  const gc = (globalThis as { gc?: () => void }).gc;
  for (const enc of ENCODINGS) {
    let best = Infinity;
    let heapPerSeries = NaN, chunkPerSeries = NaN, wasmPerSeries = NaN;
    for (let rep = 0; rep < 3; rep++) {
      gc?.();
      const heap0 = process.memoryUsage().heapUsed;
      const db = await openDB({ encoding: enc });
      const refs = new Array<number>(SERIES);
      // Series creation is not part of the append figure: make them first.
      const first = db.appender();
      for (let i = 0; i < SERIES; i++) refs[i] = first.append(labels[i]!, START, values[i]!);
      await first.commit();
      const t0 = performance.now();
      for (let round = 1; round <= ROUNDS; round++) {
        const app = db.appender();
        const t = START + round * INTERVAL;
        for (let i = 0; i < SERIES; i++) app.append(refs[i]!, t, (values[i]! += i % 7));
        await app.commit();
      }
      const ms = performance.now() - t0;
      best = Math.min(best, ms);
      gc?.();
      const st = db.stats();
      heapPerSeries = (process.memoryUsage().heapUsed - heap0) / SERIES;
      chunkPerSeries = st.chunkBytesPerSeries;
      wasmPerSeries = st.wasmMemoryBytes / SERIES;
      await db.close();
    }
    const msps = (SERIES * ROUNDS) / best / 1000;
    record('headAppend', { encoding: enc, msps, chunkPerSeries, heapPerSeries: gc ? heapPerSeries : null, wasmPerSeries });
    console.log(`| ${enc} | ${msps.toFixed(2)} | ${chunkPerSeries.toFixed(0)} | ${gc ? heapPerSeries.toFixed(0) : 'n/a (run with --expose-gc)'} | ${wasmPerSeries.toFixed(0)} |`);
  }
}

// --only storage|codec|head|parser|query|http|exposition|restart runs one section.
const only = argOf('--only');
const run = (name: string) => only === undefined || only === name;
if (run('storage')) bytesPerSample();
if (run('codec')) await codecThroughput();
if (run('head')) await headAppend();
if (run('parser')) await parserBench(corpus, quick, (row) => record('parser', row));
if (run('query')) await queryBench(quick, (row) => record('query', row));
if (run('exposition')) await expositionBench(corpus, quick, (row) => record('exposition', row));
if (run('http')) await httpBench(quick, (row) => record('http', row));
if (run('responsiveness')) await responsivenessBench(quick, (row) => record('responsiveness', row));
if (run('restart')) await restartBench(quick, (row) => record('restart', row));
if (run('remote-write')) await remoteWriteBench(quick, (row) => record('remote-write', row));
if (run('remote-receivers')) await remoteReceiversBench(quick, (row) => record('remote-receivers', row));
if (run('remote-write-receive')) await remoteWriteReceiveBench(quick, (row) => record('remote-write-receive', row));
if (run('scrape')) await scrapeCpuBench(quick, (row) => record('scrape', row));
if (run('scrape-memory')) await scrapeMemoryBench(quick, (row) => record('scrape-memory', row));
if (run('intake')) await intakeBench(quick, (row) => record('intake', row));
if (run('playground')) await playgroundBench(quick, (row) => record('playground', row));
if (run('blocks')) await blocksBench(corpus, quick, (row) => record('blocks', row));
if (run('ui')) await uiBench(quick, (row) => record('ui', row));
if (run('browser-blocks')) await browserBlocksBench(quick, (row) => record('browser-blocks', row));
if (run('out-of-order')) await outOfOrderBench(quick, (row) => record('out-of-order', row));
if (run('dashboard')) await dashboardBench(quick, (row) => record('dashboard', row));
if (run('histograms')) await histogramsBench(quick, (row) => record('histograms', row));
if (run('histogram-peer')) await histogramPeerBench(quick, (row) => record('histogram-peer', row));
if (run('histogram-query')) await histogramQueryBench(quick, (row) => record('histogram-query', row));
if (run('histogram-output')) await histogramOutputBench(quick, (row) => record('histogram-output', row));
// The import figures of `blocks` alone; not run twice in a full run.
if (only === 'import') await importBench(corpus, quick, (row) => record('blocks', row));
// The large served directory of `blocks` alone.
if (only === 'large-directory') await largeDirectory(quick, (row) => record('blocks', { part: 'largeDirectory', ...row }));
// Cutting and merging blocks while queries run without pause (maintenance-load.ts).
if (only === 'maintenance-load') await maintenanceLoadBench(quick, (row) => record('blocks', { part: 'maintenanceLoad', ...row }));
// Opening a 1 GB data directory, start to ready (writes one unless PROMLET_BENCH_OPEN_DIR names it).
if (only === 'open-directory') await openDirectoryBench(quick, (row) => record('blocks', row));
await recordResults(results, quick);
if (jsonOut) {
  writeFileSync(jsonOut, JSON.stringify({ node: process.version, date: new Date().toISOString(), results }, null, 2));
  console.log(`\nwrote ${jsonOut}`);
}
