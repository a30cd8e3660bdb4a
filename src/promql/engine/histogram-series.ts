// Native histogram samples read from storage, put on the float samples'
// timeline (a series may switch between floats and histograms), with the
// counter-reset hints Prometheus's chunks hand out.

import { type FloatHistogram, CounterResetHint } from '../../model/histogram.js';
import { detectReset } from '../../model/histogram-reset.js';
import type { SampleBatch } from '../../storage/interfaces.js';

export interface MergedBatch {
  timestamps: Float64Array;
  values: Float64Array;
  startTimestamps?: Float64Array;
  /** Histograms aligned with timestamps (values NaN there); absent when there are none. */
  h?: (FloatHistogram | undefined)[];
}

/**
 * Floats and histograms of a batch merged in time order. Hints are set as
 * Prometheus's histogram chunks return them: a counter histogram that
 * follows another counter histogram is marked reset or not-reset by
 * detection (an explicit reset hint stays), the first of a run keeps only a
 * reset or gauge hint; gauge histograms stay gauges.
 */
export function mergeHistogramSamples(b: SampleBatch): MergedBatch {
  const hb = b.histograms;
  if (!hb || hb.timestamps.length === 0) return b;
  const n = b.timestamps.length + hb.timestamps.length;
  const timestamps = new Float64Array(n), values = new Float64Array(n);
  const st = b.startTimestamps ? new Float64Array(n) : undefined;
  const h: (FloatHistogram | undefined)[] = new Array(n);
  let i = 0, j = 0, k = 0;
  let prev: FloatHistogram | undefined;
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

function withChunkHint(x: FloatHistogram, prev: FloatHistogram | undefined): FloatHistogram {
  let hint: CounterResetHint;
  if (x.counterResetHint === CounterResetHint.Gauge) hint = CounterResetHint.Gauge;
  else if (!prev || prev.counterResetHint === CounterResetHint.Gauge) {
    hint = x.counterResetHint === CounterResetHint.CounterReset ? CounterResetHint.CounterReset : CounterResetHint.Unknown;
  } else hint = detectReset({ ...x, counterResetHint: x.counterResetHint === CounterResetHint.CounterReset ? x.counterResetHint : CounterResetHint.Unknown }, prev) ? CounterResetHint.CounterReset : CounterResetHint.NotCounterReset;
  return hint === x.counterResetHint ? x : { ...x, counterResetHint: hint };
}
