// The built playground (dist/playground/) in headless Chromium, served from
// 127.0.0.1 as any static file server would: the answers on the page are
// checked against the same demo data generated and queried in Node.
// Screenshots go to test-results/playground/.

import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createEngine, openDB, type Engine } from '../../src/index.js';
import type { DB } from '../../src/storage/db.js';
import { explain, type ExplainNode } from '../../src/promql/explain.js';
import { parse, ParseError } from '../../src/promql/index.js';
import { backtestRules } from '../../src/rules/backtest.js';
import { generateDemoData } from '../../src/playground/demo-data.js';
import { seriesName } from '../../src/ui/cell/results.js';
import { formatValue } from '../../src/ui/format.js';
import { DEFAULT_RULES, decodeState, defaultState, encodeState, newCell } from '../../src/playground/state.js';
import { launchChromium, serveDir } from '../support/chromium.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = `${ROOT}test-results/playground`;

let browser: Browser;
let server: Server;
let url: string;

beforeAll(async () => {
  await build({ configFile: `${ROOT}scripts/vite.playground.config.ts`, logLevel: 'error' });
  ({ server, url } = await serveDir(`${ROOT}dist/playground`));
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

async function openPage(at = url): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1200 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(at);
  await page.waitForSelector('body[data-ready]', { timeout: 30_000 });
  return { page, errors };
}

/** The demo data the page generated (its end time is in the link), in a Node database. */
async function sameDemoData(page: Page): Promise<{ db: DB; engine: Engine; end: number }> {
  const s = decodeState(new URL(page.url()).hash)!;
  expect(s.data.kind).toBe('demo');
  if (s.data.kind !== 'demo') throw new Error('not demo data');
  const db = await openDB();
  const r = await generateDemoData(db, { end: s.data.end, hours: s.data.hours });
  return { db, engine: createEngine(db, { features: ['promql-experimental-functions'] }), end: r.end };
}

const cell = (page: Page, i: number) => page.locator('.cell').nth(i);

async function setQuery(page: Page, i: number, text: string): Promise<void> {
  await cell(page, i).locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

async function runAndWait(page: Page, i: number, how: () => Promise<void>): Promise<void> {
  const result = cell(page, i).locator('.cell-result');
  await result.evaluate((el) => (el.dataset.state = 'stale'));
  await how();
  await page.waitForFunction((idx) => {
    const s = document.querySelectorAll<HTMLElement>('.cell-result')[idx]?.dataset.state;
    return s === 'done' || s === 'error';
  }, i, { timeout: 30_000 });
  expect(await result.getAttribute('data-state'), await result.textContent() ?? '').toBe('done');
}

/** Each row's series and exact value (the cell shows it formatted for reading; the exact one is its data-value). */
async function tableRows(page: Page, i: number): Promise<[string, string][]> {
  return cell(page, i).locator('.result-table tr').evaluateAll((rows) =>
    rows.slice(1).map((r) => [r.children[0]!.textContent!, (r.children[1]!.querySelector('[data-value]') as HTMLElement).dataset.value!] as [string, string]));
}

/** The values as the table shows them. */
const shownValues = (page: Page, i: number) => cell(page, i).locator('.result-table tr td:nth-child(2)').allTextContents();

/** Waits until the data panel counts `n` samples. */
async function waitForSamples(page: Page, n: number, timeout = 30_000): Promise<void> {
  await page.waitForFunction((want) => document.getElementById('data-status')!.dataset.samples === want, String(n), { timeout });
}

/** Types `expr` into the first cell, runs it with Enter, and returns its table. */
async function answer(page: Page, expr: string): Promise<[string, string][]> {
  await setQuery(page, 0, expr);
  await runAndWait(page, 0, () => page.keyboard.press('Enter'));
  return tableRows(page, 0);
}

function expectedRows(engine: Engine, q: string, t: number): [string, string][] {
  const r = engine.instantQuerySync(q, t);
  if (r.resultType !== 'vector') throw new Error(`want a vector from ${q}`);
  return r.result.map((s) => [seriesName(s.metric), s.value![1]]);
}

const flatten = (n: ExplainNode): { label: string; series: number; samples: number }[] =>
  [{ label: n.label, series: n.series, samples: n.samples }, ...n.children.flatMap(flatten)];

describe('the playground page', () => {
  it('completes, lints and runs queries; shows table, graph and explain with the right numbers; a link reproduces the notebook', async () => {
    const { page, errors } = await openPage();
    const { engine, end } = await sameDemoData(page);
    const QUERY = 'sum by (status) (rate(http_requests_total[5m]))';

    // Autocompletion of metric names from the in-tab database.
    await setQuery(page, 0, 'sum by (status) (rate(http_req');
    await page.keyboard.type('u');
    const options = page.locator('.cm-tooltip-autocomplete li');
    await options.first().waitFor({ timeout: 15_000 });
    const names = await options.allTextContents();
    expect(names.some((n) => n.includes('http_requests_total'))).toBe(true);
    expect(names.some((n) => n.includes('http_request_duration_seconds_bucket'))).toBe(true);
    await page.screenshot({ path: `${SHOTS}/1-completion.png` });
    await page.keyboard.press('Escape');
    // Label values come from the in-tab database too.
    await setQuery(page, 0, 'up{instance="');
    await page.keyboard.type('api');
    await options.first().waitFor({ timeout: 15_000 });
    expect((await options.allTextContents()).filter((o) => o.startsWith('api-'))).toEqual(['api-0:8080', 'api-1:8080', 'api-2:8080']);
    await page.keyboard.press('Escape');

    // Enter runs; the table holds what the same query answers in Node.
    await setQuery(page, 0, QUERY);
    await runAndWait(page, 0, () => page.keyboard.press('Enter'));
    const rows = await tableRows(page, 0);
    expect(rows).toEqual(expectedRows(engine, QUERY, end));
    expect(rows).toHaveLength(3);
    expect(await shownValues(page, 0)).toEqual(rows.map(([, v]) => formatValue(v)));
    await page.screenshot({ path: `${SHOTS}/2-table.png` });

    // The graph: a uPlot chart with one legend entry per series, values on hover.
    await runAndWait(page, 0, () => cell(page, 0).locator('.tab', { hasText: 'Graph' }).click());
    const legend = cell(page, 0).locator('.u-legend .u-series');
    const range = engine.rangeQuerySync(QUERY, end - 3600_000, end, 14_000);
    if (range.resultType !== 'matrix') throw new Error('want a matrix');
    expect(await legend.count()).toBe(1 + range.result.length);
    const labels = await cell(page, 0).locator('.u-legend .u-series .u-label').allTextContents();
    expect(labels.slice(1)).toEqual(range.result.map((s) => seriesName(s.metric)));
    const over = await cell(page, 0).locator('.u-over').boundingBox();
    await page.mouse.move(over!.x + over!.width - 1, over!.y + over!.height / 2);
    const legendValues = () => cell(page, 0).locator('.u-legend .u-series .u-value').evaluateAll((els) => els.slice(1).map((e) => [e.textContent, (e as HTMLElement).dataset.value]));
    expect(await legendValues()).toEqual(range.result.map((s) => [formatValue(s.values![s.values!.length - 1]![1]), s.values![s.values!.length - 1]![1]]));
    await page.screenshot({ path: `${SHOTS}/3-graph.png` });
    // Stacked: the lines are running totals, the legend still shows each series' own value.
    await runAndWait(page, 0, () => cell(page, 0).locator('.stacked').check());
    await page.mouse.move(over!.x + over!.width - 1, over!.y + over!.height / 2);
    expect(await legendValues()).toEqual(range.result.map((s) => [formatValue(s.values![s.values!.length - 1]![1]), s.values![s.values!.length - 1]![1]]));
    expect(decodeState(new URL(page.url()).hash)!.cells[0]!.stacked).toBe(true);
    await page.screenshot({ path: `${SHOTS}/3b-stacked.png` });
    await runAndWait(page, 0, () => cell(page, 0).locator('.stacked').uncheck());

    // Explain: every node with the series and sample counts Node's explain finds.
    await runAndWait(page, 0, () => cell(page, 0).locator('.tab', { hasText: 'Explain' }).click());
    const nodes = await cell(page, 0).locator('.explain-node').evaluateAll((els) => els.map((e) => ({
      label: e.querySelector('.explain-label')!.textContent!,
      series: Number((e.querySelector('.explain-stats') as HTMLElement).dataset.series),
      samples: Number((e.querySelector('.explain-stats') as HTMLElement).dataset.samples),
    })));
    expect(nodes).toEqual(flatten(explain(engine, QUERY, { time: end })));
    expect(nodes.map((n) => n.label)).toEqual(['sum', 'rate()', 'range selector']);
    await page.screenshot({ path: `${SHOTS}/4-explain.png` });

    // Linting shows promlet's own parser error.
    await page.locator('#add-cell').click();
    const BAD = 'sum(rate(http_requests_total[5m])';
    await setQuery(page, 1, BAD);
    const squiggle = cell(page, 1).locator('.cm-lintRange-error').first();
    await squiggle.waitFor({ timeout: 15_000 });
    await squiggle.hover();
    let detail = '';
    try {
      parse(BAD);
    } catch (e) {
      detail = (e as ParseError).errors[0]!.detail;
    }
    expect(detail).not.toBe('');
    expect(await page.locator('.cm-tooltip-lint .cm-diagnosticText').first().textContent()).toBe(detail);
    await page.screenshot({ path: `${SHOTS}/5-lint.png` });

    // A second cell with its own result; Shift+Enter runs too.
    await setQuery(page, 1, 'up');
    await runAndWait(page, 1, () => page.keyboard.press('Shift+Enter'));
    expect(await tableRows(page, 1)).toEqual(expectedRows(engine, 'up', end));
    expect(await tableRows(page, 0)).toEqual([]);

    // The link reproduces both cells and their results.
    const link = page.url();
    expect(decodeState(new URL(link).hash)!.cells.map((c) => [c.expr, c.tab])).toEqual([[QUERY, 'explain'], ['up', 'table']]);
    const again = await openPage(link);
    expect(await again.page.locator('.cell').count()).toBe(2);
    expect(await again.page.locator('.cell .cm-content').allTextContents()).toEqual([QUERY, 'up']);
    expect(await again.page.locator('.cell').nth(0).locator('.explain-node').count()).toBe(3);
    expect(await tableRows(again.page, 1)).toEqual(expectedRows(engine, 'up', end));
    await again.page.screenshot({ path: `${SHOTS}/6-reloaded.png`, fullPage: true });
    expect([...errors, ...again.errors]).toEqual([]);
    await page.close();
    await again.page.close();
  }, 120_000);

  it('answers a link whose first query needs regular expressions, before their engine would have been prefetched', async () => {
    const QUERY = 'sum by (path) (rate(http_requests_total{path=~"/api/.*", status!~"5.."}[5m]))';
    const state = defaultState(Date.now());
    state.cells = [{ ...newCell(QUERY) }];
    const { page, errors } = await openPage(`${url}${encodeState(state)}`);
    const { engine, end } = await sameDemoData(page);
    expect(await tableRows(page, 0)).toEqual(expectedRows(engine, QUERY, end));
    expect(await tableRows(page, 0)).toHaveLength(2);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('evaluates a pasted rule group over the loaded range as the rule engine does', async () => {
    const { page } = await openPage();
    const { db, engine, end } = await sameDemoData(page);
    await page.locator('#rules-run').click();
    await page.waitForFunction(() => ['done', 'error'].includes(document.getElementById('rules-result')!.dataset.state ?? ''), undefined, { timeout: 60_000 });
    expect(await page.locator('#rules-result').getAttribute('data-state')).toBe('done');
    const start = db.stats().minTime!;
    const want = await backtestRules(engine, db, DEFAULT_RULES, { start, end });
    expect(want.alerts.some((a) => a.alertname === 'HighErrorRate' && a.periods.some((p) => p.state === 'firing'))).toBe(true);
    const rows = await page.locator('.rules-table tr').evaluateAll((trs) => trs.slice(1).map((tr) => Array.from(tr.children, (td) => td.textContent)));
    const fmt = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.000Z$/, 'Z');
    expect(rows).toEqual(want.alerts.flatMap((a) => a.periods.map((p) => [a.alertname, a.key, p.state, fmt(p.from), fmt(p.to)])));
    await page.screenshot({ path: `${SHOTS}/7-rules.png`, fullPage: true });
    await page.close();
  }, 120_000);

  it('loads pasted text, an OpenMetrics file with timestamps, a dropped file, and a URL scraped once and on an interval', async () => {
    const { page } = await openPage();
    await page.locator('#clear').click();
    await waitForSamples(page, 0);

    await page.locator('#paste').fill('# TYPE pasted_total counter\npasted_total{path="/a"} 3\npasted_total{path="/b"} 4\n');
    await page.locator('#load-paste').click();
    await waitForSamples(page, 2);

    const om = ['# TYPE file_metric gauge', ...[1, 2, 3].map((i) => `file_metric{x="1"} ${i * 10} ${1_700_000_000 + i * 60}`), '# EOF', ''].join('\n');
    await page.locator('#file').setInputFiles({ name: 'data.om', mimeType: 'text/plain', buffer: Buffer.from(om) });
    await waitForSamples(page, 5);
    expect(await answer(page, 'sum_over_time(file_metric[10m] @ 1700000180)')).toEqual([['{x="1"}', '60']]);
    expect(await answer(page, 'sum(pasted_total)')).toEqual([['{}', '7']]);

    // A file dropped on the paste area.
    await page.locator('#paste').evaluate((el) => {
      const dt = new DataTransfer();
      dt.items.add(new File(['dropped_metric{k="v"} 8 1700000000000\n'], 'dropped.prom', { type: 'text/plain' }));
      el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await waitForSamples(page, 6);
    expect(await answer(page, 'dropped_metric @ 1700000000')).toEqual([['dropped_metric{k="v"}', '8']]);

    // A target that allows CORS, scraped once, then every 5 s.
    let scrapes = 0;
    const target: Server = createServer((_req, res) => {
      scrapes++;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'access-control-allow-origin': '*' });
      res.end(`# TYPE scraped_gauge gauge\nscraped_gauge{t="x"} ${scrapes === 1 ? 42 : 43}\n`);
    });
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    try {
      await page.locator('#scrape-url').fill(`http://127.0.0.1:${(target.address() as AddressInfo).port}/metrics`);
      await page.locator('#scrape-every').selectOption('0');
      await page.locator('#scrape').click();
      await waitForSamples(page, 7);
      expect(await answer(page, 'scraped_gauge')).toEqual([['scraped_gauge{t="x"}', '42']]);
      // Regular expressions (their engine loads after the first answer, or when first needed).
      expect(await answer(page, 'label_replace({__name__=~"scraped_.*", t!~"y"}, "u", "$1$1", "t", "(.)")')).toEqual([['scraped_gauge{t="x", u="xx"}', '42']]);
      await page.locator('#scrape-every').selectOption('5');
      await page.locator('#scrape').click();
      // The first scrape of the interval at once, the next 5 s later; each re-runs the cells.
      await waitForSamples(page, 9, 20_000);
      expect(scrapes).toBe(3);
      expect(await answer(page, 'count_over_time(scraped_gauge[1h])')).toEqual([['{t="x"}', '3']]);
    } finally {
      target.close();
    }
    await page.screenshot({ path: `${SHOTS}/8-sources.png`, fullPage: true });
    await page.close();
  }, 120_000);

  it('keeps its data in IndexedDB across reloads when asked to', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(url);
      await page.waitForSelector('body[data-ready]', { timeout: 30_000 });
      await page.locator('#persist').check();
      await page.waitForFunction(() => document.getElementById('data-status')!.textContent!.includes('kept in this browser'), undefined, { timeout: 30_000 });
      await page.locator('#paste').fill('extra_metric 5\n');
      await page.locator('#load-paste').click();
      await page.waitForFunction(() => document.getElementById('data-status')!.dataset.series === '209', undefined, { timeout: 30_000 });
      const before = await page.locator('#data-status').getAttribute('data-samples');
      const link = page.url();
      expect(decodeState(new URL(link).hash)!.data.kind).toBe('browser');
      await page.goto('about:blank');
      await page.goto(link);
      await page.waitForSelector('body[data-ready]', { timeout: 30_000 });
      expect(await page.locator('#data-status').getAttribute('data-samples')).toBe(before);
      expect(await answer(page, 'extra_metric')).toEqual([['extra_metric', '5']]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
