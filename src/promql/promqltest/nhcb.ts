// load_with_nhcb: classic histograms (`x_bucket{le=...}`, `x_count`,
// `x_sum`) of a load command converted, timestamp by timestamp, into native
// histograms with custom buckets named `x` (Prometheus's convertnhcb):
// cumulative bucket counts become per-bucket counts, the bounds the custom
// values, and +Inf is added from the count when the buckets lack it.

import type { FloatHistogram } from '../../model/histogram.js';
import { ClassicHistogramBuilder } from '../../model/histogram-nhcb.js';
import { type Labels, labelsKey } from '../../model/labels.js';
import { isStaleNaN } from '../../model/stale.js';
import type { SeriesSample } from './series.js';

/** The native histogram series the classic histograms among a load's series convert to. */
export function classicToNhcb(
  series: { labels: Labels; values: SeriesSample[] }[],
  step: number,
): { labels: Labels; samples: { t: number; h: FloatHistogram }[] }[] {
  const groups = new Map<string, { labels: Labels; byTime: Map<number, ClassicHistogramBuilder> }>();
  for (const { labels, values } of series) {
    const name = labels.find((l) => l.name === '__name__')?.value ?? '';
    const m = /^(.*)_(bucket|count|sum)$/.exec(name);
    if (!m) continue;
    const kind = m[2]!;
    let le = NaN;
    if (kind === 'bucket') {
      const leText = labels.find((l) => l.name === 'le')?.value;
      if (leText === undefined) throw new Error(`expected bucket label in metric ${name}`);
      le = leText === '+Inf' ? Infinity : leText === '-Inf' ? -Infinity : Number(leText);
      if (Number.isNaN(le)) continue;
    }
    const base = labels.filter((l) => l.name !== 'le').map((l) => (l.name === '__name__' ? { name: l.name, value: m[1]! } : l));
    const key = labelsKey(base);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { labels: base, byTime: new Map() }));
    values.forEach((v, i) => {
      if (typeof v !== 'number' || isStaleNaN(v)) return;
      const t = i * step;
      let p = g!.byTime.get(t);
      if (!p) g!.byTime.set(t, (p = new ClassicHistogramBuilder()));
      if (kind === 'bucket') p.setBucketCount(le, v);
      else if (kind === 'count') p.setCount(v);
      else p.setSum(v);
    });
  }
  return [...groups.values()].map((g) => ({
    labels: g.labels,
    samples: [...g.byTime.entries()].sort((a, b) => a[0] - b[0]).map(([t, p]) => ({ t, h: p.convert() })),
  }));
}
