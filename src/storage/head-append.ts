// The head's Appender: validates and orders samples as Prometheus does,
// buffers them, and hands the whole batch to WASM in one call on commit.

import { type LabelsInput, labelsFrom, formatLabels } from '../model/labels.js';
import { appendBatch, reserveHeadroom, statusMessage } from '../wasm/codec.js';
import { mem } from '../wasm/loader.js';
import type { Appender, SeriesRef } from './interfaces.js';
import type { Head, MemSeries } from './head.js';
import { type WalWriter, histogramRecords, samplesRecord, seriesRecord } from './wal-records.js';
import {
  DuplicateSampleError, InvalidSampleError, OutOfBoundsError, OutOfOrderSampleError, UnknownSeriesError, StorageError, StorageFullError,
  TooOldSampleError,
} from './errors.js';
import { mergeOutOfOrder, mergeStarts, storedValueAt } from './head-ooo.js';
import type { FloatHistogram } from '../model/histogram.js';
import { HistogramValidationError, validateHistogram } from '../model/histogram-validate.js';
import {
  type PendingHistogram, appendHistograms, copyHistogram, mergeOutOfOrderHistograms, sameHistogram, storedHistogramAt,
} from './head-histograms.js';

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
function bitsOf(v: number): bigint {
  f64[0] = v;
  return u64[0]!;
}

// Values are buffered in typed arrays: V8's double-element JS arrays quiet
// signaling NaNs, which would turn the staleness marker into another NaN.
interface BatchBuffers {
  slots: Uint32Array;
  ts: Float64Array;
  vs: Float64Array;
}

/**
 * One set of batch buffers handed from a finished appender to the next, so
 * that a stream of commits of thousands of samples (remote write, scrapes)
 * does not allocate and grow fresh ones each time. Sets past this many
 * samples are left to the garbage collector.
 */
let spare: BatchBuffers | null = null;
const SPARE_MAX_SAMPLES = 1 << 18;

function takeBuffers(): BatchBuffers {
  const b = spare ?? { slots: new Uint32Array(64), ts: new Float64Array(64), vs: new Float64Array(64) };
  spare = null;
  return b;
}

const NO_SLOTS = new Uint32Array(0), NO_FLOATS = new Float64Array(0);

/** Appender numbers, so that series can name the appender holding their pending sample (see MemSeries.pendingOwner). */
let appenders = 0;

export class HeadAppender implements Appender {
  /** Never 0; wraps after 2^30 appenders, long after any of them is finished with. */
  private readonly id = (appenders = (appenders % 0x3fffffff) + 1);
  private n = 0;
  private slots: Uint32Array;
  private ts: Float64Array;
  private vs: Float64Array;
  /** Start timestamps (0 = none), allocated on the first sample that has one. */
  private sts: Float64Array | null = null;
  private done = false;
  /** Out-of-order samples of this batch (see head-ooo.ts), kept apart: the WASM appender takes only newer samples. */
  private oooN = 0;
  private oooSlots = new Uint32Array(0);
  private oooTs = new Float64Array(0);
  private oooVs = new Float64Array(0);
  private oooSts: Float64Array | null = null;
  /** Per series: this batch's out-of-order samples by timestamp (index into the ooo buffers). */
  private oooBySeries = new Map<MemSeries, Map<number, number>>();
  /** Histogram samples of this batch, in the order they were appended. */
  private hists: PendingHistogram[] = [];
  /** Out-of-order histograms of this batch, per series by timestamp. */
  private oooHists = new Map<MemSeries, Map<number, FloatHistogram>>();
  /** Start timestamps (non-zero only) of this batch's histograms, per series by timestamp. */
  private histSts = new Map<MemSeries, Map<number, number>>();

  /**
   * `replaying`: samples come from the write-ahead log, where they were
   * accepted once; out-of-order ones are taken whatever the window is now.
   */
  constructor(private readonly head: Head, private readonly onCommit: () => void, private readonly replaying = false) {
    ({ slots: this.slots, ts: this.ts, vs: this.vs } = takeBuffers());
  }

  /** After the commit or rollback: the buffers go to the next appender. */
  private releaseBuffers(): void {
    if (this.slots.length > 0 && this.slots.length <= SPARE_MAX_SAMPLES && (!spare || spare.slots.length < this.slots.length)) {
      spare = { slots: this.slots, ts: this.ts, vs: this.vs };
    }
    this.slots = NO_SLOTS;
    this.ts = NO_FLOATS;
    this.vs = NO_FLOATS;
    this.n = 0;
  }

