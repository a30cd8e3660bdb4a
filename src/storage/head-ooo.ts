// Out-of-order samples (storage.tsdb.out_of_order_time_window): a sample
// older than its series' newest but inside the window is merged into the
// series' head chunks on commit. The series' samples are decoded, merged
// with the out-of-order ones and encoded again, so every reader (queries,
// checkpoints, block cuts, deletions) sees one time-ordered chunk list, as
// deletions already rewrite series. Prometheus keeps a separate
// out-of-order head chunk per series instead; the samples and answers are
// the same, the cost differs (see docs/STORAGE.md).

import { appendBatch, decodeList } from '../wasm/codec.js';
import type { Head, MemSeries } from './head.js';
import { StorageError } from './errors.js';

export interface StoredSamples {
  timestamps: Float64Array;
  values: Float64Array;
}

/** Every committed sample of s, in time order. */
export function storedSamples(head: Head, s: MemSeries): StoredSamples {
  return decodeList(s.chunks, head.enc, -Infinity, Infinity, false);
}

/** Position of t in the sorted timestamps, or -1. */
export function findTimestamp(ts: Float64Array, t: number): number {
  let lo = 0, hi = ts.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const m = ts[mid]!;
    if (m === t) return mid;
    if (m < t) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * Merges out-of-order samples (indexes `at` into ts/vs/sts, any order, each
 * timestamp once) into s's chunks. A timestamp s already holds keeps its
 * stored sample. Returns how many samples were added.
 */
export function mergeOutOfOrder(head: Head, s: MemSeries, at: readonly number[], ts: Float64Array, vs: Float64Array, sts: Float64Array | null): number {
  const order = [...at].sort((a, b) => ts[a]! - ts[b]!);
  const stored = storedSamples(head, s);
  const a = stored.timestamps.length;
  const total = a + order.length;
  const outT = new Float64Array(total), outV = new Float64Array(total);
  const addedT: number[] = [], addedSt: number[] = [];
  let i = 0, j = 0, n = 0;
  while (i < a || j < order.length) {
    const k = order[j]!;
    if (j >= order.length || (i < a && stored.timestamps[i]! <= ts[k]!)) {
      if (j < order.length && stored.timestamps[i] === ts[k]) j++;
      outT[n] = stored.timestamps[i]!;
      // Copied between typed arrays: staleness markers keep their bits.
      outV[n] = stored.values[i]!;
      i++;
    } else {
      outT[n] = ts[k]!;
      outV[n] = vs[k]!;
      const st = sts ? sts[k]! : 0;
      if (st !== 0) {
        addedT.push(ts[k]!);
        addedSt.push(st);
      }
      j++;
    }
    n++;
  }
  const added = n - a;
  if (added === 0) return 0;
  const { maxT, lastValue } = s;
  const starts = mergeStarts(s.starts, addedT, addedSt);
  head.clearSeries(s);
  const { appended, created, status } = appendBatch(head.headsTable(), new Uint32Array(n).fill(s.id), outT.subarray(0, n), outV.subarray(0, n), n, head.enc);
  if (appended !== n) throw new StorageError(`BUG: merging out-of-order samples into ${s.key} failed with status ${status}`);
  for (let c = 0; c < created.length; c += 2) head.addChunk(s, created[c + 1]!);
  s.totalSamples = n;
  head.samples += n;
  s.maxT = maxT;
  s.lastValue = lastValue;
  s.starts = starts;
  if (outT[0]! < head.minT) head.minT = outT[0]!;
  return added;
}

type Starts = { t: number[]; st: number[] };

function mergeStarts(starts: Starts | null, t: number[], st: number[]): Starts | null {
  if (t.length === 0) return starts;
  const pairs = starts ? starts.t.map((x, i) => [x, starts.st[i]!] as const) : [];
  for (let i = 0; i < t.length; i++) pairs.push([t[i]!, st[i]!]);
  pairs.sort((x, y) => x[0] - y[0]);
  return { t: pairs.map((p) => p[0]), st: pairs.map((p) => p[1]) };
}
