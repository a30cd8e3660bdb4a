// What a query will read from storage, named before it runs: each selector's
// matchers with the time range the whole query needs from it (lookback,
// ranges, offsets, @ and subqueries applied, as selection.ts selects them).
// Storage that cannot read synchronously (blocks in IndexedDB) loads these
// first; see Queryable.prefetched.

import type { StorageRead } from '../../storage/interfaces.js';
import { parse } from '../parser/index.js';
import type { ParseOptions } from '../parser/parser.js';
import { prepare } from './preprocess.js';
import { selectorRanges, toMatchers } from './selection.js';
import { HINT_LOOKBEHIND } from './histogram-series.js';

/** The reads of `query` over [start, end] (step 0: instant), or null when it does not parse (the query itself reports that). */
export function storageReads(query: string, start: number, end: number, step: number, lookback: number, parseOpts: ParseOptions): StorageRead[] | null {
  try {
    const ranges = selectorRanges(prepare(parse(query, parseOpts), { start, end, step }), { start, end }, lookback);
    return [...ranges].map(([vs, r]) => ({ matchers: toMatchers(vs), start: r.start, end: r.end, histogramStart: r.start - HINT_LOOKBEHIND }));
  } catch {
    return null;
  }
}
