// The storage read path alone, per sample (docs/QUERY-SPEED.md "Reading
// samples"): a querier over the dashboard benchmark's blocks selects a
// metric's series and reads every sample of them, as the engine's selection
// does (Series.samples over the whole range), through the chunk cache warm
// after the first pass. Prints CPU ns per sample read (median of `--runs`
// after `--warm`), the heap allocated per sample (the JavaScript heap, and
// array buffers' memory outside it), and peak RSS; then the WebAssembly
// decode alone (bench/decode-kernel.ts) over the bucket series' samples and
// over a constant series.
//
// `--root DIR` measures another build (its dist/ is imported), so a base
// commit and a change can be run alternately over the same `--data`
// directory (made by bench/engine-cpu.ts, or `promlet import`).
//
//   npx tsx bench/read-path.ts --data /tmp/dash --root /tmp/base-checkout

import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg } from './cli-arg.js';
import { peakRssMiB } from './process-stats.js';
import { constantSeries, decodeNsPerSample, type SampleRuns } from './decode-kernel.js';

const here = dirname(fileURLToPath(import.meta.url));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

const METRICS = ['demo_api_request_duration_seconds_bucket', 'demo_cpu_usage_seconds_total', 'demo_memory_usage_bytes'];

async function main(): Promise<void> {
  const root = resolve(arg('--root') ?? join(here, '..'));
  const data = arg('--data');
  if (!data) throw new Error('--data DIR: a promlet data directory (see bench/engine-cpu.ts)');
  const runs = Number(arg('--runs') ?? 30), warm = Number(arg('--warm') ?? 5);
  const { openDiskDB } = await import(join(root, 'dist/src/node/disk-db.js'));
  const { Matcher } = await import(join(root, 'dist/src/model/matcher.js'));
  const handle = await openDiskDB(data, { readOnly: true });
  const db = handle.db ?? handle;
  const out: Record<string, { nsPerSample: number; bytesPerSample: number; arrayBytesPerSample: number; samples: number }> = {};
  const kept: SampleRuns[] = [];
  for (const metric of METRICS) {
    const matchers = [new Matcher('=', '__name__', metric)];
    let samples = 0;
    const once = () => {
      const q = db.querier(-Infinity, Infinity);
      try {
        let n = 0;
        for (const s of q.select(matchers)) n += s.samples(-8.64e15, 8.64e15).timestamps.length;
        return n;
      } finally {
        q.close();
      }
    };
    const cpu: number[] = [], heap: number[] = [], arrays: number[] = [];
    for (let i = 0; i < warm + runs; i++) {
      const m0 = process.memoryUsage();
      const c0 = process.cpuUsage();
      samples = once();
      const c = process.cpuUsage(c0);
      const m = process.memoryUsage();
      const h = m.heapUsed - m0.heapUsed, a = m.arrayBuffers - m0.arrayBuffers;
      if (i >= warm) {
        cpu.push(((c.user + c.system) * 1000) / samples);
        if (h > 0) heap.push(h / samples);
        if (a >= 0) arrays.push(a / samples);
      }
    }
    out[metric] = { nsPerSample: median(cpu), bytesPerSample: heap.length ? median(heap) : NaN, arrayBytesPerSample: arrays.length ? median(arrays) : NaN, samples };
    if (metric === METRICS[0]) {
      const q = db.querier(-Infinity, Infinity);
      try {
        for (const s of q.select(matchers)) {
          const b = s.samples(-8.64e15, 8.64e15);
          kept.push({ timestamps: b.timestamps.slice(), values: b.values.slice() });
        }
      } finally {
        q.close();
      }
    }
  }
  const decode = {
    bucketNsPerSample: await decodeNsPerSample(root, kept, runs),
    constantNsPerSample: await decodeNsPerSample(root, [constantSeries(1_000_000)], runs),
  };
  await handle.close?.();
  const m = process.memoryUsage();
  const { mem } = await import(join(root, 'dist/src/wasm/loader.js'));
  console.log(JSON.stringify({ root, metrics: out, decode, peakRssMiB: peakRssMiB(process.pid), heapMiB: m.heapTotal / 2 ** 20, externalMiB: m.external / 2 ** 20, arrayBuffersMiB: m.arrayBuffers / 2 ** 20, wasmMiB: mem().u8.byteLength / 2 ** 20 }));
}

await main();
