// The server's web UI in Debian's headless Chromium against a real
// `promlet serve` on a free port: every page, checked against what the same
// server's HTTP API answers. Screenshots go to test-results/ui/.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { servePromlet, type RunningPromlet } from '../../src/node/serve.js';
import { seriesName } from '../../src/ui/cell/results.js';
import { formatValue } from '../../src/ui/format.js';
import { generateDemoData } from '../../src/playground/demo-data.js';
import { decodePanels } from '../../src/ui/url-state.js';
import { launchChromium } from '../support/chromium.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = `${ROOT}test-results/ui`;

let browser: Browser;
let target: Server;
let targetPort: number;
let deadPort: number;
let promlet: RunningPromlet;
let configText: string;

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function api<T>(path: string, base = promlet.url): Promise<T> {
  const r = await fetch(`${base}${path}`);
  const body = (await r.json()) as { status: string; data: T };
  expect(body.status).toBe('success');
  return body.data;
}

/** Polls `ok` a bounded number of times, 100 ms apart. */
async function until(what: string, ok: () => Promise<boolean>, tries = 150): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  await build({ configFile: `${ROOT}scripts/vite.ui.config.ts`, logLevel: 'error' });
  target = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end('# HELP app_requests_total Requests served.\n# TYPE app_requests_total counter\napp_requests_total{path="/a"} 128.3473684210526\napp_requests_total{path="/b"} 1234567\n');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  targetPort = (target.address() as AddressInfo).port;
  deadPort = await closedPort();
  const dir = mkdtempSync(join(tmpdir(), 'promlet-ui-'));
  writeFileSync(join(dir, 'rules.yml'), [
    'groups:',
    '  - name: availability',
    '    interval: 1s',
    '    rules:',
    '      - record: job:up:sum',
    '        expr: sum by (job) (up)',
    '      - alert: InstanceDown',
    '        expr: up == 0',
    '        labels:',
    '          severity: page',
    '        annotations:',
    '          summary: "{{ $labels.instance }} of {{ $labels.job }} is down"',
    '      - alert: NeverFires',
    '        expr: vector(1) == 2',
    '',
  ].join('\n'));
  configText = [
    'global:', '  scrape_interval: 1s', '  evaluation_interval: 1s',
    'rule_files: ["rules.yml"]',
    'scrape_configs:',
    '  - job_name: app',
    '    static_configs:',
    `      - targets: ["127.0.0.1:${targetPort}", "127.0.0.1:${deadPort}", "drop.me:1"]`,
    '    relabel_configs:',
    '      - source_labels: [__address__]',
    '        regex: drop\\.me:1',
    '        action: drop',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'prometheus.yml'), configText);
  promlet = await servePromlet({ listen: '127.0.0.1:0', configFile: join(dir, 'prometheus.yml') });
  await until('the alert to fire', async () => (await api<{ alerts: { state: string }[] }>('/api/v1/alerts')).alerts.some((a) => a.state === 'firing'));
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await promlet?.stop();
  target?.close();
});

