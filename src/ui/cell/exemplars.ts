// Exemplars on a graph, as Prometheus's UI shows them with "Show exemplars":
// each one a point at its timestamp and value, over the chart, with a tooltip
// of its own labels (trace_id, …), the series it belongs to and its value.
// Points are elements rather than canvas drawing so that keyboard focus works
// and the page can be read back; they follow the chart's scales as it zooms.
// Hover is found from the chart's own cursor, so the legend keeps following
// the mouse while a point's tooltip is open.

import type uPlot from 'uplot';
import { el } from '../dom.js';
import { formatValue, parseSampleValue } from '../format.js';
import { formatTime, seriesName } from './results.js';

/** One entry of /api/v1/query_exemplars' data. */
export interface ExemplarSeries {
  seriesLabels: Record<string, string>;
  exemplars: { labels: Record<string, string>; value: string; timestamp: number }[];
}

interface Point {
  series: Record<string, string>;
  labels: Record<string, string>;
  value: string;
  /** Seconds, as the chart's x scale. */
  t: number;
  y: number;
}

/** The exemplars that can sit on an axis: infinities and NaN have no place. */
export function exemplarPoints(data: ExemplarSeries[]): Point[] {
  return data.flatMap((s) => s.exemplars
    .map((e) => ({ series: s.seriesLabels, labels: e.labels, value: e.value, t: e.timestamp, y: parseSampleValue(e.value) }))
    .filter((p) => Number.isFinite(p.y)));
}

/** Points drawn at most: each is an element, and a broad query over a long range can select the whole store. */
export const MAX_EXEMPLAR_POINTS = 5000;

/** The newest `max` points, when there are more. */
export function newestPoints(points: Point[], max = MAX_EXEMPLAR_POINTS): Point[] {
  return points.length <= max ? points : [...points].sort((a, b) => b.t - a.t).slice(0, max);
}

/** The y extent the exemplars need, so that the scale shows them beside the series. */
export function exemplarExtent(points: Point[]): [number, number] | null {
  if (points.length === 0) return null;
  let lo = Infinity, hi = -Infinity;
  for (const p of points) {
    lo = Math.min(lo, p.y);
    hi = Math.max(hi, p.y);
  }
  return [lo, hi];
}

const labelRows = (labels: Record<string, string>) =>
  Object.entries(labels).map(([k, v]) => el('div', { className: 'exemplar-label' }, el('span', { className: 'muted', textContent: `${k}: ` }), el('span', { textContent: v })));

function tooltip(p: Point): HTMLElement {
  return el('div', { className: 'exemplar-tooltip' },
    el('div', { className: 'exemplar-heading', textContent: 'Exemplar' }),
    el('div', { className: 'exemplar-labels' }, ...labelRows(p.labels)),
    el('div', { className: 'exemplar-heading', textContent: 'Series' }),
    el('div', { className: 'exemplar-series', textContent: seriesName(p.series) }),
    el('div', { className: 'exemplar-value' }, el('span', { className: 'muted', textContent: 'value: ' }), el('span', { textContent: formatValue(p.value) })),
    el('div', { className: 'exemplar-time' }, el('span', { className: 'muted', textContent: 'time: ' }), el('span', { textContent: formatTime(p.t * 1000) })));
}

/** How near the cursor, in CSS pixels, a point counts as hovered. */
const HOVER_RADIUS = 8;

/** Plugin for the chart: the points live in its plotting area and are placed again after every redraw (zoom, resize). */
export function exemplarsPlugin(points: Point[]): uPlot.Plugin {
  let layer: HTMLElement;
  let hovered: { m: HTMLElement; tip: HTMLElement } | null = null;
  const markers = points.map((p) => {
    const m = el('div', { className: 'exemplar', tabIndex: 0 });
    m.dataset.timestamp = String(p.t);
    m.dataset.value = p.value;
    m.dataset.labels = JSON.stringify(p.labels);
    m.dataset.series = seriesName(p.series);
    const tip = tooltip(p);
    m.addEventListener('focus', () => layer.append(tip));
    m.addEventListener('blur', () => tip.remove());
    return { p, m, tip, left: NaN, top: NaN };
  });
  const hover = (next: typeof hovered) => {
    if (next?.m === hovered?.m) return;
    if (hovered && document.activeElement !== hovered.m) hovered.tip.remove();
    hovered?.m.classList.remove('hover');
    hovered = next;
    if (next) {
      next.m.classList.add('hover');
      layer.append(next.tip);
    }
  };
  return {
    hooks: {
      init: [(u) => {
        layer = el('div', { className: 'exemplars' });
        layer.append(...markers.map((x) => x.m));
        u.over.append(layer);
      }],
      draw: [(u) => {
        const [x0, x1] = [u.scales.x!.min!, u.scales.x!.max!];
        const [y0, y1] = [u.scales.y!.min!, u.scales.y!.max!];
        for (const x of markers) {
          const { p, m, tip } = x;
          const inside = p.t >= x0 && p.t <= x1 && p.y >= y0 && p.y <= y1;
          m.hidden = !inside;
          if (!inside) {
            x.left = x.top = NaN;
            continue;
          }
          const left = x.left = u.valToPos(p.t, 'x'), top = x.top = u.valToPos(p.y, 'y');
          m.style.left = `${left}px`;
          m.style.top = `${top}px`;
          // The tooltip opens toward the middle of the chart so it is never cut off.
          tip.style.left = left < u.over.clientWidth / 2 ? `${left + 10}px` : '';
          tip.style.right = left < u.over.clientWidth / 2 ? '' : `${u.over.clientWidth - left + 10}px`;
          tip.style.top = top < u.over.clientHeight / 2 ? `${top + 10}px` : '';
          tip.style.bottom = top < u.over.clientHeight / 2 ? '' : `${u.over.clientHeight - top + 10}px`;
        }
      }],
      setCursor: [(u) => {
        const { left, top } = u.cursor;
        let best: (typeof markers)[number] | null = null, bestD = HOVER_RADIUS;
        if (left != null && top != null && left >= 0) {
          for (const x of markers) {
            const d = Math.hypot(x.left - left, x.top - top);
            if (!x.m.hidden && d <= bestD) {
              best = x;
              bestD = d;
            }
          }
        }
        hover(best);
      }],
    },
  };
}
