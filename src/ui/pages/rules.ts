// Alerts (each alerting rule with its state, its active alerts' labels,
// state, active-since time, value and rendered annotations) and rules (each
// group's and rule's last evaluation and how long it took), from /api/v1/rules.

import { getData } from '../api.js';
import { el } from '../dom.js';
import { formatAgo, formatDuration, formatLocalTime, formatSeconds, formatValue } from '../format.js';
import { badge, dataTable, filterBox, labelChips, pageTitle, section } from '../widgets.js';

interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: string;
  activeAt: string;
  value: string;
}
interface Rule {
  type: 'alerting' | 'recording';
  name: string;
  query: string;
  labels: Record<string, string>;
  health: string;
  lastError?: string;
  evaluationTime: number;
  lastEvaluation: string;
  state?: string;
  duration?: number;
  keepFiringFor?: number;
  annotations?: Record<string, string>;
  alerts?: Alert[];
}
interface Group {
  name: string;
  file: string;
  interval: number;
  evaluationTime: number;
  lastEvaluation: string;
  rules: Rule[];
}

/** A rule as it reads in its file. */
function definition(r: Rule): HTMLElement {
  const lines = [`${r.type === 'alerting' ? 'alert' : 'record'}: ${r.name}`, `expr: ${r.query}`];
  if (r.duration) lines.push(`for: ${formatDuration(r.duration * 1000)}`);
  if (r.keepFiringFor) lines.push(`keep_firing_for: ${formatDuration(r.keepFiringFor * 1000)}`);
  const map = (k: string, m?: Record<string, string>) => {
    if (m && Object.keys(m).length) lines.push(`${k}:`, ...Object.entries(m).map(([a, b]) => `  ${a}: ${b}`));
  };
  map('labels', r.labels);
  map('annotations', r.annotations);
  return el('pre', { className: 'rule-definition', textContent: lines.join('\n') });
}

const ruleLink = (query: string) => el('a', { href: `./query?${new URLSearchParams({ 'g0.expr': query, 'g0.tab': 'table' })}`, textContent: 'Open in query', className: 'small' });

export async function renderAlerts(root: HTMLElement): Promise<void> {
  const { groups } = await getData<{ groups: Group[] }>('/api/v1/rules', { type: 'alert' });
  const shown = { inactive: true, pending: true, firing: true } as Record<string, boolean>;
  const sections: [HTMLElement, string, string][] = [];
  const counts = { inactive: 0, pending: 0, firing: 0 } as Record<string, number>;
  const body = groups.map((g) => {
    const rules = g.rules.filter((r) => r.type === 'alerting').map((r) => {
      const state = r.state ?? 'unknown';
      counts[state] = (counts[state] ?? 0) + 1;
      const alerts = r.alerts ?? [];
      const table = alerts.length === 0 ? el('div', { className: 'empty', textContent: 'No active alerts.' })
        : dataTable(['Labels', 'State', 'Active since', 'Value', 'Annotations'], alerts.map((a) => [
          labelChips(a.labels),
          badge(a.state, a.state.toUpperCase()),
          el('span', { textContent: formatAgo(a.activeAt), title: formatLocalTime(Date.parse(a.activeAt)), className: 'active-since' }),
          el('span', { textContent: formatValue(a.value), title: a.value, className: 'value' }),
          el('dl', { className: 'annotations' }, ...Object.entries(a.annotations).flatMap(([k, v]) => [el('dt', { textContent: k }), el('dd', { textContent: v })])),
        ]), [3]);
      const s = section([el('span', { className: 'rule-name', textContent: r.name }), badge(state, `${state.toUpperCase()}${alerts.length ? ` (${alerts.length})` : ''}`),
        el('span', { className: 'spacer' }), ruleLink(r.query)], [definition(r), table], state !== 'inactive');
      s.dataset.state = state;
      s.dataset.rule = r.name;
      sections.push([s, state, `${r.name} ${r.query} ${JSON.stringify(r.labels)}`]);
      return s;
    });
    return rules.length === 0 ? null : el('div', { className: 'rule-group' }, el('h2', { className: 'group-title' }, g.name, el('span', { className: 'muted small', textContent: `  ${g.file}` })), ...rules);
  }).filter((x): x is HTMLDivElement => x !== null);
  const apply = () => {
    for (const [s, state] of sections) s.style.display = shown[state] ?? true ? '' : 'none';
  };
  const toggles = ['inactive', 'pending', 'firing'].map((st) => {
    const box = el('input', { type: 'checkbox', checked: true, className: `show-${st}` });
    box.onchange = () => {
      shown[st] = box.checked;
      apply();
    };
    return el('label', {}, box, badge(st, `${st} (${counts[st] ?? 0})`));
  });
  const filter = filterBox('Filter by name, query or labels', () => sections.map(([s, , text]) => [s, text]));
  root.replaceChildren(pageTitle('Alerts', ...toggles, filter), ...(body.length ? body : [el('div', { className: 'empty', textContent: 'No alerting rules: add rule_files to the configuration.' })]));
}

export async function renderRules(root: HTMLElement): Promise<void> {
  const { groups } = await getData<{ groups: Group[] }>('/api/v1/rules');
  const body = groups.map((g) => {
    const s = section([el('span', { className: 'group-name', textContent: g.name }), el('span', { className: 'muted small', textContent: g.file }), el('span', { className: 'spacer' }),
      el('span', { className: 'small muted', textContent: `every ${formatDuration(g.interval * 1000)} · last ${formatAgo(g.lastEvaluation)} · took ${formatSeconds(g.evaluationTime)}` })],
    [dataTable(['Rule', 'State', 'Error', 'Last evaluation', 'Evaluation time'], g.rules.map((r) => [
      definition(r),
      badge(r.health, r.health.toUpperCase()),
      el('span', { className: 'error-text', textContent: r.lastError ?? '' }),
      el('span', { className: 'last-evaluation', textContent: formatAgo(r.lastEvaluation), title: r.lastEvaluation }),
      el('span', { className: 'evaluation-time', textContent: formatSeconds(r.evaluationTime) }),
    ]), [4])]);
    s.dataset.group = g.name;
    return s;
  });
  root.replaceChildren(pageTitle('Rules'), ...(body.length ? body : [el('div', { className: 'empty', textContent: 'No rule groups: add rule_files to the configuration.' })]));
}