async function open(context: BrowserContext | Browser, path: string, base = promlet.url): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage({ viewport: { width: 1280, height: 820 } } as never);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${base}${path}`);
  await page.waitForSelector('body[data-ready]', { timeout: 30_000 });
  return { page, errors };
}

const panel = (page: Page, i: number) => page.locator('.cell').nth(i);

async function runPanel(page: Page, i: number, how: () => Promise<void>): Promise<void> {
  const result = panel(page, i).locator('.cell-result');
  await result.evaluate((e) => (e.dataset.state = 'stale'));
  await how();
  await page.waitForFunction((idx) => ['done', 'error'].includes(document.querySelectorAll<HTMLElement>('.cell-result')[idx]?.dataset.state ?? ''), i, { timeout: 30_000 });
  expect(await result.getAttribute('data-state'), await result.textContent() ?? '').toBe('done');
}

async function type(page: Page, i: number, text: string): Promise<void> {
  await panel(page, i).locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}

/** [series, shown value, exact value] per table row. */
const rows = (page: Page, i: number) => panel(page, i).locator('.result-table tr').evaluateAll((trs) => trs.slice(1).map((tr) => [
  tr.children[0]!.textContent!, tr.children[1]!.textContent!, (tr.children[1]!.querySelector('[data-value]') as HTMLElement).dataset.value!,
]));

describe('the web UI served by promlet serve', () => {
  it('leads / and /graph to the query page, serves the favicon and built files with cache headers and compression', async () => {
    const root = await fetch(`${promlet.url}/`, { redirect: 'manual' });
    expect([root.status, root.headers.get('location')]).toEqual([302, '/query']);
    const graph = await fetch(`${promlet.url}/graph?g0.expr=up&g0.tab=1`, { redirect: 'manual' });
    expect(graph.headers.get('location')).toBe('/query?g0.expr=up&g0.tab=1');
    const icon = await fetch(`${promlet.url}/favicon.ico`);
    expect([icon.status, icon.headers.get('content-type')]).toEqual([200, 'image/x-icon']);
    const html = await fetch(`${promlet.url}/targets`, { headers: { 'accept-encoding': 'gzip' } });
    expect(html.headers.get('cache-control')).toBe('no-cache');
    const asset = /src="\.\/(assets\/[^"]+\.js)"/.exec(await html.text())![1]!;
    // fetch decompresses; the headers say what travelled.
    const js = await fetch(`${promlet.url}/${asset}`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(js.headers.get('content-encoding')).toBe('br');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const again = await fetch(`${promlet.url}/${asset}`, { headers: { 'if-none-match': js.headers.get('etag')! } });
    expect(again.status).toBe(304);
    // The API's larger answers are compressed for clients that accept it.
    const big = await fetch(`${promlet.url}/api/v1/status/config`, { headers: { 'accept-encoding': 'gzip' } });
    expect(big.headers.get('content-encoding')).toBe(configText.length > 1024 ? 'gzip' : null);
    expect(((await big.json()) as { data: { yaml: string } }).data.yaml).toBe(configText);
  });

  it('query page: completion from the server, Enter runs, table, graph and explain match the API, panels in the URL', async () => {
    const { page, errors } = await open(browser, '/');
    expect(new URL(page.url()).pathname).toBe('/query');
    // Completion: metric names and label values come from the server.
    await type(page, 0, 'app_req');
    await page.keyboard.type('u');
    const options = page.locator('.cm-tooltip-autocomplete li');
    await options.first().waitFor({ timeout: 15_000 });
    // The metric's TYPE, from the server's /api/v1/metadata, is the option's detail.
    expect(await api('/api/v1/metadata?metric=app_requests_total')).toEqual({ app_requests_total: [{ type: 'counter', help: 'Requests served.', unit: '' }] });
    expect(await options.allTextContents()).toContain('app_requests_totalcounter');
    await page.screenshot({ path: `${SHOTS}/query-completion.png` });
    await page.keyboard.press('Escape');
    await type(page, 0, 'up{instance="127.0.0.1:');
    await page.keyboard.type(String(targetPort).slice(0, 2));
    await options.first().waitFor({ timeout: 15_000 });
    expect(await options.allTextContents()).toContain(`127.0.0.1:${targetPort}`);
    await page.keyboard.press('Escape');

    // Running with the button while the completion list is open closes the list.
    await type(page, 0, 'app_req');
    await page.keyboard.type('u');
    await options.first().waitFor({ timeout: 15_000 });
    await runPanel(page, 0, () => panel(page, 0).locator('.run').click());
    expect(await page.locator('.cm-tooltip-autocomplete').count()).toBe(0);

    // Enter runs; rows as the API answers them, values formatted for reading with the exact value kept.
    await type(page, 0, 'app_requests_total');
    await runPanel(page, 0, () => page.keyboard.press('Enter'));
    expect(await page.locator('.cm-tooltip-autocomplete').count()).toBe(0);
    const want = await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>('/api/v1/query?query=app_requests_total');
    expect(await rows(page, 0)).toEqual(want.result.map((s) => [seriesName(s.metric), formatValue(s.value[1]), s.value[1]]));
    expect((await rows(page, 0)).map((r) => r[1])).toEqual(['128.347', '1,234,567']);
    await page.screenshot({ path: `${SHOTS}/query-table.png` });

    // The graph: a legend entry per series of the same range query, hover values exact in data-value.
    await runPanel(page, 0, () => panel(page, 0).locator('.tab', { hasText: 'Graph' }).click());
    const labels = await panel(page, 0).locator('.u-legend .u-series .u-label').allTextContents();
    expect(labels.slice(1)).toEqual(want.result.map((s) => seriesName(s.metric)));
    const over = await panel(page, 0).locator('.u-over').boundingBox();
    await page.mouse.move(over!.x + over!.width - 2, over!.y + over!.height / 2);
    const hovered = await panel(page, 0).locator('.u-legend .u-series .u-value').evaluateAll((els) => els.slice(1).map((e) => [e.textContent, (e as HTMLElement).dataset.value]));
    expect(hovered).toEqual([['128.347', '128.3473684210526'], ['1,234,567', '1234567']]);
    await page.screenshot({ path: `${SHOTS}/query-graph.png` });
    await page.emulateMedia({ colorScheme: 'dark' });
    await runPanel(page, 0, () => panel(page, 0).locator('.run').click());
    await page.mouse.move(over!.x + over!.width / 2, over!.y + over!.height / 2);
    await page.screenshot({ path: `${SHOTS}/query-graph-dark.png` });
    await page.emulateMedia({ colorScheme: 'light' });

    // Explain: the server's explain tree.
    await type(page, 0, 'sum by (job) (up)');
    // The completion list may have opened over the tabs, as it would for a person typing.
    await page.keyboard.press('Escape');
    await runPanel(page, 0, () => panel(page, 0).locator('.tab', { hasText: 'Explain' }).click());
    const nodes = await panel(page, 0).locator('.explain-node').evaluateAll((els) => els.map((e) => [
      e.querySelector('.explain-label')!.textContent, Number((e.querySelector('.explain-stats') as HTMLElement).dataset.series)]));
    expect(nodes).toEqual([['sum', 1], ['selector', 2]]);
    await page.screenshot({ path: `${SHOTS}/query-explain.png` });

    // A parse error is promlet's, at its position.
    await page.locator('#add-panel').click();
    await type(page, 1, 'sum(up');
    await panel(page, 1).locator('.cm-lintRange-error').first().waitFor({ timeout: 15_000 });

    // A second panel with Shift+Enter; both live in the URL in Prometheus's parameters.
    await type(page, 1, 'count(up)');
    await runPanel(page, 1, () => page.keyboard.press('Shift+Enter'));
    // The dropped target is not scraped.
    expect((await rows(page, 1)).map((r) => r[2])).toEqual(['2']);
    const panels = decodePanels(new URL(page.url()).search);
    expect(panels.map((p) => [p.expr, p.tab])).toEqual([['sum by (job) (up)', 'explain'], ['count(up)', 'table']]);
    const again = await open(browser, new URL(page.url()).pathname + new URL(page.url()).search);
    expect(await again.page.locator('.cell .cm-content').allTextContents()).toEqual(['sum by (job) (up)', 'count(up)']);
    await again.page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLElement>('.cell-result')).every((r) => r.dataset.state === 'done'), undefined, { timeout: 30_000 });
    expect(await again.page.locator('.explain-node').count()).toBe(2);
    expect([...errors, ...again.errors]).toEqual([]);
    await page.close();
    await again.page.close();
  }, 120_000);

  it('the range picker sets a range ending at a chosen date and time; a generatorURL link opens its query', async () => {
    const { page } = await open(browser, '/graph?g0.expr=app_requests_total&g0.tab=0');
    expect(await page.locator('.cell .cm-content').textContent()).toBe('app_requests_total');
    expect(await panel(page, 0).getAttribute('data-tab')).toBe('graph');
    await page.locator('.range-summary').click();
    await page.locator('.range-presets').getByRole('button', { name: '5m', exact: true }).click();
    await page.locator('.end-date').fill('2026-01-02');
    await page.locator('.end-time').fill('03:04:05');
    await page.screenshot({ path: `${SHOTS}/query-range-picker.png` });
    await runPanel(page, 0, () => page.locator('.range-apply').click());
    const [state] = decodePanels(new URL(page.url()).search);
    const end = await page.evaluate(() => new Date('2026-01-02T03:04:05').getTime());
    expect([state!.range, state!.end]).toEqual(['5m', end]);
    expect(await page.locator('.range-summary').textContent()).toContain('5m to 2026-01-02 03:04:05');
    // Nothing was scraped then.
    expect(await panel(page, 0).locator('.cell-result').textContent()).toBe('No data in this range.');
    // Back by one range, then forward to now.
    await runPanel(page, 0, () => page.locator('.range-back').click());
    expect(decodePanels(new URL(page.url()).search)[0]!.end).toBe(end - 300_000);
    await page.close();
  }, 60_000);

  it('targets: health, labels, last scrape, duration and error by scrape pool; service discovery shows dropped targets', async () => {
    const { page, errors } = await open(browser, '/targets');
    const t = await api<{ activeTargets: { scrapeUrl: string; health: string; lastError: string }[] }>('/api/v1/targets');
    const shown = await page.locator('table.targets tr[data-health]').evaluateAll((trs) => trs.map((tr) => ({
      url: tr.querySelector('.endpoint')!.textContent, health: (tr.querySelector('.badge') as HTMLElement).dataset.state,
      error: tr.querySelector('.error-text')!.textContent, last: tr.querySelector('.last-scrape')!.textContent, duration: tr.querySelector('.duration')!.textContent,
    })));
    expect(shown.map((s) => [s.url, s.health])).toEqual(t.activeTargets.map((x) => [x.scrapeUrl, x.health]));
    expect(shown.map((s) => s.health).sort()).toEqual(['down', 'up']);
    const down = shown.find((s) => s.health === 'down')!;
    expect(down.error).toBe(t.activeTargets.find((x) => x.health === 'down')!.lastError);
    expect(down.error).toBe(`Get "http://127.0.0.1:${deadPort}/metrics": connect ECONNREFUSED 127.0.0.1:${deadPort}`);
    for (const s of shown) {
      expect(s.last).toMatch(/ago$/);
      expect(s.duration).toMatch(/^[\d.]+(ms|s)$/);
    }
    expect(await page.locator('details[data-pool="app"] summary .badge').textContent()).toBe('1 / 2 up');
    await page.screenshot({ path: `${SHOTS}/targets.png` });
    await page.locator('.unhealthy-only').check();
    expect(await page.locator('table.targets tr[data-health]:visible').count()).toBe(1);

    const sd = await open(browser, '/service-discovery');
    expect(await sd.page.locator('details[data-pool="app"] summary .badge').textContent()).toBe('2 active / 1 dropped');
    expect(await sd.page.locator('details[data-pool="app"] .badge[data-state="unknown"]', { hasText: 'Dropped' }).count()).toBe(1);
    await sd.page.screenshot({ path: `${SHOTS}/service-discovery.png` });
    expect([...errors, ...sd.errors]).toEqual([]);
    await page.close();
    await sd.page.close();
  }, 60_000);

  it('alerts: state, active since, labels and rendered annotations; rules: last evaluation and its duration', async () => {
    const { page, errors } = await open(browser, '/alerts');
    const down = page.locator('details[data-rule="InstanceDown"]');
    expect(await down.getAttribute('data-state')).toBe('firing');
    expect(await down.locator('summary .badge').textContent()).toBe('FIRING (1)');
    expect(await down.locator('dl.annotations dd').textContent()).toBe(`127.0.0.1:${deadPort} of app is down`);
    expect(await down.locator('.active-since').textContent()).toMatch(/ago$/);
    expect(await down.locator('.chip').allTextContents()).toContain('severity="page"');
    expect(await page.locator('details[data-rule="NeverFires"]').getAttribute('data-state')).toBe('inactive');
    await page.screenshot({ path: `${SHOTS}/alerts.png` });
    await page.locator('.show-inactive').uncheck();
    expect(await page.locator('details[data-rule="NeverFires"]').isVisible()).toBe(false);

    const rules = await open(browser, '/rules');
    const group = rules.page.locator('details[data-group="availability"]');
    expect(await group.locator('.rule-definition').count()).toBe(3);
    for (const t of await group.locator('.last-evaluation').allTextContents()) expect(t).toMatch(/ago$/);
    for (const t of await group.locator('.evaluation-time').allTextContents()) expect(t).toMatch(/^[\d.]+(ms|s)$/);
    await rules.page.screenshot({ path: `${SHOTS}/rules.png` });
    expect([...errors, ...rules.errors]).toEqual([]);
    await page.close();
    await rules.page.close();
  }, 60_000);

  it('tsdb-status shows the head and cardinality; status, config and flags pages', async () => {
    const { page, errors } = await open(browser, '/tsdb-status');
    const s = await api<{ headStats: { numSeries: number }; seriesCountByMetricName: { name: string; value: number }[] }>('/api/v1/status/tsdb?limit=10');
    expect(await page.locator('[data-stat="numSeries"] .stat-value').textContent()).toBe(formatValue(s.headStats.numSeries));
    const names = await page.locator('.cardinality').first().locator('tr td:first-child').allTextContents();
    expect(names).toEqual(s.seriesCountByMetricName.map((x) => x.name));
    await page.screenshot({ path: `${SHOTS}/tsdb-status.png`, fullPage: true });

    const status = await open(browser, '/status');
    expect(await status.page.locator('table.data').first().textContent()).toContain('0.1.0');
    await status.page.screenshot({ path: `${SHOTS}/status.png` });
    const config = await open(browser, '/config');
    expect(await config.page.locator('.config-yaml').textContent()).toBe(configText);
    await config.page.screenshot({ path: `${SHOTS}/config.png` });
    const flags = await open(browser, '/flags');
    expect(await flags.page.locator('table.flags').textContent()).toContain('--web.route-prefix');
    await flags.page.screenshot({ path: `${SHOTS}/flags.png` });
    // The dark theme follows the system setting.
    await status.page.emulateMedia({ colorScheme: 'dark' });
    expect(await status.page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(17, 21, 28)');
    await flags.page.emulateMedia({ colorScheme: 'dark' });
    await flags.page.screenshot({ path: `${SHOTS}/flags-dark.png` });
    expect([...errors, ...status.errors, ...config.errors, ...flags.errors]).toEqual([]);
    for (const p of [page, status.page, config.page, flags.page]) await p.close();
  }, 60_000);
});

describe('the query page over hours of data', () => {
  it('graphs the playground\'s demo data stored in a server, with the legend\'s series and values as the API answers them', async () => {
    const p = await servePromlet({ listen: '127.0.0.1:0' });
    try {
      const end = Math.floor(Date.now() / 15_000) * 15_000;
      await generateDemoData(p.db, { end, hours: 6 });
      const QUERY = 'sum by (status) (rate(http_requests_total[5m]))';
      const { page, errors } = await open(browser, `/query?${new URLSearchParams({ 'g0.expr': QUERY, 'g0.tab': 'graph', 'g0.range_input': '3h', 'g0.end_input': new Date(end).toISOString() })}`, p.url);
      await page.waitForFunction(() => document.querySelector<HTMLElement>('.cell-result')?.dataset.state === 'done', undefined, { timeout: 30_000 });
      const step = 43_000; // autoStep(3h): 3h / 250, whole seconds
      const want = await api<{ result: { metric: Record<string, string>; values: [number, string][] }[] }>(
        `/api/v1/query_range?${new URLSearchParams({ query: QUERY, start: String((end - 3 * 3600_000) / 1000), end: String(end / 1000), step: String(step / 1000) })}`, p.url);
      expect((await page.locator('.u-legend .u-series .u-label').allTextContents()).slice(1)).toEqual(want.result.map((s) => seriesName(s.metric)));
      const over = await page.locator('.u-over').boundingBox();
      await page.mouse.move(over!.x + over!.width - 1, over!.y + over!.height / 2);
      const values = await page.locator('.u-legend .u-series .u-value').evaluateAll((els) => els.slice(1).map((e) => (e as HTMLElement).dataset.value));
      expect(values).toEqual(want.result.map((s) => s.values.at(-1)![1]));
      await page.mouse.move(over!.x + over!.width * 0.7, over!.y + over!.height / 2);
      await page.screenshot({ path: `${SHOTS}/query-graph-demo.png` });
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await p.stop();
    }
  }, 60_000);

  it('shows a scraped OpenMetrics target\'s exemplars as points on the graph at their time and value, labels on hover, kept in the URL', async () => {
    // Two counters whose exemplars carry the counters' own values, each at a whole second after the first
    // scrape, so that each point sits on its series' line at a step of the graph.
    let first = 0;
    const om = createServer((_req, res) => {
      first ||= Date.now();
      const at = (k: number) => Math.floor(first / 1000) + k;
      const ex = (k: number, labels: string, v: number) => (Date.now() > at(k) * 1000 ? ` # {${labels}} ${v} ${at(k)}` : '');
      res.writeHead(200, { 'content-type': 'application/openmetrics-text; version=1.0.0; charset=utf-8' });
      res.end([
        '# TYPE ex_jobs counter',
        `ex_jobs_total{kind="a"} 5${ex(1, 'trace_id="4bf92f3577b34da6",span_id="00f067aa0ba902b7"', 5)}`,
        `ex_jobs_total{kind="b"} 2${ex(2, 'trace_id="a3ce929d0e0e4736"', 2)}`,
        '# EOF', '',
      ].join('\n'));
    });
    await new Promise<void>((r) => om.listen(0, '127.0.0.1', r));
    const dir = mkdtempSync(join(tmpdir(), 'promlet-ui-exemplars-'));
    writeFileSync(join(dir, 'prometheus.yml'), [
      'global:', '  scrape_interval: 1s',
      'scrape_configs:', '  - job_name: om', '    static_configs:', `      - targets: ["127.0.0.1:${(om.address() as AddressInfo).port}"]`, '',
    ].join('\n'));
    const p = await servePromlet({ listen: '127.0.0.1:0', configFile: join(dir, 'prometheus.yml') });
    try {
      type Exemplars = { seriesLabels: Record<string, string>; exemplars: { labels: Record<string, string>; value: string; timestamp: number }[] }[];
      const exemplarsNow = () => api<Exemplars>(`/api/v1/query_exemplars?query=ex_jobs_total&start=0&end=${Date.now() / 1000 + 60}`, p.url);
      await until('both exemplars to be scraped', async () => (await exemplarsNow()).flatMap((s) => s.exemplars).length === 2);
      const end = Math.ceil(Date.now() / 1000) * 1000, range = 60_000;
      const { page, errors } = await open(browser, `/query?${new URLSearchParams({ 'g0.expr': 'ex_jobs_total', 'g0.tab': 'graph', 'g0.range_input': '1m', 'g0.end_input': new Date(end).toISOString(), 'g0.step_input': '1s' })}`, p.url);
      await page.waitForFunction(() => document.querySelector<HTMLElement>('.cell-result')?.dataset.state === 'done', undefined, { timeout: 30_000 });
      expect(await page.locator('.exemplar').count()).toBe(0);

      // The toggle fetches them for the panel's query and range, and lives in the URL as Prometheus keeps it.
      await runPanel(page, 0, () => page.getByLabel('Show exemplars').check());
      expect(new URL(page.url()).searchParams.get('g0.show_exemplars')).toBe('1');
      const want = await api<Exemplars>(`/api/v1/query_exemplars?${new URLSearchParams({ query: 'ex_jobs_total', start: String((end - range) / 1000), end: String(end / 1000) })}`, p.url);
      const wanted = want.flatMap((s) => s.exemplars.map((e) => ({ series: seriesName(s.seriesLabels), labels: e.labels, value: e.value, timestamp: e.timestamp })));
      expect(wanted.map((e) => e.labels.trace_id).sort()).toEqual(['4bf92f3577b34da6', 'a3ce929d0e0e4736']);
      const markers = page.locator('.exemplar');
      const shown = await markers.evaluateAll((els) => els.map((e) => {
        const d = (e as HTMLElement).dataset;
        return { series: d.series!, labels: JSON.parse(d.labels!) as Record<string, string>, value: d.value!, timestamp: Number(d.timestamp) };
      }));
      expect(shown).toEqual(wanted);

      // Each point sits at its time across the range, and on its series' line where the cursor snaps to that time.
      const over = (await page.locator('.u-over').boundingBox())!;
      const legend = (await page.locator('.u-legend .u-series .u-label').allTextContents()).slice(1);
      for (let i = 0; i < wanted.length; i++) {
        const w = wanted[i]!;
        const box = (await markers.nth(i).boundingBox())!;
        const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
        expect(Math.abs(at.x - (over.x + over.width * (w.timestamp * 1000 - (end - range)) / range))).toBeLessThan(1.5);
        await page.mouse.move(at.x, at.y);
        const pt = (await page.locator('.u-cursor-pt').nth(legend.indexOf(w.series)).boundingBox())!;
        expect(Math.abs(pt.x + pt.width / 2 - at.x)).toBeLessThan(1.5);
        expect(Math.abs(pt.y + pt.height / 2 - at.y)).toBeLessThan(1.5);
        // The tooltip: the exemplar's labels, its series and its value.
        const tip = page.locator('.exemplar-tooltip');
        await tip.waitFor({ timeout: 5_000 });
        expect(await tip.locator('.exemplar-label').allTextContents()).toEqual(Object.entries(w.labels).map(([k, v]) => `${k}: ${v}`));
        expect(await tip.locator('.exemplar-series').textContent()).toBe(w.series);
        expect(await tip.locator('.exemplar-value').textContent()).toBe(`value: ${w.value}`);
        if (i === 0) await page.screenshot({ path: `${SHOTS}/query-exemplars.png` });
      }
      // The larger value is drawn higher.
      const ys = await markers.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().top));
      const byValue = wanted.map((w, i) => [Number(w.value), ys[i]!] as const).sort((a, b) => a[0] - b[0]);
      expect(byValue[0]![1]).toBeGreaterThan(byValue[1]![1]);

      // A link with the toggle on shows them at once.
      const again = await open(browser, new URL(page.url()).pathname + new URL(page.url()).search, p.url);
      await again.page.waitForFunction(() => document.querySelector<HTMLElement>('.cell-result')?.dataset.state === 'done', undefined, { timeout: 30_000 });
      expect(await again.page.getByLabel('Show exemplars').isChecked()).toBe(true);
      expect(await again.page.locator('.exemplar').count()).toBe(wanted.length);
      expect([...errors, ...again.errors]).toEqual([]);
      await page.close();
      await again.page.close();
    } finally {
      await p.stop();
      om.close();
    }
  }, 60_000);
});

