// Native histogram samples through rules: a query result's histogram
// becomes the rule's input sample, and a recording rule's histogram
// output is stored as a histogram sample (Prometheus's AppendHistogram).

import type { Appender } from '../storage/interfaces.js';
import type { Labels } from '../model/labels.js';
import type { FloatHistogram } from '../model/histogram.js';
import { type HistogramJSON, histogramOf } from '../promql/engine/histogram-json.js';
import { RuleError, type RuleSample } from './rules.js';

/** A histogram element of an instant vector as a rule sample (value 0, as Prometheus's Sample.F). */
export function histogramSample(labels: Record<string, string>, json: HistogramJSON): RuleSample {
  const histogram = histogramOf(json);
  // Only a result evaluated in another thread lacks it; rules evaluate in their own.
  if (!histogram) throw new RuleError('histogram sample of the query result is not available to rules');
  return { labels, value: 0, histogram };
}

/** Appends one output sample of a rule: a float, or a histogram when it is one. */
export function appendRuleOutput(app: Appender, s: { labels: Labels; value: number; histogram?: FloatHistogram }, t: number): void {
  if (!s.histogram) {
    app.append(s.labels, t, s.value);
    return;
  }
  if (!app.appendHistogram) throw new RuleError('storage does not accept native histogram samples');
  app.appendHistogram(s.labels, t, s.histogram);
}
