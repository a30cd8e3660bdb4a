// /federate: the newest sample of every matched series within the lookback
// window, with its own timestamp, in the text exposition format (families
// by metric name, all untyped), as Prometheus's web/federate.go writes it.

import type { Queryable } from '../storage/interfaces.js';
import type { Matcher } from '../model/matcher.js';
import { compareLabels, labelsKey, type Labels } from '../model/labels.js';
import { isStaleNaN } from '../model/stale.js';
import { writeText } from '../exposition/write.js';

export function federate(db: Queryable, sets: Matcher[][], now: number, lookback: number): string {
  if (sets.length === 0) return '';
  const mint = now - lookback;
  const q = db.querier(mint, now);
  try {
    const found = new Map<string, { labels: Labels; t: number; v: number }>();
    for (const ms of sets) {
      for (const s of q.select(ms)) {
        const key = labelsKey(s.labels);
        if (found.has(key)) continue;
        const b = s.samples(mint, now);
        // The newest sample that is not a staleness marker.
        for (let i = b.timestamps.length - 1; i >= 0; i--) {
          if (isStaleNaN(b.values[i]!)) continue;
          found.set(key, { labels: s.labels, t: b.timestamps[i]!, v: b.values[i]! });
          break;
        }
      }
    }
    const byName = new Map<string, { labels: Labels; t: number; v: number }[]>();
    for (const x of found.values()) {
      const name = x.labels.find((l) => l.name === '__name__')?.value;
      if (!name) continue;
      byName.set(name, [...(byName.get(name) ?? []), x]);
    }
    return writeText([...byName.keys()].sort().map((name) => ({
      name,
      type: 'untyped' as const,
      samples: byName.get(name)!.sort((a, b) => compareLabels(a.labels, b.labels))
        .map((x) => ({ labels: x.labels.filter((l) => l.name !== '__name__'), value: x.v, timestamp: x.t })),
    })));
  } finally {
    q.close();
  }
}