  /** What every sample must be, whatever its series: refusals before any series is touched. */
  private checkSample(t: number, startTimestamp: number): void {
    if (this.done) throw new StorageError('appender already committed or rolled back');
    if (!Number.isSafeInteger(t)) throw new InvalidSampleError(`timestamp ${t} is not an integer number of milliseconds within ±2^53`);
    if (!Number.isSafeInteger(startTimestamp)) throw new InvalidSampleError(`start timestamp ${startTimestamp} is not an integer number of milliseconds`);
  }

  /** Refuses a sample older than the head takes (Prometheus's out of bounds). */
  private checkBounds(s: MemSeries, t: number): void {
    const head = this.head;
    if (t < head.minValidTime) {
      head.outOfBounds++;
      throw new OutOfBoundsError(`${formatLabels(s.labels)} at ${t} is before ${head.minValidTime}`);
    }
  }

  append(series: LabelsInput | SeriesRef, t: number, v: number, startTimestamp = 0): SeriesRef {
    this.checkSample(t, startTimestamp);
    if (typeof v !== 'number') throw new InvalidSampleError(`value ${String(v)} is not a number`);
    const s = this.resolve(series);
    const head = this.head;
    this.checkBounds(s, t);
    const mine = s.pendingOwner === this.id;
    const lastT = mine ? s.pendingT : s.maxT;
    const lastV = mine ? s.pendingV : s.lastValue;
    if (t < lastT) return this.appendOutOfOrder(s, t, v, startTimestamp, lastT);
    if (t === lastT) {
      const lastH = mine ? s.pendingH : s.lastH;
      // The same sample again is accepted silently, as Prometheus does.
      if (lastH === null && bitsOf(v) === bitsOf(lastV)) return s.id;
      head.duplicates++;
      throw new DuplicateSampleError(`${formatLabels(s.labels)} at ${t} has ${lastH ? 'a histogram' : lastV}, got ${v}`);
    }
    s.pendingOwner = this.id;
    s.pendingT = t;
    s.pendingV = v;
    s.pendingH = null;
    if (this.n === this.slots.length) this.grow();
    this.slots[this.n] = s.id;
    this.ts[this.n] = t;
    this.vs[this.n] = v;
    if (startTimestamp !== 0) {
      this.sts ??= new Float64Array(this.slots.length);
      this.sts[this.n] = startTimestamp;
    } else if (this.sts) {
      this.sts[this.n] = 0;
    }
    this.n++;
    return s.id;
  }

  appendHistogram(series: LabelsInput | SeriesRef, t: number, h: FloatHistogram, startTimestamp = 0): SeriesRef {
    this.checkSample(t, startTimestamp);
    try {
      validateHistogram(h);
    } catch (e) {
      if (e instanceof HistogramValidationError) throw new InvalidSampleError(`invalid histogram at ${t}: ${e.message}`);
      throw e;
    }
    const s = this.resolve(series);
    const head = this.head;
    this.checkBounds(s, t);
    const mine = s.pendingOwner === this.id;
    const lastT = mine ? s.pendingT : s.maxT;
    if (t < lastT) return this.appendHistogramOutOfOrder(s, t, h, startTimestamp, lastT);
    if (t === lastT) {
      const lastH = mine ? s.pendingH : s.lastH;
      if (lastH !== null && sameHistogram(lastH, h) && !!lastH.integer === !!h.integer) return s.id;
      head.duplicates++;
      throw new DuplicateSampleError(`${formatLabels(s.labels)} at ${t} has ${lastH ? 'another histogram' : `the float ${mine ? s.pendingV : s.lastValue}`}, got a histogram`);
    }
    const copy = copyHistogram(h);
    // Whether the sample before this one is a float: then this one starts a histogram chunk.
    const afterFloat = mine ? s.pendingH === null : s.lastH === null;
    s.pendingOwner = this.id;
    s.pendingT = t;
    s.pendingH = copy;
    this.hists.push({ s, t, h: copy, afterFloat });
    this.noteHistogramStart(s, t, startTimestamp);
    return s.id;
  }

  private noteHistogramStart(s: MemSeries, t: number, st: number): void {
    if (st === 0) return;
    let mine = this.histSts.get(s);
    if (!mine) this.histSts.set(s, (mine = new Map()));
    mine.set(t, st);
  }

