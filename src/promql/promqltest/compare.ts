// Comparing query results with the expectations of a test script, as
// Prometheus's promqltest does (util/almost for floats).

import { almostEqual as almostEqualEps } from '../engine/quantile.js';
import type { Labels } from '../../model/labels.js';
import { labelsKey } from '../../model/labels.js';
import type { SeriesValue } from './series.js';

/** Test expectations compare with upstream's relative tolerance of 1e-6. */
export const almostEqual = (a: number, b: number, epsilon = 1e-6): boolean => almostEqualEps(a, b, epsilon);

export interface Point {
  t: number;
  f: number;
}

export interface ResultSeries {
  labels: Labels;
  points: Point[];
}

export interface ExpectedSeries {
  labels: Labels;
  values: SeriesValue[];
  line: number;
}

const fmt = (ls: Labels) => `{${ls.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ')}}`;

/** Instant vectors: same label sets, values almost equal; optionally in the listed order. */
export function compareVector(got: { labels: Labels; f: number }[], want: ExpectedSeries[], ordered: boolean): string | null {
  if (got.length !== want.length) {
    return `expected ${want.length} samples, got ${got.length}: ${got.map((s) => `${fmt(s.labels)} ${s.f}`).join('; ')}`;
  }
  const byKey = new Map(want.map((w, i) => [labelsKey(w.labels), { w, i }]));
  for (let pos = 0; pos < got.length; pos++) {
    const s = got[pos]!;
    const hit = byKey.get(labelsKey(s.labels));
    if (!hit) return `unexpected series ${fmt(s.labels)} ${s.f}`;
    if (ordered && hit.i !== pos) return `expected ${fmt(s.labels)} at position ${hit.i}, got it at ${pos}`;
    const v = hit.w.values[0];
    if (typeof v !== 'number' || !almostEqual(v, s.f)) {
      return `expected ${String(v)} for ${fmt(s.labels)}, got ${s.f}`;
    }
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
    const expected: Point[] = [];
    w.values.forEach((v, i) => {
      if (v === null) return;
      expected.push({ t: start + i * step, f: v === 'stale' ? NaN : v });
    });
    if (expected.length !== s.points.length) {
      return `expected ${expected.length} points for ${fmt(s.labels)}, got ${s.points.length}: ${s.points.map((p) => `${p.f}@${p.t}`).join(' ')}`;
    }
    for (let i = 0; i < expected.length; i++) {
      const e = expected[i]!, g = s.points[i]!;
      if (e.t !== g.t || !almostEqual(e.f, g.f)) {
        return `expected ${e.f}@${e.t} for ${fmt(s.labels)}, got ${g.f}@${g.t}`;
      }
    }
  }
  return null;
}
