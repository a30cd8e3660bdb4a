// A long-lived browser tab's memory with and without blocks: the same
// samples filled hour by hour into openPersistentDB in a dedicated worker of
// headless Chromium, cutting the head into OPFS blocks, into IndexedDB blocks
// (what a page without OPFS gets; queries load the chunks they read), and
// keeping everything in WASM memory (the baseline, measured in the same run).
// WebAssembly memory never shrinks, so its size is the run's peak.

import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { peakRssMiB } from './process-stats.js';
import { build } from 'esbuild';
import { launchChromium, serveFiles } from './chromium.js';

interface Result {
  error?: string; mode: string; blocks: number; wasmMemoryBytes: number; wasmAfterFillBytes: number; wasmByHour: number[]; headSamples: number; samples: number;
  cacheBytes: number; rendererPeakMiB: number; rendererFillPeakMiB: number; queryFetchMs: number; queryFetchBytes: number; indexBytes: number; loadedBytes: number; fillMs: number; queryMs: number; count: string | null; avg: string | null;
}

const parentOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
};
const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8');

/** Renderer processes of the Chromium this process launched (a tab and its workers run in one). */
function ourRenderers(): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    const pid = Number(e);
    if (!Number.isInteger(pid)) continue;
    try {
      if (!cmdline(pid).includes('--type=renderer')) continue;
      for (let at = parentOf(pid), n = 0; at > 1 && n < 6; at = parentOf(at), n++) {
        if (at === process.pid) {
          out.push(pid);
          break;
        }
      }
    } catch { /* gone meanwhile */ }
  }
  return out;
}

