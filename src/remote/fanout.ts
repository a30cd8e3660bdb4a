// remote_read merged into PromQL, as Prometheus's fanout storage
// (storage/fanout.go, storage/remote/read.go, storage/merge.go):
//  - each remote is asked only for selectors that carry its
//    required_matchers, and unless read_recent only for the part of the
//    range older than the local storage's start time (local data is
//    preferred for recent ranges);
//  - with filter_external_labels the external labels become equality
//    matchers and are stripped from the series that come back;
//  - series with the same labels are merged into one (the local sample wins
//    where both have a timestamp); a failing remote is a warning, not an
//    error, since the local storage is the primary.
// The engine is synchronous, so the remote series a query needs are
// fetched first and the query then runs over local + fetched data
// (src/node/remote-read-engine.ts).

import { type Labels, compareLabels, getLabel, labelsKey } from '../model/labels.js';
import { Matcher } from '../model/matcher.js';
import type { Querier, Queryable, Series } from '../storage/interfaces.js';
import { ArraySeries, mergeHistogramBatches, mergeSamples } from './array-series.js';
import type { ReadQuery, RemoteReadClient, RemoteSeries } from './read-client.js';

/** Prometheus's margin on the local start time: two minimum block durations. */
export const START_TIME_MARGIN = 4 * 3600_000;

export interface RemoteReadSet {
  clients: readonly RemoteReadClient[];
  externalLabels: Record<string, string>;
}

/** What one remote is asked for a selector, or null when it is not asked (noop querier). */
export function remoteQuery(
  client: RemoteReadClient, q: ReadQuery, externalLabels: Record<string, string>, localStartTime: number,
): { query: ReadQuery; strip: string[] } | null {
  const { cfg } = client;
  for (const r of cfg.requiredMatchers) {
    if (!q.matchers.some((m) => m.type === '=' && m.name === r.name && m.value === r.value)) return null;
  }
  let end = q.end;
  if (!cfg.readRecent) {
    if (q.start > localStartTime) return null;
    end = Math.min(end, localStartTime);
  }
  const ext = cfg.filterExternalLabels ? externalLabels : {};
  const strip = Object.keys(ext).filter((name) => !q.matchers.some((m) => m.name === name));
  const matchers = [...q.matchers, ...strip.map((name) => new Matcher('=', name, ext[name]!))];
  return { query: { ...q, matchers, end }, strip };
}

/** Fetches every selector from every remote; series with the same labels come back merged. */
export async function fetchRemote(
  set: RemoteReadSet, selectors: readonly ReadQuery[], localStartTime: number, signal?: AbortSignal,
): Promise<{ series: RemoteSeries[]; warnings: string[] }> {
  const warnings: string[] = [];
  const merged = new Map<string, RemoteSeries>();
  await Promise.all(set.clients.map(async (client) => {
    const asked = selectors.map((q) => remoteQuery(client, q, set.externalLabels, localStartTime)).filter((x) => x !== null);
    if (asked.length === 0) return;
    let results: RemoteSeries[][];
    try {
      results = await client.read(asked.map((a) => a.query), signal);
    } catch (e) {
      warnings.push(`remote_read: ${(e as Error).message}`);
      return;
    }
    results.forEach((list, i) => {
      const strip = new Set(asked[i]!.strip);
      for (const s of list) {
        const labels: Labels = strip.size ? s.labels.filter((l) => !strip.has(l.name)) : s.labels;
        const key = labelsKey(labels);
        const prev = merged.get(key);
        if (!prev) merged.set(key, { labels, timestamps: s.timestamps, values: s.values, histograms: s.histograms });
        else {
          const m = mergeSamples(prev.timestamps, prev.values, s.timestamps, s.values);
          merged.set(key, { labels, timestamps: m.timestamps, values: m.values, histograms: mergeHistogramBatches(prev.histograms, s.histograms) });
        }
      }
    });
  }));
  return { series: [...merged.values()], warnings };
}

/** The local storage with fetched remote series merged in, by labels. */
export function mergeQueryable(local: Queryable, remote: readonly RemoteSeries[]): Queryable {
  return {
    querier(mint, maxt): Querier {
      const lq = local.querier(mint, maxt);
      return {
        select(matchers, hints) {
          const ls = lq.select(matchers, hints);
          const byKey = new Map<string, RemoteSeries>();
          for (const s of remote) if (matchers.every((m) => m.matches(getLabel(s.labels, m.name)))) byKey.set(labelsKey(s.labels), s);
          if (byKey.size === 0) return ls;
          const out: Series[] = ls.map((s) => {
            const key = labelsKey(s.labels);
            const r = byKey.get(key);
            if (!r) return s;
            byKey.delete(key);
            const b = s.samples(mint, maxt);
            const m = mergeSamples(b.timestamps, b.values, r.timestamps, r.values);
            return new ArraySeries(s.labels, m.timestamps, m.values, mint, maxt, mergeHistogramBatches(b.histograms, r.histograms));
          });
          for (const r of byKey.values()) out.push(new ArraySeries(r.labels, r.timestamps, r.values, mint, maxt, r.histograms));
          return out.sort((a, b) => compareLabels(a.labels, b.labels));
        },
        // Remote read has no label names or values (Prometheus's remote querier does not implement them either).
        labelNames: (ms) => lq.labelNames(ms),
        labelValues: (name, ms) => lq.labelValues(name, ms),
        close: () => lq.close(),
      };
    },
  };
}
