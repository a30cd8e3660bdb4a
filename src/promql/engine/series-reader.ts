// A selector's stored series read one at a time, each into the same two
// arrays, instead of every series of the selector decoded up front into
// arrays of its own and held for the whole query. A range function over a
// few hundred series walks them in order and is done with each before the
// next (range-call.ts `windows`), and so does an instant selector's step
// fill (selector-steps.ts: its values are copied into step columns), so one
// pair of arrays serves them all: a query no longer allocates its input's
// size in fresh arrays, and the collections that memory set off (scavenges
// and mark-compacts for external memory pressure) go with it.
//
// For a range function the samples are the ones rangeSeries gives, stale
// markers left out by the decoder instead of flagged and copied out
// afterwards. For an instant selector they are the ones series gives,
// markers kept and flagged by their bits (one reused flag array, null when
// the series has none), since a marker ends a series within the lookback.

import { staleFlagsOrNull } from '../../model/stale.js';
import type { FloatBuffers, Series as StoredSeries } from '../../storage/interfaces.js';
import type { VectorSelector } from '../parser/ast.js';
import type { SeriesData, Selection } from './selection.js';

const EMPTY = new Float64Array(0);

export class SeriesReader {
  private readonly bufs: FloatBuffers = { t: EMPTY, v: EMPTY };
  private flags = new Uint8Array(0);
  private current = -1;
  private currentData: SeriesData | null = null;

  /** keepStale: read as series(vs) gives them (an instant selector), not rangeSeries(vs). */
  constructor(
    private readonly selection: Selection, private readonly vs: VectorSelector, private readonly oneByOne: boolean,
    private readonly keepStale = false,
  ) {}

  /**
   * Series i (without staleness markers unless keepStale). With oneByOne,
   * its arrays stay valid only until a different series is asked for.
   */
  data(i: number, stored: StoredSeries): SeriesData {
    if (this.current === i) return this.currentData!;
    let d: SeriesData | undefined;
    if (this.oneByOne && stored.floatsInto && !this.selection.decoded(this.vs)) {
      const r = this.selection.range(this.vs);
      const n = this.keepStale
        ? stored.floatsInto(r.start, r.end, this.bufs, { keepStale: true })
        : stored.floatsInto(r.start, r.end, this.bufs);
      if (n >= 0) {
        const v = this.bufs.v.subarray(0, n);
        const stale = this.keepStale ? staleFlagsOrNull(v, this.zeroedFlags) : null;
        d = { labels: stored.labels, t: this.bufs.t.subarray(0, n), v, stale, stored };
      }
    }
    // A series read one at a time that holds histograms or start timestamps: that series alone decoded. Without a
    // one-by-one read: every series decoded and held, as before.
    if (!d && this.oneByOne) d = this.keepStale ? this.selection.seriesAt(this.vs, i) : this.selection.rangeSeriesAt(this.vs, i);
    d ??= this.keepStale ? this.selection.series(this.vs)[i]! : this.selection.rangeSeries(this.vs)[i]!;
    this.current = i;
    this.currentData = d;
    return d;
  }

  /** n zeros in the reused flag array, for staleFlagsOrNull. */
  private readonly zeroedFlags = (n: number): Uint8Array => {
    if (this.flags.length < n) this.flags = new Uint8Array(Math.max(n, this.flags.length + (this.flags.length >> 1)));
    return this.flags.subarray(0, n).fill(0);
  };
}

/**
 * An instant selector's reader when its series hold floats only (else
 * null): one at a time when storage can tell so without decoding, else from
 * the series decoded and held, checked for histograms.
 */
export function floatsOnlyReader(sel: Selection, vs: VectorSelector): SeriesReader | null {
  if (sel.claimFloatsOneByOne(vs)) return new SeriesReader(sel, vs, true, true);
  return sel.series(vs).some((s) => s.h) ? null : new SeriesReader(sel, vs, false, true);
}
