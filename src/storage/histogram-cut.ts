// When a histogram sample starts a new chunk, and the counter-reset header
// that chunk gets: Prometheus's HistogramAppender.appendable and
// appendableGauge, with one difference on purpose: promlet does not recode
// a chunk when buckets appear or vanish; any layout change (schema, zero
// threshold, spans, custom bounds) starts a new chunk instead. Readers see
// the header's hint on a chunk's first sample and "not a reset" (gauge for
// gauge chunks) on the others, as Prometheus's chunk iterators report.

import { CounterResetHint, type FloatHistogram, type Span } from '../model/histogram.js';
import { isStaleNaN } from '../model/stale.js';

/** Append to the open chunk. */
export const NO_CUT = -1;

function sameSpans(a: readonly Span[], b: readonly Span[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.offset !== b[i]!.offset || a[i]!.length !== b[i]!.length) return false;
  return true;
}

function sameBounds(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  const x = a ?? [], y = b ?? [];
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Whether a and b share schema, zero threshold, spans and custom bounds (one chunk can hold both). */
export function sameLayout(a: FloatHistogram, b: FloatHistogram): boolean {
  return a.schema === b.schema && Object.is(a.zeroThreshold, b.zeroThreshold) && sameSpans(a.positiveSpans, b.positiveSpans) &&
    sameSpans(a.negativeSpans, b.negativeSpans) && sameBounds(a.customValues, b.customValues);
}

/** Bucket index to count, for the populated buckets of one side. */
function populated(spans: readonly Span[], buckets: readonly number[]): Map<number, number> {
  const out = new Map<number, number>();
  let idx = 0, k = 0;
  for (let i = 0; i < spans.length; i++) {
    idx += spans[i]!.offset;
    for (let j = 0; j < spans[i]!.length; j++, idx++, k++) if (buckets[k]! > 0) out.set(idx, buckets[k]!);
  }
  return out;
}

/** Whether some bucket of `prev` has fewer observations (or is gone) in `h`. */
function bucketDecreased(prevSpans: readonly Span[], prevBuckets: readonly number[], spans: readonly Span[], buckets: readonly number[]): boolean {
  const now = new Map<number, number>();
  let idx = 0, k = 0;
  for (let i = 0; i < spans.length; i++) {
    idx += spans[i]!.offset;
    for (let j = 0; j < spans[i]!.length; j++, idx++, k++) now.set(idx, buckets[k]!);
  }
  for (const [i, c] of populated(prevSpans, prevBuckets)) if (!((now.get(i) ?? 0) >= c)) return true;
  return false;
}

/**
 * Counter-reset detection between consecutive counter histograms, as
 * Prometheus's appendable: CounterReset, NotCounterReset, or Unknown when
 * schema or zero threshold changed (no full detection then).
 */
export function detectReset(prev: FloatHistogram, h: FloatHistogram): CounterResetHint {
  if (h.count < prev.count) return CounterResetHint.CounterReset;
  if (h.schema !== prev.schema || !Object.is(h.zeroThreshold, prev.zeroThreshold)) return CounterResetHint.Unknown;
  if (h.schema === -53 && !sameBounds(h.customValues, prev.customValues)) return CounterResetHint.CounterReset;
  if (h.zeroCount < prev.zeroCount) return CounterResetHint.CounterReset;
  if (bucketDecreased(prev.positiveSpans, prev.positiveBuckets, h.positiveSpans, h.positiveBuckets)) return CounterResetHint.CounterReset;
  if (bucketDecreased(prev.negativeSpans, prev.negativeBuckets, h.negativeSpans, h.negativeBuckets)) return CounterResetHint.CounterReset;
  return CounterResetHint.NotCounterReset;
}

/**
 * What appending h after `prev` (the previous sample of the open chunk, or
 * null when there is none or the series' previous sample was a float)
 * needs: NO_CUT, or the counter-reset header of the new chunk h starts.
 * `trustHint` keeps a NotCounterReset hint on a chunk with no predecessor
 * (samples copied from chunks that knew it); appends from outside do not.
 */
export function chunkCut(prev: FloatHistogram | null, h: FloatHistogram, trustHint = false): number {
  const gauge = h.counterResetHint === CounterResetHint.Gauge;
  if (prev === null) {
    if (gauge || h.counterResetHint === CounterResetHint.CounterReset) return h.counterResetHint;
    return trustHint ? h.counterResetHint : CounterResetHint.Unknown;
  }
  if (!!prev.integer !== !!h.integer) return gauge ? CounterResetHint.Gauge : h.counterResetHint === CounterResetHint.CounterReset ? CounterResetHint.CounterReset : CounterResetHint.Unknown;
  const prevGauge = prev.counterResetHint === CounterResetHint.Gauge;
  if (gauge) return prevGauge && sameLayout(prev, h) ? NO_CUT : CounterResetHint.Gauge;
  if (prevGauge) return h.counterResetHint === CounterResetHint.CounterReset ? CounterResetHint.CounterReset : CounterResetHint.Unknown;
  if (h.counterResetHint === CounterResetHint.CounterReset) return CounterResetHint.CounterReset;
  if (isStaleNaN(h.sum)) return sameLayout(prev, h) ? NO_CUT : CounterResetHint.Unknown;
  if (isStaleNaN(prev.sum)) return CounterResetHint.Unknown;
  const reset = detectReset(prev, h);
  if (reset !== CounterResetHint.NotCounterReset) return reset;
  return sameLayout(prev, h) ? NO_CUT : CounterResetHint.NotCounterReset;
}
