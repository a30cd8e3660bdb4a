// Targets (health, labels, last scrape, its duration and error, by scrape
// pool) and service discovery (each target's labels before and after
// relabeling, dropped targets too), from /api/v1/targets.

import { getData } from '../api.js';
import { el } from '../dom.js';
import { formatAgo, formatSeconds } from '../format.js';
import { badge, dataTable, filterBox, labelChips, pageTitle, section } from '../widgets.js';

interface Target {
  discoveredLabels: Record<string, string>;
  labels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  lastError: string;
  lastScrape: string;
  lastScrapeDuration: number;
  health: string;
  scrapeInterval?: string;
  scrapeTimeout?: string;
}
interface Targets {
  activeTargets: Target[];
  droppedTargets: { discoveredLabels: Record<string, string>; scrapePool?: string }[];
}

const byPool = <T extends { scrapePool?: string; discoveredLabels?: Record<string, string> }>(xs: T[]) => {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = x.scrapePool ?? x.discoveredLabels?.job ?? '';
    m.set(k, [...(m.get(k) ?? []), x]);
  }
  return [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
};

export async function renderTargets(root: HTMLElement): Promise<void> {
  const data = await getData<Targets>('/api/v1/targets', { state: 'active' });
  const sections: [HTMLElement, string][] = [];
  const rows: [HTMLElement, string][] = [];
  const unhealthyOnly = el('input', { type: 'checkbox', className: 'unhealthy-only' });
  const body: HTMLElement[] = byPool(data.activeTargets).map(([pool, targets]) => {
    const up = targets.filter((t) => t.health === 'up').length;
    const table = dataTable(['Endpoint', 'Labels', 'Last scrape', 'Duration', 'State', 'Error'], targets.map((t) => [
      el('a', { href: t.scrapeUrl, textContent: t.scrapeUrl, className: 'endpoint' }),
      labelChips(t.labels),
      el('span', { textContent: formatAgo(t.lastScrape), title: t.lastScrape, className: 'last-scrape' }),
      el('span', { textContent: formatSeconds(t.lastScrapeDuration), className: 'duration' }),
      badge(t.health, t.health === 'up' ? 'UP' : t.health === 'down' ? 'DOWN' : 'UNKNOWN'),
      el('span', { className: 'error-text', textContent: t.lastError }),
    ]), [3]);
    table.classList.add('targets');
    Array.from(table.rows).slice(1).forEach((tr, i) => {
      tr.dataset.health = targets[i]!.health;
      rows.push([tr, `${targets[i]!.scrapeUrl} ${JSON.stringify(targets[i]!.labels)}`]);
    });
    const s = section([el('span', { className: 'pool', textContent: pool }),
      badge(up === targets.length ? 'up' : up === 0 ? 'down' : 'pending', `${up} / ${targets.length} up`)], [table]);
    s.dataset.pool = pool;
    sections.push([s, pool]);
    return s;
  });
  const filter = filterBox('Filter by endpoint or labels', () => rows);
  unhealthyOnly.onchange = () => {
    for (const [tr] of rows) tr.classList.toggle('hidden-healthy', unhealthyOnly.checked && tr.dataset.health === 'up');
  };
  root.replaceChildren(pageTitle('Targets', el('label', {}, unhealthyOnly, ' unhealthy only'), filter),
    ...(body.length ? body : [el('div', { className: 'empty', textContent: 'No scrape targets.' })]));
}

export async function renderServiceDiscovery(root: HTMLElement): Promise<void> {
  const data = await getData<Targets>('/api/v1/targets', { state: 'any' });
  const pools = new Map<string, { discovered: Record<string, string>; target: Record<string, string> | null }[]>();
  for (const t of data.activeTargets) pools.set(t.scrapePool, [...(pools.get(t.scrapePool) ?? []), { discovered: t.discoveredLabels, target: t.labels }]);
  for (const t of data.droppedTargets) {
    const pool = t.scrapePool ?? t.discoveredLabels.job ?? '';
    pools.set(pool, [...(pools.get(pool) ?? []), { discovered: t.discoveredLabels, target: null }]);
  }
  const body = [...pools.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([pool, ts]) => {
    const active = ts.filter((t) => t.target).length;
    const s = section([el('span', { className: 'pool', textContent: pool }), badge('', `${active} active / ${ts.length - active} dropped`)],
      [dataTable(['Discovered labels', 'Target labels'], ts.map((t) => [labelChips(t.discovered), t.target ? labelChips(t.target) : badge('unknown', 'Dropped')]))]);
    s.dataset.pool = pool;
    return s;
  });
  root.replaceChildren(pageTitle('Service discovery'), ...(body.length ? body : [el('div', { className: 'empty', textContent: 'No targets discovered.' })]));
}
