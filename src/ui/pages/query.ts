// The query page: panels of the playground's query cells, answered by the
// server; the panels live in the URL in Prometheus's g0.* parameters.

import { Cell } from '../cell/cell.js';
import { type CellState, newCell } from '../cell/cell-state.js';
import { el } from '../dom.js';
import { serverClient } from '../server-client.js';
import { decodePanels, encodePanels } from '../url-state.js';

export async function renderQuery(root: HTMLElement): Promise<void> {
  const backend = serverClient();
  const states: CellState[] = decodePanels(location.search);
  if (states.length === 0) states.push(newCell(''));
  const cells: Cell[] = [];
  const list = el('div', { className: 'panels' });
  const save = () => history.replaceState(null, '', encodePanels(states) + location.hash);
  const add = (cs: CellState) => {
    const cell = new Cell(cs, backend, () => Date.now(), save, () => {
      const i = cells.indexOf(cell);
      cells.splice(i, 1);
      states.splice(i, 1);
      cell.root.remove();
      save();
    }, { exemplars: true });
    cells.push(cell);
    list.append(cell.root);
    return cell;
  };
  for (const s of states) add(s);
  const addButton = el('button', { id: 'add-panel', textContent: '+ Add query', onclick: () => {
    const cs = newCell('');
    states.push(cs);
    const cell = add(cs);
    save();
    cell.root.querySelector<HTMLElement>('.cm-content')?.focus();
  } });
  root.replaceChildren(list, addButton);
  save();
  // Panels from a link answer at once; an empty one waits for a query.
  await Promise.all(cells.map((c) => c.run()));
}
