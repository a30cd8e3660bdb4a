// Native histograms in rule unit tests, as promtool handles them: input
// series in the `{{…}}` notation are stored as histogram samples, and
// `exp_samples` with a `histogram:` literal are compared with the query's
// samples by FloatHistogram.TestExpression() (so bucket layouts that
// compact to the same spans are equal, and the counter-reset hint counts).

import type { Appender } from '../storage/interfaces.js';
import { labelsFrom, compareLabels, type Labels } from '../model/labels.js';
import type { FloatHistogram } from '../model/histogram.js';
import { histogramTestExpression } from '../model/histogram-format.js';
import type { QueryResult } from '../promql/engine/engine.js';
import { parseSeriesLabels, parseSeriesSamples } from '../promql/promqltest/series.js';
import { samplesOf } from './group.js';

/** A sample as promtool compares it: labels, value, and the histogram's test expression ('' for a float). */
export interface ComparedSample {
  labels: Labels;
  value: number;
  histogram: string;
}

export function appendInputHistogram(app: Appender, labels: Labels, t: number, h: FloatHistogram): void {
  if (!app.appendHistogram) throw new Error('storage does not accept native histogram samples');
  app.appendHistogram(labels, t, h);
}

export function gotSamples(r: QueryResult): ComparedSample[] {
  return samplesOf(r).map((s) => ({ labels: labelsFrom(s.labels), value: s.value, histogram: s.histogram ? histogramTestExpression(s.histogram) : '' }));
}

/** The expected samples; throws promtool's `labels "…": …` error for a bad label set or histogram literal. */
export function expectedSamples(exp: { labels: string; value: number; histogram?: string }[]): ComparedSample[] {
  return exp.map((s) => {
    try {
      const labels = s.labels.trim() === '' ? [] : parseSeriesLabels(s.labels).labels;
      let histogram = '';
      if (s.histogram) {
        const values = parseSeriesSamples(s.histogram);
        if (values.length !== 1) throw new Error(`expected 1 value, got ${values.length}`);
        const v = values[0];
        if (v === null || typeof v !== 'object') throw new Error(`expected histogram, got ${String(v ?? '_')}`);
        histogram = histogramTestExpression(v.h);
      }
      return { labels, value: s.value, histogram };
    } catch (e) {
      throw new Error(`labels ${JSON.stringify(s.labels)}: ${(e as Error).message}`);
    }
  });
}

export function sameSamples(got: ComparedSample[], exp: ComparedSample[], equal: (a: number, b: number) => boolean): boolean {
  return got.length === exp.length && got.every((g, i) => {
    const e = exp[i]!;
    return compareLabels(g.labels, e.labels) === 0 && equal(g.value, e.value) && g.histogram === e.histogram;
  });
}
