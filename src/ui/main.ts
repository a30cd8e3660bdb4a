// The server's web UI: one page per Prometheus 3.x path (query, alerts,
// rules, targets, service-discovery, status, tsdb-status, config, flags),
// each talking to the server's HTTP API. Page modules load on demand, so a
// status page does not wait for the query editor.

import './design.css';
import './ui.css';
import { failure } from './widgets.js';

type Render = (root: HTMLElement) => Promise<void>;

const PAGES: Record<string, { title: string; load: () => Promise<Render> }> = {
  query: { title: 'Query', load: async () => (await import('./pages/query.js')).renderQuery },
  alerts: { title: 'Alerts', load: async () => (await import('./pages/rules.js')).renderAlerts },
  rules: { title: 'Rules', load: async () => (await import('./pages/rules.js')).renderRules },
  targets: { title: 'Targets', load: async () => (await import('./pages/targets.js')).renderTargets },
  'service-discovery': { title: 'Service discovery', load: async () => (await import('./pages/targets.js')).renderServiceDiscovery },
  'tsdb-status': { title: 'TSDB status', load: async () => (await import('./pages/tsdb-status.js')).renderTsdbStatus },
  status: { title: 'Status', load: async () => (await import('./pages/status.js')).renderStatus },
  config: { title: 'Configuration', load: async () => (await import('./pages/status.js')).renderConfig },
  flags: { title: 'Flags', load: async () => (await import('./pages/status.js')).renderFlags },
};

async function boot(): Promise<void> {
  const name = location.pathname.split('/').pop() || 'query';
  const page = PAGES[name] ?? PAGES.query!;
  document.title = `${page.title} · promlet`;
  for (const a of Array.from(document.querySelectorAll<HTMLAnchorElement>('.topbar nav a'))) a.classList.toggle('active', a.dataset.page === name);
  const root = document.getElementById('page')!;
  try {
    await (await page.load())(root);
  } catch (e) {
    root.replaceChildren(failure(e));
  }
  document.body.dataset.ready = 'true';
}

void boot();
