// Storage read by a query worker through the main thread, one call at a
// time, instead of a copy of every sample the query might read. The worker's
// engine calls the Queryable contract synchronously; each call is posted to
// the main thread, which answers it from the real database (blocks read on
// demand through the bounded cache, decoded and reduced in WASM) while the
// worker sleeps in Atomics.wait, then reads the answer with
// receiveMessageOnPort. So a whole-range reduction such as
// sum(count_over_time(x[10d])) moves one window record per series between
// threads, never the samples, and what the worker holds is what its engine
// counts against the memory budget. The main thread serves one call per
// event-loop turn, so health checks and ingestion interleave with a query.
//
// The engine reads a selector's series one after the other with the same
// range (each one's samples, or each one's window reductions), and a round
// trip through the main thread's event loop costs far more than decoding one
// short series. So an answer to `samples` or `reduceWindows` also carries
// the same read of the next series of that selection, as many as fit in
// AHEAD_BYTES and AHEAD_MS of the main thread's time; the worker keeps them
// until asked, and drops them at the first read they do not answer, so what
// it holds ahead stays bounded by AHEAD_BYTES.

import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { Matcher, type MatchType } from '../model/matcher.js';
import type { Labels } from '../model/labels.js';
import type { Querier, Queryable, SampleBatch, SelectHints, Series, WindowReduction } from '../storage/interfaces.js';

type WireMatcher = [MatchType, string, string];

/** A call from the worker; `id` pairs it with its answer. */
export type StorageCall = { id: number } & (
  | { op: 'querier'; mint: number; maxt: number }
  | { op: 'select'; q: number; matchers: WireMatcher[]; hints?: SelectHints }
  | { op: 'labelNames'; q: number; matchers?: WireMatcher[] }
  | { op: 'labelValues'; q: number; name: string; matchers?: WireMatcher[] }
  | { op: 'closeQuerier'; q: number }
  | { op: 'samples'; s: number; mint: number; maxt: number; skipStale: boolean; ahead?: boolean }
  | { op: 'hasStartTimestamps' | 'hasHistograms'; s: number; mint: number; maxt: number }
  | { op: 'reduce'; s: number; mint: number; maxt: number }
  | { op: 'reduceWindows'; s: number; firstMin: number; firstMax: number; step: number; steps: number; ahead?: boolean }
  /** A call the server's `extra` answers (worker-blocks.ts: the head copied for a worker reading blocks itself). */
  | { op: 'extra'; name: string; args: unknown[] }
);

/** Answers `extra` calls; buffers the answer hands over go in `transfer`. */
export type ExtraCalls = (name: string, args: unknown[], transfer: Set<ArrayBuffer>) => unknown;

/** A selected series as the worker first sees it: whether the cheap questions about it can be answered without asking again. */
interface WireSeries {
  s: number;
  labels: Labels;
  /** Whether any sample in the querier's range has a start timestamp / is a histogram. */
  starts: boolean;
  histograms: boolean;
}

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** The same read of the series after the one asked for, in order (see AHEAD_BYTES). */
type Ahead = unknown[];

export type StorageAnswer = { id: number } & ({ value: unknown; ahead?: Ahead } | { error: { message: string; name: string } });

/** At most this many bytes of samples or reductions read ahead in one answer. */
export const AHEAD_BYTES = 4 << 20;
/** Reading ahead stops once one answer has taken this much of the main thread's time (ms). */
export const AHEAD_MS = 4;

/** The shared word the main thread bumps after posting each answer. */
export function newStorageSignal(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4));
}

export const toWire = (ms?: readonly Matcher[]): WireMatcher[] | undefined => ms?.map((m) => [m.type, m.name, m.value]);
export const fromWire = (ms?: WireMatcher[]): Matcher[] | undefined => ms?.map(([t, n, v]) => new Matcher(t, n, v));

