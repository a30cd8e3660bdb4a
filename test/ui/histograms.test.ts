// Native histograms in the web UI, in Debian's headless Chromium against
// the API handler over a database holding histogram series: the table
// view's bucket chart and bucket list for an instant histogram, and the
// graph view's heatmap per histogram series (float series of the same
// result still drawn as lines), each checked against the API's answer.
// Screenshots go to test-results/ui/ (docs/ui/ keeps copies).

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { openDB } from '../../src/index.js';
import { createApiHandler } from '../../src/api/handler.js';
import { createEngine } from '../../src/promql/engine/engine.js';
import { withWebUI } from '../../src/node/web-ui.js';
import { startServer, type RunningServer } from '../../src/node/server.js';
import { CounterResetHint, type FloatHistogram } from '../../src/model/histogram.js';
import { bucketRange, type HistogramJSON } from '../../src/model/histogram-api.js';
import { launchChromium } from '../support/chromium.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = `${ROOT}test-results/ui`;
const END = Date.UTC(2026, 0, 1, 12);
const STEPS = 30;

let browser: Browser;
let server: RunningServer;
let uiDir: string;

/** A latency histogram drifting upwards over time: schema 1, a zero bucket, buckets from 0.25 s to 8 s. */
function latency(i: number, shift: number): FloatHistogram {
  const counts = Array.from({ length: 10 }, (_, k) => Math.round(40 * Math.exp(-(((k - 3 - shift - i / 10) / 2) ** 2))));
  const sum = counts.reduce((a, c, k) => a + c * 2 ** ((k - 3) / 2), 0);
  return {
    counterResetHint: CounterResetHint.Gauge, schema: 1, zeroThreshold: 0.001, zeroCount: 1 + (i % 3),
    count: counts.reduce((a, c) => a + c, 0) + 1 + (i % 3), sum,
    positiveSpans: [{ offset: -4, length: 10 }], positiveBuckets: counts, negativeSpans: [], negativeBuckets: [],
  };
}

async function api<T>(path: string): Promise<T> {
  const body = (await (await fetch(`${server.url}${path}`)).json()) as { status: string; data: T };
  expect(body.status).toBe('success');
  return body.data;
}

beforeAll(async () => {
  uiDir = mkdtempSync(join(tmpdir(), 'promlet-ui-hist-'));
  // Its own output directory: other UI tests may be building dist/ui at the same time.
  await build({ configFile: `${ROOT}scripts/vite.ui.config.ts`, logLevel: 'error', build: { outDir: uiDir, emptyOutDir: true } });
  const db = await openDB();
  const app = db.appender();
  for (let i = 0; i < STEPS; i++) {
    const t = END - (STEPS - 1 - i) * 60_000;
    app.appendHistogram!({ __name__: 'http_request_duration_seconds', job: 'api' }, t, latency(i, 0));
    app.appendHistogram!({ __name__: 'http_request_duration_seconds', job: 'batch' }, t, latency(i, 2));
    app.append({ __name__: 'http_requests_in_flight', job: 'web' }, t, 3 + (i % 4));
  }
  await app.commit();
  const engine = createEngine(db);
  const handler = withWebUI(createApiHandler({ db, engine, info: { version: 't', startTime: new Date(END), flags: {}, configYaml: () => '' } }), { engine, dir: uiDir });
  server = await startServer({ listen: '127.0.0.1:0', handler });
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (uiDir) rmSync(uiDir, { recursive: true, force: true });
});