describe('the web UI under --web.external-url with authentication', () => {
  it('serves under the external URL\'s path with basic auth, and with a bearer token', async () => {
    const p = await servePromlet({ listen: '127.0.0.1:0', externalURL: 'http://proxy.example/prom/', basicAuth: { user: 'ops', password: 's3cret' } });
    try {
      expect((await fetch(`${p.url}/prom/query`)).status).toBe(401);
      const context = await browser.newContext({ httpCredentials: { username: 'ops', password: 's3cret' } });
      const { page, errors } = await open(context, '/prom/', p.url);
      expect(new URL(page.url()).pathname).toBe('/prom/query');
      await type(page, 0, 'count(up)');
      await runPanel(page, 0, () => page.keyboard.press('Enter'));
      expect((await rows(page, 0)).map((r) => r[2])).toEqual(['1']);
      expect(await page.locator('.topbar nav a[data-page="targets"]').getAttribute('href')).toBe('./targets');
      // The new page's readiness, not the old one's.
      await Promise.all([page.waitForURL('**/prom/targets'), page.locator('.topbar nav a[data-page="targets"]').click()]);
      await page.waitForSelector('body[data-ready]');
      expect(new URL(page.url()).pathname).toBe('/prom/targets');
      // The self-scrape follows the prefix too.
      expect(await page.locator('table.targets .badge').first().textContent()).toBe('UP');
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await p.stop();
    }
    const b = await servePromlet({ listen: '127.0.0.1:0', routePrefix: '/x', bearerToken: 'tok' });
    try {
      const context = await browser.newContext({ extraHTTPHeaders: { authorization: 'Bearer tok' } });
      const { page, errors } = await open(context, '/x/flags', b.url);
      expect(await page.locator('table.flags').textContent()).toContain('/x');
      expect(errors).toEqual([]);
      await context.close();
      expect((await fetch(`${b.url}/x/flags`)).status).toBe(401);
    } finally {
      await b.stop();
    }
  }, 60_000);
});
