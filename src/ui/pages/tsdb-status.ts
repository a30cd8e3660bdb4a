// /tsdb-status: the head's size and time span, and cardinality: the metric
// names, label names and label pairs with the most series.

import { getData } from '../api.js';
import { el } from '../dom.js';
import { formatBytes, formatLocalTime, formatValue } from '../format.js';
import { dataTable, pageTitle } from '../widgets.js';

interface Stat { name: string; value: number }
interface TsdbStatus {
  headStats: { numSeries: number; numLabelPairs: number; chunkCount: number; minTime: number; maxTime: number };
  seriesCountByMetricName: Stat[];
  labelValueCountByLabelName: Stat[];
  memoryInBytesByLabelName: Stat[];
  seriesCountByLabelValuePair: Stat[];
}

function stat(label: string, value: string, name: string): HTMLElement {
  const e = el('div', { className: 'stat' }, el('div', { className: 'stat-value', textContent: value }), el('div', { className: 'stat-label', textContent: label }));
  e.dataset.stat = name;
  return e;
}

function top(title: string, what: string, rows: Stat[], bytes = false): HTMLElement {
  const max = Math.max(1, ...rows.map((r) => r.value));
  const table = dataTable([what, title.startsWith('Memory') ? 'Bytes' : 'Count', ''], rows.map((r) => [
    el('code', { textContent: r.name }),
    el('span', { textContent: bytes ? formatBytes(r.value) : formatValue(r.value), title: String(r.value) }),
    el('div', { className: 'bar' }, el('div', { style: `width:${(100 * r.value) / max}%` } as Record<string, unknown>)),
  ]), [1]);
  return el('div', { className: 'card cardinality' }, el('h2', { textContent: title }), rows.length ? table : el('div', { className: 'empty', textContent: 'Nothing yet.' }));
}

export async function renderTsdbStatus(root: HTMLElement): Promise<void> {
  const s = await getData<TsdbStatus>('/api/v1/status/tsdb', { limit: '10' });
  const h = s.headStats;
  const span = h.maxTime > h.minTime ? `${formatLocalTime(h.minTime)} → ${formatLocalTime(h.maxTime)}` : '—';
  root.replaceChildren(
    pageTitle('TSDB status'),
    el('div', { className: 'stats' },
      stat('Series', formatValue(h.numSeries), 'numSeries'), stat('Label pairs', formatValue(h.numLabelPairs), 'numLabelPairs'),
      stat('Chunks', formatValue(h.chunkCount), 'chunkCount'), stat('Time span', span, 'span')),
    el('div', { className: 'grid-2' },
      top('Series count by metric name', 'Metric name', s.seriesCountByMetricName),
      top('Label value count by label name', 'Label name', s.labelValueCountByLabelName),
      top('Memory used by label name', 'Label name', s.memoryInBytesByLabelName, true),
      top('Series count by label pair', 'Label pair', s.seriesCountByLabelValuePair)),
  );
}
