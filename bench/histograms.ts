// Native histogram storage figures: bytes per histogram sample in promlet's
// chunks (as blocks store them, and as the head allocates them), beside the
// float samples the same data takes as a counter and as a classic histogram
// (_bucket per le, _sum, _count); append and decode rates; peak RSS.
// histogramBytesPerSample is the reusable part (e.g. for scraped data).

import { openDB, encodeChunks, Matcher } from '../src/index.js';
import type { FloatHistogram } from '../src/model/histogram.js';
import { encodeHistogramRun } from '../src/storage/histogram-runs.js';
import { decodeHistogramChunks } from '../src/wasm/histogram-codec.js';
import { latencySeries } from './histogram-data.js';

export interface HistogramSeriesData {
  timestamps: number[];
  histograms: FloatHistogram[];
}

export interface HistogramStorageFigures {
  series: number;
  samples: number;
  chunks: number;
  /** Chunk bytes as blocks store them (trimmed; without the per-chunk length and CRC of the chunk file). */
  storedBytes: number;
  storedBytesPerSample: number;
  /** The head's allocation: whole 1024-byte chunks (larger only for histograms that need more). */
  headBytesPerSample: number;
}

/** Bytes per histogram sample of `series` in promlet's histogram chunks. */
export async function histogramBytesPerSample(series: readonly HistogramSeriesData[]): Promise<HistogramStorageFigures> {
  let samples = 0, chunks = 0, storedBytes = 0;
  for (const s of series) {
    samples += s.timestamps.length;
    const cs = encodeHistogramRun({ timestamps: s.timestamps, histograms: s.histograms });
    chunks += cs.length;
    for (const c of cs) storedBytes += c.bytes.length;
  }
  const db = await openDB();
  const rounds = Math.max(...series.map((s) => s.timestamps.length));
  for (let i = 0; i < rounds; i++) {
    const app = db.appender();
    series.forEach((s, k) => {
      if (i < s.timestamps.length) app.appendHistogram!({ __name__: 'h', series: String(k) }, s.timestamps[i]!, s.histograms[i]!);
    });
    await app.commit();
  }
  const headBytes = db.stats().chunkBytes;
  await db.close();
  return { series: series.length, samples, chunks, storedBytes, storedBytesPerSample: storedBytes / samples, headBytesPerSample: headBytes / samples };
}

const LE = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The classic histogram a client would expose for h (default client_golang buckets): cumulative counts per le, then sum and count. */
function classic(h: FloatHistogram): number[] {
  const base = 2 ** (2 ** -h.schema);
  const cum = LE.map(() => 0);
  let idx = 0, k = 0;
  for (const sp of h.positiveSpans) {
    idx += sp.offset;
    for (let j = 0; j < sp.length; j++, idx++, k++) {
      const upper = base ** idx;
      LE.forEach((le, i) => { if (upper <= le) cum[i]! += h.positiveBuckets[k]!; });
    }
  }
  return [...cum.map((c) => c + h.zeroCount), h.sum, h.count];
}