/** A typed array the answer may hand over: its own whole buffer (a view into WASM memory or a shared buffer is copied first). */
function own<T extends Float64Array>(a: T, transfer: Set<ArrayBuffer>): T {
  const whole = a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && a.buffer instanceof ArrayBuffer && !transfer.has(a.buffer);
  const out = whole ? a : (a.slice() as T);
  transfer.add(out.buffer as ArrayBuffer);
  return out;
}

/**
 * The main thread's side for one query: answers calls from `source`, keeping
 * the queriers and series the worker opened until end() closes them.
 */
export class StorageServer {
  private readonly queriers = new Map<number, Querier>();
  private readonly series: Series[] = [];
  /** For each selected series, the index just past the last series of its selection (where reading ahead stops). */
  private readonly selectionEnd: number[] = [];
  private readonly ranges: { mint: number; maxt: number }[] = [];
  private nextQuerier = 0;
  private ended = false;

  constructor(private readonly source: Queryable, private readonly extra?: ExtraCalls) {}

  /** Answers one call; the answer's buffers go in `transfer`. */
  answer(call: StorageCall, transfer: Set<ArrayBuffer>): StorageAnswer {
    try {
      if (this.ended) throw new Error('storage read after the query ended');
      const value = this.run(call, transfer);
      const ahead = this.readAhead(call, transfer, value);
      return ahead.length ? { id: call.id, value, ahead } : { id: call.id, value };
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      return { id: call.id, error: { message: err.message, name: err.name } };
    }
  }

  /** The same read of the series following the asked one in its selection, bounded in bytes and time. */
  private readAhead(call: StorageCall, transfer: Set<ArrayBuffer>, first: unknown): Ahead {
    if ((call.op !== 'samples' && call.op !== 'reduceWindows') || !call.ahead) return [];
    const began = performance.now();
    const end = this.selectionEnd[call.s] ?? 0;
    const ahead: Ahead = [];
    let bytes = answerBytes(first);
    for (let s = call.s + 1; s < end && bytes < AHEAD_BYTES && performance.now() - began < AHEAD_MS; s++) {
      let value: unknown;
      try {
        value = this.run({ ...call, s }, transfer);
      } catch {
        // The worker asks for it itself, and sees the error then.
        break;
      }
      ahead.push(value);
      bytes += answerBytes(value);
    }
    return ahead;
  }

  private querier(q: number): Querier {
    const found = this.queriers.get(q);
    if (!found) throw new Error(`no open querier ${q}`);
    return found;
  }

  private one(s: number): Series {
    const found = this.series[s];
    if (!found) throw new Error(`no selected series ${s}`);
    return found;
  }

  private run(call: StorageCall, transfer: Set<ArrayBuffer>): unknown {
    switch (call.op) {
      case 'querier': {
        const q = this.nextQuerier++;
        this.queriers.set(q, this.source.querier(call.mint, call.maxt));
        this.ranges[q] = { mint: call.mint, maxt: call.maxt };
        return q;
      }
      case 'select': {
        const { mint, maxt } = this.ranges[call.q]!;
        const out: WireSeries[] = [];
        const first = this.series.length;
        for (const series of this.querier(call.q).select(fromWire(call.matchers)!, call.hints)) {
          out.push({
            s: this.series.push(series) - 1,
            labels: series.labels,
            starts: series.hasStartTimestamps?.(mint, maxt) ?? false,
            histograms: series.hasHistograms?.(mint, maxt) ?? false,
          });
        }
        this.selectionEnd.length = this.series.length;
        this.selectionEnd.fill(this.series.length, first);
        return out;
      }
      case 'labelNames': return this.querier(call.q).labelNames(fromWire(call.matchers));
      case 'labelValues': return this.querier(call.q).labelValues(call.name, fromWire(call.matchers));
      case 'closeQuerier': {
        this.queriers.get(call.q)?.close();
        this.queriers.delete(call.q);
        return null;
      }
      case 'samples': {
        const b = this.one(call.s).samples(call.mint, call.maxt, { skipStale: call.skipStale });
        const out: SampleBatch = { timestamps: own(b.timestamps, transfer), values: own(b.values, transfer) };
        if (b.startTimestamps) out.startTimestamps = own(b.startTimestamps, transfer);
        if (b.histograms) {
          const hs = b.histograms.histograms;
          // Structured cloning quiets a NaN held in an object; a stale histogram's sum must keep its bits.
          const sums = new Float64Array(hs.length);
          for (let i = 0; i < hs.length; i++) sums[i] = hs[i]!.sum;
          transfer.add(sums.buffer);
          out.histograms = { timestamps: own(b.histograms.timestamps, transfer), histograms: hs };
          if (b.histograms.startTimestamps) out.histograms.startTimestamps = own(b.histograms.startTimestamps, transfer);
          return { batch: out, sums };
        }
        return { batch: out };
      }
      case 'hasStartTimestamps': return this.one(call.s).hasStartTimestamps?.(call.mint, call.maxt) ?? false;
      case 'hasHistograms': return this.one(call.s).hasHistograms?.(call.mint, call.maxt) ?? false;
      case 'reduce': return this.one(call.s).reduce(call.mint, call.maxt);
      case 'reduceWindows': return own(this.one(call.s).reduceWindows(call.firstMin, call.firstMax, call.step, call.steps), transfer);
      case 'extra': {
        if (!this.extra) throw new Error(`no storage call ${call.name}`);
        return this.extra(call.name, call.args, transfer);
      }
    }
  }

