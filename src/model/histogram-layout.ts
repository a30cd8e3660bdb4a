// Small helpers for ingesting native histograms: counting buckets, whether
// a schema is exponential, the schema a minimum bucket factor allows
// (Prometheus's pickSchema), and the wire formats' delta-encoded counts.

import { type FloatHistogram, EXPONENTIAL_SCHEMA_MAX, EXPONENTIAL_SCHEMA_MIN } from './histogram.js';

/** Whether schema is one of the base-2 exponential schemas (-4…8). */
export function isExponentialSchema(schema: number): boolean {
  return schema >= EXPONENTIAL_SCHEMA_MIN && schema <= EXPONENTIAL_SCHEMA_MAX;
}

/** Number of buckets (positive and negative) a histogram holds. */
export function bucketCount(h: FloatHistogram): number {
  return h.positiveBuckets.length + h.negativeBuckets.length;
}

/** The finest exponential schema whose bucket growth factor is at least `factor` (Prometheus's pickSchema). */
export function schemaForBucketFactor(factor: number): number {
  if (factor <= 1) factor = 1.00271;
  const floor = Math.floor(-Math.log2(Math.log2(factor)));
  return Math.max(EXPONENTIAL_SCHEMA_MIN, Math.min(EXPONENTIAL_SCHEMA_MAX, floor));
}

/** Absolute bucket counts as the delta encoding integer histograms travel in (protobuf exposition, remote write). */
export function countDeltas(counts: readonly number[]): number[] {
  let prev = 0;
  return counts.map((c) => {
    const d = c - prev;
    prev = c;
    return d;
  });
}

/** Delta-encoded bucket counts back to absolute ones. */
export function absoluteCounts(deltas: readonly number[]): number[] {
  let c = 0;
  return deltas.map((d) => (c += d));
}
