// A range function's stored series read one at a time, each into the same
// two arrays, instead of every series of the selector decoded up front into
// arrays of its own and held for the whole query. A range function over a
// few hundred series walks them in order and is done with each before the
// next (range-call.ts `windows`), so one pair of arrays serves them all: a
// query no longer allocates its input's size in fresh arrays, and the
// collections that memory set off (scavenges and mark-compacts for external
// memory pressure) go with it. The samples are the ones rangeSeries gives,
// stale markers left out by the decoder instead of flagged and copied out
// afterwards.

import type { FloatBuffers, Series as StoredSeries } from '../../storage/interfaces.js';
import type { VectorSelector } from '../parser/ast.js';
import type { SeriesData, Selection } from './selection.js';

const EMPTY = new Float64Array(0);

export class SeriesReader {
  private readonly bufs: FloatBuffers = { t: EMPTY, v: EMPTY };
  private current = -1;
  private currentData: SeriesData | null = null;

  constructor(private readonly selection: Selection, private readonly vs: VectorSelector, private readonly oneByOne: boolean) {}

  /**
   * Series i without staleness markers. With oneByOne, its arrays stay
   * valid only until a different series is asked for.
   */
  data(i: number, stored: StoredSeries): SeriesData {
    if (this.current === i) return this.currentData!;
    let d: SeriesData | undefined;
    if (this.oneByOne && stored.floatsInto && !this.selection.decoded(this.vs)) {
      const r = this.selection.range(this.vs);
      const n = stored.floatsInto(r.start, r.end, this.bufs);
      if (n >= 0) d = { labels: stored.labels, t: this.bufs.t.subarray(0, n), v: this.bufs.v.subarray(0, n), stale: null, stored };
    }
    // Histograms or start timestamps (or no one-by-one read): every series decoded and held, as before.
    d ??= this.selection.rangeSeries(this.vs)[i]!;
    this.current = i;
    this.currentData = d;
    return d;
  }
}
