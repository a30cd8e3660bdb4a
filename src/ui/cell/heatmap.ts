// Native histogram series in the graph view: one heatmap per series, time
// across, one row per bucket (lowest bucket at the bottom), each cell's
// shade the bucket's count at that step relative to the series' largest.
// Hovering a cell names its bucket, count and time; float series of the
// same result keep their line chart above the heatmaps.

import type uPlot from 'uplot';
import { bucketRange, type HistogramBucketJSON } from '../../model/histogram-api.js';
import { el } from '../dom.js';
import { formatAxis, formatValue, parseSampleValue } from '../format.js';
import { type Data, type MatrixSeries, formatTime, seriesName } from './results.js';

/** Beyond this many histogram series the rest are named, not drawn (each heatmap is a canvas). */
const MAX_HEATMAPS = 20;
const ROW_MAX = 14, HEIGHT_MAX = 260, GUTTER = 84;

type Lines = (target: HTMLElement, data: Data) => uPlot | null;

const cssVar = (name: string, fallback: string) =>
  (typeof getComputedStyle === 'function' ? getComputedStyle(document.documentElement).getPropertyValue(name).trim() : '') || fallback;

/** True when the result holds native histograms, which the line chart cannot draw. */
export function hasHistograms(data: Data): boolean {
  return data.resultType === 'matrix' && data.result.some((s) => (s.histograms?.length ?? 0) > 0);
}

/** Float series as lines (through `lines`), histogram series as heatmaps below them. */
export function renderHistogramGraph(target: HTMLElement, data: Data, start: number, end: number, step: number, lines: Lines): uPlot | null {
  target.replaceChildren();
  if (data.resultType !== 'matrix') return null;
  const floats = data.result.filter((s) => (s.values?.length ?? 0) > 0).map((s) => ({ metric: s.metric, values: s.values }));
  const hists = data.result.filter((s) => (s.histograms?.length ?? 0) > 0);
  let plot: uPlot | null = null;
  if (floats.length > 0) {
    const box = el('div', { className: 'float-lines' });
    target.append(box);
    plot = lines(box, { resultType: 'matrix', result: floats });
  }
  const width = Math.max(300, target.clientWidth || 800);
  for (const s of hists.slice(0, MAX_HEATMAPS)) target.append(heatmap(s, start, end, step, width));
  if (hists.length > MAX_HEATMAPS) {
    target.append(el('div', { className: 'muted heatmap-more', textContent: `${hists.length - MAX_HEATMAPS} more histogram series not drawn: narrow the query to see them.` }));
  }
  return plot;
}

interface Grid {
  rows: HistogramBucketJSON[];
  /** counts[row][column], NaN where the bucket has no count at that step. */
  counts: number[][];
  max: number;
}

function grid(s: MatrixSeries, start: number, n: number, step: number): Grid {
  const byRange = new Map<string, HistogramBucketJSON>();
  for (const [, h] of s.histograms ?? []) for (const b of h.buckets ?? []) byRange.set(bucketRange(b), b);
  const rows = [...byRange.values()].sort((a, b) => parseSampleValue(a[1]) - parseSampleValue(b[1]) || parseSampleValue(a[2]) - parseSampleValue(b[2]));
  const index = new Map(rows.map((b, i) => [bucketRange(b), i]));
  const counts = rows.map(() => new Array<number>(n).fill(NaN));
  let max = 0;
  for (const [t, h] of s.histograms ?? []) {
    const col = Math.round((t * 1000 - start) / step);
    if (col < 0 || col >= n) continue;
    for (const b of h.buckets ?? []) {
      const c = parseSampleValue(b[3]);
      counts[index.get(bucketRange(b))!]![col] = c;
      if (Number.isFinite(c) && c > max) max = c;
    }
  }
  return { rows, counts, max };
}

function heatmap(s: MatrixSeries, start: number, end: number, step: number, width: number): HTMLElement {
  const n = Math.floor((end - start) / step) + 1;
  const g = grid(s, start, n, step);
  const rowH = Math.max(4, Math.min(ROW_MAX, Math.floor(HEIGHT_MAX / Math.max(1, g.rows.length))));
  const height = Math.max(rowH, rowH * g.rows.length);
  const plotW = width - GUTTER;
  const colW = plotW / n;
  const canvas = el('canvas', { className: 'heatmap-canvas' });
  const dpr = typeof devicePixelRatio === 'number' ? devicePixelRatio : 1;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(height * dpr);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d');
  const color = cssVar('--chart-heat', '59, 130, 246');
  if (ctx) {
    ctx.scale(dpr, dpr);
    ctx.fillStyle = cssVar('--chart-axis', '#5d6676');
    ctx.font = '10px ui-monospace, monospace';
    ctx.textBaseline = 'middle';
    g.rows.forEach((b, r) => {
      const y = height - (r + 1) * rowH;
      // Label every row when they are tall enough, else about every 14 px.
      if (rowH >= 10 || r % Math.ceil(10 / rowH) === 0) ctx.fillText(formatAxis(parseSampleValue(b[2])), 2, y + rowH / 2, GUTTER - 6);
      for (let c = 0; c < n; c++) {
        const v = g.counts[r]![c]!;
        if (!(v > 0)) continue;
        ctx.fillStyle = `rgba(${color}, ${(0.12 + 0.88 * (g.max > 0 ? v / g.max : 1)).toFixed(3)})`;
        ctx.fillRect(GUTTER + c * colW, y, Math.max(1, colW - (colW > 3 ? 1 : 0)), rowH - 1);
      }
      ctx.fillStyle = cssVar('--chart-axis', '#5d6676');
    });
  }
  const tip = el('div', { className: 'heatmap-tooltip', hidden: true });
  const wrap = el('div', { className: 'heatmap' },
    el('div', { className: 'heatmap-title', textContent: seriesName(s.metric) }),
    el('div', { className: 'heatmap-plot' }, canvas, tip),
    el('div', { className: 'heatmap-axis muted' }, el('span', { textContent: formatTime(start) }), el('span', { textContent: formatTime(end) })));
  wrap.dataset.series = seriesName(s.metric);
  wrap.dataset.rows = JSON.stringify(g.rows.map(bucketRange));
  wrap.dataset.columns = String(n);
  wrap.dataset.gutter = String(GUTTER);
  canvas.addEventListener('mousemove', (e) => {
    const box = canvas.getBoundingClientRect();
    const c = Math.floor((e.clientX - box.left - GUTTER) / colW);
    const r = g.rows.length - 1 - Math.floor((e.clientY - box.top) / rowH);
    const b = g.rows[r];
    if (c < 0 || c >= n || !b) {
      tip.hidden = true;
      return;
    }
    const v = g.counts[r]![c]!;
    const count = Number.isNaN(v) ? '—' : String(v);
    tip.replaceChildren(
      el('div', { className: 'heatmap-range', textContent: bucketRange(b) }),
      el('div', { className: 'heatmap-count', textContent: `count: ${Number.isNaN(v) ? '—' : formatValue(v)}` }),
      el('div', { className: 'muted', textContent: formatTime(start + c * step) }));
    Object.assign(tip.dataset, { range: bucketRange(b), count, time: String((start + c * step) / 1000) });
    tip.style.left = `${Math.min(e.clientX - box.left + 12, width - 160)}px`;
    tip.style.top = `${e.clientY - box.top + 12}px`;
    tip.hidden = false;
  });
  canvas.addEventListener('mouseleave', () => (tip.hidden = true));
  return wrap;
}
