// What a scrape loop remembers between scrapes, as Prometheus's scrapeCache:
// a series' text as the target writes it ("name{labels}") maps to its ref
// and final labels, or to "dropped by relabeling". A known series then costs
// a map lookup and an append by ref; labels are built, merged and relabeled
// only for a series seen for the first time. Staleness is tracked with the
// number of the last scrape that stored each series, not with sets of keys.

import type { Labels } from '../model/labels.js';
import type { NhcbLine } from './nhcb-scrape.js';
import { flatCopy, sharedLabel } from './label-strings.js';

export interface CacheEntry {
  /** The series text. */
  key: string;
  /** Its hash (the bucket it is in). */
  hash: number;
  /** Next entry whose text has the same hash. */
  next: CacheEntry | undefined;
  /** The entry whose line followed this one's in the last scrape: tried first, in place, before any hashing. */
  follow: CacheEntry | undefined;
  /** Set when the entry is forgotten, so a stale `follow` link to it is not used. */
  dead: boolean;
  /** Series ref, -1 until the first append returns one. */
  ref: number;
  /** Labels after target labels and metric_relabel_configs; null when relabeling drops the series. */
  labels: Labels | null;
  /** The last scrape whose body had this series. */
  lastIter: number;
  /** The last scrape that stored it without an explicit timestamp, successful or not. */
  curIter: number;
  /** The last successful scrape that stored it without an explicit timestamp (staleness tracking). */
  staleIter: number;
  /** With convert_classic_histograms_to_nhcb: the series' part in a classic histogram (null: none). */
  nhcb?: NhcbLine | null;
}

/** Scrapes a series may be missing before its entry is forgotten (as Prometheus). */
const KEEP_ITERATIONS = 10;


/** How a scrape shows the series text of its current line (see SampleScanner). */
export interface SeriesText {
  readonly seriesHash: number;
  /** A copy of the text. */
  readonly series: string;
  seriesIs(key: string): boolean;
}

export class ScrapeCache {
  /** Entries by the hash of their text, colliding ones chained: a lookup copies no text out of the body. */
  private readonly buckets = new Map<number, CacheEntry>();
  private count = 0;
  /** Number of the scrape in progress (starts at 1). */
  iter = 0;

  get size(): number {
    return this.count;
  }

  /** Starts a scrape. */
  begin(): void {
    this.iter++;
  }

  /** The entry whose line came first in the last scrape. */
  first: CacheEntry | undefined;

  get(line: SeriesText): CacheEntry | undefined {
    for (let e = this.buckets.get(line.seriesHash); e; e = e.next) {
      if (line.seriesIs(e.key)) {
        e.lastIter = this.iter;
        return e;
      }
    }
    return undefined;
  }

  add(line: SeriesText, labels: Labels | null): CacheEntry {
    // A slice keeps the whole response body alive; the key is copied out of it.
    const key = flatCopy(line.series);
    // Kept as long as the series is scraped: a frozen, exact-size array of shared frozen labels,
    // which the database then holds as it is instead of copying (see labelsFrom).
    if (labels) labels = Object.freeze(labels.map((l) => sharedLabel(l.name, l.value)));
    const e: CacheEntry = { key, hash: line.seriesHash, next: this.buckets.get(line.seriesHash), follow: undefined, dead: false, ref: -1, labels, lastIter: this.iter, curIter: 0, staleIter: -1 };
    this.buckets.set(line.seriesHash, e);
    this.count++;
    return e;
  }

  /**
   * Ends a scrape: a successful one keeps the series it stored (marked with
   * curIter = iter) as the ones to compare the next scrape with. Returns the
   * labels of the series the previous scrape stored and this one did not
   * (all of them when this one failed), and forgets entries not seen for a
   * while.
   */
  end(ok: boolean): Labels[] {
    const stale: Labels[] = [];
    const iter = this.iter;
    const oldest = iter - KEEP_ITERATIONS;
    // Over values, not entries: no [key, value] pair allocated per bucket on every scrape.
    for (const head of this.buckets.values()) {
      const h = head.hash;
      let keep: CacheEntry | undefined;
      for (let e: CacheEntry | undefined = head; e;) {
        const next: CacheEntry | undefined = e.next;
        if (ok && e.curIter === iter) e.staleIter = iter;
        else if (e.staleIter === iter - 1 && e.labels) stale.push(e.labels);
        if (e.lastIter < oldest) {
          e.dead = true;
          this.count--;
        } else {
          e.next = keep;
          keep = e;
        }
        e = next;
      }
      if (!keep) this.buckets.delete(h);
      else if (keep !== head) this.buckets.set(h, keep);
    }
    return stale;
  }

  /** Labels of the series the last scrape stored (for the target going away). */
  lastStored(): Labels[] {
    const out: Labels[] = [];
    for (const head of this.buckets.values()) {
      for (let e: CacheEntry | undefined = head; e; e = e.next) if (e.staleIter === this.iter && e.labels) out.push(e.labels);
    }
    return out;
  }
}
