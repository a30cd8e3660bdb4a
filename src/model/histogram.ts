// Native histograms as Prometheus's model/histogram defines them. One shape
// serves both of Prometheus's types: bucket counts are always absolute
// (never delta-encoded; chunk encoders delta-encode internally), and
// `integer` marks an integer histogram (client_golang, remote write's
// count_int), which is stored in integer chunks and keeps integer counts.
// PromQL works on float histograms only.

/** A run of consecutive buckets: `offset` buckets after the previous span's end (or index 0), `length` buckets long. */
export interface Span {
  offset: number;
  length: number;
}

/** Prometheus's histogram.CounterResetHint. */
export const CounterResetHint = {
  /** Unknown whether a counter reset happened since the previous sample. */
  Unknown: 0,
  /** A counter reset happened. */
  CounterReset: 1,
  /** No counter reset happened. */
  NotCounterReset: 2,
  /** A gauge histogram: counter resets do not apply. */
  Gauge: 3,
} as const;
export type CounterResetHint = (typeof CounterResetHint)[keyof typeof CounterResetHint];

/** Schema of histograms with custom bucket boundaries (NHCB). */
export const CUSTOM_BUCKETS_SCHEMA = -53;
/** Exponential schemas run from -4 to 8. */
export const EXPONENTIAL_SCHEMA_MIN = -4;
export const EXPONENTIAL_SCHEMA_MAX = 8;

export interface FloatHistogram {
  /** True for an integer histogram (all counts integers, stored in integer chunks). */
  integer?: boolean;
  counterResetHint: CounterResetHint;
  schema: number;
  zeroThreshold: number;
  zeroCount: number;
  count: number;
  sum: number;
  positiveSpans: Span[];
  /** Absolute counts, one per bucket the positive spans cover. */
  positiveBuckets: number[];
  negativeSpans: Span[];
  negativeBuckets: number[];
  /** Upper bounds of the custom buckets (schema -53 only), ascending; +Inf implied last. */
  customValues?: number[];
}

/** Whether h uses custom bucket boundaries (NHCB). */
export function usesCustomBuckets(h: FloatHistogram): boolean {
  return h.schema === CUSTOM_BUCKETS_SCHEMA;
}