  /** A histogram older than its series' newest: the float path's window and duplicate rules (Prometheus 3 takes them too). */
  private appendHistogramOutOfOrder(s: MemSeries, t: number, h: FloatHistogram, startTimestamp: number, lastT: number): SeriesRef {
    const head = this.head;
    const window = head.outOfOrderTimeWindow;
    if (!this.replaying) {
      if (window <= 0) {
        head.outOfOrder++;
        throw new OutOfOrderSampleError(`${formatLabels(s.labels)}: native histogram at ${t} is older than ${lastT}`);
      }
      if (t < head.maxT - window) {
        head.tooOld++;
        throw new TooOldSampleError(`${formatLabels(s.labels)}: native histogram at ${t} is older than the out-of-order time window (${window} ms) before the newest sample ${head.maxT}`);
      }
    }
    let mine = this.oooHists.get(s);
    const have = mine?.get(t) ?? storedHistogramAt(s, t);
    const duplicate = (what: string) => {
      head.duplicates++;
      throw new DuplicateSampleError(`${formatLabels(s.labels)} at ${t} has ${what}, got a histogram`);
    };
    if (have) {
      if (sameHistogram(have, h) && !!have.integer === !!h.integer) return s.id;
      duplicate('another histogram');
    }
    if (this.oooBySeries.get(s)?.has(t) || storedValueAt(head, s, t) !== undefined) duplicate('a float');
    if (!mine) this.oooHists.set(s, (mine = new Map()));
    mine.set(t, copyHistogram(h));
    this.noteHistogramStart(s, t, startTimestamp);
    return s.id;
  }

  /** Checks and buffers a sample older than its series' newest, as Prometheus's appendableOOO. */
  private appendOutOfOrder(s: MemSeries, t: number, v: number, startTimestamp: number, lastT: number): SeriesRef {
    const head = this.head;
    const window = head.outOfOrderTimeWindow;
    if (!this.replaying) {
      if (window <= 0) {
        head.outOfOrder++;
        throw new OutOfOrderSampleError(`${formatLabels(s.labels)} at ${t} is older than ${lastT}`);
      }
      if (t < head.maxT - window) {
        head.tooOld++;
        throw new TooOldSampleError(`${formatLabels(s.labels)} at ${t} is older than the out-of-order time window (${window} ms) before the newest sample ${head.maxT}`);
      }
    }
    let mine = this.oooBySeries.get(s);
    const at = mine?.get(t);
    const sameAs = (have: number) => {
      if (bitsOf(v) === bitsOf(have)) return true;
      head.duplicates++;
      throw new DuplicateSampleError(`${formatLabels(s.labels)} at ${t} has ${have}, got ${v}`);
    };
    if (at !== undefined && sameAs(this.oooVs[at]!)) return s.id;
    const stored = storedValueAt(head, s, t);
    if (stored !== undefined && sameAs(stored)) return s.id;
    if (this.oooHists.get(s)?.has(t) || storedHistogramAt(s, t)) {
      head.duplicates++;
      throw new DuplicateSampleError(`${formatLabels(s.labels)} at ${t} has a histogram, got ${v}`);
    }
    if (this.oooN === this.oooSlots.length) this.growOoo();
    const i = this.oooN++;
    this.oooSlots[i] = s.id;
    this.oooTs[i] = t;
    this.oooVs[i] = v;
    if (startTimestamp !== 0) this.oooSts ??= new Float64Array(this.oooSlots.length);
    if (this.oooSts) this.oooSts[i] = startTimestamp;
    if (!mine) this.oooBySeries.set(s, (mine = new Map()));
    mine.set(t, i);
    return s.id;
  }

