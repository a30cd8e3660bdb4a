// histogram_quantile and histogram_fraction over native histograms
// (Prometheus's HistogramQuantile and HistogramFraction): ranks are found
// by walking the buckets; inside a bucket, exponential buckets interpolate
// exponentially, custom and zero buckets linearly.

import { type FloatHistogram, usesCustomBuckets } from '../../model/histogram.js';
import { type Bucket, allBuckets } from '../../model/histogram-buckets.js';
import type { PositionRange } from '../parser/posrange.js';
import type { Annotations } from './annotations.js';
import { histogramAnnos } from './histogram-annotations.js';
import { kahanInc } from '../../model/kahan-sum.js';
import { fractionBelow } from '../../model/histogram-trim.js';

/** The q-quantile of the observations in h. */
export function histogramQuantile(q: number, h: FloatHistogram, metricName: string, pos: PositionRange, annos: Annotations): number {
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  if (h.count === 0 || Number.isNaN(q)) return NaN;
  const forward = Number.isNaN(h.sum) || q < 0.5;
  const buckets = forward ? allBuckets(h) : allBuckets(h).reverse();
  let rank = forward ? q * h.count : (1 - q) * h.count;
  let count = 0;
  let i = 0;
  let bucket: Bucket | undefined;
  for (; i < buckets.length; i++) {
    bucket = buckets[i]!;
    if (bucket.count === 0) continue;
    count += bucket.count;
    if (count >= rank) break;
  }
  i++;
  if (!bucket) bucket = { lower: 0, upper: 0, lowerInclusive: false, upperInclusive: false, count: 0, index: 0 };
  bucket = { ...bucket };
  const custom = usesCustomBuckets(h);
  if (!custom && bucket.lower < 0 && bucket.upper > 0) {
    if (h.negativeBuckets.length === 0 && h.positiveBuckets.length > 0) bucket.lower = 0;
    else if (h.positiveBuckets.length === 0 && h.negativeBuckets.length > 0) bucket.upper = 0;
  } else if (custom) {
    if (bucket.lower === -Infinity) {
      if (bucket.upper <= 0) return bucket.upper;
      bucket.lower = 0;
    } else if (bucket.upper === Infinity) {
      return bucket.lower;
    }
  }
  if (count > h.count) count = h.count;
  if (count < rank) {
    if (Number.isNaN(h.sum)) {
      histogramAnnos.quantileNaNResult(annos, metricName, pos);
      return NaN;
    }
    return bucket.upper;
  }
  if (forward) rank -= count - bucket.count;
  else rank = count - rank;
  if (Number.isNaN(h.sum)) {
    for (; i < buckets.length; i++) count += buckets[i]!.count;
    if (count < h.count) histogramAnnos.quantileNaNSkew(annos, metricName, pos);
  }
  const fraction = rank / bucket.count;
  if (custom || (bucket.lower <= 0 && bucket.upper >= 0)) return bucket.lower + (bucket.upper - bucket.lower) * fraction;
  const logLower = Math.log2(Math.abs(bucket.lower));
  const logUpper = Math.log2(Math.abs(bucket.upper));
  if (bucket.lower > 0) return 2 ** (logLower + (logUpper - logLower) * fraction);
  return -(2 ** (logUpper + (logLower - logUpper) * (1 - fraction)));
}

/** The fraction of h's observations between lower and upper. */
export function histogramFraction(lower: number, upper: number, h: FloatHistogram, metricName: string, pos: PositionRange, annos: Annotations): number {
  if (h.count === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return NaN;
  if (lower >= upper) return 0;
  const custom = usesCustomBuckets(h);
  const buckets = allBuckets(h);
  let count = 0, rank = 0, lowerRank = 0, upperRank = 0;
  let lowerSet = false, upperSet = false;
  let i = 0;
  for (; i < buckets.length; i++) {
    const b = { ...buckets[i]! };
    count += b.count;
    let zeroBucket = false;
    const linear = (v: number) => (b.lower === -Infinity ? b.count : rank + b.count * fractionBelow(b, v, true));
    const exponential = (v: number) => rank + b.count * fractionBelow(b, v, false);
    if (b.lower <= 0 && b.upper >= 0) {
      zeroBucket = true;
      if (h.negativeBuckets.length === 0 && h.positiveBuckets.length > 0) b.lower = 0;
      else if (h.positiveBuckets.length === 0 && h.negativeBuckets.length > 0) b.upper = 0;
    }
    if (!lowerSet && b.lower >= lower) {
      lowerRank = rank;
      lowerSet = true;
    }
    if (!upperSet && b.lower >= upper) {
      upperRank = rank;
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    if (!lowerSet && b.lower < lower && b.upper > lower) {
      lowerRank = custom || zeroBucket ? linear(lower) : exponential(lower);
      lowerSet = true;
    }
    if (!upperSet && b.lower < upper && b.upper > upper) {
      upperRank = custom || zeroBucket ? linear(upper) : exponential(upper);
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    rank += b.count;
  }
  if (Number.isNaN(h.sum)) {
    for (i++; i < buckets.length; i++) count += buckets[i]!.count;
    if (count < h.count) histogramAnnos.fractionNaNs(annos, metricName, pos);
  } else {
    count = h.count;
  }
  if (!lowerSet || lowerRank > count) lowerRank = count;
  if (!upperSet || upperRank > count) upperRank = count;
  return (upperRank - lowerRank) / h.count;
}

/** The estimated variance of h's observations (histogram_stdvar; histogram_stddev is its root). */
export function histogramVariance(h: FloatHistogram): number {
  const mean = h.sum / h.count;
  let variance = 0, c = 0;
  const custom = usesCustomBuckets(h);
  for (const b of allBuckets(h)) {
    if (b.count === 0) continue;
    let val: number;
    if (custom) val = (b.upper + b.lower) / 2;
    else if (b.lower <= 0 && b.upper >= 0) val = 0;
    else {
      val = Math.sqrt(b.upper * b.lower);
      if (b.upper < 0) val = -val;
    }
    const delta = val - mean;
    [variance, c] = kahanInc(b.count * delta * delta, variance, c);
  }
  variance += c;
  return variance / h.count;
}