  /** Closes what the query left open; later calls are refused. */
  end(): void {
    this.ended = true;
    for (const q of this.queriers.values()) q.close();
    this.queriers.clear();
    this.series.length = 0;
    this.selectionEnd.length = 0;
  }
}

/** What an answer to `samples` or `reduceWindows` holds, roughly, in bytes. */
function answerBytes(value: unknown): number {
  if (value instanceof Float64Array) return value.byteLength;
  const { batch } = value as { batch: SampleBatch };
  const h = batch.histograms;
  // A histogram's buckets are not counted exactly: a few hundred bytes each is their usual size.
  return batch.timestamps.byteLength * (batch.startTimestamps ? 3 : 2) + (h ? h.timestamps.length * 512 : 0);
}

/**
 * Serves calls arriving on `port` with whichever StorageServer `current()`
 * returns (the query the worker is running), waking the worker after each.
 */
export function serveStoragePort(port: MessagePort, signal: Int32Array, current: () => StorageServer | null): void {
  port.on('message', (call: StorageCall) => {
    const transfer = new Set<ArrayBuffer>();
    const server = current();
    const answer: StorageAnswer = server
      ? server.answer(call, transfer)
      : { id: call.id, error: { message: 'storage read outside a query', name: 'Error' } };
    port.postMessage(answer, [...transfer]);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  });
  port.unref();
}

/** The worker's side: a Queryable whose every call is answered by the main thread. */
export class RemoteStorage implements Queryable {
  private nextId = 0;
  /**
   * Answers read ahead (see AHEAD_BYTES), by the call they answer, one map
   * per kind of read: a range function reads a series' samples between two
   * of its window reductions when a reduction cannot answer a step.
   */
  private readonly ahead = { samples: new Map<string, unknown>(), reduceWindows: new Map<string, unknown>() };

  /** Whether reading ahead has paid for this kind of read in this selection: it stops after the first answers wasted. */
  private readonly aheadPays = { samples: true, reduceWindows: true };

  private forgetAhead(): void {
    this.ahead.samples.clear();
    this.ahead.reduceWindows.clear();
    this.aheadPays.samples = this.aheadPays.reduceWindows = true;
  }

  constructor(private readonly port: MessagePort, private readonly signal: Int32Array) {}

