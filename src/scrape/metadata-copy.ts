// The HELP, TYPE and UNIT a scrape loop keeps until its next scrape. Parsed
// from the body, each text is a slice of the piece of the body it came from,
// and a metadata map holding them keeps every piece alive for a whole scrape
// interval: long enough for the engine to move them all (the whole body's
// text, megabytes every scrape) to the old generation, where only a full
// collection frees them. Entries are taken over from the previous scrape when
// unchanged, as they nearly always are, and copied flat when new.

import type { MetricMetadata } from '../exposition/parse.js';
import { flatCopy, sharedLabel } from './label-strings.js';

export function keptMetadata(previous: ReadonlyMap<string, MetricMetadata>, parsed: ReadonlyMap<string, MetricMetadata>): Map<string, MetricMetadata> {
  const out = new Map<string, MetricMetadata>();
  for (const [family, m] of parsed) {
    // The family name as the process's shared flat copy of that metric name.
    const key = sharedLabel('__name__', family).value;
    const prev = previous.get(family);
    if (prev && prev.type === m.type && prev.help === m.help && prev.unit === m.unit) out.set(key, prev);
    else out.set(key, { type: flatCopy(m.type), help: flatCopy(m.help), unit: flatCopy(m.unit) });
  }
  return out;
}
