// The windows of a range function over one series, for every step of a
// range query: a two-pointer walk over the samples (windows only move
// forward) listing each non-empty window's first and past-the-end sample and
// its step. The kernels (range-kernels.ts, kahan-windows.ts) then do only
// their window's arithmetic over the list; the walk, the samples-read tally
// and the abort check are written once.

import type { KernelGrid, WindowTally } from './range-kernels.js';
import { scratchServes } from './scratch.js';

/**
 * A walk's windows: window j holds samples [lo[j], hi[j]) and is the value
 * at step step[j], whose time is ts[j] (as the walk reached it, by adding the
 * interval); valid until the next walk.
 */
export interface Windows {
  lo: Int32Array;
  hi: Int32Array;
  step: Int32Array;
  ts: Float64Array;
}

// Reused between series, unless a very long grid grew them.
const win: Windows = { lo: new Int32Array(1024), hi: new Int32Array(1024), step: new Int32Array(1024), ts: new Float64Array(1024) };

/** The non-empty windows of the grid over timestamps t into `windows`; returns how many, the tally filled. */
export function walkWindows(t: Float64Array, g: KernelGrid, tally: WindowTally): number {
  const n = t.length, off = g.offset, range = g.range, end = g.end, interval = g.interval;
  const steps = Math.floor((end - g.start) / interval) + 1;
  if (!scratchServes(win.lo.length, steps)) {
    const cap = Math.max(1024, steps * 2);
    win.lo = new Int32Array(cap);
    win.hi = new Int32Array(cap);
    win.step = new Int32Array(cap);
    win.ts = new Float64Array(cap);
  }
  const winLo = win.lo, winHi = win.hi, winStep = win.step, winTs = win.ts;
  let lo = 0, hi = 0, m = 0, total = 0, widest = 0;
  for (let ts = g.start, step = 0; ts <= end; ts += interval, step++) {
    if ((step & 4095) === 4095) g.checkAbort();
    const to = ts - off, from = to - range;
    while (lo < n && t[lo]! <= from) lo++;
    if (hi < lo) hi = lo;
    while (hi < n && t[hi]! <= to) hi++;
    const w = hi - lo;
    if (w <= 0) continue;
    total += w;
    if (w > widest) widest = w;
    winLo[m] = lo;
    winHi[m] = hi;
    winStep[m] = step;
    winTs[m] = ts;
    m++;
  }
  tally.total = total;
  tally.widest = widest;
  return m;
}

/** The lists the last walk wrote. */
export function windows(): Windows {
  return win;
}
