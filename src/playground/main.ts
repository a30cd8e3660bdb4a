// The playground page: data sources, a notebook of query cells and a rule
// backtest, all answered by promlet in a Web Worker. The cells, the rules and
// the demo data's time live in the URL, so a link reproduces the page.

import './style.css';
import { Cell } from '../ui/cell/cell.js';
import type { QueryBackend } from '../ui/cell/backend.js';
import { startEngine, type EngineClient } from './client.js';
import { renderBacktest } from './rules-view.js';
import type { DataStats } from './protocol.js';
import { formatTime } from '../ui/cell/results.js';
import { type PageState, decodeState, defaultState, encodeState, newCell } from './state.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let engine: EngineClient;
let backend: QueryBackend;
let state: PageState;
let stats: DataStats | null = null;
const cells: Cell[] = [];

function save(): void {
  history.replaceState(null, '', encodeState(state));
}

function showStats(s: DataStats): void {
  stats = s;
  const status = $('data-status');
  status.dataset.series = String(s.series);
  status.dataset.samples = String(s.samples);
  status.dataset.maxTime = String(s.maxTime ?? '');
  status.textContent = s.samples === 0
    ? 'No data loaded.'
    : `${s.series} series, ${s.samples.toLocaleString('en')} samples, ${formatTime(s.minTime!)} to ${formatTime(s.maxTime!)}`
      + (s.persistent ? ' · kept in this browser' : '');
  ($('persist') as HTMLInputElement).checked = s.persistent;
}

function message(text: string, error = false): void {
  const m = $('data-message');
  m.textContent = text;
  m.className = error ? 'error' : '';
}

const dataEnd = () => stats?.maxTime ?? Date.now();

function addCell(cs = newCell()): Cell {
  const cell = new Cell(cs, backend, dataEnd, save, () => {
    const i = cells.indexOf(cell);
    cells.splice(i, 1);
    state.cells.splice(i, 1);
    cell.root.remove();
    save();
  }, { nowLabel: 'newest sample' });
  cells.push(cell);
  $('cells').append(cell.root);
  return cell;
}

async function runAll(): Promise<void> {
  await Promise.all(cells.map((c) => c.run()));
}

async function guard(what: string, f: () => Promise<void>): Promise<void> {
  try {
    await f();
  } catch (e) {
    message(`${what}: ${(e as Error).message}`, true);
  }
}

async function loadDemo(): Promise<void> {
  const persistent = ($('persist') as HTMLInputElement).checked;
  const d = state.data.kind === 'demo' ? state.data : defaultState(Date.now()).data;
  if (d.kind !== 'demo') return;
  showStats(await engine.call('reset', { persistent }));
  showStats(await engine.call('loadDemo', { end: d.end, hours: d.hours }));
  state.data = persistent ? { kind: 'browser' } : d;
  message(`Demo data: ${d.hours} hours of a small web service, generated in this tab.`);
}

async function loadText(text: string, what: string): Promise<void> {
  const r = await engine.call('loadText', { text, now: Date.now() });
  showStats(r);
  if (state.data.kind === 'demo') state.data = stats?.persistent ? { kind: 'browser' } : { kind: 'custom' };
  save();
  message(`${what}: loaded ${r.samples} samples` + (r.rejected ? `, rejected ${r.rejected}: ${r.problems.join('; ')}` : ''), r.samples === 0 && r.rejected > 0);
  await runAll();
}

let scrapeTimer: ReturnType<typeof setInterval> | null = null;

