// Blocks in IndexedDB, where there is no OPFS (a page's main thread of
// headless Chromium): the head is cut into blocks stored in IndexedDB, a tab
// filled for 36 hours keeps its WebAssembly memory and the chunk bytes it
// holds bounded, and answers after a reload equal an in-memory database's.

import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Server } from 'node:http';
import { launchChromium, serveFiles } from '../support/chromium.js';

const SERIES = 500;

interface Memory { pendingBytes: number; residentBytes: number; loadedBytes: number }
interface Fill {
  error?: string; blockStore: string; got: string[]; stored: { pages: number; bytes: number };
  byHour: { wasm: number; headSamples: number; blocks: number; cache: number; pending: number; resident: number }[];
  after: { cache: number; capacity: number; misses: number; memory: Memory; wasm: number; samples: number };
  reads: { loads: number; pagesFetched: number; bytesFetched: number; pagesInMemory: number };
}
interface Check {
  error?: string; blockStore: string; got: string[]; expected: string[]; referenceHeadSamples: number;
  opened: { blocks: number; wasm: number; memory: Memory; samples: number };
  afterQueries: { memory: Memory; cache: number; wasm: number };
  afterDelete: { deleted: number; left: string; series: string };
}

describe('blocks in IndexedDB on a page without OPFS', () => {
  let browser: Browser;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const bundle = (await build({
      entryPoints: [new URL('./idb-blocks.entry.ts', import.meta.url).pathname],
      bundle: true, write: false, format: 'esm', platform: 'browser', target: 'es2022',
    })).outputFiles[0]!.text;
    ({ server, url } = await serveFiles({
      '/idb-blocks.html': '<!doctype html><script type="module" src="/idb-blocks.js"></script>',
      '/idb-blocks.js': bundle,
    }));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it('keeps memory bounded while 36 hours fill, reads chunks on demand, and answers the same after a reload', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      const visit = async <T extends { error?: string }>(step: string) => {
        await page.goto(`${url}idb-blocks.html?step=${step}`);
        await page.waitForFunction(() => window.__idbBlocks !== undefined, undefined, { timeout: 300_000, polling: 250 });
        const r = (await page.evaluate(() => window.__idbBlocks)) as T;
        expect(r.error).toBeUndefined();
        return r;
      };
      const fill = await visit<Fill>('fill');
      expect(fill.blockStore).toBe('indexeddb');
      const at = (h: number) => fill.byHour[h - 1]!;
      // From 12 hours on the head keeps at most 1.5 block ranges: the rest is in blocks.
      for (const h of [12, 24, 36]) expect(at(h).headSamples).toBeLessThanOrEqual(SERIES * 60 * 4);
      expect(at(36).blocks).toBeGreaterThan(at(12).blocks - 1);
      // WebAssembly memory never grows after the first hours, while the data grows sixfold.
      expect(at(36).wasm).toBe(at(6).wasm);
      // Chunk bytes held in JavaScript: the bounded cache; nothing waits unflushed after a save.
      for (const x of fill.byHour) {
        expect(x.cache).toBeLessThanOrEqual(1024 * 1024);
        expect(x.pending).toBe(0);
      }
      expect(fill.after.cache).toBeLessThanOrEqual(fill.after.capacity);
      expect(fill.after.memory.loadedBytes).toBe(0);
      expect(fill.after.misses).toBeGreaterThan(0);
      // The chunks are in IndexedDB, and the indexes kept in memory are a fraction of them.
      expect(fill.stored.pages).toBeGreaterThan(0);
      expect(at(36).resident).toBeLessThan(fill.stored.bytes / 4);
      expect(fill.after.samples).toBe(36 * 60 * SERIES);
      // Queries and merges read pages from IndexedDB; the queries' loads came from there, not from memory.
      expect(fill.reads.loads).toBeGreaterThan(8);
      expect(fill.reads.pagesFetched).toBeGreaterThan(0);
      expect(fill.reads.bytesFetched).toBeGreaterThan(0);

      const check = await visit<Check>('check');
      expect(errors).toEqual([]);
      expect(check.blockStore).toBe('indexeddb');
      expect(check.opened.blocks).toBe(at(36).blocks);
      expect(check.opened.samples).toBe(fill.after.samples);
      expect(check.opened.memory.loadedBytes).toBe(0);
      expect(check.opened.memory.residentBytes).toBe(at(36).resident);
      expect(check.afterQueries.memory.loadedBytes).toBe(0);
      expect(check.afterQueries.cache).toBeLessThanOrEqual(1024 * 1024);
      // The reference held everything in its head; the stored database did not.
      expect(check.referenceHeadSamples).toBe(36 * 60 * SERIES);
      expect(check.expected.length).toBe(8);
      expect(fill.got).toEqual(check.expected);
      expect(check.got).toEqual(check.expected);
      // delete_series of one series over [1h, 30h]: 29 h of minutes plus the sample at 30h go; the rest stays.
      expect(check.afterDelete.deleted).toBe(29 * 60 + 1);
      // The 36 h window is open at its start, so the sample at T0 is not counted either.
      expect(JSON.parse(check.afterDelete.left).result[0].value[1]).toBe(String(36 * 60 - 1 - (29 * 60 + 1)));
      expect(JSON.parse(check.afterDelete.series).result[0].value[1]).toBe(String(SERIES));

      // A reload finds the deletion: the stored blocks were written again without those samples.
      const reopened = await visit<{ error?: string; left: string; all: string; tombstones: number }>('reopen');
      expect(reopened.left).toBe(check.afterDelete.left);
      expect(JSON.parse(reopened.all).result[0].value[1]).toBe(String(SERIES * (36 * 60 - 1) - (29 * 60 + 1)));
      expect(reopened.tombstones).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('deletes blocks past the retention from IndexedDB, pages and all', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${url}idb-blocks.html?step=retention`);
      await page.waitForFunction(() => window.__idbBlocks !== undefined, undefined, { timeout: 300_000, polling: 250 });
      const r = (await page.evaluate(() => window.__idbBlocks)) as {
        error?: string; blocks: { ulid: string; minTime: number; maxTime: number }[]; stored: string[]; oldest: number | null;
      };
      expect(r.error).toBeUndefined();
      const T0 = 1_700_000_000_000 - (1_700_000_000_000 % 7_200_000), H = 3_600_000, newest = T0 + 30 * H - 60_000;
      expect(r.blocks.length).toBeGreaterThan(0);
      // Whole blocks go once they end before the newest sample minus 12 h, as Prometheus deletes them.
      for (const b of r.blocks) expect(b.maxTime).toBeGreaterThan(newest - 12 * H);
      expect(r.oldest).toBe(Math.min(...r.blocks.map((b) => b.minTime)));
      expect(r.oldest!).toBeLessThanOrEqual(newest - 12 * H);
      // Nothing of a deleted block stays stored.
      expect(r.stored).toEqual(r.blocks.map((b) => b.ulid).sort());
    } finally {
      await context.close();
    }
  });
});
