// Remote write 2.0, both ends, as Prometheus 3 (storage/remote/write_handler.go
// writeV2, queue_manager.go): the receiver stores what it can and commits
// it even when part of a request is bad (answering 400 with what went
// wrong, so the sender does not retry), and reports what it wrote in the
// X-Prometheus-Remote-Write-*-Written headers. promlet stores float samples
// with their start (created) timestamps and native histograms (refused,
// counted as not written, by a storage without them); exemplars go to the
// database's exemplar store; metadata is checked but not kept.

import type { Appendable } from '../storage/interfaces.js';
import { StorageError } from '../storage/errors.js';
import { InvalidLabelsError, type Label, METRIC_NAME, formatLabels, labelsFrom } from '../model/labels.js';
import { type V2TimeSeries, WriteV2Request } from './write-v2-proto.js';
import { toNum } from './read-proto.js';
import { addExemplar } from '../storage/exemplars.js';
import { decodeHistogram, encodeHistogram } from './histogram-proto.js';
import { ProtoDecodeError } from './write-decoder.js';
import type { FloatHistogram } from '../model/histogram.js';

export interface WriteV2Result {
  status: number;
  body: string;
  written: { samples: number; histograms: number; exemplars: number };
}

function refs(symbols: readonly string[], ids: readonly number[], what: string): Label[] {
  if (ids.length % 2 !== 0) throw new Error(`${what}: odd number of labels_refs (${ids.length})`);
  const out: Label[] = [];
  for (let i = 0; i < ids.length; i += 2) {
    const name = symbols[ids[i]!], value = symbols[ids[i + 1]!];
    if (name === undefined || value === undefined) throw new Error(`${what}: labels_refs ${ids[i]},${ids[i + 1]} outside the ${symbols.length} symbols`);
    out.push({ name, value });
  }
  return out;
}

/** Stores one decoded (uncompressed) io.prometheus.write.v2.Request. */
export async function writeV2(db: Appendable, raw: Uint8Array): Promise<WriteV2Result> {
  const written = { samples: 0, histograms: 0, exemplars: 0 };
  let req: { symbols?: string[]; timeseries?: V2TimeSeries[] };
  try {
    req = WriteV2Request.toObject(WriteV2Request.decode(raw), { defaults: false }) as typeof req;
  } catch (e) {
    return { status: 400, body: `decoding io.prometheus.write.v2.Request: ${(e as Error).message}\n`, written };
  }
  const symbols = req.symbols ?? [];
  const bad: string[] = [];
  const app = db.appender();
  for (const ts of req.timeseries ?? []) {
    let labels;
    try {
      labels = labelsFrom(refs(symbols, ts.labels_refs ?? [], 'series'));
      if (!labels.some((l) => l.name === METRIC_NAME && l.value !== '')) throw new Error(`invalid metric name or labels, got ${formatLabels(labels)}`);
    } catch (e) {
      bad.push(`parsing labels for series ${JSON.stringify(ts.labels_refs ?? [])}: ${(e as Error).message}`);
      continue;
    }
    const m = ts.metadata;
    if (m && ((m.help_ref ?? 0) >= symbols.length || (m.unit_ref ?? 0) >= symbols.length) && symbols.length > 0) {
      bad.push(`parsing metadata for series ${formatLabels(labels)}: help_ref or unit_ref outside the ${symbols.length} symbols`);
      continue;
    }
    const samples = ts.samples ?? [];
    for (const s of samples) {
      try {
        app.append(labels, toNum(s.timestamp), s.value ?? 0, toNum(s.start_timestamp));
        written.samples++;
      } catch (e) {
        if (!(e instanceof StorageError) && !(e instanceof InvalidLabelsError)) {
          app.rollback();
          return { status: 500, body: `${(e as Error).message}\n`, written: { samples: 0, histograms: 0, exemplars: 0 } };
        }
        bad.push(`${(e as Error).message} for series ${formatLabels(labels)}`);
      }
    }
    const nh = ts.histograms?.length ?? 0;
    if (nh > 0 && !app.appendHistogram) bad.push(`${nh} native histogram samples of series ${formatLabels(labels)} dropped: this storage cannot store native histograms`);
    else if (nh > 0) {
      for (const bytes of ts.histograms!) {
        try {
          // v2's Histogram has v1's fields (and start_timestamp, 17, not kept).
          const { t, h } = decodeHistogram(bytes, 0, bytes.length);
          app.appendHistogram!(labels, t, h);
          written.histograms++;
        } catch (e) {
          if (!(e instanceof StorageError) && !(e instanceof ProtoDecodeError)) {
            app.rollback();
            return { status: 500, body: `${(e as Error).message}\n`, written: { samples: 0, histograms: 0, exemplars: 0 } };
          }
          bad.push(`${(e as Error).message} for series ${formatLabels(labels)}`);
        }
      }
    }
    for (const ex of ts.exemplars ?? []) {
      let exLabels;
      try {
        exLabels = labelsFrom(refs(symbols, ex.labels_refs ?? [], 'exemplar'));
      } catch (e) {
        bad.push(`parsing exemplar labels for series ${formatLabels(labels)}: ${(e as Error).message}`);
        continue;
      }
      // Out-of-order or oversized exemplars are counted by the store and dropped without failing the request, as in Prometheus.
      if (addExemplar(db, labels, { labels: exLabels, value: ex.value ?? 0, timestamp: toNum(ex.timestamp) })) written.exemplars++;
    }
  }
  await app.commit();
  if (bad.length > 0) return { status: 400, body: `${bad.join('\n')}\n`, written };
  return { status: 204, body: '', written };
}

/** One series of a batch to send: labels, then parallel sample arrays. */
export interface V2Series {
  labels: readonly Label[];
  ts: Float64Array;
  vs: Float64Array;
  /** Start timestamps (0: unknown), or null when none is known. */
  sts: Float64Array | null;
  /** Native histogram samples of the series, when it has any. */
  histograms?: { t: number; h: FloatHistogram }[];
}

/** Builds an io.prometheus.write.v2.Request, interning every label string once. */
export function encodeV2(series: readonly V2Series[]): Uint8Array {
  const symbols = [''];
  const index = new Map<string, number>([['', 0]]);
  const ref = (s: string) => {
    let i = index.get(s);
    if (i === undefined) {
      i = symbols.length;
      symbols.push(s);
      index.set(s, i);
    }
    return i;
  };
  const timeseries = series.map((s) => {
    const labels_refs: number[] = [];
    for (const l of s.labels) labels_refs.push(ref(l.name), ref(l.value));
    const samples = new Array(s.ts.length);
    for (let i = 0; i < s.ts.length; i++) {
      samples[i] = s.sts && s.sts[i] ? { value: s.vs[i]!, timestamp: s.ts[i]!, start_timestamp: s.sts[i]! } : { value: s.vs[i]!, timestamp: s.ts[i]! };
    }
    if (!s.histograms?.length) return { labels_refs, samples };
    return { labels_refs, samples, histograms: s.histograms.map(({ t, h }) => encodeHistogram(t, h)) };
  });
  return WriteV2Request.encode(WriteV2Request.fromObject({ symbols, timeseries })).finish();
}
