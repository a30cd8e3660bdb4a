// A histogram as Prometheus's FloatHistogram.String writes it (count_values
// uses it as a label value): `{count:4, sum:5, [-2,-1):1, [-0.001,0.001]:1, (1,2]:2}`.

import type { FloatHistogram } from './histogram.js';
import { type Bucket, negativeBuckets, positiveBuckets, zeroBucket } from './histogram-buckets.js';
import { formatFloat } from './float.js';

function bucketString(b: Bucket): string {
  return `${b.lowerInclusive ? '[' : '('}${formatFloat(b.lower)},${formatFloat(b.upper)}${b.upperInclusive ? ']' : ')'}:${formatFloat(b.count)}`;
}

export function histogramString(h: FloatHistogram): string {
  const parts = [`count:${formatFloat(h.count)}`, `sum:${formatFloat(h.sum)}`];
  const neg = negativeBuckets(h).filter((b) => b.count !== 0).reverse();
  for (const b of neg) parts.push(bucketString(b));
  if (h.zeroCount !== 0) parts.push(bucketString(zeroBucket(h)));
  for (const b of positiveBuckets(h)) if (b.count !== 0) parts.push(bucketString(b));
  return `{${parts.join(', ')}}`;
}
