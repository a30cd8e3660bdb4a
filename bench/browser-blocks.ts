// A long-lived browser tab's memory with and without blocks in OPFS: the same
// samples filled hour by hour into openPersistentDB in a dedicated worker of
// headless Chromium, once cutting the head into OPFS blocks and once keeping
// everything in WASM memory (the baseline, measured in the same run).
// WebAssembly memory never shrinks, so its size is the run's peak.

import { resolve } from 'node:path';
import { build } from 'esbuild';
import { launchChromium, serveFiles } from './chromium.js';

interface Result {
  error?: string; mode: string; blocks: number; wasmMemoryBytes: number; wasmAfterFillBytes: number; wasmByHour: number[]; headSamples: number; samples: number;
  cacheBytes: number; fillMs: number; queryMs: number; count: string | null; avg: string | null;
}

export async function browserBlocksBench(quick: boolean, record: (row: Record<string, unknown>) => void): Promise<void> {
  const series = quick ? 500 : 2000, hours = quick ? 24 : 48;
  console.log(`\n## Browser: blocks in OPFS against everything in WASM memory (${series} series × ${hours} h at 60 s, one save per hour)\n`);
  const worker = (await build({
    entryPoints: [resolve('bench/browser-blocks.worker.ts')],
    bundle: true, write: false, format: 'esm', platform: 'browser', target: 'es2022',
  })).outputFiles[0]!.text;
  const { server, url } = await serveFiles({
    '/index.html': '<!doctype html><script type="module">const w = new Worker("/worker.js" + location.search, { type: "module" }); w.onmessage = (e) => (window.__r = e.data); w.onerror = (e) => (window.__r = { error: e.message });</script>',
    '/worker.js': worker,
  });
  const browser = await launchChromium();
  const results: Record<string, Result> = {};
  try {
    for (const mode of ['none', 'opfs']) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${url}index.html?blocks=${mode}&series=${series}&hours=${hours}`);
      await page.waitForFunction(() => (window as { __r?: unknown }).__r !== undefined, undefined, { timeout: 600_000, polling: 500 });
      const r = (await page.evaluate(() => (window as { __r?: unknown }).__r)) as Result;
      await context.close();
      if (r.error) throw new Error(`${mode}: ${r.error}`);
      results[mode] = r;
    }
  } finally {
    await browser.close();
    server.close();
  }
  const base = results.none!, opfs = results.opfs!;
  if (base.count !== opfs.count || base.avg !== opfs.avg) throw new Error(`answers differ: ${JSON.stringify(base)} vs ${JSON.stringify(opfs)}`);
  const mib = (b: number) => (b / 1048576).toFixed(1);
  record({ series, hours, samples: opfs.samples, blocks: opfs.blocks, wasmBytesOpfs: opfs.wasmMemoryBytes, wasmBytesNone: base.wasmMemoryBytes, wasmFillBytesOpfs: opfs.wasmAfterFillBytes, wasmFillBytesNone: base.wasmAfterFillBytes,
    headSamplesOpfs: opfs.headSamples, fillMsOpfs: opfs.fillMs, fillMsNone: base.fillMs, queryMsOpfs: opfs.queryMs, queryMsNone: base.queryMs });
  console.log('| measure | OPFS blocks | all in memory | ratio |');
  console.log('|---|---:|---:|---:|');
  console.log(`| WebAssembly memory after the fill, before querying | ${mib(opfs.wasmAfterFillBytes)} MiB | ${mib(base.wasmAfterFillBytes)} MiB | ${(opfs.wasmAfterFillBytes / base.wasmAfterFillBytes).toFixed(2)} |`);
  console.log(`| WebAssembly memory (peak, after the queries) | ${mib(opfs.wasmMemoryBytes)} MiB | ${mib(base.wasmMemoryBytes)} MiB | ${(opfs.wasmMemoryBytes / base.wasmMemoryBytes).toFixed(2)} |`);
  console.log(`| samples in the head | ${opfs.headSamples} | ${base.headSamples} | ${(opfs.headSamples / base.headSamples).toFixed(2)} |`);
  console.log(`| fill with hourly saves | ${opfs.fillMs.toFixed(0)} ms | ${base.fillMs.toFixed(0)} ms | ${(opfs.fillMs / base.fillMs).toFixed(2)} |`);
  console.log(`| two whole-range queries | ${opfs.queryMs.toFixed(0)} ms | ${base.queryMs.toFixed(0)} ms | ${(opfs.queryMs / base.queryMs).toFixed(2)} |`);
  const curve = (r: Result) => r.wasmByHour.map((b, h) => ((h + 1) % 6 === 0 ? `${h + 1}h ${mib(b)}` : '')).filter(Boolean).join(', ');
  console.log(`\nWebAssembly memory (MiB) as hours are filled: OPFS blocks ${curve(opfs)}; all in memory ${curve(base)}.`);
  console.log(`${opfs.samples} samples, ${opfs.blocks} blocks, block cache holding ${mib(opfs.cacheBytes)} MiB after the queries; answers equal (count ${opfs.count}).`);
}
