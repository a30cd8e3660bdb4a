// Exemplars in a bounded circular buffer, as Prometheus's tsdb/exemplar.go
// keeps them: one ring of `max_exemplars` entries shared by all series, each
// series' exemplars chained oldest to newest through the ring, so the oldest
// exemplar of any series is the one overwritten when the ring is full.
// Per series, exemplars arrive in time order: an older one is refused (out of
// order), the same one again is ignored. Kept in memory only, like Prometheus
// (which replays them from its WAL; promlet does not log them).

import { type Labels, labelsKey, compareLabels } from '../model/labels.js';
import type { Matcher } from '../model/matcher.js';

export interface Exemplar {
  labels: Labels;
  value: number;
  /** ms */
  timestamp: number;
}

/** Prometheus's limit: the exemplar's label names and values together, in runes. */
export const MAX_EXEMPLAR_LABEL_RUNES = 128;
export const DEFAULT_MAX_EXEMPLARS = 100_000;

export class ExemplarError extends Error {}

interface Entry {
  seriesKey: string;
  ex: Exemplar;
  /** Index of the series' next (newer) exemplar, -1 for its newest. */
  next: number;
}

interface SeriesIndex {
  labels: Labels;
  oldest: number;
  newest: number;
}

/** One series' exemplars in a time range, oldest first. */
export interface ExemplarQueryResult {
  seriesLabels: Labels;
  exemplars: Exemplar[];
}

const runes = (s: string) => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

export class ExemplarStore {
  private ring: (Entry | undefined)[] = [];
  private nextIndex = 0;
  /** Occupied ring slots, kept as they change: counting them walked the whole ring (100,000 slots by default) on every self-scrape. */
  private stored = 0;
  private readonly index = new Map<string, SeriesIndex>();
  appended = 0;
  outOfOrder = 0;
  rejected = 0;
  lastTimestamp = 0;

  constructor(private max = DEFAULT_MAX_EXEMPLARS) {
    if (!Number.isInteger(max) || max < 0) throw new ExemplarError(`max_exemplars must be a non-negative integer, got ${max}`);
    this.ring = new Array(max);
  }

  get capacity(): number {
    return this.max;
  }

  get size(): number {
    return this.stored;
  }

  get seriesCount(): number {
    return this.index.size;
  }

  /**
   * Adds an exemplar of the series; throws ExemplarError for one that is out
   * of order or whose labels are too long. A store of size 0 keeps nothing.
   */
  add(series: Labels, ex: Exemplar): void {
    if (this.max === 0) return;
    let n = 0;
    for (const l of ex.labels) n += runes(l.name) + runes(l.value);
    if (n > MAX_EXEMPLAR_LABEL_RUNES) {
      this.rejected++;
      throw new ExemplarError(`exemplar label set too long: ${n} runes, limit ${MAX_EXEMPLAR_LABEL_RUNES}`);
    }
    const key = labelsKey(series);
    const idx = this.index.get(key);
    if (idx) {
      const newest = this.ring[idx.newest]!.ex;
      if (newest.timestamp === ex.timestamp && newest.value === ex.value && labelsKey(newest.labels) === labelsKey(ex.labels)) return;
      if (ex.timestamp < newest.timestamp) {
        this.outOfOrder++;
        throw new ExemplarError(`out of order exemplar: timestamp ${ex.timestamp} is before the series' newest ${newest.timestamp}`);
      }
    }
    const at = this.nextIndex;
    this.evict(at);
    const entry: Entry = { seriesKey: key, ex: { labels: ex.labels, value: ex.value, timestamp: ex.timestamp }, next: -1 };
    this.ring[at] = entry;
    this.stored++;
    const cur = this.index.get(key);
    if (cur) {
      this.ring[cur.newest]!.next = at;
      cur.newest = at;
    } else {
      this.index.set(key, { labels: series, oldest: at, newest: at });
    }
    this.nextIndex = (at + 1) % this.max;
    this.appended++;
    this.lastTimestamp = Math.max(this.lastTimestamp, ex.timestamp);
  }

  /** Frees ring slot i: it holds its series' oldest exemplar, so the series starts at the next one. */
  private evict(i: number): void {
    const old = this.ring[i];
    if (!old) return;
    const idx = this.index.get(old.seriesKey)!;
    if (old.next === -1) this.index.delete(old.seriesKey);
    else idx.oldest = old.next;
    this.ring[i] = undefined;
    this.stored--;
  }

