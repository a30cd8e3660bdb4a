// Querier over the head: postings for matchers, then per-series chunk
// lists handed to the WASM scans.

import { compareLabels, compareStrings, type Labels } from '../model/labels.js';
import type { Matcher } from '../model/matcher.js';
import { decodeList, decodeListInto, reduceList, reduceWindowsList } from '../wasm/codec.js';
import {
  R_COUNT, R_SUM, R_SUM_COMP, R_MIN, R_MAX, R_FIRST_T, R_FIRST_V, R_LAST_T, R_LAST_V, R_PREV_T, R_PREV_V,
  R_CORRECTION, R_RESETS, R_CHANGES,
} from '../wasm/layout.js';
import type { FloatBuffers, Querier, SampleBatch, SelectHints, Series, WindowReduction } from './interfaces.js';
import type { Head, MemSeries } from './head.js';
import { postingsForMatchers } from './select.js';
import { StorageError } from './errors.js';

export function toReduction(r: Float64Array, base = 0): WindowReduction {
  const count = r[base + R_COUNT]!;
  return {
    count,
    sum: r[base + R_SUM]!,
    sumCompensation: r[base + R_SUM_COMP]!,
    min: r[base + R_MIN]!,
    max: r[base + R_MAX]!,
    firstT: r[base + R_FIRST_T]!,
    firstV: r[base + R_FIRST_V]!,
    lastT: r[base + R_LAST_T]!,
    lastV: r[base + R_LAST_V]!,
    prevT: r[base + R_PREV_T]!,
    prevV: count < 2 ? NaN : r[base + R_PREV_V]!,
    correction: r[base + R_CORRECTION]!,
    resets: r[base + R_RESETS]!,
    changes: r[base + R_CHANGES]!,
  };
}

/** The start timestamp of each sample (0 where none), both lists in time order. */
export function alignStarts(starts: { t: number[]; st: number[] }, timestamps: Float64Array): Float64Array {
  const out = new Float64Array(timestamps.length);
  let j = 0;
  for (let i = 0; i < timestamps.length; i++) {
    const t = timestamps[i]!;
    while (j < starts.t.length && starts.t[j]! < t) j++;
    if (j < starts.t.length && starts.t[j] === t) out[i] = starts.st[j]!;
  }
  return out;
}

/** Sets the batch's start timestamps (floats' and histograms') from starts, each only where one is known. */
export function attachStarts(batch: SampleBatch, starts: { t: number[]; st: number[] }): void {
  const known = (a: Float64Array) => a.some((x) => x !== 0);
  const floats = alignStarts(starts, batch.timestamps);
  if (known(floats)) batch.startTimestamps = floats;
  const hb = batch.histograms;
  if (!hb) return;
  const hist = alignStarts(starts, hb.timestamps);
  if (known(hist)) hb.startTimestamps = hist;
}

class HeadSeries implements Series {
  constructor(
    private readonly q: HeadQuerier,
    private readonly head: Head,
    private readonly s: MemSeries,
  ) {}

  get labels(): Labels {
    return this.s.labels;
  }

  private chunks(mint: number, maxt: number): number[] {
    this.q.checkOpen();
    return this.head.chunksOverlapping(this.s, Math.max(mint, this.q.mint), Math.min(maxt, this.q.maxt));
  }

  samples(mint: number, maxt: number, opts?: { skipStale?: boolean }): SampleBatch {
    const lo = Math.max(mint, this.q.mint), hi = Math.min(maxt, this.q.maxt);
    const batch: SampleBatch = decodeList(this.chunks(lo, hi), this.head.enc, lo, hi, opts?.skipStale ?? false);
    const histograms = this.s.hist?.read(lo, hi, opts?.skipStale ?? false);
    if (histograms) batch.histograms = histograms;
    if (this.hasStartTimestamps(lo, hi)) attachStarts(batch, this.s.starts!);
    return batch;
  }

  floatsInto(mint: number, maxt: number, into: FloatBuffers, opts?: { keepStale?: boolean }): number {
    // A series that has ever held histograms or start timestamps reads through samples().
    if (this.s.hist || this.s.starts) return -1;
    const lo = Math.max(mint, this.q.mint), hi = Math.min(maxt, this.q.maxt);
    return decodeListInto(this.chunks(lo, hi), this.head.enc, lo, hi, !opts?.keepStale, into);
  }

  hasHistograms(mint: number, maxt: number): boolean {
    this.q.checkOpen();
    const lo = Math.max(mint, this.q.mint), hi = Math.min(maxt, this.q.maxt);
    return this.s.hist !== null && this.s.hist.has(lo, hi);
  }

  hasStartTimestamps(mint: number, maxt: number): boolean {
    const st = this.s.starts;
    if (!st || st.t.length === 0) return false;
    return st.t[st.t.length - 1]! >= mint && st.t[0]! <= maxt && st.t.some((t) => t >= mint && t <= maxt);
  }

  reduce(mint: number, maxt: number): WindowReduction {
    const lo = Math.max(mint, this.q.mint), hi = Math.min(maxt, this.q.maxt);
    return toReduction(reduceList(this.chunks(lo, hi), this.head.enc, lo, hi));
  }

  reduceWindows(firstMin: number, firstMax: number, step: number, steps: number): Float64Array {
    const lastMax = firstMax + step * (steps - 1);
    return reduceWindowsList(this.chunks(firstMin, lastMax), this.head.enc, firstMin, firstMax, step, steps);
  }
}

export class HeadQuerier implements Querier {
  private closed = false;
  private readonly epoch: number;

  constructor(private readonly head: Head, readonly mint: number, readonly maxt: number) {
    this.epoch = head.acquireReader();
  }

  checkOpen(): void {
    if (this.closed) throw new StorageError('querier used after close');
  }

  private matching(matchers: readonly Matcher[]): MemSeries[] {
    this.checkOpen();
    const ids = postingsForMatchers(this.head.index, matchers);
    const out: MemSeries[] = [];
    for (const id of ids) {
      const s = this.head.get(id);
      if (!s || !s.hasSamples) continue;
      const minT = s.closedMinT.length > 0 ? Math.min(s.closedMinT[0]!, s.hist?.minT ?? Infinity) : -Infinity;
      if (s.maxT < this.mint || minT > this.maxt) continue;
      out.push(s);
    }
    return out;
  }

  select(matchers: readonly Matcher[], _hints?: SelectHints): Series[] {
    const found = this.matching(matchers);
    found.sort((a, b) => compareLabels(a.labels, b.labels));
    return found.map((s) => new HeadSeries(this, this.head, s));
  }

  labelNames(matchers?: readonly Matcher[]): string[] {
    this.checkOpen();
    if (!matchers || matchers.length === 0) return this.head.index.labelNames().sort(compareStrings);
    const names = new Set<string>();
    for (const s of this.matching(matchers)) for (const l of s.labels) names.add(l.name);
    return [...names].sort(compareStrings);
  }

  labelValues(name: string, matchers?: readonly Matcher[]): string[] {
    this.checkOpen();
    if (!matchers || matchers.length === 0) return this.head.index.labelValues(name).sort(compareStrings);
    const values = new Set<string>();
    for (const s of this.matching(matchers)) {
      for (const l of s.labels) if (l.name === name) values.add(l.value);
    }
    return [...values].sort(compareStrings);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.head.releaseReader(this.epoch);
  }
}
