// Histogram arithmetic as Prometheus's FloatHistogram does it: h + other and
// h - other (schemas reduced to the smaller one, zero buckets widened to
// the wider one, custom bounds intersected when they differ), the
// Kahan-compensated sum that sum() and avg() use, and scaling by a scalar.
// All operations change h in place and return it; other is not changed.

import { type FloatHistogram, type Span, CounterResetHint, usesCustomBuckets } from './histogram.js';
import { exponentialBound } from './histogram-bounds.js';
import { forEachBucketIndex } from './histogram-buckets.js';
import { reduceSpans } from './histogram-resolution.js';
import { reconcileZeroBuckets } from './histogram-zero.js';
import { kahanInc } from './kahan-sum.js';

export class IncompatibleSchemaError extends Error {
  constructor() {
    super('cannot apply this operation on histograms with a mix of exponential and custom bucket schemas');
    this.name = 'IncompatibleSchemaError';
  }
}

/** What an addition noticed, for the annotations PromQL emits. */
export interface AddOutcome {
  /** One operand said counter reset, the other not-counter-reset. */
  counterResetCollision: boolean;
  /** Custom bounds differed and were intersected. */
  nhcbBoundsReconciled: boolean;
}

/** Whether two custom-bound lists are identical. */
export function customBoundsMatch(a?: readonly number[], b?: readonly number[]): boolean {
  const x = a ?? [], y = b ?? [];
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** The bounds both lists share, in order. */
export function intersectCustomBounds(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0, j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push(a[i]!);
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  return out;
}

// The hint of a sum: equal hints stay, gauge wins, unknown wins next, and
// reset + not-reset collide into unknown.
function adjustCounterReset(h: FloatHistogram, other: FloatHistogram): boolean {
  const a = h.counterResetHint, b = other.counterResetHint;
  if (a === b || a === CounterResetHint.Gauge) return false;
  if (b === CounterResetHint.Gauge) {
    h.counterResetHint = CounterResetHint.Gauge;
    return false;
  }
  if (a === CounterResetHint.Unknown) return false;
  h.counterResetHint = CounterResetHint.Unknown;
  return b !== CounterResetHint.Unknown;
}

interface Entry {
  idx: number;
  v: number;
  c: number;
}

function entries(spans: readonly Span[], buckets: readonly number[], comp?: readonly number[]): Entry[] {
  const out: Entry[] = [];
  forEachBucketIndex(spans, (idx, pos) => out.push({ idx, v: buckets[pos]!, c: comp ? comp[pos]! : 0 }));
  return out;
}

function layout(es: Entry[]): { spans: Span[]; buckets: number[]; comp: number[] } {
  const spans: Span[] = [];
  const buckets: number[] = [];
  const comp: number[] = [];
  let last = 0;
  for (const e of es) {
    if (spans.length > 0 && e.idx === last + 1) spans[spans.length - 1]!.length++;
    else spans.push({ offset: spans.length === 0 ? e.idx : e.idx - last - 1, length: 1 });
    buckets.push(e.v);
    comp.push(e.c);
    last = e.idx;
  }
  return { spans, buckets, comp };
}

/**
 * Adds (or, with sign -1, subtracts) side B's buckets into side A's, both in
 * one schema. B's leading buckets inside the zero bucket (upper bound <=
 * threshold) are skipped: they are already counted in the zero bucket.
 * With kahan, compensation terms are kept per bucket.
 */
function addSides(
  schema: number, threshold: number, sign: 1 | -1, kahan: boolean,
  spansA: readonly Span[], bucketsA: readonly number[], compA: readonly number[] | undefined,
  spansB: readonly Span[], bucketsB: readonly number[], compB: readonly number[] | undefined,
): { spans: Span[]; buckets: number[]; comp: number[] } {
  const a = entries(spansA, bucketsA, compA);
  const b = entries(spansB, bucketsB, compB);
  const exponential = schema >= -4 && schema <= 8;
  let k = 0;
  if (exponential) while (k < b.length && exponentialBound(b[k]!.idx, schema) <= threshold) k++;
  const out: Entry[] = [];
  let i = 0;
  while (i < a.length || k < b.length) {
    if (k >= b.length || (i < a.length && a[i]!.idx < b[k]!.idx)) {
      out.push(a[i++]!);
      continue;
    }
    const e = b[k++]!;
    const v = sign * e.v, c = sign * e.c;
    if (i < a.length && a[i]!.idx === e.idx) {
      const x = a[i++]!;
      if (kahan) {
        let [s, cc] = kahanInc(v, x.v, x.c);
        if (c !== 0) [s, cc] = kahanInc(c, s, cc);
        out.push({ idx: x.idx, v: s, c: cc });
      } else {
        out.push({ idx: x.idx, v: x.v + v, c: 0 });
      }
    } else {
      out.push({ idx: e.idx, v, c });
    }
  }
  return layout(out);
}

/**
 * Custom-bucket histograms with different bounds: each bucket of either
 * goes to the first bucket of the shared bounds whose bound is >= its own
 * (the +Inf bucket when none), then empty buckets are dropped.
 */
function addCustomMismatched(
  sign: 1 | -1,
  spansA: readonly Span[], bucketsA: readonly number[], boundsA: readonly number[], compA: readonly number[] | undefined,
  spansB: readonly Span[], bucketsB: readonly number[], boundsB: readonly number[],
  shared: readonly number[],
): { spans: Span[]; buckets: number[]; comp: number[] } {
  const target = new Array<number>(shared.length + 1).fill(0);
  const targetC = new Array<number>(shared.length + 1).fill(0);
  const map = (spans: readonly Span[], buckets: readonly number[], bounds: readonly number[], s: 1 | -1, comp: readonly number[] | undefined) => {
    let shIdx = 0;
    forEachBucketIndex(spans, (idx, pos) => {
      let t = target.length - 1;
      if (idx < bounds.length) {
        const bound = bounds[idx]!;
        while (shIdx < shared.length) {
          if (shared[shIdx]! >= bound) {
            t = shIdx;
            break;
          }
          shIdx++;
        }
      }
      [target[t], targetC[t]] = kahanInc(s * buckets[pos]!, target[t]!, targetC[t]!);
      if (comp) [target[t], targetC[t]] = kahanInc(comp[pos]!, target[t]!, targetC[t]!);
    });
  };
  map(spansA, bucketsA, boundsA, 1, compA);
  map(spansB, bucketsB, boundsB, sign, undefined);
  const es: Entry[] = [];
  for (let i = 0; i < target.length; i++) {
    if (target[i] === 0 && targetC[i] === 0) continue;
    es.push({ idx: i, v: target[i]!, c: targetC[i]! });
  }
  return layout(es);
}

function combine(h: FloatHistogram, other: FloatHistogram, sign: 1 | -1, c: FloatHistogram | undefined): AddOutcome {
  if (usesCustomBuckets(h) !== usesCustomBuckets(other)) throw new IncompatibleSchemaError();
  const counterResetCollision = adjustCounterReset(h, other);
  let nhcbBoundsReconciled = false;
  const kahan = c !== undefined;
  if (!usesCustomBuckets(h)) {
    const { otherZeroCount } = reconcileZeroBuckets(h, other, c);
    if (c) [h.zeroCount, c.zeroCount] = kahanInc(sign * otherZeroCount, h.zeroCount, c.zeroCount);
    else h.zeroCount += sign * otherZeroCount;
  }
  if (c) {
    [h.count, c.count] = kahanInc(sign * other.count, h.count, c.count);
    [h.sum, c.sum] = kahanInc(sign * other.sum, h.sum, c.sum);
  } else {
    h.count += sign * other.count;
    h.sum += sign * other.sum;
  }
  if (usesCustomBuckets(h)) {
    let r;
    if (customBoundsMatch(h.customValues, other.customValues)) {
      r = addSides(h.schema, h.zeroThreshold, sign, kahan, h.positiveSpans, h.positiveBuckets, c?.positiveBuckets, other.positiveSpans, other.positiveBuckets, undefined);
    } else {
      nhcbBoundsReconciled = true;
      const shared = intersectCustomBounds(h.customValues ?? [], other.customValues ?? []);
      r = addCustomMismatched(sign, h.positiveSpans, h.positiveBuckets, h.customValues ?? [], c?.positiveBuckets,
        other.positiveSpans, other.positiveBuckets, other.customValues ?? [], shared);
      h.customValues = shared;
      if (c) c.customValues = shared;
    }
    h.positiveSpans = r.spans;
    h.positiveBuckets = r.buckets;
    if (c) {
      c.positiveSpans = r.spans;
      c.positiveBuckets = r.comp;
    }
    return { counterResetCollision, nhcbBoundsReconciled };
  }
  let hp = { spans: h.positiveSpans, buckets: h.positiveBuckets, comp: c?.positiveBuckets };
  let hn = { spans: h.negativeSpans, buckets: h.negativeBuckets, comp: c?.negativeBuckets };
  let op: { spans: Span[]; buckets: number[]; comp?: number[] } = { spans: other.positiveSpans, buckets: other.positiveBuckets };
  let on: { spans: Span[]; buckets: number[]; comp?: number[] } = { spans: other.negativeSpans, buckets: other.negativeBuckets };
  if (other.schema < h.schema) {
    const p = reduceSpans(hp.spans, hp.buckets, h.schema, other.schema, hp.comp);
    const n = reduceSpans(hn.spans, hn.buckets, h.schema, other.schema, hn.comp);
    hp = { spans: p.spans, buckets: p.buckets, comp: p.compensation };
    hn = { spans: n.spans, buckets: n.buckets, comp: n.compensation };
    h.schema = other.schema;
  } else if (other.schema > h.schema) {
    const p = reduceSpans(op.spans, op.buckets, other.schema, h.schema);
    const n = reduceSpans(on.spans, on.buckets, other.schema, h.schema);
    op = { spans: p.spans, buckets: p.buckets };
    on = { spans: n.spans, buckets: n.buckets };
  }
  const p = addSides(h.schema, h.zeroThreshold, sign, kahan, hp.spans, hp.buckets, hp.comp, op.spans, op.buckets, op.comp);
  const n = addSides(h.schema, h.zeroThreshold, sign, kahan, hn.spans, hn.buckets, hn.comp, on.spans, on.buckets, on.comp);
  h.positiveSpans = p.spans;
  h.positiveBuckets = p.buckets;
  h.negativeSpans = n.spans;
  h.negativeBuckets = n.buckets;
  if (c) {
    c.schema = h.schema;
    c.zeroThreshold = h.zeroThreshold;
    c.positiveSpans = p.spans;
    c.positiveBuckets = p.comp;
    c.negativeSpans = n.spans;
    c.negativeBuckets = n.comp;
  }
  return { counterResetCollision, nhcbBoundsReconciled };
}

/** h += other. Throws IncompatibleSchemaError when one uses custom buckets and the other not. */
export function addHistogram(h: FloatHistogram, other: FloatHistogram): AddOutcome {
  return combine(h, other, 1, undefined);
}

/** h -= other. */
export function subHistogram(h: FloatHistogram, other: FloatHistogram): AddOutcome {
  return combine(h, other, -1, undefined);
}

/** An all-zero compensation histogram laid out as h (for kahanAddHistogram). */
export function newCompensation(h: FloatHistogram): FloatHistogram {
  return {
    counterResetHint: h.counterResetHint,
    schema: h.schema,
    zeroThreshold: h.zeroThreshold,
    zeroCount: 0,
    count: 0,
    sum: 0,
    positiveSpans: h.positiveSpans,
    positiveBuckets: new Array<number>(h.positiveBuckets.length).fill(0),
    negativeSpans: h.negativeSpans,
    negativeBuckets: new Array<number>(h.negativeBuckets.length).fill(0),
    ...(h.customValues ? { customValues: h.customValues } : {}),
  };
}

/**
 * h += other with Kahan compensation kept in c (created when absent and
 * returned): the final value is h + c (Prometheus's KahanAdd).
 */
export function kahanAddHistogram(h: FloatHistogram, other: FloatHistogram, c?: FloatHistogram): { c: FloatHistogram } & AddOutcome {
  if (usesCustomBuckets(h) !== usesCustomBuckets(other)) throw new IncompatibleSchemaError();
  const comp = c ?? newCompensation(h);
  const r = combine(h, other, 1, comp);
  return { c: comp, ...r };
}

/** h *= factor; a negative factor makes it a gauge histogram. */
export function mulHistogram(h: FloatHistogram, factor: number): FloatHistogram {
  h.zeroCount *= factor;
  h.count *= factor;
  h.sum *= factor;
  for (let i = 0; i < h.positiveBuckets.length; i++) h.positiveBuckets[i]! *= factor;
  for (let i = 0; i < h.negativeBuckets.length; i++) h.negativeBuckets[i]! *= factor;
  if (factor < 0) h.counterResetHint = CounterResetHint.Gauge;
  return h;
}

/** h /= scalar; dividing by zero leaves no buckets (count, sum and zero count become Inf or NaN). */
export function divHistogram(h: FloatHistogram, scalar: number): FloatHistogram {
  h.zeroCount /= scalar;
  h.count /= scalar;
  h.sum /= scalar;
  if (scalar === 0) {
    h.positiveBuckets = [];
    h.negativeBuckets = [];
    h.positiveSpans = [];
    h.negativeSpans = [];
    return h;
  }
  for (let i = 0; i < h.positiveBuckets.length; i++) h.positiveBuckets[i]! /= scalar;
  for (let i = 0; i < h.negativeBuckets.length; i++) h.negativeBuckets[i]! /= scalar;
  if (scalar < 0) h.counterResetHint = CounterResetHint.Gauge;
  return h;
}