async function openQuery(params: Record<string, string>): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${server.url}/query?${new URLSearchParams(params)}`);
  await page.waitForSelector('body[data-ready]', { timeout: 30_000 });
  await page.waitForFunction(() => ['done', 'error'].includes(document.querySelector<HTMLElement>('.cell-result')?.dataset.state ?? ''), undefined, { timeout: 30_000 });
  expect(await page.locator('.cell-result').getAttribute('data-state'), await page.locator('.cell-result').textContent() ?? '').toBe('done');
  return { page, errors };
}

const endInput = new Date(END).toISOString().replace('T', ' ').replace(/\.000Z$/, '');

describe('native histograms in the web UI', () => {
  it('table view: a bucket chart and bucket list per instant histogram, as the API answers', async () => {
    const want = await api<{ result: { metric: Record<string, string>; histogram: [number, HistogramJSON] }[] }>(`/api/v1/query?query=http_request_duration_seconds&time=${END / 1000}`);
    expect(want.result).toHaveLength(2);
    const { page, errors } = await openQuery({ 'g0.expr': 'http_request_duration_seconds', 'g0.tab': 'table', 'g0.end_input': endInput });
    const shown = await page.locator('.histogram').evaluateAll((els) => els.map((e) => ({
      count: (e.querySelector('.histogram-summary .value') as HTMLElement).dataset.value,
      bars: Array.from(e.querySelectorAll<SVGRectElement>('.histogram-bar')).map((b) => [b.dataset.range, b.dataset.count, Number(b.getAttribute('height'))]),
      rows: Array.from(e.querySelectorAll('.histogram-buckets tr')).slice(1).map((tr) => [tr.children[0]!.textContent, tr.children[1]!.textContent]),
    })));
    expect(shown.map((s) => s.count)).toEqual(want.result.map((s) => s.histogram[1].count));
    shown.forEach((s, i) => {
      const buckets = want.result[i]!.histogram[1].buckets!;
      expect(s.bars.map(([r, c]) => [r, c])).toEqual(buckets.map((b) => [bucketRange(b), b[3]]));
      expect(s.rows).toEqual(buckets.map((b) => [bucketRange(b), b[3]]));
      // The tallest bar is the largest count.
      const tallest = s.bars.reduce((a, b) => (b[2]! > a[2]! ? b : a));
      expect(Number(tallest[1])).toBe(Math.max(...buckets.map((b) => Number(b[3]))));
    });
    await page.locator('.histogram details').first().evaluate((d) => ((d as HTMLDetailsElement).open = true));
    await page.locator('.histogram-bar').nth(4).hover();
    await page.screenshot({ path: `${SHOTS}/query-histogram-table.png` });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('graph view: a heatmap per histogram series with the API\'s counts on hover, float series as lines', async () => {
    const range = (STEPS - 1) * 60;
    const query = 'http_request_duration_seconds or http_requests_in_flight';
    type Series = { metric: Record<string, string>; values?: [number, string][]; histograms?: [number, HistogramJSON][] };
    const want = await api<{ result: Series[] }>(`/api/v1/query_range?${new URLSearchParams({ query, start: String(END / 1000 - range), end: String(END / 1000), step: '60' })}`);
    const { page, errors } = await openQuery({ 'g0.expr': query, 'g0.tab': 'graph', 'g0.range_input': `${STEPS - 1}m`, 'g0.end_input': endInput, 'g0.step_input': '1m' });
    // The float series is a line with its legend; each histogram series a heatmap.
    expect((await page.locator('.u-legend .u-series .u-label').allTextContents()).slice(1)).toEqual(['http_requests_in_flight{job="web"}']);
    const maps = page.locator('.heatmap');
    const hist = want.result.filter((s) => s.histograms);
    expect(await maps.count()).toBe(hist.length);
    for (let m = 0; m < hist.length; m++) {
      const s = hist[m]!;
      const map = maps.nth(m);
      const rows = JSON.parse((await map.getAttribute('data-rows'))!) as string[];
      const columns = Number(await map.getAttribute('data-columns'));
      const gutter = Number(await map.getAttribute('data-gutter'));
      expect(columns).toBe(STEPS);
      const ranges = new Set(s.histograms!.flatMap(([, h]) => h.buckets!.map(bucketRange)));
      expect(new Set(rows)).toEqual(ranges);
      const canvas = (await map.locator('canvas').boundingBox())!;
      const colW = (canvas.width - gutter) / columns, rowH = canvas.height / rows.length;
      // Hover a few cells: the tooltip names the bucket, its count at that step, and the step.
      for (const [col, row] of [[0, 3], [Math.floor(STEPS / 2), 5], [STEPS - 1, rows.length - 2]] as const) {
        await page.mouse.move(canvas.x + gutter + (col + 0.5) * colW, canvas.y + canvas.height - (row + 0.5) * rowH);
        const tip = map.locator('.heatmap-tooltip');
        await tip.waitFor({ state: 'visible', timeout: 5_000 });
        const [t, h] = s.histograms![col]!;
        const bucket = h.buckets!.find((b) => bucketRange(b) === rows[row]);
        expect(await tip.getAttribute('data-range')).toBe(rows[row]);
        expect(await tip.getAttribute('data-time')).toBe(String(t));
        expect(await tip.getAttribute('data-count')).toBe(bucket ? String(Number(bucket[3])) : '—');
      }
    }
    await page.mouse.move((await maps.nth(0).locator('canvas').boundingBox())!.x + 600, (await maps.nth(0).locator('canvas').boundingBox())!.y + 60);
    await page.screenshot({ path: `${SHOTS}/query-histogram-heatmap.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
