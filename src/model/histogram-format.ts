// Native histograms as text, as Prometheus prints them: String() (what an
// alert template's $value shows for a histogram sample) and
// TestExpression() (the `{{…}}` literal promtool compares rule unit-test
// expectations by).

import { type FloatHistogram, type Span, CounterResetHint, CUSTOM_BUCKETS_SCHEMA } from './histogram.js';
import { type Bucket, negativeBuckets, positiveBuckets, zeroBucket } from './histogram-buckets.js';
import { goFormatG } from './float.js';
import { compactSide } from './histogram-compact.js';

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
  // Compact(MaxInt): each side becomes one span from its first to its last populated bucket.
  const add = (bucketsKey: string, offsetKey: string, side: { spans: Span[]; buckets: number[] }) => {
    const span = side.spans[0];
    if (!span) return;
    if (span.offset !== 0) res.push(`${offsetKey}:${span.offset}`);
    res.push(`${bucketsKey}:[${side.buckets.map(goFormatG).join(' ')}]`);
  };
  add('buckets', 'offset', compactSide(h.positiveSpans, h.positiveBuckets, Number.MAX_SAFE_INTEGER));
  add('n_buckets', 'n_offset', compactSide(h.negativeSpans, h.negativeBuckets, Number.MAX_SAFE_INTEGER));
  return `{{${res.join(' ')}}}`;
}
