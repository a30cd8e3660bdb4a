import { describe, expect, it } from 'vitest';
import { formatAgo, formatAxis, formatBytes, formatDuration, formatSeconds, formatValue } from '../../src/ui/format.js';
import { decodePanels, encodePanels } from '../../src/ui/url-state.js';
import { newCell } from '../../src/ui/cell/cell-state.js';

describe('numbers for people', () => {
  it('formats sample values: grouped integers, three decimals, four significant digits below one, exponents at the extremes', () => {
    expect(['128.3473684210526', '1234567', '0.000123456', '-0.5', '0', '-0', '1e21', '3e-9', 'NaN', '+Inf', '-Inf', '42'].map(formatValue))
      .toEqual(['128.347', '1,234,567', '0.0001235', '-0.5', '0', '0', '1e+21', '3e-9', 'NaN', '+Inf', '-Inf', '42']);
  });

  it('formats axes compactly', () => {
    expect([0, 1500, 2_000_000, 0.25, 3e-7, 1.23456e12].map(formatAxis)).toEqual(['0', '1.5k', '2M', '0.25', '3e-7', '1.23T']);
  });

  it('formats durations, seconds, ages and sizes', () => {
    expect([250, 90_000, 3_600_000 + 120_000, 8 * 86400_000].map(formatDuration)).toEqual(['250ms', '1m 30s', '1h 2m', '1w 1d']);
    expect([0.001234, 2.5, 75].map(formatSeconds)).toEqual(['1.23ms', '2.5s', '1m 15s']);
    expect(formatAgo('0001-01-01T00:00:00Z')).toBe('never');
    expect(formatAgo(1000, 61_000)).toBe('1m ago');
    expect([512, 1536, 5 * 2 ** 20].map(formatBytes)).toEqual(['512 B', '1.5 KiB', '5 MiB']);
  });
});

describe('panels in the URL, in Prometheus\'s parameters', () => {
  it('reads Prometheus 2.x links (tab 0 graph, 1 table) and 3.x ones, end_input in UTC', () => {
    const panels = decodePanels('?g0.expr=up&g0.tab=1&g1.expr=rate(x%5B5m%5D)&g1.tab=0&g1.range_input=6h&g1.end_input=2026-01-02%2003%3A04%3A05&g1.step_input=30s&g1.display_mode=stacked&g1.show_exemplars=1&g2.expr=y&g2.tab=explain');
    expect(panels).toEqual([
      { ...newCell('up'), tab: 'table' },
      { expr: 'rate(x[5m])', tab: 'graph', range: '6h', end: Date.UTC(2026, 0, 2, 3, 4, 5), step: '30s', stacked: true, exemplars: true },
      { ...newCell('y'), tab: 'explain' },
    ]);
  });

  it('writes what it reads', () => {
    const panels = [{ expr: 'sum(up)', tab: 'graph' as const, range: '1d', end: Date.UTC(2026, 5, 1, 12, 0, 0), step: '', stacked: false, exemplars: true }, newCell('a{b="c d"}')];
    expect(decodePanels(encodePanels(panels))).toEqual(panels);
    expect(encodePanels(panels)).toContain('g0.end_input=2026-06-01+12%3A00%3A00');
    expect(encodePanels(panels)).toContain('g0.show_exemplars=1&g1.expr');
  });
});
