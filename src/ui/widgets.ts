// Small pieces the pages share: label chips, health badges, sections,
// tables, and a filter box.

import { el } from './dom.js';

export function labelChips(labels: Record<string, string>, skipName = false): HTMLElement {
  return el('div', { className: 'chips' }, ...Object.entries(labels)
    .filter(([k]) => !(skipName && k === '__name__'))
    .map(([k, v]) => el('span', { className: 'chip' }, el('b', { textContent: k }), `="${v}"`)));
}

const TONE: Record<string, string> = { up: 'ok', ok: 'ok', inactive: 'ok', firing: 'danger', down: 'danger', err: 'danger', pending: 'warn', unknown: '' };

export function badge(state: string, text = state): HTMLElement {
  const b = el('span', { className: `badge ${TONE[state.toLowerCase()] ?? ''}`, textContent: text });
  b.dataset.state = state.toLowerCase();
  return b;
}

export function section(title: (string | Node)[], body: Node[], open = true): HTMLDetailsElement {
  const d = el('details', { className: 'section', open }, el('summary', {}, ...title), el('div', { className: 'body' }, ...body));
  return d;
}

export function dataTable(headers: string[], rows: (string | Node)[][], numeric: number[] = []): HTMLTableElement {
  const t = el('table', { className: 'data' });
  t.append(el('tr', {}, ...headers.map((h, i) => el('th', { textContent: h, className: numeric.includes(i) ? 'num' : '' }))));
  for (const r of rows) t.append(el('tr', {}, ...r.map((c, i) => el('td', { className: numeric.includes(i) ? 'num' : '' }, c))));
  return t;
}

export function pageTitle(text: string, ...extra: (string | Node)[]): HTMLElement {
  return el('div', { className: 'toolbar page-title' }, el('h1', { textContent: text }), el('span', { className: 'spacer' }), ...extra);
}

/** A text box that hides what does not contain its text; `items` pairs each element with what it is searched by. */
export function filterBox(placeholder: string, items: () => [HTMLElement, string][]): HTMLInputElement {
  const input = el('input', { type: 'search', placeholder, className: 'filter', size: 32 });
  input.oninput = () => {
    const q = input.value.trim().toLowerCase();
    for (const [e, text] of items()) e.style.display = q === '' || text.toLowerCase().includes(q) ? '' : 'none';
  };
  return input;
}

export function failure(e: unknown): HTMLElement {
  return el('div', { className: 'notice error', textContent: (e as Error).message });
}
