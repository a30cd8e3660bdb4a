// Series data for the selectors of one query: each selector's series are
// selected and decoded once for the time range the whole query needs from
// it (Prometheus populateSeries / getTimeRangesForSelector), then read by
// binary search at every step.

import type { Labels } from '../../model/labels.js';
import { Matcher } from '../../model/matcher.js';
import { RegexError } from '../../model/regex.js';
import { staleFlagsOrNull } from '../../model/stale.js';
import type { Querier, Series as StoredSeries } from '../../storage/interfaces.js';
import type { FloatHistogram } from '../../model/histogram.js';
import { HINT_LOOKBEHIND, type MergedBatch, mergeHistogramSamples, statsOnly } from './histogram-series.js';
import type { Expr, SubqueryExpr, VectorSelector } from '../parser/ast.js';
import { QueryError } from './errors.js';
import type { Prepared } from './preprocess.js';

/** Samples of one series; `stale` flags staleness markers (null when there are none). */
export interface SeriesData {
  labels: Labels;
  t: Float64Array;
  v: Float64Array;
  stale: Uint8Array | null;
  /** Start timestamps aligned with t (0 = unknown), when the series has any. */
  st?: Float64Array;
  /** Set for series coming out of a subquery whose name is to be dropped. */
  dropName?: boolean;
  /** The stored series, for WASM window reductions (absent for subquery results). */
  stored?: StoredSeries;
  /**
   * Native histograms aligned with t (v is then NaN), when the series has
   * any: floats and histograms share one timeline, so a lookup finds the
   * latest sample of either kind.
   */
  h?: (FloatHistogram | undefined)[];
}

export interface TimeRange {
  start: number;
  end: number;
}

/** First index whose timestamp is > x (binary search). */
export function upperBound(t: Float64Array, x: number, lo = 0, hi = t.length): number {
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (t[m]! <= x) lo = m + 1;
    else hi = m;
  }
  return lo;
}

function hasAt(n: VectorSelector | SubqueryExpr, p: Prepared): number | undefined {
  return p.at.get(n);
}

/**
 * getTimeRangesForSelector for every selector of the query: the samples a
 * selector can see across all steps, subqueries and offsets.
 */
export function selectorRanges(p: Prepared, q: { start: number; end: number }, lookback: number): Map<VectorSelector, TimeRange> {
  const out = new Map<VectorSelector, TimeRange>();
  const walk = (e: Expr, path: SubqueryExpr[], evalRange: number) => {
    switch (e.type) {
      case 'VectorSelector': {
        let start = q.start, end = q.end;
        let subqOffset = 0, subqRange = 0;
        let subqTs: number | undefined;
        for (const s of path) {
          subqOffset += p.offset.get(s)!;
          subqRange += p.range.get(s)!;
          const ts = hasAt(s, p);
          if (ts !== undefined) {
            subqOffset = p.offset.get(s)!;
            subqRange = p.range.get(s)!;
            subqTs = ts;
          }
        }
        if (subqTs !== undefined) start = end = subqTs;
        const at = hasAt(e, p);
        if (at !== undefined) {
          start = end = at;
        } else {
          start -= subqOffset + subqRange;
          end -= subqOffset;
        }
        if (evalRange === 0) {
          start -= lookback - 1;
          if (e.smoothed) end += lookback;
        } else if (e.anchored) {
          start -= lookback + evalRange - 1;
        } else if (e.smoothed) {
          start -= lookback + evalRange - 1;
          end += lookback;
        } else {
          start -= evalRange - 1;
        }
        const off = p.offset.get(e)!;
        start -= off;
        end -= off;
        const prev = out.get(e);
        out.set(e, prev ? { start: Math.min(prev.start, start), end: Math.max(prev.end, end) } : { start, end });
        return;
      }
      case 'MatrixSelector':
        walk(e.vectorSelector, path, p.range.get(e)!);
        return;
      case 'SubqueryExpr':
        walk(e.expr, [...path, e], 0);
        return;
      case 'AggregateExpr':
        if (e.param) walk(e.param, path, 0);
        walk(e.expr, path, 0);
        return;
      case 'BinaryExpr':
        walk(e.lhs, path, 0);
        walk(e.rhs, path, 0);
        return;
      case 'Call':
        for (const a of e.args) walk(a, path, 0);
        return;
      case 'ParenExpr':
      case 'UnaryExpr':
        walk(e.expr, path, 0);
        return;
      default:
        return;
    }
  };
  walk(p.expr, [], 0);
  return out;
}

/** The overall time range a query reads (FindMinMaxTime); [0, 0] when it selects nothing. */
export function overallRange(ranges: Map<VectorSelector, TimeRange>): TimeRange {
  let start = Infinity, end = -Infinity;
  for (const r of ranges.values()) {
    start = Math.min(start, r.start);
    end = Math.max(end, r.end);
  }
  return end === -Infinity ? { start: 0, end: 0 } : { start, end };
}

export function toMatchers(vs: VectorSelector): Matcher[] {
  try {
    return vs.matchers.map((m) => new Matcher(m.type, m.name, m.value));
  } catch (e) {
    if (e instanceof RegexError) throw new QueryError(`invalid regular expression ${JSON.stringify(e.pattern)}: ${e.message}`, 'bad_data');
    throw e;
  }
}

export class Selection {
  private readonly selected = new Map<VectorSelector, StoredSeries[]>();
  private readonly data = new Map<VectorSelector, SeriesData[]>();
  private readonly nonStale = new Map<VectorSelector, SeriesData[]>();
  private readonly oneByOne = new Set<VectorSelector>();

