// The head's Appender: validates and orders samples as Prometheus does,
// buffers them, and hands the whole batch to WASM in one call on commit.

import { type LabelsInput, labelsFrom, formatLabels } from '../model/labels.js';
import { appendBatch, reserveHeadroom, statusMessage } from '../wasm/codec.js';
import { mem } from '../wasm/loader.js';
import type { Appender, SeriesRef } from './interfaces.js';
import type { Head, MemSeries } from './head.js';
import { type WalWriter, samplesRecord, seriesRecord } from './wal-records.js';
import {
  DuplicateSampleError, InvalidSampleError, OutOfBoundsError, OutOfOrderSampleError, UnknownSeriesError, StorageError, StorageFullError,
} from './errors.js';

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
function bitsOf(v: number): bigint {
  f64[0] = v;
  return u64[0]!;
}

// Values are buffered in typed arrays: V8's double-element JS arrays quiet
// signaling NaNs, which would turn the staleness marker into another NaN.
export class HeadAppender implements Appender {
  private n = 0;
  private slots = new Uint32Array(64);
  private ts = new Float64Array(64);
  private vs = new Float64Array(64);
  /** Start timestamps (0 = none), allocated on the first sample that has one. */
  private sts: Float64Array | null = null;
  private done = false;

  constructor(private readonly head: Head, private readonly onCommit: () => void) {}

  append(series: LabelsInput | SeriesRef, t: number, v: number, startTimestamp = 0): SeriesRef {
    if (this.done) throw new StorageError('appender already committed or rolled back');
    if (!Number.isSafeInteger(t)) throw new InvalidSampleError(`timestamp ${t} is not an integer number of milliseconds within ±2^53`);
    if (typeof v !== 'number') throw new InvalidSampleError(`value ${String(v)} is not a number`);
    if (!Number.isSafeInteger(startTimestamp)) throw new InvalidSampleError(`start timestamp ${startTimestamp} is not an integer number of milliseconds`);
    const s = this.resolve(series);
    const head = this.head;
    if (t < head.minValidTime) {
      head.outOfBounds++;
      throw new OutOfBoundsError(`${formatLabels(s.labels)} at ${t} is before ${head.minValidTime}`);
    }
    const mine = s.pendingOwner === this;
    const lastT = mine ? s.pendingT : s.maxT;
    const lastV = mine ? s.pendingV : s.lastValue;
    if (t < lastT) {
      head.outOfOrder++;
      throw new OutOfOrderSampleError(`${formatLabels(s.labels)} at ${t} is older than ${lastT}`);
    }
    if (t === lastT) {
      // The same sample again is accepted silently, as Prometheus does.
      if (bitsOf(v) === bitsOf(lastV)) return s.id;
      head.duplicates++;
      throw new DuplicateSampleError(`${formatLabels(s.labels)} at ${t} has ${lastV}, got ${v}`);
    }
    s.pendingOwner = this;
    s.pendingT = t;
    s.pendingV = v;
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
      if (!s || s.pendingOwner !== this || this.sts) continue;
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
    if (n === 0) return;
    const head = this.head;
    // Worst case: every sample starts a chunk (1056 bytes with slack), plus the batch's records and two transcoding chunks.
    const need = (n + 2) * 1056 + n * 32;
    if (!reserveHeadroom(need, head.memoryLimit)) {
      this.done = false;
      this.rollback();
      head.storageFull++;
      throw new StorageFullError(
        `storage full: WebAssembly memory (${mem().u8.byteLength} bytes${head.memoryLimit > 0 ? `, limit ${head.memoryLimit}` : ''}) ` +
        `cannot grow by the ${need} bytes a commit of ${n} samples may need; nothing of this commit was stored`,
      );
    }
    if (head.wal) this.log(head.wal);
    const { appended, created, status } = appendBatch(head.headsTable(), this.slots, this.ts, this.vs, n, head.enc);
    for (let i = 0; i < created.length; i += 2) head.addChunk(head.get(created[i]!)!, created[i + 1]!);
    for (let i = 0; i < appended; i++) {
      const s = head.get(this.slots[i]!)!;
      const t = this.ts[i]!;
      s.maxT = t;
      s.lastValue = this.vs[i]!;
      s.totalSamples++;
      s.pendingOwner = null;
      const st = this.sts ? this.sts[i]! : 0;
      if (st !== 0) {
        s.starts ??= { t: [], st: [] };
        s.starts.t.push(t);
        s.starts.st.push(st);
      }
      if (t < head.minT) head.minT = t;
      if (t > head.maxT) head.maxT = t;
    }
    head.samples += appended;
    this.onCommit();
    if (appended !== n) {
      // Ordering was checked above, so this is a broken invariant, not bad input.
      throw new StorageError(`BUG: chunk append failed at sample ${appended} of ${n}: ${statusMessage(status)}`);
    }
  }

  /** Writes the batch to the log before it is applied; a failed write fails the commit, leaving nothing applied. */
  private log(wal: WalWriter): void {
    const records: Uint8Array[] = [];
    const fresh = new Set<MemSeries>();
    for (let i = 0; i < this.n; i++) {
      const s = this.head.get(this.slots[i]!)!;
      if (!s.walLogged && !fresh.has(s)) {
        fresh.add(s);
        records.push(seriesRecord(s.id, s.labels));
      }
    }
    records.push(samplesRecord(this.slots, this.ts, this.vs, this.sts, this.n));
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
      if (s && s.pendingOwner === this) s.pendingOwner = null;
    }
    this.n = 0;
  }
}
