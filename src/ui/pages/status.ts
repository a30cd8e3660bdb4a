// /status (build and runtime information, Alertmanagers), /config (the
// loaded configuration file) and /flags (the command-line flags).

import { getData } from '../api.js';
import { el } from '../dom.js';
import { formatAgo, formatLocalTime } from '../format.js';
import { dataTable, filterBox, pageTitle } from '../widgets.js';

const pairs = (o: Record<string, unknown>) => Object.entries(o).map(([k, v]) => [el('span', { className: 'key', textContent: k }), String(v)]);

export async function renderStatus(root: HTMLElement): Promise<void> {
  const [build, runtime, ams] = await Promise.all([
    getData<Record<string, string>>('/api/v1/status/buildinfo'),
    getData<Record<string, unknown>>('/api/v1/status/runtimeinfo'),
    getData<{ activeAlertmanagers: { url: string }[]; droppedAlertmanagers: { url: string }[] }>('/api/v1/alertmanagers').catch(() => null),
  ]);
  const start = typeof runtime.startTime === 'string' ? Date.parse(runtime.startTime) : NaN;
  const rt = { ...runtime, ...(Number.isFinite(start) ? { startTime: `${formatLocalTime(start)} (${formatAgo(start).replace(' ago', '')} up)` } : {}) };
  root.replaceChildren(
    pageTitle('Status'),
    el('div', { className: 'card' }, el('h2', { textContent: 'Build information' }), dataTable(['', ''], pairs(build))),
    el('div', { className: 'card' }, el('h2', { textContent: 'Runtime information' }), dataTable(['', ''], pairs(rt))),
    el('div', { className: 'card' }, el('h2', { textContent: 'Alertmanagers' }),
      ams && ams.activeAlertmanagers.length ? dataTable(['Endpoint'], ams.activeAlertmanagers.map((a) => [a.url])) : el('div', { className: 'empty', textContent: 'No Alertmanagers configured.' })),
  );
  for (const t of Array.from(root.querySelectorAll('table'))) {
    t.rows[0]?.remove();
    t.classList.add('kv');
  }
}

export async function renderConfig(root: HTMLElement): Promise<void> {
  const { yaml } = await getData<{ yaml: string }>('/api/v1/status/config');
  const copy = el('button', { textContent: 'Copy', onclick: () => void navigator.clipboard?.writeText(yaml).then(() => (copy.textContent = 'Copied')) });
  root.replaceChildren(pageTitle('Configuration', copy),
    yaml.trim() ? el('pre', { className: 'config-yaml', textContent: yaml }) : el('div', { className: 'empty', textContent: 'Started without --config: scraping its own /metrics.' }));
}

export async function renderFlags(root: HTMLElement): Promise<void> {
  const flags = await getData<Record<string, string>>('/api/v1/status/flags');
  const table = dataTable(['Flag', 'Value'], Object.entries(flags).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [el('code', { textContent: `--${k}` }), v]));
  table.classList.add('flags');
  const rows = Array.from(table.rows).slice(1);
  root.replaceChildren(pageTitle('Flags', filterBox('Filter flags', () => rows.map((r) => [r, r.textContent ?? '']))), el('div', { className: 'card' }, table));
}
