// Comparing query results with the expectations of a test script, as
// Prometheus's promqltest does (util/almost for floats).

import { almostEqual as almostEqualEps } from '../engine/quantile.js';
import type { Labels } from '../../model/labels.js';
import { labelsKey } from '../../model/labels.js';
import type { SeriesSample } from './series.js';
import type { FloatHistogram } from '../../model/histogram.js';
import { compact } from '../../model/histogram-compact.js';
import { copyHistogram } from '../../model/histogram-resolution.js';
import { customBoundsMatch } from '../../model/histogram-arith.js';
import { histogramLiteral } from './histogram-literal.js';

/** Test expectations compare with upstream's relative tolerance of 1e-6. */
export const almostEqual = (a: number, b: number, epsilon = 1e-6): boolean => almostEqualEps(a, b, epsilon);

export interface Point {
  t: number;
  f: number;
  /** Set for a native histogram sample. */
  h?: FloatHistogram;
}

export interface ResultSeries {
  labels: Labels;
  points: Point[];
}

export interface ExpectedSeries {
  labels: Labels;
  values: SeriesSample[];
  line: number;
}

/**
 * Histograms compare as upstream's compareNativeHistogram: both compacted,
 * same schema, zero threshold, custom bounds and bucket layout, counts and
 * sums within the tolerance; the hint only when the script spelled it out.
 */
export function histogramsMatch(exp: FloatHistogram, cur: FloatHistogram, hintSet: boolean): boolean {
  const e = compact(copyHistogram(exp)), c = compact(copyHistogram(cur));
  if (e.schema !== c.schema || !almostEqual(e.count, c.count) || !almostEqual(e.sum, c.sum)) return false;
  if (e.schema === -53 && !customBoundsMatch(e.customValues, c.customValues)) return false;
  if (e.zeroThreshold !== c.zeroThreshold || !almostEqual(e.zeroCount, c.zeroCount)) return false;
  const spans = (a: FloatHistogram['positiveSpans'], b: FloatHistogram['positiveSpans']) =>
    a.length === b.length && a.every((x, i) => x.offset === b[i]!.offset && x.length === b[i]!.length);
  const buckets = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => almostEqual(x, b[i]!));
  if (!spans(e.negativeSpans, c.negativeSpans) || !buckets(e.negativeBuckets, c.negativeBuckets)) return false;
  if (!spans(e.positiveSpans, c.positiveSpans) || !buckets(e.positiveBuckets, c.positiveBuckets)) return false;
  return !hintSet || e.counterResetHint === c.counterResetHint;
}

const show = (p: { f: number; h?: FloatHistogram }) => (p.h ? histogramLiteral(p.h) : String(p.f));

/** Whether an expected slot (float or histogram) matches a result point. */
function valueMatches(v: SeriesSample, p: { f: number; h?: FloatHistogram }): boolean {
  if (v !== null && typeof v === 'object') return p.h !== undefined && histogramsMatch(v.h, p.h, v.hintSet);
  if (p.h) return false;
  return typeof v === 'number' && almostEqual(v, p.f);
}

const showExpected = (v: SeriesSample) => (v !== null && typeof v === 'object' ? histogramLiteral(v.h) : String(v));

const fmt = (ls: Labels) => `{${ls.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ')}}`;

/** Instant vectors: same label sets, values almost equal; optionally in the listed order. */
export function compareVector(got: { labels: Labels; f: number; h?: FloatHistogram }[], want: ExpectedSeries[], ordered: boolean): string | null {
  if (got.length !== want.length) {
    return `expected ${want.length} samples, got ${got.length}: ${got.map((s) => `${fmt(s.labels)} ${show(s)}`).join('; ')}`;
  }
  const byKey = new Map(want.map((w, i) => [labelsKey(w.labels), { w, i }]));
  for (let pos = 0; pos < got.length; pos++) {
    const s = got[pos]!;
    const hit = byKey.get(labelsKey(s.labels));
    if (!hit) return `unexpected series ${fmt(s.labels)} ${show(s)}`;
    if (ordered && hit.i !== pos) return `expected ${fmt(s.labels)} at position ${hit.i}, got it at ${pos}`;
    const v = hit.w.values[0]!;
    if (!valueMatches(v, s)) return `expected ${showExpected(v)} for ${fmt(s.labels)}, got ${show(s)}`;
  }
  return null;
}

/** Matrices: same series; each expected slot i is a point at start + i*step (null: none). */
export function compareMatrix(got: ResultSeries[], want: ExpectedSeries[], start: number, step: number): string | null {
  if (got.length !== want.length) {
    return `expected ${want.length} series, got ${got.length}: ${got.map((s) => fmt(s.labels)).join('; ')}`;
  }
  const byKey = new Map(want.map((w) => [labelsKey(w.labels), w]));
  for (const s of got) {
    const w = byKey.get(labelsKey(s.labels));
    if (!w) return `unexpected series ${fmt(s.labels)}`;
    const expected: { t: number; v: SeriesSample }[] = [];
    w.values.forEach((v, i) => {
      if (v === null) return;
      expected.push({ t: start + i * step, v: v === 'stale' ? NaN : v });
    });
    if (expected.length !== s.points.length) {
      return `expected ${expected.length} points for ${fmt(s.labels)}, got ${s.points.length}: ${s.points.map((p) => `${show(p)}@${p.t}`).join(' ')}`;
    }
    for (let i = 0; i < expected.length; i++) {
      const e = expected[i]!, g = s.points[i]!;
      if (e.t !== g.t || !valueMatches(e.v, g)) {
        return `expected ${showExpected(e.v)}@${e.t} for ${fmt(s.labels)}, got ${show(g)}@${g.t}`;
      }
    }
  }
  return null;
}
