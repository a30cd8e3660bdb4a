// The explain tree: each node of the expression with its result's series and
// sample counts and its evaluation time, children indented under it.

import type { ExplainNode } from '../../promql/explain.js';

function nodeEl(n: ExplainNode): HTMLLIElement {
  const li = document.createElement('li');
  const line = document.createElement('div');
  line.className = 'explain-node';
  const label = document.createElement('span');
  label.className = 'explain-label';
  label.textContent = n.label;
  const expr = document.createElement('code');
  expr.textContent = n.expr;
  const stats = document.createElement('span');
  stats.className = n.error ? 'explain-error' : 'explain-stats';
  stats.textContent = n.error
    ? n.error
    : `${n.series} series · ${n.samples} samples · ${n.samplesRead} read · ${n.ms.toFixed(1)} ms`;
  stats.dataset.series = String(n.series);
  stats.dataset.samples = String(n.samples);
  line.append(label, expr, stats);
  li.append(line);
  if (n.children.length > 0) {
    const ul = document.createElement('ul');
    ul.append(...n.children.map(nodeEl));
    li.append(ul);
  }
  return li;
}

export function renderExplain(el: HTMLElement, root: ExplainNode): void {
  const ul = document.createElement('ul');
  ul.className = 'explain-tree';
  ul.append(nodeEl(root));
  el.replaceChildren(ul);
}
