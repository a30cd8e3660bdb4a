// Query results with native histograms in the API's JSON, as Prometheus's
// web/api/v1 codec writes them (util/jsonutil.MarshalHistogram): an
// instant vector's element has `histogram` instead of `value`, a matrix
// series `histograms` beside (or instead of) `values`. Each histogram is
// its count, sum and non-empty buckets as [boundaryRule, lower, upper,
// count], the rule saying which ends are inclusive.

import type { FloatHistogram } from '../../model/histogram.js';
import { allBuckets } from '../../model/histogram-buckets.js';
import type { Series } from './value.js';
import type { BoundaryRule, HistogramBucketJSON, HistogramJSON, HistogramPair } from '../../model/histogram-api.js';
import { jsonFloat } from './engine.js';

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
  const buckets: HistogramBucketJSON[] = [];
  for (const b of allBuckets(h)) {
    if (b.count === 0) continue;
    const rule: BoundaryRule = b.lowerInclusive ? (b.upperInclusive ? 3 : 1) : (b.upperInclusive ? 0 : 2);
    buckets.push([rule, jsonFloat(b.lower), jsonFloat(b.upper), jsonFloat(b.count)]);
  }
  if (buckets.length > 0) out.buckets = buckets;
  sources.set(out, h);
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
  if (s.floats.length > 0 || !s.histograms?.length) el.values = s.floats.map((p) => floatPair(p.t, p.f));
  if (s.histograms?.length) el.histograms = s.histograms.map((p) => histogramPair(p.t, p.h));
  return el;
}
