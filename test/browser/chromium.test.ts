import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Server } from 'node:http';
import { launchChromium, serveFiles } from '../support/chromium.js';

describe('the same build in headless Chromium', () => {
  let browser: Browser;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const bundle = await build({
      entryPoints: [new URL('./roundtrip.entry.ts', import.meta.url).pathname],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
    });
    const js = bundle.outputFiles[0]!.text;
    ({ server, url } = await serveFiles({
      '/index.html': '<!doctype html><script type="module" src="/bundle.js"></script>',
      '/bundle.js': js,
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
});