  /** A read of one series that may have been answered ahead, with the following series' same reads kept for later. */
  read<T>(call: Extract<WithoutId<StorageCall>, { op: 'samples' | 'reduceWindows' }>): T {
    const kept = this.ahead[call.op];
    const key = aheadKey(call);
    if (kept.has(key)) {
      const value = kept.get(key);
      kept.delete(key);
      return value as T;
    }
    // Not the read expected next: what was read ahead of this kind is not going to be asked for,
    // and reading ahead again (the series out of order) would waste the main thread's time.
    if (kept.size) this.aheadPays[call.op] = false;
    kept.clear();
    const { value, ahead } = this.call<{ value: T; ahead?: Ahead }>({ ...call, ahead: this.aheadPays[call.op] }, true, true);
    ahead?.forEach((v, i) => kept.set(aheadKey({ ...call, s: call.s + 1 + i }), v));
    return value;
  }

  call<T>(call: WithoutId<StorageCall>, answers = true, whole = false): T {
    const id = this.nextId++;
    let seen = Atomics.load(this.signal, 0);
    this.port.postMessage({ ...call, id });
    if (!answers) return undefined as T;
    for (;;) {
      const got = receiveMessageOnPort(this.port);
      if (got) {
        const a = got.message as StorageAnswer;
        if (a.id !== id) continue;
        if ('error' in a) {
          const e = new Error(a.error.message);
          e.name = a.error.name;
          throw e;
        }
        return (whole ? a : a.value) as T;
      }
      Atomics.wait(this.signal, 0, seen);
      seen = Atomics.load(this.signal, 0);
    }
  }

  querier(mint: number, maxt: number): Querier {
    // Series numbers start again with each query: nothing read ahead of another query may answer this one.
    this.forgetAhead();
    const q = this.call<number>({ op: 'querier', mint, maxt });
    let closed = false;
    return {
      select: (matchers, hints) => {
        // A new selection: nothing read ahead of the previous one is wanted now.
        this.forgetAhead();
        return this.call<WireSeries[]>({ op: 'select', q, matchers: toWire(matchers)!, hints: hints && { ...hints } }).map((w) => new RemoteSeries(this, w));
      },
      labelNames: (matchers) => this.call<string[]>({ op: 'labelNames', q, matchers: toWire(matchers) }),
      labelValues: (name, matchers) => this.call<string[]>({ op: 'labelValues', q, name, matchers: toWire(matchers) }),
      close: () => {
        if (closed) return;
        closed = true;
        // Nothing to wait for: the main thread also closes every querier when the query ends.
        this.call({ op: 'closeQuerier', q }, false);
      },
    };
  }
}

function aheadKey(call: Extract<WithoutId<StorageCall>, { op: 'samples' | 'reduceWindows' }>): string {
  return call.op === 'samples'
    ? `s ${call.s} ${call.mint} ${call.maxt} ${call.skipStale}`
    : `w ${call.s} ${call.firstMin} ${call.firstMax} ${call.step} ${call.steps}`;
}

class RemoteSeries implements Series {
  readonly labels: Labels;

  constructor(private readonly storage: RemoteStorage, private readonly w: WireSeries) {
    this.labels = w.labels;
  }

  samples(mint: number, maxt: number, opts?: { skipStale?: boolean }): SampleBatch {
    const { batch, sums } = this.storage.read<{ batch: SampleBatch; sums?: Float64Array }>({ op: 'samples', s: this.w.s, mint, maxt, skipStale: opts?.skipStale ?? false });
    if (sums && batch.histograms) batch.histograms.histograms.forEach((h, i) => (h.sum = sums[i]!));
    return batch;
  }

  hasStartTimestamps(mint: number, maxt: number): boolean {
    return this.w.starts && this.storage.call<boolean>({ op: 'hasStartTimestamps', s: this.w.s, mint, maxt });
  }

  hasHistograms(mint: number, maxt: number): boolean {
    return this.w.histograms && this.storage.call<boolean>({ op: 'hasHistograms', s: this.w.s, mint, maxt });
  }

  reduce(mint: number, maxt: number): WindowReduction {
    return this.storage.call({ op: 'reduce', s: this.w.s, mint, maxt });
  }

  reduceWindows(firstMin: number, firstMax: number, step: number, steps: number): Float64Array {
    return this.storage.read({ op: 'reduceWindows', s: this.w.s, firstMin, firstMax, step, steps });
  }
}
