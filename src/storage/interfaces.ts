// The storage contract, modelled on Prometheus's storage.Queryable /
// Querier / SeriesSet and Appendable / Appender. The query engine, rules,
// scraping and the HTTP API depend on this file only, never on the head.

import type { Labels, LabelsInput } from '../model/labels.js';
import type { Matcher } from '../model/matcher.js';
import type { FloatHistogram } from '../model/histogram.js';

/** Times are integer milliseconds since the Unix epoch. */
export type Millis = number;

/** Hints a querier may use to do less work (Prometheus's SelectHints). */
export interface SelectHints {
  /** Start and end of the data the caller will read (inclusive). */
  start: Millis;
  end: Millis;
  /** Query step, for range queries. */
  step?: Millis;
  /** The function that will consume the series (e.g. "rate"), if any. */
  func?: string;
  /** Range of the function's range selector. */
  range?: Millis;
}

/** Arrays a caller keeps for reading series into, one after another (Series.floatsInto). */
export interface FloatBuffers {
  t: Float64Array;
  v: Float64Array;
}

/** Samples of one series in a time range, in time order. The arrays are the caller's own copies. */
export interface SampleBatch {
  timestamps: Float64Array;
  values: Float64Array;
  /**
   * Start (created) timestamps aligned with the samples, 0 where unknown;
   * present only when some sample in the range has one.
   */
  startTimestamps?: Float64Array;
  /**
   * Native histogram samples in the range, in time order, kept apart from
   * the float samples above (a series may switch between the two, as in
   * Prometheus). Absent when the range holds none. A stale marker is
   * always a float sample (StaleNaN) in timestamps/values.
   */
  histograms?: HistogramBatch;
}

/** Native histogram samples of one series; the objects are the caller's own. */
export interface HistogramBatch {
  timestamps: Float64Array;
  histograms: FloatHistogram[];
  /** Start timestamps aligned with the histograms, 0 where unknown; present only when one has one. */
  startTimestamps?: Float64Array;
}

/**
 * A reduction of one window of samples, computed while decoding (stale
 * markers skipped). Fields are those of src/wasm/layout.ts R_*.
 */
export interface WindowReduction {
  count: number;
  /** Kahan-Neumaier sum; the result is sum + sumCompensation. */
  sum: number;
  sumCompensation: number;
  min: number;
  max: number;
  firstT: Millis;
  firstV: number;
  lastT: Millis;
  lastV: number;
  /** The sample before the last (irate/idelta); NaN value when count < 2. */
  prevT: Millis;
  prevV: number;
  /** Sum of values just before each drop (counter-reset correction). */
  correction: number;
  resets: number;
  changes: number;
}

/** Slots of the records reduceWindows returns, part of this contract. */
export {
  R_COUNT, R_SUM, R_SUM_COMP, R_MIN, R_MAX, R_FIRST_T, R_FIRST_V, R_LAST_T, R_LAST_V, R_PREV_T, R_PREV_V,
  R_CORRECTION, R_RESETS, R_CHANGES, R_SIZE,
} from '../wasm/layout.js';

/** One selected series. Valid until its querier is closed. */
export interface Series {
  readonly labels: Labels;
  /** Samples with mint <= t <= maxt. Stale markers are included unless skipStale. */
  samples(mint: Millis, maxt: Millis, opts?: { skipStale?: boolean }): SampleBatch;
  /**
   * The float samples with mint <= t <= maxt, stale markers left out, as
   * samples(mint, maxt, { skipStale: true }) gives them, written into
   * `into` (its arrays replaced by longer ones when too short; what lies
   * past the count is left over). The count, or -1 when the series may hold
   * native histograms or start timestamps there (read samples() then).
   * For a caller reading many series one after another: nothing is
   * allocated per series once the arrays are long enough. With keepStale
   * the stale markers stay in, as samples(mint, maxt) gives them.
   */
  floatsInto?(mint: Millis, maxt: Millis, into: FloatBuffers, opts?: { keepStale?: boolean }): number;
  /** Whether a sample in [mint, maxt] carries a start timestamp (then reductions alone cannot answer rate). */
  hasStartTimestamps?(mint: Millis, maxt: Millis): boolean;
  /**
   * Whether a sample in [mint, maxt] is a native histogram. reduce and
   * reduceWindows cover float samples only, so callers that see true read
   * samples() instead. Absent means never.
   */
  hasHistograms?(mint: Millis, maxt: Millis): boolean;
  /** One reduction over [mint, maxt]. */
  reduce(mint: Millis, maxt: Millis): WindowReduction;
  /**
   * Reductions for `steps` windows [firstMin + k*step, firstMax + k*step],
   * as R_SIZE-slot records in one array (see src/wasm/layout.ts).
   */
  reduceWindows(firstMin: Millis, firstMax: Millis, step: Millis, steps: number): Float64Array;
}

