// Values the evaluator passes between nodes, shaped as Prometheus's
// promql/value.go: every vector- or scalar-valued node evaluates to a
// Matrix with one point per step at which it has a value.

import { type Labels, compareLabels, labelsKey } from '../../model/labels.js';
import { QueryError } from './errors.js';
import type { FloatHistogram } from '../../model/histogram.js';
import { cachedLabelsKey } from './label-key-cache.js';
import { histogramSize } from '../../model/histogram-equal.js';
import { floatCount } from './columnar.js';

export interface FPoint {
  t: number;
  f: number;
}

/** A native histogram sample (Prometheus's HPoint). */
export interface HPoint {
  t: number;
  h: FloatHistogram;
}

export interface Series {
  metric: Labels;
  floats: FPoint[];
  /** Native histogram points, when the series has any (Prometheus's Series.Histograms). */
  histograms?: HPoint[];
  /** Set when __name__ is to be removed at the end (delayed name removal). */
  dropName: boolean;
}

export type Matrix = Series[];

export interface Sample {
  metric: Labels;
  t: number;
  f: number;
  /** Set for a native histogram sample; f is then unused (Prometheus's Sample.H). */
  h?: FloatHistogram;
  dropName: boolean;
}

export type Vector = Sample[];

export interface StringValue {
  kind: 'string';
  t: number;
  v: string;
}

export const EMPTY_LABELS: Labels = [];

export function getLabel(ls: Labels, name: string): string {
  for (const l of ls) if (l.name === name) return l.value;
  return '';
}

/** ls without the named labels. */
export function withoutLabels(ls: Labels, names: readonly string[]): Labels {
  if (names.length === 0) return ls;
  return ls.filter((l) => !names.includes(l.name));
}

/** Only the named labels of ls. */
export function keepLabels(ls: Labels, names: readonly string[]): Labels {
  return ls.filter((l) => names.includes(l.name));
}

const METADATA_LABELS = new Set(['__name__', '__type__', '__unit__']);

/** Drops the name and the other metadata labels (__type__, __unit__) with it, as DropReserved does. */
export function dropMetricName(ls: Labels): Labels {
  return ls.some((l) => METADATA_LABELS.has(l.name)) ? ls.filter((l) => !METADATA_LABELS.has(l.name)) : ls;
}

/** ls with name=value (deleting it for an empty value), kept sorted. */
export function setLabel(ls: Labels, name: string, value: string): Labels {
  const out = ls.filter((l) => l.name !== name);
  if (value === '') return out;
  out.push({ name, value });
  out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}

export { compareLabels, labelsKey };

/** Prometheus's labels.String(): {a="b", c="d"}. */
export function labelsString(ls: Labels): string {
  return `{${ls.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ')}}`;
}

/** What one histogram sample counts for against the sample limit (Prometheus's HPoint.size). */
export function histogramSamples(h: FloatHistogram): number {
  return Math.trunc((histogramSize(h) + 8) / 16);
}

export function totalSamples(m: Matrix): number {
  let n = 0;
  for (const s of m) {
    n += floatCount(s);
    if (s.histograms) for (const p of s.histograms) n += histogramSamples(p.h);
  }
  return n;
}

/** What one sample of a vector counts for. */
export function sampleCount(s: Sample): number {
  return s.h ? histogramSamples(s.h) : 1;
}

/** The samples of a vector, histograms counted by size. */
export function vectorSamples(v: Vector): number {
  let n = 0;
  for (const s of v) n += s.h ? histogramSamples(s.h) : 1;
  return n;
}

/** Appends a sample's value (float or histogram) at t to a series. */
export function pushPoint(s: Series, t: number, x: { f: number; h?: FloatHistogram }): void {
  if (x.h) (s.histograms ??= []).push({ t, h: x.h });
  else s.floats.push({ t, f: x.f });
}

/** Whether two elements (samples or series) share a label set. */
export function hasDuplicateLabels(items: readonly { metric: Labels }[]): boolean {
  if (items.length <= 1) return false;
  const seen = new Set<string>();
  for (const s of items) {
    const k = labelsKey(s.metric);
    if (seen.has(k)) return true;
    seen.add(k);
  }
  return false;
}

/**
 * Collects per-step output vectors into series; the same label set twice
 * at one step is the error Prometheus raises.
 */
export class SeriesCollector {
  private readonly bySeries = new Map<string, { s: Series; ts: number }>();

  add(v: Vector, ts: number): void {
    for (const x of v) {
      const key = cachedLabelsKey(x.metric);
      const seen = this.bySeries.get(key);
      if (seen) {
        if (seen.ts === ts) throw new QueryError('vector cannot contain metrics with the same labelset');
        seen.ts = ts;
        pushPoint(seen.s, ts, x);
      } else {
        const s: Series = { metric: x.metric, floats: [], dropName: x.dropName };
        pushPoint(s, ts, x);
        this.bySeries.set(key, { s, ts });
      }
    }
  }

  matrix(): Matrix {
    return [...this.bySeries.values()].map((x) => x.s);
  }
}

export function sortMatrix(m: Matrix): Matrix {
  return m.sort((a, b) => compareLabels(a.metric, b.metric));
}

/**
 * Series that share a label set once names are dropped are merged when their
 * samples do not overlap in time; overlapping ones are an error.
 */
export function mergeSeriesWithSameLabelset(m: Matrix): Matrix {
  if (!hasDuplicateLabels(m)) return m;
  const byKey = new Map<string, Series>();
  for (const s of m) {
    const key = labelsKey(s.metric);
    const base = byKey.get(key);
    if (!base) {
      const copy: Series = { ...s, floats: [...s.floats] };
      if (s.histograms) copy.histograms = [...s.histograms];
      byKey.set(key, copy);
      continue;
    }
    base.floats.push(...s.floats);
    if (s.histograms) (base.histograms ??= []).push(...s.histograms);
  }
  for (const s of byKey.values()) {
    s.floats.sort((a, b) => a.t - b.t);
    s.histograms?.sort((a, b) => a.t - b.t);
    const times = [...s.floats.map((p) => p.t), ...(s.histograms ?? []).map((p) => p.t)].sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) {
      if (times[i] === times[i - 1]) throw new QueryError('vector cannot contain metrics with the same labelset');
    }
  }
  return [...byKey.values()];
}

/** The end of evaluation with delayed name removal: drop names now and merge what collides. */
export function cleanupMetricLabels(m: Matrix): Matrix {
  for (const s of m) if (s.dropName) s.metric = dropMetricName(s.metric);
  return mergeSeriesWithSameLabelset(m);
}
