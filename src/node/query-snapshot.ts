// The samples one query can read, copied out of the database so the query
// can be evaluated in a worker thread: the main thread selects and decodes
// (fast, in WASM), the worker does the evaluation (the part whose cost a
// query's text controls). The worker reads the copy through the ordinary
// Queryable contract, so its engine is the same engine.

import { compareLabels, labelsKey, type Labels } from '../model/labels.js';
import { Matcher } from '../model/matcher.js';
import { isStaleNaN, staleFlags } from '../model/stale.js';
import type { FloatHistogram } from '../model/histogram.js';
import type { Call, Expr, VectorSelector } from '../promql/index.js';
import type { Querier, Queryable, SampleBatch, Series, WindowReduction } from '../storage/interfaces.js';
import { toMatchers, type TimeRange } from '../promql/engine/selection.js';

/** One series of a snapshot: its samples over the union of the ranges that selected it. */
export interface SnapshotSeries {
  labels: Labels;
  t: Float64Array;
  v: Float64Array;
  st?: Float64Array;
  /**
   * Native histogram samples, when the series has any in the range. Sums
   * travel in their own typed array: structured cloning (postMessage)
   * quiets NaNs held in objects, and a staleness marker must keep its bits.
   */
  h?: { t: Float64Array; sum: Float64Array; hs: FloatHistogram[] };
}

/** A request for series: matchers and the time range they are read over. */
export interface Selector {
  matchers: Matcher[];
  range: TimeRange;
}

/**
 * The selectors the engine can reach for a parsed and prepared query: each
 * vector selector with its range, and for info() the info series it may
 * join (over the whole query range, a superset of what it will read).
 */
export function snapshotSelectors(expr: Expr, ranges: Map<VectorSelector, TimeRange>, all: TimeRange): Selector[] {
  const out: Selector[] = [];
  for (const [vs, range] of ranges) out.push({ matchers: toMatchers(vs), range });
  const visit = (e: Expr): void => {
    if (e.type === 'Call' && e.func.name === 'info') out.push({ matchers: infoMatchers(e), range: all });
    for (const child of children(e)) visit(child);
  };
  visit(expr);
  return out;
}

function infoMatchers(call: Call): Matcher[] {
  const data = call.args[1];
  const ms = data && data.type === 'VectorSelector' ? toMatchers(data) : [];
  return ms.some((m) => m.name === '__name__') ? ms : [new Matcher('=', '__name__', 'target_info'), ...ms];
}

function children(e: Expr): Expr[] {
  switch (e.type) {
    case 'AggregateExpr': return e.param ? [e.param, e.expr] : [e.expr];
    case 'BinaryExpr': return [e.lhs, e.rhs];
    case 'Call': return e.args;
    case 'ParenExpr': case 'UnaryExpr': case 'SubqueryExpr': return [e.expr];
    case 'MatrixSelector': return [e.vectorSelector];
    default: return [];
  }
}

/**
 * Selects and copies every series the selectors match, each once, over the
 * union of the ranges that matched it. `pause` is awaited between series so
 * the caller's thread can serve other work during a large copy; it may throw
 * to stop (a timeout).
 */
export async function collectSnapshot(
  db: Queryable, selectors: Selector[], all: TimeRange, pause: () => Promise<void>, maxSamples = Infinity,
): Promise<SnapshotSeries[]> {
  if (selectors.length === 0) return [];
  const querier = db.querier(all.start, all.end);
  try {
    const wanted = new Map<string, { series: Series; start: number; end: number }>();
    for (const sel of selectors) {
      for (const s of querier.select(sel.matchers, { start: sel.range.start, end: sel.range.end })) {
        const key = labelsKey(s.labels);
        const w = wanted.get(key);
        if (w) {
          w.start = Math.min(w.start, sel.range.start);
          w.end = Math.max(w.end, sel.range.end);
        } else wanted.set(key, { series: s, start: sel.range.start, end: sel.range.end });
      }
      await pause();
    }
    const out: SnapshotSeries[] = [];
    let samples = 0;
    for (const w of wanted.values()) {
      const b = w.series.samples(w.start, w.end);
      samples += b.timestamps.length + (b.histograms?.timestamps.length ?? 0);
      if (samples > maxSamples) throw new SnapshotTooLargeError(maxSamples);
      const s: SnapshotSeries = { labels: w.series.labels, t: b.timestamps, v: b.values };
      if (b.startTimestamps) s.st = b.startTimestamps;
      if (b.histograms) {
        const hs = b.histograms.histograms;
        const sum = new Float64Array(hs.length);
        for (let i = 0; i < hs.length; i++) sum[i] = hs[i]!.sum;
        s.h = { t: b.histograms.timestamps, sum, hs };
      }
      out.push(s);
      await pause();
    }
    return out.sort((a, b) => compareLabels(a.labels, b.labels));
  } finally {
    querier.close();
  }
}

