// The head's side of a query's selections, copied on the main thread when
// the query is handed to a worker that reads blocks itself (worker-blocks.ts)
// and sent with it. Otherwise the worker asks for each selection's copy
// while it evaluates, and sleeps until the main thread's event loop (busy
// with other requests' HTTP, answers and compression under load) gets to the
// call: an idle gap in the middle of every query. The engine opens one
// querier over the union of the selectors' ranges (engine.ts), so each
// selection is asked for over that one range; a selection asked for
// otherwise still takes the call.

import type { VectorSelector } from '../promql/index.js';
import { overallRange, toMatchers, type TimeRange } from '../promql/engine/selection.js';
import { HINT_LOOKBEHIND } from '../promql/engine/histogram-series.js';
import type { HeadCopy } from '../storage/copied-head.js';
import { toWire, type ExtraCalls } from './worker-storage.js';
import { headCopyKey } from './worker-blocks.js';

/**
 * Copies of the head for each distinct selector of `ranges`, by headCopyKey;
 * their buffers are added to `transfer`. A selection with nothing in the
 * head (the usual case when a dashboard reads hours that blocks hold) is
 * null: an empty byte buffer in the message cost its postMessage several
 * times what the rest of the query's message did.
 */
export function prefetchHeadCopies(extra: ExtraCalls, ranges: Map<VectorSelector, TimeRange>, transfer: ArrayBuffer[]): Record<string, HeadCopy | null> {
  const out: Record<string, HeadCopy | null> = {};
  if (ranges.size === 0) return out;
  const all = overallRange(ranges);
  const mint = all.start - HINT_LOOKBEHIND, maxt = all.end;
  for (const vs of ranges.keys()) {
    const matchers = toMatchers(vs);
    const key = headCopyKey(matchers, mint, maxt);
    if (key in out) continue;
    const buffers = new Set<ArrayBuffer>();
    const copy = extra('headCopy', [toWire(matchers), mint, maxt], buffers) as HeadCopy;
    if (copy.series.length === 0) {
      out[key] = null;
      continue;
    }
    out[key] = copy;
    for (const b of buffers) if (!transfer.includes(b)) transfer.push(b);
  }
  return out;
}
