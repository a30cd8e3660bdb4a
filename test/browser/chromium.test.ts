import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Server } from 'node:http';
import { launchChromium, serveFiles } from '../support/chromium.js';

describe('the same build in headless Chromium', () => {
  let browser: Browser;
  let server: Server;
  let url: string;

  const bundle = async (entry: string) => (await build({
    entryPoints: [new URL(entry, import.meta.url).pathname],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
  })).outputFiles[0]!.text;

  beforeAll(async () => {
    ({ server, url } = await serveFiles({
      '/index.html': '<!doctype html><script type="module" src="/bundle.js"></script>',
      '/bundle.js': await bundle('./roundtrip.entry.ts'),
      '/persist.html': '<!doctype html><script type="module" src="/persist.js"></script>',
      '/persist.js': await bundle('./persist.entry.ts'),
      '/blocks.html': '<!doctype html><script type="module" src="/blocks.js"></script>',
      '/blocks.js': await bundle('./blocks.entry.ts'),
      '/blocks-worker.js': await bundle('./blocks.worker.entry.ts'),
    }));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it('round-trips both encodings, queries the head and answers PromQL and the API in the page', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(url);
    await page.waitForFunction(() => window.__promlet !== undefined, undefined, { timeout: 60_000 });
    const result = await page.evaluate(() => window.__promlet!);
    expect(errors).toEqual([]);
    expect(result.report.join('\n')).toContain('varbit: ');
    expect(result.report.join('\n')).toContain('api: 200 success count=1');
    expect(result.ok, result.report.join('\n')).toBe(true);
  });

  it('keeps an IndexedDB-persisted database across a reload, in the data directory format', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`${url}persist.html`);
      await page.waitForFunction(() => window.__persist !== undefined, undefined, { timeout: 60_000 });
      const first = await page.evaluate(() => window.__persist!);
      expect(first.loaded.series).toBe(0);
      expect(first.saved!.newChunks).toBeGreaterThan(0);
      expect(first.saved!.headSamples).toBeGreaterThan(0);
      expect([first.sum, first.count]).toEqual(['11997', '6000']);
      await page.reload();
      await page.waitForFunction(() => window.__persist !== undefined, undefined, { timeout: 60_000 });
      const second = await page.evaluate(() => window.__persist!);
      expect(errors).toEqual([]);
      expect(second.loaded.series, String(second.sum)).toBe(3);
      expect(second.loaded.chunks).toBe(first.saved!.newChunks);
      expect(second.loaded.samples).toBe(first.saved!.headSamples);
      expect(second.saved).toBeUndefined();
      expect([second.sum, second.count]).toEqual(['11997', '6000']);
      // Native histograms come back from the IndexedDB checkpoint as they were saved.
      expect(first.hist!.n).toBe(500);
      expect(second.hist).toEqual(first.hist);
    } finally {
      await context.close();
    }
  });

  it('cuts old data into OPFS blocks in a worker, out of WebAssembly memory, and answers the same after a reload', async () => {
    interface Report {
      error?: string; blocks: boolean; firstVisit: boolean; loaded: { series: number; blocks: number }; blockCount: number;
      head: { minTime: number | null; samples: number; chunks: number }; referenceHead: { samples: number; chunks: number };
      cacheMisses: number; t0: number; expected: string[]; got: string[]; halfWrittenBefore: boolean; stored: string[];
    }
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      const visit = async () => {
        await page.waitForFunction(() => window.__blocks !== undefined, undefined, { timeout: 120_000 });
        const r = (await page.evaluate(() => window.__blocks)) as Report;
        expect(r.error).toBeUndefined();
        return r;
      };
      await page.goto(`${url}blocks.html`);
      const first = await visit();
      expect(first.blocks).toBe(true);
      expect(first.firstVisit).toBe(true);
      // A block directory without meta.json (a flush cut short) is removed at open; whole blocks stay.
      expect(first.halfWrittenBefore).toBe(true);
      expect(first.stored).not.toContain('01ARZ3NDEKTSV4RRFFQ69G5FAV');
      expect(first.stored.length).toBe(first.blockCount);
      expect(first.got).toEqual(first.expected);
      // 14 hours at 2h blocks: six are cut (the head keeps at most 1.5 ranges) and compaction
      // merges some into 6h blocks; what they hold is not in WebAssembly memory.
      expect(first.blockCount).toBeGreaterThanOrEqual(2);
      expect(first.blockCount).toBeLessThan(6);
      expect(first.head.minTime!).toBeGreaterThanOrEqual(first.t0 + 12 * 3_600_000);
      expect(first.head.samples).toBeLessThan(first.referenceHead.samples / 2);
      expect(first.head.chunks).toBeLessThan(first.referenceHead.chunks);
      expect(first.cacheMisses).toBeGreaterThan(0);

      await page.reload();
      const second = await visit();
      expect(errors).toEqual([]);
      expect(second.firstVisit).toBe(false);
      expect(second.loaded.blocks).toBe(first.blockCount);
      expect(second.blockCount).toBe(first.blockCount);
      expect(second.head.samples).toBe(first.head.samples);
      expect(second.head.minTime).toBe(first.head.minTime);
      expect(second.got).toEqual(first.expected);
      expect(second.cacheMisses).toBeGreaterThan(0);
      expect(second.stored).toEqual(first.stored);
      expect(second.expected).toEqual(first.expected);
    } finally {
      await context.close();
    }
  });
});
