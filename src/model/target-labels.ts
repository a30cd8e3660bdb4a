// A scraped series' labels merged with its target's (Prometheus's
// mutateSampleLabels): for scrapes, remote write's external labels and
// embedded metrics.

import { type Label, type Labels, compareStrings } from './labels.js';

/** Target labels win; a scraped label they replace is kept as exported_<name> (shortest names first). */
export function mergeTargetLabels(scraped: Labels, target: Labels, honor: boolean, emptyScraped: readonly string[] = []): Labels {
  const m = new Map(scraped.map((l) => [l.name, l.value]));
  if (honor) for (const name of emptyScraped) m.set(name, '');
  if (honor) {
    for (const l of target) if (!m.has(l.name)) m.set(l.name, l.value);
  } else {
    const conflicts: Label[] = [];
    for (const l of target) {
      const existing = m.get(l.name);
      if (existing !== undefined && existing !== '') conflicts.push({ name: l.name, value: existing });
      m.set(l.name, l.value);
    }
    conflicts.sort((a, b) => a.name.length - b.name.length);
    for (const c of conflicts) {
      let name = c.name;
      for (;;) {
        name = `exported_${name}`;
        if (!m.get(name)) {
          m.set(name, c.value);
          break;
        }
      }
    }
  }
  const out = [...m].filter(([, v]) => v !== '').map(([name, value]) => ({ name, value }));
  out.sort((a, b) => compareStrings(a.name, b.name));
  return out;
}
