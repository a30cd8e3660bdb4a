// sum() and avg() over native histograms, as Prometheus's aggregation does
// them: Kahan-compensated sums (a mean computed incrementally once the sum
// would overflow), counter-reset hints tracked for the collision warning,
// incompatible schemas ending the group with a warning.

import { type FloatHistogram, CounterResetHint } from '../../model/histogram.js';
import { IncompatibleSchemaError, addHistogram, divHistogram, kahanAddHistogram, mulHistogram } from '../../model/histogram-arith.js';
import { compact } from '../../model/histogram-compact.js';
import { copyHistogram } from '../../model/histogram-resolution.js';
import type { PositionRange } from '../parser/posrange.js';
import type { Annotations } from './annotations.js';
import { histogramAnnos } from './histogram-annotations.js';

const hasOverflow = (h: FloatHistogram) => {
  const inf = (x: number) => x === Infinity || x === -Infinity;
  return inf(h.zeroCount) || inf(h.count) || inf(h.sum) || h.positiveBuckets.some(inf) || h.negativeBuckets.some(inf);
};

export class HistogramAccumulator {
  value: FloatHistogram;
  private mean: FloatHistogram | undefined;
  private c: FloatHistogram | undefined;
  private incremental = false;
  private resetSeen = false;
  private notResetSeen = false;
  /** Set when a histogram with the other kind of schema arrived: the group has no result. */
  incompatible = false;

  constructor(first: FloatHistogram, private readonly annos: Annotations, private readonly pos: PositionRange | null) {
    this.value = copyHistogram(first);
    this.track(first);
  }

  private track(h: FloatHistogram): void {
    if (h.counterResetHint === CounterResetHint.CounterReset) this.resetSeen = true;
    else if (h.counterResetHint === CounterResetHint.NotCounterReset) this.notResetSeen = true;
  }

  private failed(e: unknown, metricName: string): void {
    if (!(e instanceof IncompatibleSchemaError)) throw e;
    histogramAnnos.mixedExponentialCustom(this.annos, metricName, this.pos!);
    this.incompatible = true;
  }

  private reconciled(r: { nhcbBoundsReconciled: boolean }): void {
    if (r.nhcbBoundsReconciled) histogramAnnos.mismatchedCustomBuckets(this.annos, 'aggregation', this.pos!);
  }

  addSum(h: FloatHistogram, metricName: string): void {
    this.track(h);
    try {
      const r = kahanAddHistogram(this.value, h, this.c);
      this.c = r.c;
      this.reconciled(r);
    } catch (e) {
      this.failed(e, metricName);
    }
  }

  /** Adds the count-th histogram of an average. */
  addAvg(h: FloatHistogram, count: number, metricName: string): void {
    this.track(h);
    try {
      if (!this.incremental) {
        const v = copyHistogram(this.value);
        const r = kahanAddHistogram(v, h, this.c ? copyHistogram(this.c) : undefined);
        this.reconciled(r);
        if (!hasOverflow(v)) {
          this.value = v;
          this.c = r.c;
          return;
        }
        this.incremental = true;
        this.mean = divHistogram(copyHistogram(this.value), count - 1);
        if (this.c) divHistogram(this.c, count - 1);
      }
      const q = (count - 1) / count;
      if (this.c) mulHistogram(this.c, q);
      const r = kahanAddHistogram(mulHistogram(this.mean!, q), divHistogram(copyHistogram(h), count), this.c);
      this.c = r.c;
      this.reconciled(r);
    } catch (e) {
      this.failed(e, metricName);
    }
  }

  sum(): FloatHistogram {
    if (this.c) addHistogram(this.value, this.c);
    return compact(this.value);
  }

  avg(count: number): FloatHistogram {
    let out: FloatHistogram;
    if (this.incremental) {
      out = this.mean!;
      if (this.c) addHistogram(out, this.c);
    } else {
      out = divHistogram(this.value, count);
      if (this.c) addHistogram(out, divHistogram(this.c, count));
    }
    return compact(out);
  }

  /** Warns when both reset and not-reset hints were summed (call once, at the end). */
  finish(): void {
    if (this.resetSeen && this.notResetSeen) histogramAnnos.counterResetCollision(this.annos, 'aggregation', this.pos!);
  }
}
