// One query cell (a panel of the server's query page, a cell of the
// playground's notebook): an editor, the result tabs (table, graph, explain),
// the time range and step, and the result of the last run.

import { parseDuration } from '../../model/duration.js';
import { el } from '../dom.js';
import { formatDuration, formatLocalTime } from '../format.js';
import { createTimeRangePicker } from '../time-range.js';
import type { QueryBackend } from './backend.js';
import { createEditor, type QueryEditor } from './editor.js';
import { type ExemplarSeries, MAX_EXEMPLAR_POINTS } from './exemplars.js';
import { renderExplain } from './explain-view.js';
import { renderGraph } from './graph.js';
import type { ApiAnswer } from './results.js';
import type { CellState, Tab } from './cell-state.js';
import { renderTable } from './table.js';
import './cell.css';

/** Prometheus's graph default: about 250 points over the range, at least one second apart. */
export const autoStep = (rangeMs: number) => Math.max(1, Math.floor(rangeMs / 250 / 1000)) * 1000;

const STEPS = ['15s', '30s', '1m', '5m', '15m', '1h'];
let listIds = 0;

export interface CellOptions {
  /** What an open end means, shown by the range picker: "newest sample" in the playground. */
  nowLabel?: string;
  /** Offer "Show exemplars" on the graph: the backend answers /api/v1/query_exemplars. */
  exemplars?: boolean;
}

export class Cell {
  readonly root: HTMLElement;
  private readonly editor: QueryEditor;
  private readonly result: HTMLElement;
  private readonly status: HTMLElement;
  private readonly tabs: Record<Tab, HTMLButtonElement>;
  private readonly offerExemplars: boolean;

  constructor(
    readonly state: CellState,
    private readonly backend: QueryBackend,
    private readonly dataEnd: () => number,
    private readonly changed: () => void,
    remove: () => void,
    opts: CellOptions = {},
  ) {
    const editorHost = el('div', { className: 'cell-editor' });
    const run = el('button', { className: 'run primary', textContent: 'Run', title: 'Run (Enter)', onclick: () => void this.run() });
    const del = el('button', { className: 'remove ghost icon', title: 'Remove', textContent: '✕', onclick: remove });
    this.tabs = {
      table: el('button', { className: 'tab', textContent: 'Table' }),
      graph: el('button', { className: 'tab', textContent: 'Graph' }),
      explain: el('button', { className: 'tab', textContent: 'Explain' }),
    };
    for (const [tab, b] of Object.entries(this.tabs) as [Tab, HTMLButtonElement][]) {
      b.onclick = () => {
        this.state.tab = tab;
        this.changed();
        void this.run();
      };
    }
    const picker = createTimeRangePicker({ range: state.range, end: state.end }, (v) => {
      this.state.range = v.range;
      this.state.end = v.end;
      this.changed();
      void this.run();
    }, { now: () => this.dataEnd(), nowLabel: opts.nowLabel });
    // A combo box: common steps to pick, or any duration typed.
    const stepList = el('datalist', { id: `steps-${++listIds}` }, ...STEPS.map((v) => el('option', { value: v })));
    const step = el('input', { className: 'step', placeholder: 'auto', size: 7, value: state.step, title: 'Graph step, such as 30s (empty: about 250 points over the range)' });
    step.setAttribute('list', stepList.id);
    step.onchange = () => {
      this.state.step = step.value.trim();
      this.changed();
      void this.run();
    };
    const stacked = el('input', { type: 'checkbox', className: 'stacked', checked: state.stacked });
    stacked.onchange = () => {
      this.state.stacked = stacked.checked;
      this.changed();
      void this.run();
    };
    const exemplars = el('input', { type: 'checkbox', className: 'show-exemplars', checked: state.exemplars });
    exemplars.onchange = () => {
      this.state.exemplars = exemplars.checked;
      this.changed();
      void this.run();
    };
    const controls = el('div', { className: 'cell-controls' },
      el('div', { className: 'segmented' }, ...Object.values(this.tabs)), el('span', { className: 'spacer' }),
      picker, el('label', { className: 'graph-only' }, 'Step ', step, stepList), el('label', { className: 'graph-only' }, stacked, ' stacked'),
      ...(opts.exemplars ? [el('label', { className: 'graph-only' }, exemplars, ' Show exemplars')] : []));
    this.offerExemplars = opts.exemplars ?? false;
    this.status = el('div', { className: 'cell-status' });
    this.result = el('div', { className: 'cell-result' });
    this.result.dataset.state = 'idle';
    this.root = el('section', { className: 'cell' }, el('div', { className: 'cell-top' }, editorHost, run, del), controls, this.status, this.result);
    this.editor = createEditor(editorHost, backend, state.expr, () => void this.run(), (text) => {
      this.state.expr = text;
      this.changed();
    });
    this.markTab();
  }

