// Binary operators on native histogram samples (Prometheus's
// vectorElemBinop): histogram + and - histogram, histogram * and / scalar,
// scalar * histogram, the trim operators </ and >/ with a scalar, == and !=
// between histograms; every other pairing is an "incompatible sample types"
// info and no result.

import type { FloatHistogram } from '../../model/histogram.js';
import { CounterResetHint } from '../../model/histogram.js';
import { IncompatibleSchemaError, addHistogram, divHistogram, mulHistogram, subHistogram } from '../../model/histogram-arith.js';
import { compact } from '../../model/histogram-compact.js';
import { histogramEquals } from '../../model/histogram-equal.js';
import { copyHistogram } from '../../model/histogram-resolution.js';
import { trimBuckets } from '../../model/histogram-trim.js';
import type { BinaryOp } from '../parser/ast.js';
import type { PositionRange } from '../parser/posrange.js';
import type { Annotations } from './annotations.js';
import { histogramAnnos } from './histogram-annotations.js';

/** An annotation to add, deferred: upstream reports only the last one of a step. */
export type PendingAnnotation = (annos: Annotations) => void;

export interface HistogramElemResult {
  f: number;
  h?: FloatHistogram;
  keep: boolean;
  /** Drops the element (upstream's err): incompatible types, schemas, or a counter-reset collision. */
  err?: PendingAnnotation;
  /** Kept element with an info (reconciled custom bounds). */
  info?: PendingAnnotation;
}

/** One element pair where at least one side is a histogram. */
export function histogramElemBinop(op: BinaryOp, lf: number, rf: number, hl: FloatHistogram | undefined, hr: FloatHistogram | undefined, pos: PositionRange): HistogramElemResult {
  const incompatible = (l: string, r: string): HistogramElemResult => ({
    f: 0, keep: false, err: (a) => histogramAnnos.incompatibleTypesInBinOp(a, l, op, r, pos),
  });
  if (!hl && !hr) return incompatible('float', 'float');
  if (!hl && hr) {
    if (op === '*') return { f: 0, h: compact(mulHistogram(copyHistogram(hr), lf)), keep: true };
    return incompatible('float', 'histogram');
  }
  if (hl && !hr) {
    if (op === '*') return { f: 0, h: compact(mulHistogram(copyHistogram(hl), rf)), keep: true };
    if (op === '/') return { f: 0, h: compact(divHistogram(copyHistogram(hl), rf)), keep: true };
    if (op === '</' || op === '>/') return { f: 0, h: trimBuckets(copyHistogram(hl), rf, op === '</'), keep: true };
    return incompatible('histogram', 'float');
  }
  const l = hl!, r = hr!;
  switch (op) {
    case '+':
    case '-': {
      const res = copyHistogram(l);
      let outcome;
      try {
        outcome = op === '+' ? addHistogram(res, r) : subHistogram(res, r);
      } catch (e) {
        if (!(e instanceof IncompatibleSchemaError)) throw e;
        return { f: 0, keep: false, err: (a) => histogramAnnos.incompatibleBucketLayoutInBinOp(a, op, pos) };
      }
      // A difference of counters is no counter.
      if (op === '-') res.counterResetHint = CounterResetHint.Gauge;
      const operation = op === '+' ? 'addition' : 'subtraction';
      const out: HistogramElemResult = { f: 0, h: compact(res), keep: true };
      if (outcome.nhcbBoundsReconciled) out.info = (a) => histogramAnnos.mismatchedCustomBuckets(a, operation, pos);
      if (outcome.counterResetCollision) out.err = (a) => histogramAnnos.counterResetCollision(a, operation, pos);
      return out;
    }
    case '==':
      return { f: 0, h: l, keep: histogramEquals(l, r) };
    case '!=':
      return { f: 0, h: l, keep: !histogramEquals(l, r) };
    default:
      return incompatible('histogram', 'histogram');
  }
}