  /** Exemplars in [start, end] (ms) of series matching any of the matcher sets, series sorted by labels. */
  select(start: number, end: number, matcherSets: Matcher[][]): ExemplarQueryResult[] {
    const out: ExemplarQueryResult[] = [];
    for (const s of this.index.values()) {
      const value = (name: string) => s.labels.find((l) => l.name === name)?.value ?? '';
      if (!matcherSets.some((ms) => ms.every((m) => m.matches(value(m.name))))) continue;
      const exemplars: Exemplar[] = [];
      for (let i = s.oldest; i !== -1; i = this.ring[i]!.next) {
        const e = this.ring[i]!.ex;
        if (e.timestamp > end) break;
        if (e.timestamp >= start) exemplars.push(e);
      }
      if (exemplars.length > 0) out.push({ seriesLabels: s.labels, exemplars });
    }
    out.sort((a, b) => compareLabels(a.seriesLabels, b.seriesLabels));
    return out;
  }

  /**
   * Changes the capacity (a reload of storage.exemplars.max_exemplars),
   * keeping the newest exemplars that fit, as Prometheus's Resize does.
   */
  resize(max: number): void {
    if (!Number.isInteger(max) || max < 0) throw new ExemplarError(`max_exemplars must be a non-negative integer, got ${max}`);
    if (max === this.max) return;
    const kept: { series: Labels; ex: Exemplar }[] = [];
    for (let k = 0; k < this.max; k++) {
      const e = this.ring[(this.nextIndex + k) % this.max];
      if (e) kept.push({ series: this.index.get(e.seriesKey)!.labels, ex: e.ex });
    }
    this.max = max;
    this.ring = new Array(max);
    this.stored = 0;
    this.nextIndex = 0;
    this.index.clear();
    const appended = this.appended;
    for (const k of kept.slice(Math.max(0, kept.length - max))) this.add(k.series, k.ex);
    this.appended = appended;
  }

  metrics(): { name: string; help: string; type: 'counter' | 'gauge'; samples: { labels: Record<string, string>; value: number }[] }[] {
    const one = (value: number) => [{ labels: {}, value }];
    return [
      { name: 'promlet_tsdb_exemplar_exemplars_appended_total', help: 'Total number of appended exemplars.', type: 'counter', samples: one(this.appended) },
      { name: 'promlet_tsdb_exemplar_out_of_order_exemplars_total', help: 'Total number of out of order exemplar ingestion failed attempts.', type: 'counter', samples: one(this.outOfOrder) },
      { name: 'promlet_tsdb_exemplar_rejected_exemplars_total', help: 'Exemplars refused for labels longer than 128 runes.', type: 'counter', samples: one(this.rejected) },
      { name: 'promlet_tsdb_exemplar_exemplars_in_storage', help: 'Number of exemplars currently in circular storage.', type: 'gauge', samples: one(this.size) },
      { name: 'promlet_tsdb_exemplar_series_with_exemplars_in_storage', help: 'Number of series with exemplars currently in circular storage.', type: 'gauge', samples: one(this.seriesCount) },
      { name: 'promlet_tsdb_exemplar_last_exemplars_timestamp_seconds', help: 'The timestamp of the newest exemplar stored.', type: 'gauge', samples: one(this.lastTimestamp / 1000) },
      { name: 'promlet_tsdb_exemplar_max_exemplars', help: 'Total number of exemplars the exemplar storage can store, resizeable.', type: 'gauge', samples: one(this.max) },
    ];
  }
}

// Which store belongs to a database: the receivers (scrapes, remote write,
// OTLP) reach it through the database they append to, so wiring a store in
// does not change their constructors.
const stores = new WeakMap<object, ExemplarStore>();

export function attachExemplarStore(db: object, store: ExemplarStore): void {
  stores.set(db, store);
}

export function exemplarStoreOf(db: object): ExemplarStore | undefined {
  return stores.get(db);
}

/** Adds an exemplar if the database has a store; a refused exemplar is counted there and otherwise ignored, as Prometheus does. */
export function addExemplar(db: object, series: Labels, ex: Exemplar): boolean {
  const store = stores.get(db);
  if (!store) return false;
  try {
    store.add(series, ex);
    return true;
  } catch (e) {
    if (e instanceof ExemplarError) return false;
    throw e;
  }
}