export async function histogramsBench(quick: boolean, record: (row: Record<string, unknown>) => void): Promise<void> {
  const SERIES = quick ? 20 : 100;
  const N = quick ? 1440 : 5760; // 6 h or 24 h at 15 s
  const START = 1_700_000_000_000, STEP = 15_000;
  const data: HistogramSeriesData[] = Array.from({ length: SERIES }, (_, k) => {
    const histograms = latencySeries(N, 1000 + k, false, 0.35);
    return { timestamps: histograms.map((_, i) => START + i * STEP), histograms };
  });
  const buckets = data.reduce((n, s) => n + s.histograms[N - 1]!.positiveBuckets.length, 0) / SERIES;
  console.log(`\n## Native histograms: bytes per sample (${SERIES} client_golang-like latency histograms, schema 3, ~${buckets.toFixed(0)} buckets at the end, ${N} scrapes 15 s apart)\n`);
  const f = await histogramBytesPerSample(data);

  // The same data as float samples: the count alone (a counter), and the classic histogram's 13 series.
  let counterBytes = 0, classicBytes = 0;
  for (const s of data) {
    const ts = Float64Array.from(s.timestamps);
    counterBytes += encodeChunks('varbit', ts, Float64Array.from(s.histograms.map((h) => h.count))).length * 1024;
    const cls = s.histograms.map(classic);
    for (let j = 0; j < cls[0]!.length; j++) classicBytes += encodeChunks('varbit', ts, Float64Array.from(cls.map((c) => c[j]!))).length * 1024;
  }
  const samples = f.samples;
  console.log('| storage | bytes per scrape of one histogram | ratio to native (stored) |');
  console.log('|---|---:|---:|');
  console.log(`| native histogram chunk, stored (block) | ${f.storedBytesPerSample.toFixed(1)} | 1.00 |`);
  console.log(`| native histogram chunk, head allocation (whole chunks) | ${f.headBytesPerSample.toFixed(1)} | ${(f.headBytesPerSample / f.storedBytesPerSample).toFixed(2)} |`);
  console.log(`| classic histogram: ${LE.length} _bucket + _sum + _count float series (varbit, whole chunks) | ${(classicBytes / samples).toFixed(1)} | ${(classicBytes / samples / f.storedBytesPerSample).toFixed(2)} |`);
  console.log(`| one float counter (its _count alone; varbit, whole chunks) | ${(counterBytes / samples).toFixed(2)} | ${(counterBytes / samples / f.storedBytesPerSample).toFixed(2)} |`);
  console.log(`\n${f.chunks} chunks, ${(f.samples / f.chunks).toFixed(1)} samples per chunk.`);

  // Rates: append through the head (one commit per scrape round), and decoding the stored chunks.
  const appendMs = await bestOf(3, async () => {
    const db = await openDB();
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const app = db.appender();
      for (let k = 0; k < SERIES; k++) app.appendHistogram!({ __name__: 'h', k: String(k) }, data[k]!.timestamps[i]!, data[k]!.histograms[i]!);
      await app.commit();
    }
    const ms = performance.now() - t0;
    const q = db.querier(-Infinity, Infinity);
    // Keep the read honest: every series comes back whole.
    for (const s of q.select([new Matcher('=', '__name__', 'h')])) if (s.samples(-Infinity, Infinity).histograms!.timestamps.length !== N) throw new Error('lost samples');
    q.close();
    await db.close();
    return ms;
  });
  const stored = data.map((s) => encodeHistogramRun({ timestamps: s.timestamps, histograms: s.histograms }).map((c) => c.bytes));
  const decodeMs = await bestOf(3, async () => {
    const t0 = performance.now();
    let n = 0;
    for (const cs of stored) n += decodeHistogramChunks(cs).timestamps.length;
    if (n !== samples) throw new Error('decode lost samples');
    return performance.now() - t0;
  });
  const rss = process.resourceUsage().maxRSS * 1024;
  console.log(`\n| operation | histograms/s (best of 3) |\n|---|---:|`);
  console.log(`| append (head, ${SERIES} series per commit) | ${(samples / appendMs * 1000).toFixed(0)} |`);
  console.log(`| decode stored chunks into FloatHistogram objects | ${(samples / decodeMs * 1000).toFixed(0)} |`);
  console.log(`\npeak RSS of the benchmark process so far: ${(rss / 2 ** 20).toFixed(0)} MiB`);
  record({
    ...f, buckets, classicBytesPerScrape: classicBytes / samples, counterBytesPerSample: counterBytes / samples,
    appendPerSec: samples / appendMs * 1000, decodePerSec: samples / decodeMs * 1000, peakRss: rss,
  });
}

async function bestOf(n: number, f: () => Promise<number>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < n; i++) best = Math.min(best, await f());
  return best;
}
