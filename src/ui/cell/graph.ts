// A range query's matrix as a uPlot chart: one line per series, a legend
// with values under the cursor (formatted for reading, the exact value in
// data-value), axes in the design system's colors, and an optional stacked view.

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatAxis, formatValue, parseSampleValue } from '../format.js';
import { exemplarExtent, exemplarPoints, exemplarsPlugin, type ExemplarSeries, newestPoints } from './exemplars.js';
import { type Data, seriesName } from './results.js';
import { hasHistograms, renderHistogramGraph } from './heatmap.js';

// Distinguishable in light and dark themes.
const COLORS = ['#3b82f6', '#f97316', '#22a06b', '#e5484d', '#8e6bd8', '#b7791f', '#e05fa8', '#0ea5b7', '#7c8a9e', '#9ab52b'];

const cssVar = (name: string, fallback: string) =>
  (typeof getComputedStyle === 'function' ? getComputedStyle(document.documentElement).getPropertyValue(name).trim() : '') || fallback;

/** `exemplars`: /api/v1/query_exemplars' data for the same query and range, drawn as points; undefined draws none. */
export function renderGraph(el: HTMLElement, data: Data, start: number, end: number, step: number, stacked: boolean, exemplars?: ExemplarSeries[]): uPlot | null {
  el.replaceChildren();
  if (data.resultType !== 'matrix') {
    el.textContent = `The graph needs a range query that returns series; this one returns a ${data.resultType}.`;
    return null;
  }
  if (data.result.length === 0) {
    el.textContent = 'No data in this range.';
    return null;
  }
  if (hasHistograms(data)) return renderHistogramGraph(el, data, start, end, step, (box, floats) => renderGraph(box, floats, start, end, step, stacked, exemplars));
  const n = Math.floor((end - start) / step) + 1;
  const xs = Array.from({ length: n }, (_, i) => (start + i * step) / 1000);
  const exact: (string | null)[][] = [];
  const raw = data.result.map((s) => {
    const ys: (number | null)[] = new Array(n).fill(null);
    const texts: (string | null)[] = new Array(n).fill(null);
    for (const [t, v] of s.values ?? []) {
      const i = Math.round((t * 1000 - start) / step);
      if (i >= 0 && i < n) {
        // Infinities have no place on an axis: a gap, with the value still in the legend.
        const x = parseSampleValue(v);
        ys[i] = Number.isFinite(x) ? x : null;
        texts[i] = v;
      }
    }
    exact.push(texts);
    return ys;
  });
  // Stacked: each line is the running total of those before it; the legend still shows raw values.
  const shown = stacked ? stack(raw) : raw;
  const points = newestPoints(exemplarPoints(exemplars ?? []));
  const extent = exemplarExtent(points);
  // The y scale reaches the exemplars too: a latency exemplar on a rate graph sits far from the lines.
  const yRange: uPlot.Range.Function = (u, min, max) => {
    const lo = extent ? Math.min(min, extent[0]) : min, hi = extent ? Math.max(max, extent[1]) : max;
    return stacked ? [0, hi > 0 ? hi * 1.05 : 1] : uPlot.rangeNum(lo, hi, { min: { pad: 0.1, soft: 0, mode: 3 }, max: { pad: 0.1, soft: 0, mode: 3 } });
  };
  const axis = cssVar('--chart-axis', '#5d6676');
  const grid = cssVar('--chart-grid', '#e6e8ec');
  const axisStyle = { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  const opts: uPlot.Options = {
    width: Math.max(300, el.clientWidth || 800),
    height: 320,
    cursor: { drag: { x: true, y: false } },
    legend: { live: true },
    // Stacked areas are only read right from zero up; each area is the band between a line and the one below.
    scales: stacked || extent ? { x: { time: true }, y: { range: yRange } } : { x: { time: true } },
    plugins: points.length ? [exemplarsPlugin(points)] : [],
    axes: [axisStyle, { ...axisStyle, size: 60, values: (_u, splits) => splits.map(formatAxis) }],
    bands: stacked ? data.result.slice(1).map((_, k) => ({ series: [k + 2, k + 1] as [number, number], fill: `${COLORS[(k + 1) % COLORS.length]}55` })) : undefined,
    series: [
      { value: (_u, v) => (v == null ? '—' : new Date(v * 1000).toLocaleString()) },
      ...data.result.map((s, k) => ({
        label: seriesName(s.metric),
        stroke: COLORS[k % COLORS.length],
        fill: stacked && k === 0 ? `${COLORS[0]}55` : undefined,
        width: 1.5,
        spanGaps: false,
        // A sample with gaps on both sides draws no line: show it as a point.
        points: { show: isolated(raw[k]!), size: 5 },
        value: (_u: uPlot, _v: number | null, _si: number, idx: number | null) => (idx == null || exact[k]![idx] == null ? '—' : formatValue(exact[k]![idx]!)),
      })),
    ],
    hooks: {
      // The exact value of the hovered point, for copying and for tests.
      setLegend: [(u) => {
        const idx = u.cursor.idx;
        u.root.querySelectorAll('.u-legend .u-series').forEach((row, si) => {
          if (si === 0) return;
          const v = idx == null ? null : exact[si - 1]![idx] ?? null;
          const cell = row.querySelector<HTMLElement>('.u-value');
          if (cell) {
            cell.dataset.value = v ?? '';
            cell.title = v ?? '';
          }
        });
      }],
    },
  };
  return new uPlot(opts, [xs, ...shown] as uPlot.AlignedData, el);
}

function isolated(ys: (number | null)[]): boolean {
  return ys.some((y, i) => y != null && ys[i - 1] == null && ys[i + 1] == null);
}

/** Running totals over the series at each point; a gap adds nothing, and stays a gap until some series has a value. */
function stack(raw: (number | null)[][]): (number | null)[][] {
  let below: (number | null)[] = raw[0] ? raw[0].map(() => null) : [];
  return raw.map((ys) => (below = ys.map((y, i) => (y == null ? below[i] ?? null : (below[i] ?? 0) + y))));
}
