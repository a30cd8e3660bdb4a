// What a link reproduces: the data source, the notebook's cells and the rule
// group, as base64url JSON in the URL's hash (#s=...).

import { type CellState, newCell } from '../ui/cell/cell-state.js';

export { type CellState, type Tab, newCell } from '../ui/cell/cell-state.js';

export type DataSource =
  | { kind: 'demo'; end: number; hours: number }
  /** The database kept in this browser's IndexedDB. */
  | { kind: 'browser' }
  /** Pasted, loaded or scraped data that a link cannot carry. */
  | { kind: 'custom' };

export interface PageState {
  data: DataSource;
  cells: CellState[];
  rules: string;
}

export const DEFAULT_RULES = `groups:
  - name: api
    rules:
      - alert: HighErrorRate
        expr: sum by (job) (rate(http_requests_total{status="500"}[5m])) / sum by (job) (rate(http_requests_total[5m])) > 0.05
        for: 5m
        labels:
          severity: page
      - alert: InstanceDown
        expr: up == 0
        for: 2m
`;

export function defaultState(now: number): PageState {
  return {
    data: { kind: 'demo', end: Math.floor(now / 15_000) * 15_000, hours: 6 },
    cells: [newCell('sum by (status) (rate(http_requests_total[5m]))')],
    rules: DEFAULT_RULES,
  };
}

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(s: string): string {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}

export function encodeState(s: PageState): string {
  return `#s=${toBase64Url(JSON.stringify(s))}`;
}

/** The state in a hash, or null when there is none or it cannot be read. */
export function decodeState(hash: string): PageState | null {
  const m = /^#s=([A-Za-z0-9_-]+)$/.exec(hash);
  if (!m) return null;
  try {
    const s = JSON.parse(fromBase64Url(m[1]!)) as PageState;
    if (!Array.isArray(s.cells) || !s.data) return null;
    return { ...s, cells: s.cells.map((c) => ({ ...newCell(), ...c })), rules: s.rules ?? DEFAULT_RULES };
  } catch {
    return null;
  }
}
