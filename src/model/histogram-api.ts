// A native histogram as the HTTP API's JSON carries it (count, sum and the
// non-empty buckets with their boundary rule), and its text form for
// people: the bucket notation of Prometheus's client model
// (HistogramBucket.String: `[` or `(` by which ends are inclusive).
// Shared by the engine's result encoding, `promlet query` and the web UI.

/** 0: (lower, upper]; 1: [lower, upper); 2: (lower, upper); 3: [lower, upper]. */
export type BoundaryRule = 0 | 1 | 2 | 3;
export type HistogramBucketJSON = [BoundaryRule, string, string, string];

export interface HistogramJSON {
  count: string;
  sum: string;
  /** Absent when every bucket is empty. */
  buckets?: HistogramBucketJSON[];
}

/** [unix seconds, histogram], as Prometheus's JSON. */
export type HistogramPair = [number, HistogramJSON];

/** `(1,2]`, `[-0.001,0.001]`, `[-Inf,1]`: a bucket's range with its inclusive ends. */
export function bucketRange(b: HistogramBucketJSON): string {
  const [rule, lower, upper] = b;
  return `${rule === 1 || rule === 3 ? '[' : '('}${lower},${upper}${rule === 0 || rule === 3 ? ']' : ')'}`;
}

/** `{count:5, sum:9.5, [-0.001,0.001]:1, (1,2]:3}`: a histogram on one line, as Prometheus prints one. */
export function histogramText(h: HistogramJSON): string {
  return `{count:${h.count}, sum:${h.sum}${(h.buckets ?? []).map((b) => `, ${bucketRange(b)}:${b[3]}`).join('')}}`;
}