  constructor(
    private readonly querier: Querier,
    private readonly ranges: Map<VectorSelector, TimeRange>,
    /** Selectors read for histogram count and sum only (statsOnlySelectors). */
    private readonly statsOnly: ReadonlySet<VectorSelector> = new Set(),
  ) {}

  range(vs: VectorSelector): TimeRange {
    return this.ranges.get(vs) ?? { start: 0, end: -1 };
  }

  /** The selector's series, nothing decoded yet. */
  stored(vs: VectorSelector): StoredSeries[] {
    let d = this.selected.get(vs);
    if (!d) {
      const r = this.range(vs);
      d = this.querier.select(toMatchers(vs), { start: r.start, end: r.end });
      this.selected.set(vs, d);
    }
    return d;
  }

  /** All samples (staleness markers included) of the selector's series. */
  series(vs: VectorSelector): SeriesData[] {
    let d = this.data.get(vs);
    if (d) return d;
    const r = this.range(vs);
    d = this.stored(vs).map((s) => toSeriesData(s, r));
    if (this.statsOnly.has(vs)) d = d.map((x) => (x.h ? { ...x, h: statsOnly(x.h) } : x));
    this.data.set(vs, d);
    return d;
  }

  /**
   * series(vs)[i], decoded alone while series(vs) is not decoded: for a
   * reader going one series at a time that meets one it cannot read so
   * (histograms, start timestamps), without decoding and holding the rest.
   */
  seriesAt(vs: VectorSelector, i: number): SeriesData {
    const all = this.data.get(vs);
    if (all) return all[i]!;
    const x = toSeriesData(this.stored(vs)[i]!, this.range(vs));
    return this.statsOnly.has(vs) && x.h ? { ...x, h: statsOnly(x.h) } : x;
  }

  /** rangeSeries(vs)[i], likewise. */
  rangeSeriesAt(vs: VectorSelector, i: number): SeriesData {
    const all = this.nonStale.get(vs);
    return all ? all[i]! : withoutStale(this.seriesAt(vs, i));
  }

  /** Series matching arbitrary matchers in [start, end], decoded (for info()). */
  select(matchers: Matcher[], r: TimeRange): SeriesData[] {
    return this.querier.select(matchers, { start: r.start, end: r.end, func: 'info' }).map((s) => toSeriesData(s, r));
  }

  /**
   * Whether series of vs may be read one at a time (series-reader.ts) instead
   * of all at once: only by the first reader to ask, and only while nothing
   * has decoded them all. A second reader (the selector evaluated again)
   * takes the cached arrays, so no series is read more than twice.
   */
  claimOneByOne(vs: VectorSelector): boolean {
    if (this.data.has(vs) || this.oneByOne.has(vs)) return false;
    this.oneByOne.add(vs);
    return true;
  }

  /**
   * claimOneByOne for an instant selector whose series hold floats only
   * (as series(vs).some((s) => s.h) would tell, but asked of storage without
   * decoding): false when any series has a native histogram in range, or
   * cannot be read one at a time, and then nothing is claimed.
   */
  claimFloatsOneByOne(vs: VectorSelector): boolean {
    if (this.data.has(vs) || this.oneByOne.has(vs)) return false;
    const r = this.range(vs);
    for (const s of this.stored(vs)) {
      if (!s.floatsInto || !s.hasHistograms || s.hasHistograms(r.start, r.end)) return false;
    }
    this.oneByOne.add(vs);
    return true;
  }

  /** Whether series(vs) (and so what rangeSeries(vs) reads) is decoded already. */
  decoded(vs: VectorSelector): boolean {
    return this.data.has(vs);
  }

  /** The selector's series without staleness markers (what range windows see). */
  rangeSeries(vs: VectorSelector): SeriesData[] {
    let d = this.nonStale.get(vs);
    if (d) return d;
    d = this.series(vs).map(withoutStale);
    this.nonStale.set(vs, d);
    return d;
  }
}

function toSeriesData(s: StoredSeries, r: TimeRange): SeriesData {
  const read = s.samples(r.start, r.end);
  // The sample before the range decides the first histogram's hint (see histogram-series.ts); floats alone need no merge (nor a closure).
  const b: MergedBatch = read.histograms ? mergeHistogramSamples(read, () => s.samples(r.start - HINT_LOOKBEHIND, r.start - 1)) : read;
  const d: SeriesData = { labels: s.labels, t: b.timestamps, v: b.values, stale: staleFlagsOrNull(b.values), stored: s };
  if (b.startTimestamps) d.st = b.startTimestamps;
  if (b.h) d.h = b.h;
  return d;
}

export function withoutStale(s: SeriesData): SeriesData {
  const stale = s.stale;
  if (!stale) return s;
  let kept = 0;
  for (let i = 0; i < stale.length; i++) if (stale[i] === 0) kept++;
  const t = new Float64Array(kept), v = new Float64Array(kept);
  const st = s.st ? new Float64Array(kept) : undefined;
  const h = s.h ? new Array<FloatHistogram | undefined>(kept) : undefined;
  for (let i = 0, j = 0; i < stale.length; i++) {
    if (stale[i] !== 0) continue;
    t[j] = s.t[i]!;
    v[j] = s.v[i]!;
    if (st) st[j] = s.st![i]!;
    if (h) h[j] = s.h![i];
    j++;
  }
  const out: SeriesData = st ? { ...s, t, v, st, stale: null } : { ...s, t, v, stale: null };
  if (h) out.h = h;
  return out;
}
