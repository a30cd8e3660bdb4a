// Ending series: Prometheus writes a staleness marker when a scraped,
// recorded or pushed series disappears, so queries stop seeing it at once
// rather than after the lookback delta.

import type { Labels } from '../model/labels.js';
import { STALE_NAN } from '../model/stale.js';
import type { Appender } from './interfaces.js';

/** Appends a staleness marker at t to each series; one that already has a sample at or after t is left as it is. */
export function appendStaleMarkers(app: Appender, series: Iterable<Labels>, t: number): void {
  for (const labels of series) {
    try {
      app.append(labels, t, STALE_NAN);
    } catch {
      // Newer data, or already ended at t: nothing to mark.
    }
  }
}

/** The series of `previous` that are not in `current` (both keyed by labelsKey). */
export function* vanished(previous: Map<string, Labels>, current: { has(key: string): boolean }): Generator<Labels> {
  for (const [key, labels] of previous) if (!current.has(key)) yield labels;
}