function wireSources(): void {
  $('demo').onclick = () => void guard('demo data', async () => {
    state.data = defaultState(Date.now()).data;
    await loadDemo();
    save();
    await runAll();
  });
  $('clear').onclick = () => void guard('clear', async () => {
    showStats(await engine.call('reset', { persistent: ($('persist') as HTMLInputElement).checked }));
    state.data = { kind: 'custom' };
    save();
    message('Empty database.');
  });
  const paste = $('paste') as HTMLTextAreaElement;
  $('load-paste').onclick = () => void guard('pasted text', () => loadText(paste.value, 'pasted text'));
  paste.ondragover = (e) => e.preventDefault();
  paste.ondrop = (e) => {
    e.preventDefault();
    const f = e.dataTransfer?.files[0];
    if (f) void guard(f.name, async () => loadText(await f.text(), f.name));
  };
  const file = $('file') as HTMLInputElement;
  file.onchange = () => {
    const f = file.files?.[0];
    if (f) void guard(f.name, async () => loadText(await f.text(), f.name));
  };
  const scrape = async () => {
    const url = ($('scrape-url') as HTMLInputElement).value.trim();
    const r = await engine.call('scrape', { url });
    showStats(r);
    state.data = stats?.persistent ? { kind: 'browser' } : { kind: 'custom' };
    save();
    message(`scraped ${url} at ${formatTime(Date.now())}: ${r.samples} samples`);
    await runAll();
  };
  $('scrape').onclick = () => void guard('scrape', async () => {
    if (scrapeTimer) clearInterval(scrapeTimer);
    scrapeTimer = null;
    await scrape();
    const every = Number(($('scrape-every') as HTMLSelectElement).value);
    if (every > 0) scrapeTimer = setInterval(() => void guard('scrape', scrape), every * 1000);
  });
  $('persist').onchange = () => void guard('browser storage', async () => {
    const on = ($('persist') as HTMLInputElement).checked;
    if (!on) {
      state.data = defaultState(Date.now()).data;
      await loadDemo();
    } else if (state.data.kind === 'demo') {
      await loadDemo();
      message('The demo data is now kept in this browser (IndexedDB): what you load next survives reloads too.');
    } else {
      showStats(await engine.call('reset', { persistent: true }));
      state.data = { kind: 'browser' };
      message('An empty database kept in this browser (IndexedDB): what you load now survives reloads.');
    }
    save();
    await runAll();
  });
}

function wireRules(): void {
  const text = $('rules-text') as HTMLTextAreaElement;
  text.value = state.rules;
  text.oninput = () => {
    state.rules = text.value;
    save();
  };
  $('rules-run').onclick = () => void (async () => {
    const out = $('rules-result');
    out.dataset.state = 'running';
    try {
      if (!stats || stats.minTime === null) throw new Error('load some data first');
      const r = await engine.call('backtest', { yaml: text.value, start: stats.minTime, end: stats.maxTime! });
      renderBacktest(out, r);
      out.dataset.state = 'done';
      showStats(await engine.call('stats', undefined));
    } catch (e) {
      out.textContent = (e as Error).message;
      out.dataset.state = 'error';
    }
  })();
}

async function boot(): Promise<void> {
  state = decodeState(location.hash) ?? defaultState(Date.now());
  engine = await startEngine();
  backend = {
    fetch: (input, init) => engine.fetch(input, init),
    explain: (expr, time) => engine.call('explain', { expr, range: { time } }),
    lint: (expr) => engine.call('lint', { expr }),
  };
  wireSources();
  if (state.data.kind === 'browser') {
    showStats(await engine.call('restore', undefined));
    message('The database kept in this browser, as it was left.');
  } else if (state.data.kind === 'demo') {
    await loadDemo();
  } else {
    showStats(await engine.call('stats', undefined));
    message('This link came with pasted or scraped data, which links do not carry: load it again.');
  }
  wireRules();
  for (const c of state.cells) addCell(c);
  $('add-cell').onclick = () => {
    const cs = newCell();
    state.cells.push(cs);
    addCell(cs);
    save();
  };
  save();
  await runAll();
  // What `npm run bench` reads: the time from navigation to the first answered query.
  performance.mark('promlet:first-answer');
  document.body.dataset.ready = 'true';
}

void boot().catch((e) => message(`could not start: ${(e as Error).message}`, true));
