// Deleting samples (Prometheus's delete_series): the affected series are
// decoded, their chunks dropped, and the samples outside the deleted range
// written again, so queries, the next checkpoint and retention see only what
// is left. A series left with no samples is removed. The deletion is logged
// first, so a restart deletes the same samples again.

import { appendBatch, decodeList } from '../wasm/codec.js';
import type { Head, MemSeries } from './head.js';
import { deletionRecord, seriesRecord } from './wal-records.js';
import { StorageError } from './errors.js';
import { decodeHistogramList } from '../wasm/histogram-codec.js';
import { type PendingHistogram, appendHistograms } from './head-histograms.js';

/** Deletes the samples of series `ids` within [mint, maxt]; returns how many were deleted. */
export function deleteSamples(head: Head, ids: readonly number[], mint: number, maxt: number, log = true): number {
  const series = ids.map((id) => head.get(id)).filter((s): s is MemSeries => s !== undefined && s.hasSamples);
  if (series.length === 0) return 0;
  if (log && head.wal) {
    const fresh = series.filter((s) => !s.walLogged);
    head.wal.write([...fresh.map((s) => seriesRecord(s.id, s.labels)), deletionRecord(series.map((s) => s.id), mint, maxt)]);
    for (const s of fresh) s.walLogged = true;
  }
  let deleted = 0;
  for (const s of series) {
    deleted += rewriteHistograms(head, s, mint, maxt);
    deleted += rewrite(head, s, mint, maxt);
    settleNewest(head, s);
  }
  head.refreshTimeRange();
  return deleted;
}

/** Writes s's histograms outside [mint, maxt] again; returns how many were deleted. */
function rewriteHistograms(head: Head, s: MemSeries, mint: number, maxt: number): number {
  if (!s.hist || !s.hist.has(mint, maxt)) return 0;
  const all = decodeHistogramList(s.hist.chunks, -Infinity, Infinity);
  const keep = all.timestamps.map((t) => t < mint || t > maxt);
  const lastH = s.lastH;
  head.clearHistograms(s);
  let prevKept = true;
  const items: PendingHistogram[] = [];
  all.timestamps.forEach((t, i) => {
    // The sample after a deleted stretch starts a chunk: what came before it is gone.
    if (keep[i]) items.push({ s, t, h: all.histograms[i]!, afterFloat: items.length === 0 || !prevKept });
    prevKept = keep[i]!;
  });
  appendHistograms(head, items, true);
  s.lastH = lastH;
  return all.timestamps.length - items.length;
}

/** After a rewrite: the newest sample (time, and histogram or value) of what is left. */
function settleNewest(head: Head, s: MemSeries): void {
  const hMax = s.hist ? s.hist.maxT : -Infinity;
  const fMax = s.chunks.length > 0 ? decodeList([s.chunks[s.chunks.length - 1]!], head.enc, -Infinity, Infinity, false) : null;
  const fT = fMax && fMax.timestamps.length > 0 ? fMax.timestamps[fMax.timestamps.length - 1]! : -Infinity;
  if (hMax === -Infinity && fT === -Infinity) {
    if (head.get(s.id) === s) head.removeSeries(s);
    return;
  }
  if (hMax > fT) {
    s.maxT = hMax;
    s.lastH = decodeHistogramList([s.hist!.chunks[s.hist!.chunks.length - 1]!], hMax, hMax).histograms[0] ?? null;
  } else {
    s.maxT = fT;
    s.lastH = null;
    s.lastValue = fMax!.values[fMax!.values.length - 1]!;
  }
}

function rewrite(head: Head, s: MemSeries, mint: number, maxt: number): number {
  if (s.chunks.length === 0) return 0;
  const { timestamps, values } = decodeList(s.chunks, head.enc, -Infinity, Infinity, false);
  let first = 0;
  while (first < timestamps.length && timestamps[first]! < mint) first++;
  let end = first;
  while (end < timestamps.length && timestamps[end]! <= maxt) end++;
  if (end === first) return 0;
  const starts = s.starts;
  const n = timestamps.length - (end - first);
  const ts = new Float64Array(n);
  const vs = new Float64Array(n);
  // Copied as typed arrays: staleness markers keep their bits.
  ts.set(timestamps.subarray(0, first));
  ts.set(timestamps.subarray(end), first);
  vs.set(values.subarray(0, first));
  vs.set(values.subarray(end), first);
  head.clearSeries(s);
  if (n === 0) return end - first;
  const slots = new Uint32Array(n).fill(s.id);
  const { appended, created, status } = appendBatch(head.headsTable(), slots, ts, vs, n, head.enc);
  if (appended !== n) throw new StorageError(`BUG: rewriting ${s.key} after a deletion failed with status ${status}`);
  for (let i = 0; i < created.length; i += 2) head.addChunk(s, created[i + 1]!);
  s.totalSamples = n;
  head.samples += n;
  s.maxT = ts[n - 1]!;
  s.lastValue = vs[n - 1]!;
  if (starts) {
    const keep = starts.t.map((t, i) => [t, starts.st[i]!] as const).filter(([t]) => t < mint || t > maxt);
    s.starts = keep.length > 0 ? { t: keep.map(([t]) => t), st: keep.map(([, st]) => st) } : null;
  }
  return end - first;
}
