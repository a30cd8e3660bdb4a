// Out-of-order samples (storage.tsdb.out_of_order_time_window): a sample
// older than its series' newest but inside the window is merged into the
// series' head chunks on commit. The chunks from the first one the late
// samples fall into to the open one are decoded, merged with them and
// encoded again, so every reader (queries, checkpoints, block cuts,
// deletions) sees one time-ordered chunk list, as deletions rewrite series. Prometheus keeps a separate
// out-of-order head chunk per series instead; the samples and answers are
// the same, the cost differs (see docs/STORAGE.md).

import { appendBatch, decodeList } from '../wasm/codec.js';
import type { Head, MemSeries } from './head.js';
import { StorageError } from './errors.js';

export interface StoredSamples {
  timestamps: Float64Array;
  values: Float64Array;
}

/** The committed value of s at t, or undefined when it has no sample there (only the chunks around t are decoded). */
export function storedValueAt(head: Head, s: MemSeries, t: number): number | undefined {
  const { values } = decodeList(head.chunksOverlapping(s, t, t), head.enc, t, t, false);
  // Read from the typed array and compared by bits by the caller: a staleness marker stays itself.
  return values.length > 0 ? values[0]! : undefined;
}

/** Index of the first chunk of s whose samples reach t (the chunk a sample at t falls into or before). */
function firstChunkReaching(s: MemSeries, t: number): number {
  const closed = s.closedMaxT.length;
  let i = 0;
  while (i < closed && s.closedMaxT[i]! < t) i++;
  return i;
}

/**
 * Merges out-of-order samples (indexes `at` into ts/vs/sts, any order, each
 * timestamp once) into s's chunks. A timestamp s already holds keeps its
 * stored sample. Returns how many samples were added.
 */
export function mergeOutOfOrder(head: Head, s: MemSeries, at: readonly number[], ts: Float64Array, vs: Float64Array, sts: Float64Array | null): number {
  const order = [...at].sort((a, b) => ts[a]! - ts[b]!);
  const k = firstChunkReaching(s, ts[order[0]!]!);
  const stored: StoredSamples = decodeList(s.chunks.slice(k), head.enc, -Infinity, Infinity, false);
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
  head.dropTail(s, k);
  const { appended, created, status } = appendBatch(head.headsTable(), new Uint32Array(n).fill(s.id), outT.subarray(0, n), outV.subarray(0, n), n, head.enc);
  if (appended !== n) throw new StorageError(`BUG: merging out-of-order samples into ${s.key} failed with status ${status}`);
  for (let c = 0; c < created.length; c += 2) head.addChunk(s, created[c + 1]!);
  s.totalSamples += n;
  head.samples += n;
  s.maxT = maxT;
  s.lastValue = lastValue;
  s.starts = starts;
  if (outT[0]! < head.minT) head.minT = outT[0]!;
  return added;
}

type Starts = { t: number[]; st: number[] };

/** starts with (t, st) pairs added, in time order. */
export function mergeStarts(starts: Starts | null, t: number[], st: number[]): Starts | null {
  if (t.length === 0) return starts;
  const pairs = starts ? starts.t.map((x, i) => [x, starts.st[i]!] as const) : [];
  for (let i = 0; i < t.length; i++) pairs.push([t[i]!, st[i]!]);
  pairs.sort((x, y) => x[0] - y[0]);
  return { t: pairs.map((p) => p[0]), st: pairs.map((p) => p[1]) };
}