/** The samples a query can read do not fit the budget they are copied under. */
export class SnapshotTooLargeError extends Error {
  constructor(readonly maxSamples: number) {
    super(`the query reads more than ${maxSamples} samples`);
  }
}

/** The first index with t[i] >= x. */
function lowerBound(t: Float64Array, x: number): number {
  let lo = 0, hi = t.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (t[m]! < x) lo = m + 1;
    else hi = m;
  }
  return lo;
}

class SnapshotSeriesView implements Series {
  constructor(private readonly s: SnapshotSeries) {}

  get labels(): Labels {
    return this.s.labels;
  }

  samples(mint: number, maxt: number, opts?: { skipStale?: boolean }): SampleBatch {
    const lo = lowerBound(this.s.t, mint), hi = lowerBound(this.s.t, maxt + 1);
    let t = this.s.t.slice(lo, hi), v = this.s.v.slice(lo, hi);
    let st = this.s.st?.slice(lo, hi);
    if (opts?.skipStale) {
      const stale = staleFlags(v);
      if (stale.includes(1)) {
        const keep = stale.reduce((n, f) => n + (f ? 0 : 1), 0);
        const t2 = new Float64Array(keep), v2 = new Float64Array(keep), st2 = st ? new Float64Array(keep) : undefined;
        for (let i = 0, j = 0; i < t.length; i++) {
          if (stale[i]) continue;
          t2[j] = t[i]!;
          v2[j] = v[i]!;
          if (st2) st2[j] = st![i]!;
          j++;
        }
        t = t2;
        v = v2;
        st = st2;
      }
    }
    const batch: SampleBatch = st && st.some((x) => x !== 0) ? { timestamps: t, values: v, startTimestamps: st } : { timestamps: t, values: v };
    const h = this.s.h;
    if (h) {
      const a = lowerBound(h.t, mint), b = lowerBound(h.t, maxt + 1);
      const ts: number[] = [];
      const hs: FloatHistogram[] = [];
      for (let i = a; i < b; i++) {
        if (opts?.skipStale && isStaleNaN(h.sum[i]!)) continue;
        ts.push(h.t[i]!);
        // The caller owns what it gets: a copy, so the snapshot serves later calls unchanged.
        const copy = structuredClone(h.hs[i]!);
        copy.sum = h.sum[i]!;
        hs.push(copy);
      }
      if (ts.length > 0) batch.histograms = { timestamps: Float64Array.from(ts), histograms: hs };
    }
    return batch;
  }

  hasHistograms(mint: number, maxt: number): boolean {
    const h = this.s.h;
    if (!h) return false;
    const a = lowerBound(h.t, mint);
    return a < h.t.length && h.t[a]! <= maxt;
  }

  hasStartTimestamps(mint: number, maxt: number): boolean {
    return this.samples(mint, maxt).startTimestamps !== undefined;
  }

  // The worker's engine runs with wasmReductions off, so it reads samples() only.
  reduce(): WindowReduction {
    throw new Error('a query snapshot has no window reductions; evaluate it with wasmReductions: false');
  }

  reduceWindows(): Float64Array {
    throw new Error('a query snapshot has no window reductions; evaluate it with wasmReductions: false');
  }
}

/** A read-only Queryable over a snapshot (sorted by labels, as collectSnapshot returns it). */
export class SnapshotQueryable implements Queryable {
  private readonly views: SnapshotSeriesView[];

  constructor(series: SnapshotSeries[]) {
    this.views = series.map((s) => new SnapshotSeriesView(s));
  }

  querier(): Querier {
    const views = this.views;
    const matching = (ms?: readonly Matcher[]) =>
      views.filter((s) => !ms || ms.every((m) => m.matches(s.labels.find((l) => l.name === m.name)?.value ?? '')));
    return {
      select: (ms) => matching(ms),
      labelNames: (ms) => [...new Set(matching(ms).flatMap((s) => s.labels.map((l) => l.name)))].sort(),
      labelValues: (name, ms) => [...new Set(matching(ms).map((s) => s.labels.find((l) => l.name === name)?.value ?? '').filter((v) => v !== ''))].sort(),
      close: () => {},
    };
  }
}
