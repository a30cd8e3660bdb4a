// The query page's panels in the URL, in Prometheus's own parameters
// (g0.expr, g0.tab, g0.range_input, g0.end_input, g0.step_input,
// g0.display_mode, g0.show_exemplars), so links between promlet and Prometheus work both ways,
// and alerts' generatorURL (/graph?g0.expr=...&g0.tab=1) opens its query.

import { type CellState, type Tab, newCell } from './cell/cell-state.js';

/** Prometheus 2.x's numbers (0 graph, 1 table) and 3.x's names. */
function tabOf(v: string | null): Tab {
  if (v === '0' || v === 'graph') return 'graph';
  if (v === 'explain') return 'explain';
  return 'table';
}

/** "2026-12-01 15:04:05" in UTC, as Prometheus writes end_input. */
const formatEnd = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '');

function parseEnd(v: string | null): number | null {
  if (!v) return null;
  const iso = /[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v.replace(' ', 'T') : `${v.replace(' ', 'T')}Z`;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? t : null;
}

export function decodePanels(search: string): CellState[] {
  const p = new URLSearchParams(search);
  const out: CellState[] = [];
  for (let i = 0; p.has(`g${i}.expr`); i++) {
    const get = (k: string) => p.get(`g${i}.${k}`);
    out.push({
      ...newCell(get('expr') ?? ''),
      tab: tabOf(get('tab')),
      range: get('range_input') || '1h',
      end: parseEnd(get('end_input')),
      step: get('step_input') ?? '',
      stacked: get('display_mode') === 'stacked',
      exemplars: get('show_exemplars') === '1',
    });
  }
  return out;
}

export function encodePanels(cells: CellState[]): string {
  const p = new URLSearchParams();
  cells.forEach((c, i) => {
    p.set(`g${i}.expr`, c.expr);
    p.set(`g${i}.tab`, c.tab);
    p.set(`g${i}.range_input`, c.range);
    if (c.end !== null) p.set(`g${i}.end_input`, formatEnd(c.end));
    if (c.step) p.set(`g${i}.step_input`, c.step);
    p.set(`g${i}.display_mode`, c.stacked ? 'stacked' : 'lines');
    p.set(`g${i}.show_exemplars`, c.exemplars ? '1' : '0');
  });
  return `?${p}`;
}
