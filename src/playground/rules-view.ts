// A rule backtest's result: each alert with its pending and firing periods.

import type { BacktestResult } from '../rules/backtest.js';
import { formatTime } from '../ui/cell/results.js';

export function renderBacktest(el: HTMLElement, r: BacktestResult): void {
  const summary = document.createElement('p');
  const firing = r.alerts.filter((a) => a.periods.some((p) => p.state === 'firing')).length;
  summary.className = 'rules-summary';
  summary.textContent = `${r.evaluations} evaluations; ${r.alerts.length} alerts became active, ${firing} of them fired; at the end: `
    + `${r.alerts.filter((a) => a.stateAtEnd === 'firing').length} firing, ${r.alerts.filter((a) => a.stateAtEnd === 'pending').length} pending.`;
  const table = document.createElement('table');
  table.className = 'rules-table';
  table.innerHTML = '<tr><th>Alert</th><th>Labels</th><th>State</th><th>From</th><th>To</th></tr>';
  for (const a of r.alerts) {
    for (const p of a.periods) {
      const tr = document.createElement('tr');
      tr.className = `alert-${p.state}`;
      for (const text of [a.alertname, a.key, p.state, formatTime(p.from), formatTime(p.to)]) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.append(td);
      }
      table.append(tr);
    }
  }
  const errors = r.errors.map((e) => {
    const p = document.createElement('p');
    p.className = 'error';
    p.textContent = `${e.group} / ${e.rule}: ${e.error}`;
    return p;
  });
  el.replaceChildren(summary, ...errors, table);
}
