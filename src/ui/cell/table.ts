// An instant query's result as a table: one row per series with its value,
// or its values with their times for a range vector. Values are shown for
// reading (grouped, rounded); the exact value is the cell's title and data-value.

import { el } from '../dom.js';
import { formatValue } from '../format.js';
import { type Data, formatTime, seriesName } from './results.js';
import { histogramCell, histogramLine } from './histogram-view.js';

function valueCell(v: string): HTMLElement {
  const span = el('span', { className: 'value', textContent: formatValue(v), title: v });
  span.dataset.value = v;
  return span;
}

function row(cells: (string | Node)[], numeric = false): HTMLTableRowElement {
  const tr = document.createElement('tr');
  cells.forEach((c, i) => {
    const td = document.createElement('td');
    if (numeric && i === cells.length - 1) td.className = 'num';
    td.append(c);
    tr.append(td);
  });
  return tr;
}

export function renderTable(target: HTMLElement, data: Data): void {
  const table = el('table', { className: 'result-table data' });
  table.append(el('tr', {}, el('th', { textContent: 'Series' }), el('th', { className: 'num', textContent: 'Value' })));
  switch (data.resultType) {
    case 'vector':
      for (const s of data.result) table.append(row([seriesName(s.metric), s.histogram ? histogramCell(s.histogram[1]) : valueCell(s.value![1])], true));
      break;
    case 'matrix':
      for (const s of data.result) {
        // Floats and histograms of a series in time order (a series may switch between them).
        const points: [number, () => HTMLElement][] = [
          ...(s.values ?? []).map(([t, v]): [number, () => HTMLElement] => [t, () => valueCell(v)]),
          ...(s.histograms ?? []).map(([t, h]): [number, () => HTMLElement] => [t, () => histogramLine(h)]),
        ].sort((a, b) => a[0] - b[0]);
        const list = el('div', { className: 'range-values' }, ...points.map(([t, cell]) =>
          el('div', {}, cell(), el('span', { className: 'muted', textContent: ` @${formatTime(t * 1000)}` }))));
        table.append(row([seriesName(s.metric), list], true));
      }
      break;
    default:
      table.append(row([data.resultType, valueCell(data.result[1])], true));
  }
  const n = data.resultType === 'vector' || data.resultType === 'matrix' ? data.result.length : 1;
  const count = el('div', { className: 'result-count', textContent: `${n.toLocaleString('en')} result${n === 1 ? '' : 's'}` });
  target.replaceChildren(count, n === 0 ? el('div', { className: 'empty', textContent: 'Empty query result.' }) : table);
}