  private markTab(): void {
    for (const [tab, b] of Object.entries(this.tabs)) b.classList.toggle('active', tab === this.state.tab);
    this.root.dataset.tab = this.state.tab;
  }

  private async api(path: string, params: Record<string, string>): Promise<ApiAnswer> {
    const r = await this.backend.fetch(`${path}?${new URLSearchParams(params)}`);
    const text = await r.text();
    try {
      return JSON.parse(text) as ApiAnswer;
    } catch {
      throw new Error(`${r.status} ${r.statusText}: ${text.slice(0, 200)}`);
    }
  }

  /** The query's exemplars over the graph's range; an expression without selectors has none (Prometheus answers 204). */
  private async exemplars(expr: string, span: { start: string; end: string }): Promise<ExemplarSeries[]> {
    const r = await this.backend.fetch(`/api/v1/query_exemplars?${new URLSearchParams({ query: expr, ...span })}`);
    if (r.status === 204) return [];
    const body = await r.json() as { status: string; data?: ExemplarSeries[]; error?: string };
    if (body.status !== 'success') throw new Error(`exemplars: ${body.error ?? r.statusText}`);
    return body.data ?? [];
  }

  async run(): Promise<void> {
    this.markTab();
    // A run answers the query as typed: a completion list left open would hide the result.
    this.editor.closeCompletion();
    const expr = this.editor.text().trim();
    this.state.expr = this.editor.text();
    if (expr === '') return;
    this.result.dataset.state = 'running';
    this.status.textContent = 'Running…';
    const t0 = performance.now();
    try {
      const end = this.state.end ?? this.dataEnd();
      if (this.state.tab === 'explain') {
        renderExplain(this.result, await this.backend.explain(expr, end));
        this.status.textContent = `Explained at ${formatLocalTime(end)} in ${formatDuration(performance.now() - t0)}`;
      } else {
        let answer: ApiAnswer;
        let range = 0, step = 0;
        let exemplars: Promise<ExemplarSeries[]> | undefined;
        let exemplarError = '';
        if (this.state.tab === 'graph') {
          range = parseDuration(this.state.range);
          step = this.state.step ? parseDuration(this.state.step) : autoStep(range);
          const span = { start: String((end - range) / 1000), end: String(end / 1000) };
          // Exemplars that fail to load leave the graph drawn, with the reason beside it.
          if (this.offerExemplars && this.state.exemplars) exemplars = this.exemplars(expr, span).catch((e: Error) => (exemplarError = e.message, []));
          answer = await this.api('/api/v1/query_range', { query: expr, ...span, step: String(step / 1000) });
        } else {
          answer = await this.api('/api/v1/query', { query: expr, time: String(end / 1000) });
        }
        if (answer.status !== 'success' || !answer.data) throw new Error(answer.error ?? 'query failed');
        const shownExemplars = await exemplars;
        const exemplarCount = shownExemplars?.reduce((n, x) => n + x.exemplars.length, 0) ?? 0;
        if (this.state.tab === 'graph') renderGraph(this.result, answer.data, end - range, end, step, this.state.stacked, shownExemplars);
        else renderTable(this.result, answer.data);
        const notes = [...(answer.warnings ?? []).map((w) => `warning: ${w}`), ...(answer.infos ?? []).map((i) => `info: ${i}`),
          ...(exemplarError ? [`exemplars not shown: ${exemplarError}`] : []),
          ...(exemplarCount > MAX_EXEMPLAR_POINTS ? [`showing the newest ${MAX_EXEMPLAR_POINTS} of ${exemplarCount} exemplars`] : [])];
        this.status.textContent = [`Evaluated at ${formatLocalTime(end)} in ${formatDuration(performance.now() - t0)}`
          + (step ? `, step ${formatDuration(step)}` : ''), ...notes].join(' · ');
      }
      this.result.dataset.state = 'done';
    } catch (e) {
      this.result.dataset.state = 'error';
      this.result.replaceChildren(el('div', { className: 'error', textContent: (e as Error).message }));
      this.status.textContent = '';
    }
  }
}
