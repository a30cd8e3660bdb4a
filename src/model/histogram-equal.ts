// Exact equality and the memory size Prometheus accounts for a histogram.

import { type FloatHistogram, type Span, usesCustomBuckets } from './histogram.js';
import { customBoundsMatch } from './histogram-arith.js';

// Spans match when they cover the same buckets; zero-length spans only move
// the next span's offset.
function spansMatch(a: readonly Span[], b: readonly Span[]): boolean {
  const norm = (s: readonly Span[]) => {
    const out: Span[] = [];
    let carry = 0;
    for (const x of s) {
      if (x.length === 0) {
        carry += x.offset;
        continue;
      }
      if (out.length > 0 && x.offset + carry === 0) out[out.length - 1]!.length += x.length;
      else out.push({ offset: x.offset + carry, length: x.length });
      carry = 0;
    }
    return out;
  };
  const x = norm(a), y = norm(b);
  return x.length === y.length && x.every((s, i) => s.offset === y[i]!.offset && s.length === y[i]!.length);
}

function sameBits(a: number, b: number): boolean {
  return Object.is(a, b);
}

function bucketsMatch(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => sameBits(v, b[i]!));
}

/**
 * Whether a and b are the same histogram (Prometheus's Equals): same schema,
 * bit-identical counts, sums and buckets, same spans; the counter-reset
 * hint is not compared.
 */
export function histogramEquals(a: FloatHistogram, b: FloatHistogram): boolean {
  if (a.schema !== b.schema || !sameBits(a.count, b.count) || !sameBits(a.sum, b.sum)) return false;
  if (usesCustomBuckets(a) && !customBoundsMatch(a.customValues, b.customValues)) return false;
  if (a.zeroThreshold !== b.zeroThreshold || !sameBits(a.zeroCount, b.zeroCount)) return false;
  return spansMatch(a.negativeSpans, b.negativeSpans) && bucketsMatch(a.negativeBuckets, b.negativeBuckets)
    && spansMatch(a.positiveSpans, b.positiveSpans) && bucketsMatch(a.positiveBuckets, b.positiveBuckets);
}

/** Bytes Prometheus counts for a float histogram (FloatHistogram.Size). */
export function histogramSize(h: FloatHistogram): number {
  return 168 + 8 * (h.positiveSpans.length + h.negativeSpans.length + h.positiveBuckets.length + h.negativeBuckets.length + (h.customValues?.length ?? 0));
}
