// Native histograms beside Debian's Prometheus 2.42 on the same data:
// promlet scrapes the deterministic client_golang exporter (protobuf,
// scrape_native_histograms) N times 15 s apart and remote-writes everything
// it stores (send_native_histograms) to Prometheus, so both hold the same
// samples at the same timestamps. Then: bytes per histogram sample in each
// one's chunks (promlet's as its blocks store them; Prometheus's in the
// blocks it compacts from its head, data only in both), and
// the latency of histogram_quantile range queries, with peak RSS beside.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDB, createEngine, Matcher } from '../src/index.js';
import { ScrapeManager } from '../src/scrape/manager.js';
import { MemoryWal, WalWatcher } from '../src/remote/watcher.js';
import { QueueManager } from '../src/remote/queue-manager.js';
import { remoteWriteConfigs } from '../src/remote/config.js';
import { startPrometheus, prometheusVersion } from './prometheus-peer.js';
import { buildHistogramExporter, startHistogramExporter } from './histogram-exporter.js';
import { histogramBytesPerSample, type HistogramSeriesData } from './histograms.js';
import { peakRssMiB } from './process-stats.js';

/** Prometheus's EncHistogram in chunk files. */
const ENC_HISTOGRAM = 2;

/** Data bytes and samples of the integer histogram chunks in the blocks of a Prometheus data directory. */
export function prometheusBlockHistogramChunks(dataDir: string): { blocks: number; chunks: number; bytes: number; samples: number } {
  let blocks = 0, chunks = 0, bytes = 0, samples = 0;
  for (const d of readdirSync(dataDir)) {
    if (!existsSync(join(dataDir, d, 'meta.json'))) continue;
    blocks++;
    for (const f of readdirSync(join(dataDir, d, 'chunks')).sort()) {
      const b = readFileSync(join(dataDir, d, 'chunks', f));
      // Segment header: magic (4), version (1), padding (3); then per chunk: data length (uvarint), encoding (1), data, CRC32 (4).
      let p = 8;
      while (p < b.length) {
        let len = 0, shift = 0;
        for (;;) {
          const c = b[p++]!;
          len += (c & 0x7f) * 2 ** shift;
          if (c < 0x80) break;
          shift += 7;
        }
        const enc = b[p]!;
        if (enc === ENC_HISTOGRAM) {
          chunks++;
          bytes += len;
          samples += b.readUInt16BE(p + 1);
        }
        p += 1 + len + 4;
      }
    }
  }
  return { blocks, chunks, bytes, samples };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const selfPeakRssMiB = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;

export async function histogramPeerBench(quick: boolean, record: (row: Record<string, unknown>) => void): Promise<void> {
  // 4 h or 8 h of 15 s scrapes: past 3 h Prometheus compacts its head's oldest 2 h into a block.
  const N = quick ? 960 : 1920;
  const STEP = 15_000;
  const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;
  const build = buildHistogramExporter();
  const exporter = await startHistogramExporter(build.binary);
  const prom = await startPrometheus({ args: ['--enable-feature=native-histograms', '--web.enable-remote-write-receiver'] });
  const db = await openDB();
  const log = new MemoryWal();
  db.attachWal(log);
  const q = new QueueManager(remoteWriteConfigs({
    remote_write: [{ url: `${prom.url}/api/v1/write`, send_native_histograms: true, queue_config: { max_samples_per_send: 2000, batch_send_deadline: '50ms' } }],
  })[0]!, {});
  const watcher = new WalWatcher(log, [q]);
  watcher.start();
  try {
    const m = new ScrapeManager(db, () => fetch);
    await m.apply({ global: { scrape_interval: '15s' }, scrape_configs: [{ job_name: 'hist', scrape_native_histograms: true, static_configs: [{ targets: [exporter.address] }] }] });
    for (let i = 0; i < N; i++) await m.scrapeAll(T0 + i * STEP);
    m.stop();
    const end = T0 + (N - 1) * STEP;

    // What promlet stores, and that Prometheus has received all of it.
    const qr = db.querier(T0, end);
    const series: HistogramSeriesData[] = [];
    for (const s of qr.select([new Matcher('=~', '__name__', '.+')])) {
      const h = s.samples(T0, end).histograms;
      if (h) series.push({ timestamps: [...h.timestamps], histograms: h.histograms });
    }
    qr.close();
    const histSamples = series.reduce((n, s) => n + s.timestamps.length, 0);
    for (let i = 0; i < 600; i++) {
      const r = await (await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent('count(count_over_time(exporter_batches_total[1d]) == ' + N + ')')}&time=${end / 1000}`)).json() as { data: { result: unknown[] } };
      if (r.data.result.length > 0 && q.stats.pending === 0) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    // Prometheus compacts on its own once its head spans more than 3 h.
    for (let i = 0; i < 1800 && prometheusBlockHistogramChunks(prom.dataDir).chunks === 0; i++) await new Promise((res) => setTimeout(res, 100));
    const p = prometheusBlockHistogramChunks(prom.dataDir);
    const l = await histogramBytesPerSample(series);
    console.log(`\n## Native histograms beside ${prometheusVersion()} (same ${series.length} scraped series, ${N} scrapes 15 s apart, remote-written to Prometheus)\n`);
    console.log('| storage | chunks | samples | bytes per histogram sample |');
    console.log('|---|---:|---:|---:|');
    console.log(`| promlet histogram chunks (as blocks store them) | ${l.chunks} | ${l.samples} | ${l.storedBytesPerSample.toFixed(1)} |`);
    console.log(`| Prometheus 2.42 histogram chunks (its ${p.blocks} compacted block(s)) | ${p.chunks} | ${p.samples} | ${(p.bytes / p.samples).toFixed(1)} |`);
    console.log(`\npromlet / Prometheus: ${(l.storedBytesPerSample / (p.bytes / p.samples)).toFixed(2)} (Prometheus's blocks hold ${p.samples} of the ${histSamples} samples; the rest is in its head)`);
    record({ kind: 'bytes', series: series.length, promletBytesPerSample: l.storedBytesPerSample, prometheusBytesPerSample: p.bytes / p.samples, promletChunks: l.chunks, prometheusChunks: p.chunks });

    // histogram_quantile over the same data, range queries at a 1-minute step.
    const engine = createEngine(db);
    const queries = ['histogram_quantile(0.9, rate(rpc_duration_seconds[5m]))', 'histogram_quantile(0.9, rpc_duration_seconds)', 'histogram_quantile(0.99, response_size_bytes)', 'histogram_count(rpc_duration_seconds)'];
    const runs = quick ? 5 : 15;
    console.log(`\n| range query (${N * STEP / 3_600_000} h, step 60 s) | promlet ms (median of ${runs}) | Prometheus 2.42 ms | promlet / Prometheus |`);
    console.log('|---|---:|---:|---:|');
    for (const expr of queries) {
      const lt: number[] = [], pt: number[] = [];
      let lPoints = 0, pPoints = 0;
      for (let i = 0; i < runs; i++) {
        let t0 = performance.now();
        const lr = await engine.rangeQuery(expr, T0, end, 60_000);
        lt.push(performance.now() - t0);
        lPoints = lr.resultType === 'matrix' ? lr.result.reduce((n, s) => n + (s.values?.length ?? 0), 0) : 0;
        t0 = performance.now();
        const pr = await (await fetch(`${prom.url}/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${T0 / 1000}&end=${end / 1000}&step=60`)).json() as { data: { result: { values?: unknown[] }[] } };
        pt.push(performance.now() - t0);
        pPoints = pr.data.result.reduce((n, s) => n + (s.values?.length ?? 0), 0);
      }
      if (lPoints !== pPoints) throw new Error(`${expr}: promlet answered ${lPoints} points, Prometheus ${pPoints}`);
      console.log(`| \`${expr}\` | ${median(lt).toFixed(2)} | ${median(pt).toFixed(2)} | ${(median(lt) / median(pt)).toFixed(2)} |`);
      record({ kind: 'query', expr, promletMs: median(lt), prometheusMs: median(pt), points: lPoints });
    }
    const rss = { promletMiB: selfPeakRssMiB(), prometheusMiB: peakRssMiB(prom.pid) };
    console.log(`\nPeak RSS: promlet (this process, with the exporter build and scrape) ${rss.promletMiB.toFixed(0)} MiB, Prometheus ${rss.prometheusMiB.toFixed(0)} MiB.`);
    record({ kind: 'rss', ...rss });
  } finally {
    await watcher.stop(1000);
    await db.close();
    await prom.stop();
    await exporter.stop();
    build.cleanup();
  }
}
