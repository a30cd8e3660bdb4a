// load_with_nhcb: classic histograms (`x_bucket{le=...}`, `x_count`,
// `x_sum`) of a load command converted, timestamp by timestamp, into native
// histograms with custom buckets named `x` (Prometheus's convertnhcb):
// cumulative bucket counts become per-bucket counts, the bounds the custom
// values, and +Inf is added from the count when the buckets lack it.

import { type FloatHistogram, CounterResetHint, CUSTOM_BUCKETS_SCHEMA } from '../../model/histogram.js';
import { compact } from '../../model/histogram-compact.js';
import { type Labels, labelsKey } from '../../model/labels.js';
import { isStaleNaN } from '../../model/stale.js';
import type { SeriesSample } from './series.js';

interface Pending {
  buckets: { le: number; count: number }[];
  count: number;
  hasCount: boolean;
  sum: number;
  err?: string;
}

function newPending(): Pending {
  return { buckets: [], count: 0, hasCount: false, sum: 0 };
}

function setBucket(p: Pending, le: number, count: number): void {
  if (p.err) return;
  if (count < 0) {
    p.err = `bucket count must be non-negative: le=${le}, count=${count}`;
    return;
  }
  const b = p.buckets;
  const i = b.findIndex((x) => x.le >= le);
  if (i >= 0 && b[i]!.le === le) return;
  const at = i < 0 ? b.length : i;
  if (at > 0 && count < b[at - 1]!.count) {
    p.err = `count is not cumulative: ${count} < ${b[at - 1]!.count}`;
    return;
  }
  if (at < b.length && count > b[at]!.count) {
    p.err = `count is not cumulative: ${count} > ${b[at]!.count}`;
    return;
  }
  b.splice(at, 0, { le, count });
}

function convert(p: Pending): FloatHistogram {
  if (p.err) throw new Error(p.err);
  const buckets = [...p.buckets];
  let count = p.count;
  if (!p.hasCount && buckets.length > 0) count = buckets[buckets.length - 1]!.count;
  if (buckets.length === 0 || buckets[buckets.length - 1]!.le !== Infinity) buckets.push({ le: Infinity, count });
  const last = buckets[buckets.length - 1]!;
  if (count !== last.count) throw new Error(`count mismatch: count=${count} != le=${last.le} count=${last.count}`);
  const h: FloatHistogram = {
    counterResetHint: CounterResetHint.Unknown,
    schema: CUSTOM_BUCKETS_SCHEMA,
    zeroThreshold: 0,
    zeroCount: 0,
    count,
    sum: p.sum,
    positiveSpans: [{ offset: 0, length: buckets.length }],
    positiveBuckets: buckets.map((b, i) => b.count - (i > 0 ? buckets[i - 1]!.count : 0)),
    negativeSpans: [],
    negativeBuckets: [],
    customValues: buckets.slice(0, -1).map((b) => b.le),
  };
  const integer = buckets.every((b) => Number.isInteger(b.count)) && Number.isInteger(count);
  if (integer) h.integer = true;
  return compact(h, integer ? 2 : 0);
}

/** The native histogram series the classic histograms among a load's series convert to. */
export function classicToNhcb(
  series: { labels: Labels; values: SeriesSample[] }[],
  step: number,
): { labels: Labels; samples: { t: number; h: FloatHistogram }[] }[] {
  const groups = new Map<string, { labels: Labels; byTime: Map<number, Pending> }>();
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
      if (!p) g!.byTime.set(t, (p = newPending()));
      if (kind === 'bucket') setBucket(p, le, v);
      else if (kind === 'count') {
        if (v < 0) p.err ??= `count must be non-negative: count=${v}`;
        p.count = v;
        p.hasCount = true;
      } else p.sum = v;
    });
  }
  return [...groups.values()].map((g) => ({
    labels: g.labels,
    samples: [...g.byTime.entries()].sort((a, b) => a[0] - b[0]).map(([t, p]) => ({ t, h: convert(p) })),
  }));
}
