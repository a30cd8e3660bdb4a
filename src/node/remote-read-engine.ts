// The fanout engine of remote_read (src/remote/fanout.ts): the engine is
// synchronous, so the selectors of a query and the time range each reads
// are worked out first, exactly as the engine will (prepare,
// selectorRanges), the remotes are asked for them, and the query then runs
// over the local storage with the fetched series merged in.

import type { Queryable } from '../storage/interfaces.js';
import { parse } from '../promql/index.js';
import { prepare } from '../promql/engine/preprocess.js';
import { selectorRanges, toMatchers } from '../promql/engine/selection.js';
import { type Engine, type EngineOptions, type QueryOptions, type QueryResult, type Time, createEngine, toMillis } from '../promql/engine/engine.js';
import { parseDuration } from '../model/duration.js';
import { type RemoteReadSet, fetchRemote, mergeQueryable } from '../remote/fanout.js';
import type { ReadQuery } from '../remote/read-client.js';

/** The selectors of a query with the time range each reads (as the engine computes them). */
export function querySelectors(query: string, start: number, end: number, step: number, lookback: number, features: readonly string[]): ReadQuery[] {
  const expr = parse(query, {
    experimentalFunctions: features.includes('promql-experimental-functions'),
    extendedRangeSelectors: features.includes('promql-extended-range-selectors'),
    binopFillModifiers: features.includes('promql-binop-fill-modifiers'),
    durationExpressions: true,
  });
  return readQueries(selectorRanges(prepare(expr, { start, end, step }), { start, end }, lookback), step);
}

/** What the remotes are asked for the selectors of a prepared query (step 0 for an instant query). */
export function readQueries(ranges: ReturnType<typeof selectorRanges>, step: number): ReadQuery[] {
  return [...ranges].map(([vs, r]) => ({ matchers: toMatchers(vs), start: r.start, end: r.end, hints: { start: r.start, end: r.end, step: step || undefined } }));
}

const ms = (d: number | string | undefined, def: number) => (d === undefined ? def : typeof d === 'number' ? d : parseDuration(d));

/**
 * An Engine whose queries also read the configured remotes. The
 * synchronous methods cannot wait for a remote and read local data only.
 */
export function createFanoutEngine(
  local: Queryable, remotes: () => RemoteReadSet, localStartTime: () => number, options: EngineOptions = {},
): Engine {
  const base = createEngine(local, options);
  const withRemote = async (query: string, start: number, end: number, step: number, opts: QueryOptions, run: (e: Engine) => QueryResult): Promise<QueryResult> => {
    const set = remotes();
    if (set.clients.length === 0) return run(base);
    let selectors: ReadQuery[];
    try {
      selectors = querySelectors(query, start, end, step, ms(opts.lookbackDelta ?? options.lookbackDelta, 5 * 60_000), options.features ?? []);
    } catch {
      // The engine reports the error, with its position.
      return run(base);
    }
    if (selectors.length === 0) return run(base);
    const { series, warnings } = await fetchRemote(set, selectors, localStartTime(), opts.signal);
    const r = run(series.length ? createEngine(mergeQueryable(local, series), options) : base);
    return warnings.length ? { ...r, warnings: [...r.warnings, ...warnings] } : r;
  };
  return {
    instantQuerySync: base.instantQuerySync,
    rangeQuerySync: base.rangeQuerySync,
    instantQuery: async (query, time: Time, opts = {}) => {
      const t = toMillis(time);
      return withRemote(query, t, t, 0, opts, (e) => e.instantQuerySync(query, t, opts));
    },
    rangeQuery: async (query, start: Time, end: Time, step, opts = {}) => {
      const s = toMillis(start, 'start'), e = toMillis(end, 'end');
      let st: number;
      try {
        st = typeof step === 'number' ? step : ms(step, 0);
      } catch {
        return base.rangeQuerySync(query, s, e, step, opts);
      }
      return withRemote(query, s, e, st > 0 ? st : 1, opts, (eng) => eng.rangeQuerySync(query, s, e, step, opts));
    },
  };
}
