// Prometheus's Histogram.Validate and FloatHistogram.Validate
// (model/histogram), with their messages, over promlet's one histogram
// shape (absolute bucket counts). Storage refuses what fails here; ingestion
// may call it first to name the bad sample in its own terms.

import {
  type FloatHistogram, type Span, CUSTOM_BUCKETS_SCHEMA, EXPONENTIAL_SCHEMA_MAX, EXPONENTIAL_SCHEMA_MIN,
} from './histogram.js';

export class HistogramValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HistogramValidationError';
  }
}

const fail = (msg: string): never => {
  throw new HistogramValidationError(msg);
};

function checkSpans(spans: readonly Span[], numBuckets: number): void {
  let n = 0;
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!;
    if (!Number.isInteger(s.offset) || !Number.isInteger(s.length) || s.length < 0) {
      fail(`span number ${i + 1} has offset ${s.offset} and length ${s.length}: want integers, length not negative`);
    }
    if (i > 0 && s.offset < 0) fail(`span number ${i + 1} with offset ${s.offset}: histogram has a span whose offset is negative`);
    n += s.length;
  }
  if (n !== numBuckets) fail(`spans need ${n} buckets, have ${numBuckets} buckets: histogram spans specify different number of buckets than provided`);
}

/** Sum of the bucket counts; refuses negative (and, for integer histograms, non-integer) counts. */
function checkBuckets(buckets: readonly number[], integer: boolean): number {
  let sum = 0;
  for (let i = 0; i < buckets.length; i++) {
    const c = buckets[i]!;
    if (typeof c !== 'number' || c < 0) fail(`bucket number ${i + 1} has observation count of ${c}: histogram has a bucket whose observation count is negative`);
    if (integer && !Number.isSafeInteger(c)) fail(`bucket number ${i + 1} has observation count of ${c}: an integer histogram needs integer counts`);
    sum += c;
  }
  return sum;
}

function checkCustomBounds(bounds: readonly number[], spans: readonly Span[], numBuckets: number): void {
  let prev = -Infinity;
  for (let i = 0; i < bounds.length; i++) {
    const b = bounds[i]!;
    if (Number.isNaN(b)) fail('custom buckets: histogram custom bounds must not be NaN');
    if (i > 0 && b <= prev) fail(`custom buckets: previous bound is ${prev} and current is ${b}: histogram custom bounds must be in strictly increasing order`);
    prev = b;
  }
  if (prev === Infinity) fail('custom buckets: last +Inf bound must not be explicitly defined: histogram custom bounds must be finite');
  let n = 0, total = 0;
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i]!;
    if (!Number.isInteger(s.offset) || !Number.isInteger(s.length) || s.length < 0) {
      fail(`custom buckets: span number ${i + 1} has offset ${s.offset} and length ${s.length}: want integers, length not negative`);
    }
    if (s.offset < 0) fail(`custom buckets: span number ${i + 1} with offset ${s.offset}: histogram has a span whose offset is negative`);
    n += s.length;
    total += s.length + s.offset;
  }
  if (n !== numBuckets) fail(`custom buckets: spans need ${n} buckets, have ${numBuckets} buckets: histogram spans specify different number of buckets than provided`);
  if (bounds.length + 1 < total) {
    fail(`custom buckets: only ${bounds.length} custom bounds defined which is insufficient to cover total span length of ${total}: histogram custom bounds are too few`);
  }
}

/**
 * Throws HistogramValidationError when h is not a histogram Prometheus would
 * store: spans that do not match the bucket counts, negative counts, a count
 * below (integer: other than) the buckets' total, a bad schema or custom
 * bounds. Integer histograms (h.integer) also need integer counts.
 */
export function validateHistogram(h: FloatHistogram): void {
  const integer = h.integer === true;
  const schema = h.schema;
  let nCount = 0;
  if (schema === CUSTOM_BUCKETS_SCHEMA) {
    checkCustomBounds(h.customValues ?? [], h.positiveSpans, h.positiveBuckets.length);
    if (h.zeroCount !== 0) fail('custom buckets: must have zero count of 0');
    if (h.zeroThreshold !== 0) fail('custom buckets: must have zero threshold of 0');
    if (h.negativeSpans.length > 0) fail('custom buckets: must not have negative spans');
    if (h.negativeBuckets.length > 0) fail('custom buckets: must not have negative buckets');
  } else if (Number.isInteger(schema) && schema >= EXPONENTIAL_SCHEMA_MIN && schema <= EXPONENTIAL_SCHEMA_MAX) {
    try {
      checkSpans(h.positiveSpans, h.positiveBuckets.length);
    } catch (e) {
      fail(`positive side: ${(e as Error).message}`);
    }
    try {
      checkSpans(h.negativeSpans, h.negativeBuckets.length);
      nCount = checkBuckets(h.negativeBuckets, integer);
    } catch (e) {
      fail(`negative side: ${(e as Error).message}`);
    }
    if (!(h.zeroCount >= 0)) fail(`zero bucket has observation count of ${h.zeroCount}: histogram has a bucket whose observation count is negative`);
    if (h.customValues !== undefined && h.customValues.length > 0) fail('histogram with exponential schema must not have custom bounds');
    if (!(h.zeroThreshold >= 0)) fail(`zero threshold ${h.zeroThreshold}: want a non-negative number`);
  } else {
    fail(`histogram has an invalid schema, which must be between ${EXPONENTIAL_SCHEMA_MIN} and ${EXPONENTIAL_SCHEMA_MAX} for exponential buckets, or ${CUSTOM_BUCKETS_SCHEMA} for custom buckets, got schema ${schema}`);
  }
  if (!(h.count >= 0)) fail(`observation count is ${h.count}: histogram's observation count is negative`);
  let pCount = 0;
  try {
    pCount = checkBuckets(h.positiveBuckets, integer);
  } catch (e) {
    fail(`positive side: ${(e as Error).message}`);
  }
  if (!integer) return;
  // Float histograms skip this check, as Prometheus does: rounding makes it give false alarms.
  if (!Number.isSafeInteger(h.count) || !Number.isSafeInteger(h.zeroCount)) fail(`count ${h.count} and zero count ${h.zeroCount}: an integer histogram needs integer counts`);
  const sumOfBuckets = nCount + pCount + h.zeroCount;
  if (Number.isNaN(h.sum)) {
    if (sumOfBuckets > h.count) {
      fail(`${sumOfBuckets} observations found in buckets, but the Count field is ${h.count}: histogram's observation count should be at least the number of observations found in the buckets`);
    }
  } else if (sumOfBuckets !== h.count) {
    fail(`${sumOfBuckets} observations found in buckets, but the Count field is ${h.count}: histogram's observation count should equal the number of observations found in the buckets (in absence of NaN)`);
  }
}