  private growOoo(): void {
    const cap = Math.max(16, this.oooSlots.length * 2);
    const grow = <T extends Uint32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a as never);
      return b;
    };
    this.oooSlots = grow(this.oooSlots, (n) => new Uint32Array(n));
    this.oooTs = grow(this.oooTs, (n) => new Float64Array(n));
    this.oooVs = grow(this.oooVs, (n) => new Float64Array(n));
    if (this.oooSts) this.oooSts = grow(this.oooSts, (n) => new Float64Array(n));
  }

  appendRange(ref: SeriesRef, ts: Float64Array, vs: Float64Array, from: number, to: number, onError: (i: number, e: unknown) => void): number {
    let accepted = 0;
    let i = from;
    while (i < to) {
      // The first sample, and any the quick path below does not take, go through append for its checks and errors.
      try {
        this.append(ref, ts[i]!, vs[i]!);
        accepted++;
      } catch (e) {
        onError(i, e);
      }
      i++;
      const s = this.head.get(ref);
      if (!s || s.pendingOwner !== this.id || this.sts) continue;
      // Strictly increasing integer times above the series' last one need no other check.
      while (this.n + (to - i) > this.slots.length) this.grow();
      const min = this.head.minValidTime;
      let lastT = s.pendingT, n = this.n;
      const from2 = i;
      while (i < to) {
        const t = ts[i]!;
        if (!(t > lastT) || t < min || !Number.isSafeInteger(t)) break;
        this.slots[n] = s.id;
        this.ts[n] = t;
        lastT = t;
        n++;
        i++;
      }
      if (i > from2) {
        this.vs.set(vs.subarray(from2, i), this.n);
        this.n = n;
        s.pendingT = lastT;
        s.pendingV = vs[i - 1]!;
        accepted += i - from2;
      }
    }
    return accepted;
  }

  private grow(): void {
    const cap = this.slots.length * 2;
    const slots = new Uint32Array(cap);
    const ts = new Float64Array(cap);
    const vs = new Float64Array(cap);
    slots.set(this.slots);
    ts.set(this.ts);
    vs.set(this.vs);
    if (this.sts) {
      const sts = new Float64Array(cap);
      sts.set(this.sts);
      this.sts = sts;
    }
    this.slots = slots;
    this.ts = ts;
    this.vs = vs;
  }

  private resolve(series: LabelsInput | SeriesRef): MemSeries {
    if (typeof series === 'number') {
      const s = this.head.get(series);
      if (!s) throw new UnknownSeriesError(`unknown series ref ${series}`);
      return s;
    }
    return this.head.getOrCreate(labelsFrom(series));
  }

  async commit(): Promise<void> {
    this.commitSync();
  }

  /** Logs the batch (when the head has a write-ahead log) and then applies it, synchronously; `commit` is this behind a promise. */
  commitSync(): void {
    if (this.done) throw new StorageError('appender already committed or rolled back');
    this.done = true;
    const n = this.n;
    if (n === 0 && this.oooN === 0 && this.hists.length === 0 && this.oooHists.size === 0) {
      this.releaseBuffers();
      return;
    }
    const head = this.head;
    // Worst case: every sample starts a chunk (1056 bytes with slack), plus the batch's records and two transcoding chunks;
    // a series taking out-of-order samples is encoded again beside its old chunks.
    let need = (n + this.oooN + 2) * 1056 + (n + this.oooN) * 32;
    // A histogram may start a chunk (its worst case) and needs its record and decoding state.
    for (const { h } of this.hists) need += 1100 + 48 * (h.positiveBuckets.length + h.negativeBuckets.length + h.positiveSpans.length + h.negativeSpans.length + (h.customValues?.length ?? 0));
    // A series taking out-of-order histograms is encoded again beside its old chunks.
    for (const [s, byT] of this.oooHists) need += ((s.hist?.chunks.length ?? 0) + byT.size + 1) * 2100;
    for (const [s, byT] of this.oooBySeries) need += (s.chunks.length + byT.size + 1) * 1056;
    if (!reserveHeadroom(need, head.memoryLimit)) {
      this.done = false;
      this.rollback();
      head.storageFull++;
      throw new StorageFullError(
        `storage full: WebAssembly memory (${mem().u8.byteLength} bytes${head.memoryLimit > 0 ? `, limit ${head.memoryLimit}` : ''}) ` +
        `cannot grow by the ${need} bytes a commit of ${n + this.oooN} samples may need; nothing of this commit was stored`,
      );
    }
    if (head.wal) this.log(head.wal);
    const { appended, created, status } = n > 0 ? appendBatch(head.headsTable(), this.slots, this.ts, this.vs, n, head.enc) : { appended: 0, created: [], status: 0 };
    for (let i = 0; i < created.length; i += 2) head.addChunk(head.get(created[i]!)!, created[i + 1]!);
    for (let i = 0; i < appended; i++) {
      const s = head.get(this.slots[i]!)!;
      const t = this.ts[i]!;
      s.maxT = t;
      s.lastValue = this.vs[i]!;
      s.totalSamples++;
      s.pendingOwner = 0;
      s.lastH = null;
      const st = this.sts ? this.sts[i]! : 0;
      if (st !== 0) {
        s.starts ??= { t: [], st: [] };
        s.starts.t.push(t);
        s.starts.st.push(st);
      }
      if (t < head.minT) head.minT = t;
      if (t > head.maxT) head.maxT = t;
      if (t < head.minValidTime) head.committedBelowMinValid++;
    }
    head.samples += appended;
    const hists = this.hists.filter((p) => head.get(p.s.id) === p.s);
    appendHistograms(head, hists);
    for (const { s, t, h } of hists) {
      s.pendingOwner = 0;
      if (t >= s.maxT) {
        s.maxT = t;
        s.lastH = h;
      }
      if (t < head.minT) head.minT = t;
      if (t > head.maxT) head.maxT = t;
    }
    this.hists = [];
    // After the newer samples, so a timestamp both hold keeps the in-order sample.
    for (const [s, byT] of this.oooBySeries) {
      if (head.get(s.id) !== s) continue;
      for (const i of byT.values()) if (this.oooTs[i]! < head.minValidTime) head.committedBelowMinValid++;
      const added = mergeOutOfOrder(head, s, [...byT.values()], this.oooTs, this.oooVs, this.oooSts);
      head.outOfOrderAppended += added;
    }
    this.oooBySeries.clear();
    for (const [s, byT] of this.oooHists) {
      if (head.get(s.id) !== s) continue;
      head.outOfOrderAppended += mergeOutOfOrderHistograms(head, s, byT);
    }
    this.oooHists.clear();
    // Kept beside the float samples' starts: a series holds one sample per timestamp.
    for (const [s, byT] of this.histSts) {
      if (head.get(s.id) !== s) continue;
      const ts = [...byT.keys()];
      s.starts = mergeStarts(s.starts, ts, ts.map((t) => byT.get(t)!));
    }
    this.histSts.clear();
    this.onCommit();
    this.releaseBuffers();
    if (appended !== n) {
      // Ordering was checked above, so this is a broken invariant, not bad input.
      throw new StorageError(`BUG: chunk append failed at sample ${appended} of ${n}: ${statusMessage(status)}`);
    }
  }

  /** Writes the batch to the log before it is applied; a failed write fails the commit, leaving nothing applied. */
  private log(wal: WalWriter): void {
    const records: Uint8Array[] = [];
    const fresh = new Set<MemSeries>();
    const seriesOf = (slots: Uint32Array, n: number) => {
      for (let i = 0; i < n; i++) {
        const s = this.head.get(slots[i]!)!;
        if (!s.walLogged && !fresh.has(s)) {
          fresh.add(s);
          records.push(seriesRecord(s.id, s.labels));
        }
      }
    };
    seriesOf(this.slots, this.n);
    seriesOf(this.oooSlots, this.oooN);
    for (const s of [...this.hists.map((p) => p.s), ...this.oooHists.keys()]) {
      if (!s.walLogged && !fresh.has(s)) {
        fresh.add(s);
        records.push(seriesRecord(s.id, s.labels));
      }
    }
    if (this.n > 0) records.push(samplesRecord(this.slots, this.ts, this.vs, this.sts, this.n));
    // Out-of-order samples are a samples record of their own, after the newer ones: replayed in
    // log order they are out of order again, and replay takes them (see `replaying`).
    if (this.oooN > 0) records.push(samplesRecord(this.oooSlots, this.oooTs, this.oooVs, this.oooSts, this.oooN));
    const st = (s: MemSeries, t: number) => this.histSts.get(s)?.get(t) ?? 0;
    if (this.hists.length > 0) records.push(...histogramRecords(this.hists.map(({ s, t, h }) => ({ id: s.id, t, h, st: st(s, t) }))));
    // After the newer ones, as for floats: replayed in log order they are out of order again.
    const late = [...this.oooHists].flatMap(([s, byT]) => [...byT].map(([t, h]) => ({ id: s.id, t, h, st: st(s, t) })));
    if (late.length > 0) records.push(...histogramRecords(late));
    try {
      wal.write(records);
    } catch (e) {
      this.done = false;
      this.rollback();
      throw new StorageError(`write-ahead log: ${(e as Error).message}`);
    }
    for (const s of fresh) s.walLogged = true;
  }

  rollback(): void {
    this.done = true;
    for (let i = 0; i < this.n; i++) {
      const s = this.head.get(this.slots[i]!);
      if (s && s.pendingOwner === this.id) s.pendingOwner = 0;
    }
    for (const { s } of this.hists) if (s.pendingOwner === this.id) s.pendingOwner = 0;
    this.hists = [];
    this.oooHists.clear();
    this.histSts.clear();
    this.releaseBuffers();
    this.oooN = 0;
    this.oooBySeries.clear();
  }
}
