// Native histogram samples read from storage, put on the float samples'
// timeline (a series may switch between floats and histograms), with the
// counter-reset hints Prometheus's chunks hand out.

import { type FloatHistogram, CounterResetHint } from '../../model/histogram.js';
import { detectReset } from '../../model/histogram-reset.js';
import type { SampleBatch } from '../../storage/interfaces.js';
import type { Expr, VectorSelector } from '../parser/ast.js';

/**
 * How far before a selector's range the previous histogram sample is looked
 * for, to give the first histogram in the range its hint (read only for
 * series with histograms; the engine opens its querier this much earlier).
 */
export const HINT_LOOKBEHIND = 3600_000;

export interface MergedBatch {
  timestamps: Float64Array;
  values: Float64Array;
  startTimestamps?: Float64Array;
  /** Histograms aligned with timestamps (values NaN there); absent when there are none. */
  h?: (FloatHistogram | undefined)[];
}

/**
 * Floats and histograms of a batch merged in time order. Hints are set as
 * Prometheus 3's histogram chunks return them: gauge and not-reset hints
 * stay; a reset hint (a chunk's first sample) reads back as unknown; an
 * unknown hint becomes not-reset when the histogram follows another counter
 * histogram without a reset (Prometheus recodes a chunk where a layout
 * change makes promlet's storage start one).
 */
export function mergeHistogramSamples(b: SampleBatch, before?: () => SampleBatch): MergedBatch {
  const hb = b.histograms;
  if (!hb || hb.timestamps.length === 0) return b;
  const n = b.timestamps.length + hb.timestamps.length;
  const timestamps = new Float64Array(n), values = new Float64Array(n);
  const st = b.startTimestamps ? new Float64Array(n) : undefined;
  const h: (FloatHistogram | undefined)[] = new Array(n);
  let i = 0, j = 0, k = 0;
  let prev: FloatHistogram | undefined;
  // Only a leading histogram whose hint storage left unknown needs the sample before the range.
  const first = hb.histograms[0]!;
  const floatFirst = b.timestamps.length > 0 && b.timestamps[0]! <= hb.timestamps[0]!;
  if (before && !floatFirst && first.counterResetHint === CounterResetHint.Unknown) prev = lastHistogram(before());
  while (i < b.timestamps.length || j < hb.timestamps.length) {
    if (j >= hb.timestamps.length || (i < b.timestamps.length && b.timestamps[i]! <= hb.timestamps[j]!)) {
      timestamps[k] = b.timestamps[i]!;
      values[k] = b.values[i]!;
      if (st) st[k] = b.startTimestamps![i]!;
      // A float sample or a stale marker ends the run of histograms.
      prev = undefined;
      i++;
    } else {
      const x = hb.histograms[j]!;
      timestamps[k] = hb.timestamps[j]!;
      values[k] = NaN;
      h[k] = withChunkHint(x, prev);
      prev = x;
      j++;
    }
    k++;
  }
  const out: MergedBatch = { timestamps, values, h };
  if (st) out.startTimestamps = st;
  return out;
}

/** The batch's last sample when it is a histogram (the one a chunk would hold before the range). */
function lastHistogram(b: SampleBatch): FloatHistogram | undefined {
  const hb = b.histograms;
  if (!hb || hb.timestamps.length === 0) return undefined;
  const lastH = hb.timestamps[hb.timestamps.length - 1]!;
  const lastF = b.timestamps.length > 0 ? b.timestamps[b.timestamps.length - 1]! : -Infinity;
  return lastH > lastF ? hb.histograms[hb.histograms.length - 1] : undefined;
}

function withChunkHint(x: FloatHistogram, prev: FloatHistogram | undefined): FloatHistogram {
  let hint: CounterResetHint;
  if (x.counterResetHint === CounterResetHint.Gauge || x.counterResetHint === CounterResetHint.NotCounterReset) hint = x.counterResetHint;
  // A chunk started by a reset reads back as unknown in Prometheus 3 (its chunk iterators drop the header, prometheus#15346).
  else if (x.counterResetHint === CounterResetHint.CounterReset || !prev || prev.counterResetHint === CounterResetHint.Gauge) hint = CounterResetHint.Unknown;
  else hint = detectReset(x, prev) ? CounterResetHint.Unknown : CounterResetHint.NotCounterReset;
  return hint === x.counterResetHint ? x : { ...x, counterResetHint: hint };
}

/**
 * Selectors whose histograms are only read for their count and sum: under
 * histogram_count, histogram_sum or histogram_avg with no subquery, bucket
 * function or trim operator in between (Prometheus's
 * detectHistogramStatsDecoding). Prometheus reads these through its
 * HistogramStatsIterator, which drops the buckets and detects counter
 * resets on the fly; statsOnly reproduces what it yields.
 */
export function statsOnlySelectors(expr: Expr): Set<VectorSelector> {
  const out = new Set<VectorSelector>();
  const walk = (e: Expr, skip: boolean) => {
    switch (e.type) {
      case 'VectorSelector':
        if (skip) out.add(e);
        return;
      case 'MatrixSelector':
        walk(e.vectorSelector, skip);
        return;
      case 'SubqueryExpr':
        walk(e.expr, false);
        return;
      case 'Call': {
        const n = e.func.name;
        const s = n === 'histogram_count' || n === 'histogram_sum' || n === 'histogram_avg'
          ? true : n === 'histogram_quantile' || n === 'histogram_quantiles' || n === 'histogram_fraction' ? false : skip;
        for (const a of e.args) walk(a, s);
        return;
      }
      case 'BinaryExpr': {
        const s = e.op === '</' || e.op === '>/' ? false : skip;
        walk(e.lhs, s);
        walk(e.rhs, s);
        return;
      }
      case 'AggregateExpr':
        if (e.param) walk(e.param, skip);
        walk(e.expr, skip);
        return;
      case 'ParenExpr':
      case 'UnaryExpr':
        walk(e.expr, skip);
        return;
      default:
        return;
    }
  };
  walk(expr, false);
  return out;
}

/** The histograms of a series as the stats iterator yields them: count, sum and schema only, unknown hints resolved by detection. */
export function statsOnly(h: (FloatHistogram | undefined)[]): (FloatHistogram | undefined)[] {
  let last: FloatHistogram | undefined;
  return h.map((x) => {
    if (!x) {
      last = undefined;
      return x;
    }
    let hint = x.counterResetHint;
    if (hint === CounterResetHint.Unknown && last) hint = detectReset(x, last) ? CounterResetHint.CounterReset : CounterResetHint.NotCounterReset;
    last = { ...x, counterResetHint: hint };
    return {
      counterResetHint: hint, schema: x.schema, zeroThreshold: 0, zeroCount: 0, count: x.count, sum: x.sum,
      positiveSpans: [], positiveBuckets: [], negativeSpans: [], negativeBuckets: [],
    };
  });
}
