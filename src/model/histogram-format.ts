// Native histograms as text, as Prometheus prints them: String() (what an
// alert template's $value shows for a histogram sample) and
// TestExpression() (the `{{…}}` literal promtool compares rule unit-test
// expectations by).

import { type FloatHistogram, type Span, CounterResetHint, CUSTOM_BUCKETS_SCHEMA } from './histogram.js';
import { type Bucket, negativeBuckets, positiveBuckets, zeroBucket } from './histogram-buckets.js';
import { goFormatG } from './float.js';

function bucketString(b: Bucket): string {
  return `${b.lowerInclusive ? '[' : '('}${goFormatG(b.lower)},${goFormatG(b.upper)}${b.upperInclusive ? ']' : ')'}:${goFormatG(b.count)}`;
}

/** FloatHistogram.String(): `{count:4, sum:10, [-2,-1):1, [-0.001,0.001]:1, (1,2]:2}`. */
export function histogramString(h: FloatHistogram): string {
  let s = `{count:${goFormatG(h.count)}, sum:${goFormatG(h.sum)}`;
  for (const b of negativeBuckets(h).reverse()) if (b.count !== 0) s += `, ${bucketString(b)}`;
  if (h.zeroCount !== 0 && h.schema !== CUSTOM_BUCKETS_SCHEMA) s += `, ${bucketString(zeroBucket(h))}`;
  for (const b of positiveBuckets(h)) if (b.count !== 0) s += `, ${bucketString(b)}`;
  return `${s}}`;
}

/** One span from the first to the last non-empty bucket, the empty ones between filled in (Compact(MaxInt)). */
function compactToOneSpan(spans: readonly Span[], counts: readonly number[]): { offset: number; counts: number[] } | null {
  let idx = 0, b = 0, first = NaN, last = NaN;
  const at = new Map<number, number>();
  for (const sp of spans) {
    idx += sp.offset;
    for (let j = 0; j < sp.length && b < counts.length; j++, idx++, b++) {
      if (counts[b] === 0) continue;
      at.set(idx, counts[b]!);
      if (Number.isNaN(first)) first = idx;
      last = idx;
    }
  }
  if (Number.isNaN(first)) return null;
  const out: number[] = [];
  for (let i = first; i <= last; i++) out.push(at.get(i) ?? 0);
  return { offset: first, counts: out };
}

/** FloatHistogram.TestExpression(): the promqltest literal, fields left out where they are zero. */
export function histogramTestExpression(h: FloatHistogram): string {
  const res: string[] = [];
  if (h.schema !== 0) res.push(`schema:${h.schema}`);
  if (h.count !== 0) res.push(`count:${goFormatG(h.count)}`);
  if (h.sum !== 0) res.push(`sum:${goFormatG(h.sum)}`);
  if (h.zeroCount !== 0) res.push(`z_bucket:${goFormatG(h.zeroCount)}`);
  if (h.zeroThreshold !== 0) res.push(`z_bucket_w:${goFormatG(h.zeroThreshold)}`);
  if (h.schema === CUSTOM_BUCKETS_SCHEMA) res.push(`custom_values:[${(h.customValues ?? []).map(goFormatG).join(' ')}]`);
  const hint = { [CounterResetHint.CounterReset]: 'reset', [CounterResetHint.NotCounterReset]: 'not_reset', [CounterResetHint.Gauge]: 'gauge' }[h.counterResetHint as number];
  if (hint) res.push(`counter_reset_hint:${hint}`);
  const add = (bucketsKey: string, offsetKey: string, spans: readonly Span[], counts: readonly number[]) => {
    const c = compactToOneSpan(spans, counts);
    if (!c) return;
    if (c.offset !== 0) res.push(`${offsetKey}:${c.offset}`);
    res.push(`${bucketsKey}:[${c.counts.map(goFormatG).join(' ')}]`);
  };
  add('buckets', 'offset', h.positiveSpans, h.positiveBuckets);
  add('n_buckets', 'n_offset', h.negativeSpans, h.negativeBuckets);
  return `{{${res.join(' ')}}}`;
}
