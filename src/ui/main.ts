// The server's web UI: one page per Prometheus 3.x path (query, alerts,
// rules, targets, service-discovery, status, tsdb-status, config, flags),
// each talking to the server's HTTP API. The small pages are in the first
// script; the query page (the editor and the graph) loads on demand, so the
// others do not wait for it.

import './design.css';
import './ui.css';
import { failure } from './widgets.js';
import { renderAlerts, renderRules } from './pages/rules.js';
import { renderServiceDiscovery, renderTargets } from './pages/targets.js';
import { renderTsdbStatus } from './pages/tsdb-status.js';
import { renderConfig, renderFlags, renderStatus } from './pages/status.js';

type Render = (root: HTMLElement) => Promise<void>;

const PAGES: Record<string, { title: string; load: () => Promise<Render> }> = {
  query: { title: 'Query', load: async () => (await import('./pages/query.js')).renderQuery },
  alerts: { title: 'Alerts', load: async () => renderAlerts },
  rules: { title: 'Rules', load: async () => renderRules },
  targets: { title: 'Targets', load: async () => renderTargets },
  'service-discovery': { title: 'Service discovery', load: async () => renderServiceDiscovery },
  'tsdb-status': { title: 'TSDB status', load: async () => renderTsdbStatus },
  status: { title: 'Status', load: async () => renderStatus },
  config: { title: 'Configuration', load: async () => renderConfig },
  flags: { title: 'Flags', load: async () => renderFlags },
};

async function boot(): Promise<void> {
  const name = location.pathname.split('/').pop() || 'query';
  const page = PAGES[name] ?? PAGES.query!;
  document.title = `${page.title} · promlet`;
  for (const a of Array.from(document.querySelectorAll<HTMLAnchorElement>('.topbar nav a'))) {
    a.classList.toggle('active', a.dataset.page === name);
    if (a.dataset.page === name) a.setAttribute('aria-current', 'page');
  }
  const root = document.getElementById('page')!;
  try {
    await (await page.load())(root);
  } catch (e) {
    root.replaceChildren(failure(e));
  }
  document.body.dataset.ready = 'true';
}

void boot();
