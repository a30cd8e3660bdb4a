// Query results with native histograms in the API's JSON, as Prometheus's
// web/api/v1 codec writes them (util/jsonutil.MarshalHistogram): an
// instant vector's element has `histogram` instead of `value`, a matrix
// series `histograms` beside (or instead of) `values`. Each histogram is
// its count, sum and non-empty buckets as [boundaryRule, lower, upper,
// count], the rule saying which ends are inclusive.

import type { FloatHistogram } from '../../model/histogram.js';
import { allBuckets, forEachBucketIndex } from '../../model/histogram-buckets.js';
import { exponentialBound } from '../../model/histogram-bounds.js';
import { CUSTOM_BUCKETS_SCHEMA } from '../../model/histogram.js';
import type { Series } from './value.js';
import { type StepColumns, columnsOf } from './columnar.js';
import type { BoundaryRule, HistogramBucketJSON, HistogramJSON, HistogramPair } from '../../model/histogram-api.js';
import { jsonFloat } from '../../model/float.js';

export type { BoundaryRule, HistogramBucketJSON, HistogramJSON, HistogramPair } from '../../model/histogram-api.js';

// The histogram each JSON object was written from, for callers in the same
// thread that need more than the JSON carries (rules store and template it).
const sources = new WeakMap<HistogramJSON, FloatHistogram>();

/** The histogram a result's JSON came from, when it was made in this thread. */
export function histogramOf(json: HistogramJSON): FloatHistogram | undefined {
  return sources.get(json);
}

export function histogramJSON(h: FloatHistogram): HistogramJSON {
  const out: HistogramJSON = { count: jsonFloat(h.count), sum: jsonFloat(h.sum) };
  const buckets = h.schema === CUSTOM_BUCKETS_SCHEMA ? bucketsOf(h) : exponentialBucketsOf(h);
  if (buckets.length > 0) out.buckets = buckets;
  sources.set(out, h);
  return out;
}

const ruleOf = (lowerInclusive: boolean, upperInclusive: boolean): BoundaryRule => (lowerInclusive ? (upperInclusive ? 3 : 1) : (upperInclusive ? 0 : 2));

/** The buckets through the general iterator (any schema): the reference the fast path is tested against. */
export function bucketsOf(h: FloatHistogram): HistogramBucketJSON[] {
  const buckets: HistogramBucketJSON[] = [];
  for (const b of allBuckets(h)) {
    if (b.count === 0) continue;
    buckets.push([ruleOf(b.lowerInclusive, b.upperInclusive), jsonFloat(b.lower), jsonFloat(b.upper), jsonFloat(b.count)]);
  }
  return buckets;
}

// Exponential bounds repeat in every histogram of a schema: their values and
// JSON text are computed once (a range result writes thousands of
// histograms with the same few dozen bounds).
const boundCache = new Map<number, { v: number; text: string }>();
const BOUND_CACHE_MAX = 1 << 16;

function bound(idx: number, schema: number): { v: number; text: string } {
  const key = idx * 16 + (schema + 4);
  let b = boundCache.get(key);
  if (!b) {
    const v = exponentialBound(idx, schema);
    b = { v, text: jsonFloat(v) };
    if (boundCache.size < BOUND_CACHE_MAX) boundCache.set(key, b);
  }
  return b;
}

const negate = (text: string) => (text.startsWith('+') ? `-${text.slice(1)}` : text.startsWith('-') ? text.slice(1) : `-${text}`);

/**
 * bucketsOf for an exponential schema without a bucket object per bucket:
 * negative buckets from the lowest, the zero bucket when it holds anything,
 * positive buckets; which ends are inclusive follows from the bounds before
 * an edge inside the zero bucket is moved to the threshold, as upstream.
 */
function exponentialBucketsOf(h: FloatHistogram): HistogramBucketJSON[] {
  const out: HistogramBucketJSON[] = [];
  const zt = h.zeroThreshold;
  let ztText: string | undefined;
  const zeroText = () => (ztText ??= jsonFloat(zt));
  const neg: HistogramBucketJSON[] = [];
  forEachBucketIndex(h.negativeSpans, (idx, pos) => {
    const count = h.negativeBuckets[pos]!;
    if (count === 0) return;
    const lo = bound(idx, h.schema), hi = bound(idx - 1, h.schema);
    const lower = -lo.v, upper = -hi.v;
    let lowerText = negate(lo.text), upperText = negate(hi.text);
    if (upper < 0 && upper > -zt) upperText = `-${zeroText()}`;
    else if (lower > 0 && lower < zt) lowerText = zeroText();
    neg.push([ruleOf(lower < 0, upper > 0), lowerText, upperText, jsonFloat(count)]);
  });
  for (let i = neg.length - 1; i >= 0; i--) out.push(neg[i]!);
  if (h.zeroCount > 0) out.push([3, negate(zeroText()), zeroText(), jsonFloat(h.zeroCount)]);
  forEachBucketIndex(h.positiveSpans, (idx, pos) => {
    const count = h.positiveBuckets[pos]!;
    if (count === 0) return;
    const lo = bound(idx - 1, h.schema), hi = bound(idx, h.schema);
    let lowerText = lo.text, upperText = hi.text;
    if (lo.v > 0 && lo.v < zt) lowerText = zeroText();
    else if (hi.v < 0 && hi.v > -zt) upperText = `-${zeroText()}`;
    out.push([ruleOf(lo.v < 0, hi.v > 0), lowerText, upperText, jsonFloat(count)]);
  });
  return out;
}

const histogramPair = (t: number, h: FloatHistogram): HistogramPair => [t / 1000, histogramJSON(h)];

/** An instant vector's element: a histogram sample when the series' point is one. */
export function vectorElementJSON(metric: Record<string, string>, s: Series, t: number, floatPair: (t: number, f: number) => [number, string]) {
  const h = s.histograms?.[0];
  if (h && s.floats.length === 0) return { metric, histogram: histogramPair(t, h.h) };
  return { metric, value: floatPair(t, s.floats[0]!.f) };
}

/** A matrix series: `values` when it has float points, `histograms` when it has histogram points. */
export function matrixElementJSON(metric: Record<string, string>, s: Series, floatPair: (t: number, f: number) => [number, string]) {
  const el: { metric: Record<string, string>; values?: [number, string][]; histograms?: HistogramPair[] } = { metric };
  const cols = columnsOf(s);
  if (cols) el.values = columnPairs(cols, floatPair);
  else if (s.floats.length > 0 || !s.histograms?.length) el.values = s.floats.map((p) => floatPair(p.t, p.f));
  if (s.histograms?.length) el.histograms = s.histograms.map((p) => histogramPair(p.t, p.h));
  return el;
}

/** A columnar series' present steps as [t, "value"] pairs, without building points first. */
function columnPairs(c: StepColumns, floatPair: (t: number, f: number) => [number, string]): [number, string][] {
  const out: [number, string][] = new Array(c.count);
  let j = 0;
  for (let k = 0; k < c.present.length; k++) if (c.present[k] === 1) out[j++] = floatPair(c.start + k * c.interval, c.values[k]!);
  return out;
}