/** Read access to a time range. Close it when done, so freed chunks can be reused. */
export interface Querier {
  /** Series matching all matchers, sorted by labels. */
  select(matchers: readonly Matcher[], hints?: SelectHints): Series[];
  /** Sorted label names, optionally only of series matching the matchers. */
  labelNames(matchers?: readonly Matcher[]): string[];
  /** Sorted values of a label, optionally only of series matching the matchers. */
  labelValues(name: string, matchers?: readonly Matcher[]): string[];
  close(): void;
}

/** What a query will read, named before it runs (see Queryable.prefetched). */
export interface StorageRead {
  matchers: readonly Matcher[];
  /** Samples with start <= t <= end. */
  start: Millis;
  end: Millis;
  /** Native histograms are read from here (before start: the sample a counter-reset hint needs). */
  histogramStart?: Millis;
}

export interface Queryable {
  querier(mint: Millis, maxt: Millis): Querier;
  /**
   * For storage that keeps data it cannot read synchronously (blocks in a
   * browser's IndexedDB): loads what `reads` name, runs `evaluate` (which
   * reads through queriers as usual) while it is held, then lets it go.
   * `reads` is called only when something must be loaded; null means "not
   * known" (evaluate runs as it is). Absent: everything is readable at once.
   */
  prefetched?<T>(reads: () => readonly StorageRead[] | null, evaluate: () => T): Promise<T>;
}

/** Reference to a series, returned by append and accepted in place of labels. */
export type SeriesRef = number;

/**
 * Batches samples; nothing is visible to queries until commit. Not safe to
 * use after commit or rollback.
 */
export interface Appender {
  /**
   * Adds a sample. Throws InvalidSampleError / InvalidLabelsError for input
   * that can never be stored, and OutOfOrderSampleError,
   * DuplicateSampleError or OutOfBoundsError for a sample the series
   * cannot take (Prometheus's storage errors). Returns the series ref.
   * startTimestamp is the sample's start (created) time, as OpenTelemetry
   * and Prometheus 3's start timestamps carry it; 0 or absent means unknown.
   */
  append(series: LabelsInput | SeriesRef, t: Millis, v: number, startTimestamp?: Millis): SeriesRef;
  /**
   * Optional batch form of append for one series by ref: samples
   * [from, to) of ts/vs, each accepted or refused exactly as append would
   * (refusals passed to onError with their index). Returns how many were
   * accepted. For receivers that get many samples per series at once.
   */
  /**
   * Adds a native histogram sample (Prometheus's AppendHistogram), with
   * the same refusals as append plus InvalidSampleError for a histogram
   * that fails validation. h.integer selects integer chunks. startTimestamp
   * as for append (0 = unknown). Optional until every storage implements it.
   */
  appendHistogram?(series: LabelsInput | SeriesRef, t: Millis, h: FloatHistogram, startTimestamp?: Millis): SeriesRef;
  appendRange?(ref: SeriesRef, ts: Float64Array, vs: Float64Array, from: number, to: number, onError: (i: number, e: unknown) => void): number;
  commit(): Promise<void>;
  rollback(): void;
}

export interface Appendable {
  appender(): Appender;
}
