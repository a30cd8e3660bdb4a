// A native histogram sample in the table view: its count and sum, a bar
// per non-empty bucket (equal widths, heights by count, the bucket's range
// and count on hover and in data attributes), and the bucket list to read
// exact figures from, as Prometheus's UI shows an instant histogram.

import { bucketRange, histogramText, type HistogramJSON } from '../../model/histogram-api.js';
import { el } from '../dom.js';
import { formatValue, parseSampleValue } from '../format.js';

const SVG = 'http://www.w3.org/2000/svg';
const CHART_W = 360, CHART_H = 90;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

function figure(label: string, v: string): HTMLElement {
  const value = el('span', { className: 'value', textContent: formatValue(v), title: v });
  value.dataset.value = v;
  return el('span', { className: 'histogram-figure' }, el('span', { className: 'muted', textContent: `${label} ` }), value);
}

/** The bucket chart: one bar per non-empty bucket, lowest bucket left. */
export function bucketChart(h: HistogramJSON): SVGSVGElement {
  const buckets = h.buckets ?? [];
  const chart = svg('svg', { class: 'histogram-chart', viewBox: `0 0 ${CHART_W} ${CHART_H}`, width: CHART_W, height: CHART_H, role: 'img' });
  chart.setAttribute('aria-label', `bucket chart: ${buckets.length} buckets`);
  const max = Math.max(0, ...buckets.map((b) => parseSampleValue(b[3])).filter(Number.isFinite));
  const w = buckets.length > 0 ? CHART_W / buckets.length : CHART_W;
  buckets.forEach((b, i) => {
    const count = parseSampleValue(b[3]);
    const height = max > 0 && Number.isFinite(count) ? Math.max(1, (count / max) * (CHART_H - 2)) : 1;
    const bar = svg('rect', { class: 'histogram-bar', x: i * w + 0.5, y: CHART_H - height, width: Math.max(1, w - 1), height });
    bar.dataset.range = bucketRange(b);
    bar.dataset.count = b[3];
    const title = svg('title', {});
    title.textContent = `${bucketRange(b)}: ${b[3]}`;
    bar.append(title);
    chart.append(bar);
  });
  return chart;
}

/** An instant vector's histogram: summary, bucket chart, and the buckets as a table under a disclosure. */
export function histogramCell(h: HistogramJSON): HTMLElement {
  const buckets = h.buckets ?? [];
  const first = buckets[0], last = buckets[buckets.length - 1];
  const axis = first && last
    ? el('div', { className: 'histogram-axis muted' }, el('span', { textContent: first[1] }), el('span', { textContent: last[2] }))
    : el('div', { className: 'histogram-axis muted', textContent: 'no observations in any bucket' });
  const table = el('table', { className: 'histogram-buckets data' },
    el('tr', {}, el('th', { textContent: 'Bucket' }), el('th', { className: 'num', textContent: 'Count' })),
    ...buckets.map((b) => el('tr', {}, el('td', { textContent: bucketRange(b) }), el('td', { className: 'num', textContent: b[3] }))));
  const box = el('div', { className: 'histogram', title: histogramText(h) },
    el('div', { className: 'histogram-summary' }, figure('count', h.count), figure('sum', h.sum)),
    bucketChart(h),
    axis,
    el('details', {}, el('summary', { textContent: `${buckets.length} bucket${buckets.length === 1 ? '' : 's'}` }), table));
  box.dataset.histogram = histogramText(h);
  return box;
}

/** A histogram point of a range vector in the table: one line, exact text in data-value. */
export function histogramLine(h: HistogramJSON): HTMLElement {
  const text = histogramText(h);
  const span = el('span', { className: 'value histogram-line', textContent: `count ${formatValue(h.count)}, sum ${formatValue(h.sum)}, ${(h.buckets ?? []).length} buckets`, title: text });
  span.dataset.value = text;
  return span;
}
