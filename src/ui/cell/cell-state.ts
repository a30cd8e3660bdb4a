// A query cell's settings: its expression, tab, time range, step and graph options.

export type Tab = 'table' | 'graph' | 'explain';

export interface CellState {
  expr: string;
  tab: Tab;
  /** Graph range, a duration such as "1h". */
  range: string;
  /** Evaluation / range end in ms; null: now (the newest sample, in the playground). */
  end: number | null;
  /** Graph step, a duration; '' for automatic. */
  step: string;
  stacked: boolean;
  /** The graph shows the query's exemplars (Prometheus's "Show exemplars"). */
  exemplars: boolean;
}

export const newCell = (expr = ''): CellState => ({ expr, tab: 'table', range: '1h', end: null, step: '', stacked: false, exemplars: false });
