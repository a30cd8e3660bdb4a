// A native histogram as alert templates see it: Prometheus passes the
// *FloatHistogram itself as $value, so `{{ $value }}` prints its String()
// and `{{ $value.Count }}` reads a field; arithmetic helpers such as
// humanize refuse it, as Go's convertToFloat does.

import type { FloatHistogram } from '../model/histogram.js';
import { histogramString } from '../model/histogram-format.js';
import { STRINGER, type Val } from './template-engine.js';

export function histogramTemplateValue(h: FloatHistogram): Val {
  const v = {
    Schema: h.schema, ZeroThreshold: h.zeroThreshold, ZeroCount: h.zeroCount, Count: h.count, Sum: h.sum, CounterResetHint: h.counterResetHint,
  };
  Object.defineProperty(v, STRINGER, { value: () => histogramString(h), enumerable: false });
  return v;
}

export function isHistogramValue(v: Val): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && STRINGER in v;
}
