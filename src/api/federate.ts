// /federate: the newest sample of every matched series within the lookback
// window, with its own timestamp, as Prometheus's web/federate.go writes it:
// a series whose newest sample is a staleness marker is left out, and the
// external labels (and an empty instance) are added where a series lacks
// them, so a federating server with honor_labels keeps them apart.
//
// Float samples form untyped families by metric name. Native histograms
// need the protobuf exposition format, which a client asks for in Accept
// (Prometheus's scrapers do with scrape_native_histograms): there they are
// HISTOGRAM or GAUGE_HISTOGRAM families. The text format cannot carry
// exponential histograms, so they are left out of it; histograms with
// custom buckets (NHCB) are written in both as classic histograms. A new
// family starts whenever the name, float-or-histogram, or the histogram's
// gauge-ness changes, so one name may head several families, as upstream.

import type { Queryable } from '../storage/interfaces.js';
import type { Matcher } from '../model/matcher.js';
import { compareLabels, compareStrings, labelsKey, type Labels } from '../model/labels.js';
import { isStaleNaN } from '../model/stale.js';
import { goFormatG } from '../model/float.js';
import { type FloatHistogram, CounterResetHint, usesCustomBuckets } from '../model/histogram.js';
import { writeText, type WriteFamily } from '../exposition/write.js';
import { classicBuckets, encodeFamilies } from './federate-encode.js';
import { PROTO_DELIMITED, acceptsProtobuf } from './federate-proto.js';

/** The newest sample of one series, with the labels federation writes (external labels added, no __name__). */
export interface FederatedSample {
  labels: Labels;
  t: number;
  v: number;
  h?: FloatHistogram;
}

export interface FederatedFamily {
  name: string;
  type: 'untyped' | 'histogram' | 'gaugehistogram';
  samples: FederatedSample[];
}

/** The matched series' newest samples grouped into families as Prometheus does, for the chosen format. */
export function federatedFamilies(db: Queryable, sets: Matcher[][], now: number, lookback: number, externalLabels: Record<string, string>, histograms: 'all' | 'custom-buckets'): FederatedFamily[] {
  if (sets.length === 0) return [];
  const external = Object.entries({ instance: '', ...externalLabels }).sort(([a], [b]) => compareStrings(a, b));
  const mint = now - lookback;
  const q = db.querier(mint, now);
  try {
    const found = new Map<string, { name: string; labels: Labels; t: number; v: number; h?: FloatHistogram }>();
    for (const ms of sets) {
      for (const s of q.select(ms)) {
        const key = labelsKey(s.labels);
        if (found.has(key)) continue;
        const name = s.labels.find((l) => l.name === '__name__')?.value;
        if (!name) continue;
        const b = s.samples(mint, now);
        const last = b.timestamps.length - 1;
        const hb = b.histograms;
        const lastH = hb ? hb.timestamps.length - 1 : -1;
        // The newer of the newest float and the newest histogram (a series may switch between them).
        if (lastH >= 0 && (last < 0 || hb!.timestamps[lastH]! > b.timestamps[last]!)) {
          const h = hb!.histograms[lastH]!;
          if (isStaleNaN(h.sum)) continue;
          found.set(key, { name, labels: s.labels, t: hb!.timestamps[lastH]!, v: 0, h });
          continue;
        }
        if (last < 0 || isStaleNaN(b.values[last]!)) continue;
        found.set(key, { name, labels: s.labels, t: b.timestamps[last]!, v: b.values[last]! });
      }
    }
    const sorted = [...found.values()]
      .filter((x) => !x.h || histograms === 'all' || usesCustomBuckets(x.h))
      .sort((a, b) => compareStrings(a.name, b.name) || compareLabels(a.labels, b.labels));
    const out: FederatedFamily[] = [];
    for (const x of sorted) {
      const type = !x.h ? 'untyped' : x.h.counterResetHint === CounterResetHint.Gauge ? 'gaugehistogram' : 'histogram';
      let fam = out[out.length - 1];
      if (!fam || fam.name !== x.name || fam.type !== type) out.push((fam = { name: x.name, type, samples: [] }));
      fam.samples.push({ labels: withExternal(x.labels.filter((l) => l.name !== '__name__'), external), t: x.t, v: x.v, h: x.h });
    }
    return out;
  } finally {
    q.close();
  }
}

/** The text exposition of /federate (floats untyped; histograms with custom buckets as classic histograms). */
export function federate(db: Queryable, sets: Matcher[][], now: number, lookback: number, externalLabels: Record<string, string> = {}): string {
  return writeText(federatedFamilies(db, sets, now, lookback, externalLabels, 'custom-buckets').map(textFamily));
}

/** /federate's answer in the format the Accept header negotiates. */
export function federateResponse(db: Queryable, sets: Matcher[][], now: number, lookback: number, externalLabels: Record<string, string> | undefined, accept: string | null): Response {
  if (acceptsProtobuf(accept)) {
    const body = encodeFamilies(federatedFamilies(db, sets, now, lookback, externalLabels ?? {}, 'all'));
    return new Response(body as Uint8Array<ArrayBuffer>, { status: 200, headers: { 'content-type': PROTO_DELIMITED } });
  }
  return new Response(federate(db, sets, now, lookback, externalLabels), { status: 200, headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' } });
}

function textFamily(f: FederatedFamily): WriteFamily {
  if (f.type === 'untyped') return { name: f.name, type: 'untyped', samples: f.samples.map((s) => ({ labels: s.labels, value: s.v, timestamp: s.t })) };
  // expfmt writes a gauge histogram as a histogram in the text format: _bucket lines with le last, then _sum and _count.
  const samples: WriteFamily['samples'] = [];
  const names: string[] = [];
  for (const s of f.samples) {
    const h = s.h!;
    const buckets = classicBuckets(h);
    if (!buckets.some((b) => b.upperBound === Infinity)) buckets.push({ upperBound: Infinity, cumulativeCount: h.count });
    for (const b of buckets) {
      samples.push({ labels: [...s.labels, { name: 'le', value: goLe(b.upperBound) }], value: b.cumulativeCount, timestamp: s.t });
      names.push(`${f.name}_bucket`);
    }
    samples.push({ labels: s.labels, value: h.sum, timestamp: s.t });
    names.push(`${f.name}_sum`);
    samples.push({ labels: s.labels, value: h.count, timestamp: s.t });
    names.push(`${f.name}_count`);
  }
  return { name: f.name, type: 'histogram', samples, sampleName: (i) => names[i]! };
}

/** The le label as expfmt writes it (Go's 'g' shortest form). */
function goLe(v: number): string {
  return v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : goFormatG(v);
}

/** The series' own labels, then each external label it does not carry (Prometheus appends them in name order). */
function withExternal(labels: Labels, external: [string, string][]): Labels {
  const have = new Set(labels.map((l) => l.name));
  return [...labels, ...external.filter(([name]) => !have.has(name)).map(([name, value]) => ({ name, value }))];
}