export async function browserBlocksBench(quick: boolean, record: (row: Record<string, unknown>) => void): Promise<void> {
  const series = quick ? 500 : 2000, hours = quick ? 24 : 48;
  console.log(`\n## Browser: blocks in OPFS and in IndexedDB against everything in WASM memory (${series} series × ${hours} h at 60 s, one save per hour)\n`);
  const worker = (await build({
    entryPoints: [resolve('bench/browser-blocks.worker.ts')],
    bundle: true, write: false, format: 'esm', platform: 'browser', target: 'es2022',
  })).outputFiles[0]!.text;
  const { server, url } = await serveFiles({
    '/index.html': '<!doctype html><script type="module">const w = new Worker("/worker.js" + location.search, { type: "module" }); window.__w = w; w.onmessage = (e) => { if (e.data.filled) window.__filled = true; else window.__r = e.data; }; w.onerror = (e) => (window.__r = { error: e.message });</script>',
    '/worker.js': worker,
  });
  const browser = await launchChromium();
  const results: Record<string, Result> = {};
  try {
    for (const mode of ['none', 'opfs', 'indexeddb']) {
      const context = await browser.newContext();
      const before = new Set(ourRenderers());
      const page = await context.newPage();
      await page.goto(`${url}index.html?blocks=${mode}&series=${series}&hours=${hours}`);
      await page.waitForFunction(() => (window as { __filled?: boolean; __r?: unknown }).__filled || (window as { __r?: unknown }).__r !== undefined, undefined, { timeout: 600_000, polling: 500 });
      const tab = () => ourRenderers().filter((pid) => !before.has(pid));
      const fillPeakMiB = tab().reduce((n, pid) => n + peakRssMiB(pid), 0);
      await page.evaluate(() => (window as unknown as { __w: Worker }).__w.postMessage('go'));
      await page.waitForFunction(() => (window as { __r?: unknown }).__r !== undefined, undefined, { timeout: 600_000, polling: 500 });
      const r = (await page.evaluate(() => (window as { __r?: unknown }).__r)) as Result;
      // The tab's renderer process (the worker runs in it) started with this context: its high-water mark is the tab's peak.
      r.rendererPeakMiB = tab().reduce((n, pid) => n + peakRssMiB(pid), 0);
      r.rendererFillPeakMiB = fillPeakMiB;
      await context.close();
      if (r.error) throw new Error(`${mode}: ${r.error}`);
      results[mode] = r;
    }
  } finally {
    await browser.close();
    server.close();
  }
  const base = results.none!, opfs = results.opfs!, idb = results.indexeddb!;
  for (const r of [opfs, idb]) if (base.count !== r.count || base.avg !== r.avg) throw new Error(`answers differ: ${JSON.stringify(base)} vs ${JSON.stringify(r)}`);
  const mib = (b: number) => (b / 1048576).toFixed(1);
  record({ series, hours, samples: opfs.samples, blocks: opfs.blocks, blocksIdb: idb.blocks, wasmBytesOpfs: opfs.wasmMemoryBytes, wasmBytesIdb: idb.wasmMemoryBytes, wasmBytesNone: base.wasmMemoryBytes,
    wasmFillBytesOpfs: opfs.wasmAfterFillBytes, wasmFillBytesIdb: idb.wasmAfterFillBytes, wasmFillBytesNone: base.wasmAfterFillBytes,
    headSamplesOpfs: opfs.headSamples, headSamplesIdb: idb.headSamples, fillMsOpfs: opfs.fillMs, fillMsIdb: idb.fillMs, fillMsNone: base.fillMs,
    queryMsOpfs: opfs.queryMs, queryMsIdb: idb.queryMs, queryMsNone: base.queryMs, idbIndexBytes: idb.indexBytes, rendererPeakMiBOpfs: opfs.rendererPeakMiB, rendererPeakMiBIdb: idb.rendererPeakMiB, rendererPeakMiBNone: base.rendererPeakMiB,
    rendererFillPeakMiBOpfs: opfs.rendererFillPeakMiB, rendererFillPeakMiBIdb: idb.rendererFillPeakMiB, rendererFillPeakMiBNone: base.rendererFillPeakMiB, idbCacheBytes: idb.cacheBytes, idbQueryFetchMs: idb.queryFetchMs, idbQueryFetchBytes: idb.queryFetchBytes });
  const row = (what: string, f: (r: Result) => number, show: (n: number) => string) =>
    console.log(`| ${what} | ${show(f(opfs))} | ${show(f(idb))} | ${show(f(base))} | ${(f(opfs) / f(base)).toFixed(2)} | ${(f(idb) / f(base)).toFixed(2)} |`);
  const MiB = (n: number) => `${mib(n)} MiB`, ms = (n: number) => `${n.toFixed(0)} ms`;
  console.log('| measure | OPFS blocks | IndexedDB blocks | all in memory | OPFS ratio | IndexedDB ratio |');
  console.log('|---|---:|---:|---:|---:|---:|');
  row('WebAssembly memory after the fill, before querying', (r) => r.wasmAfterFillBytes, MiB);
  row('WebAssembly memory (peak, after the queries)', (r) => r.wasmMemoryBytes, MiB);
  row('samples in the head', (r) => r.headSamples, String);
  row('peak RSS of the tab\'s renderer process, through the fill', (r) => r.rendererFillPeakMiB, (n) => `${n.toFixed(0)} MiB`);
  row('peak RSS of the tab\'s renderer process, after the queries', (r) => r.rendererPeakMiB, (n) => `${n.toFixed(0)} MiB`);
  row('fill with hourly saves', (r) => r.fillMs, ms);
  row('two whole-range queries', (r) => r.queryMs, ms);
  const curve = (r: Result) => r.wasmByHour.map((b, h) => ((h + 1) % 6 === 0 ? `${h + 1}h ${mib(b)}` : '')).filter(Boolean).join(', ');
  console.log(`\nWebAssembly memory (MiB) as hours are filled: OPFS blocks ${curve(opfs)}; IndexedDB blocks ${curve(idb)}; all in memory ${curve(base)}.`);
  console.log(`${opfs.samples} samples; ${opfs.blocks} OPFS blocks, ${idb.blocks} IndexedDB blocks; block cache after the queries ${mib(opfs.cacheBytes)} / ${mib(idb.cacheBytes)} MiB; ` +
    `IndexedDB indexes held in memory ${mib(idb.indexBytes)} MiB, chunk pages still loaded ${idb.loadedBytes} bytes, ` +
    `the queries read ${mib(idb.queryFetchBytes)} MiB of pages from IndexedDB in ${idb.queryFetchMs.toFixed(0)} ms; answers equal (count ${opfs.count}).`);
}
