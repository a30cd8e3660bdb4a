// A range query cut into contiguous stretches of its steps, evaluated on
// several query workers at once, and their answers joined into the answer
// the whole query gives, byte for byte. Range-query steps are independent of
// each other; what depends on the whole range (@ start()/end(), range(),
// start()/end()) is resolved by each part against the whole range
// (PartOptions.whole). What cannot be joined exactly is refused here, and
// the caller evaluates the query in one piece instead.

import { compareLabels, labelsKey, type Labels } from '../model/labels.js';
import type { QueryResult } from '../promql/engine/engine.js';
import type { MatrixPieces } from '../promql/engine/result-pieces.js';

export interface Part {
  start: number;
  end: number;
}

/**
 * The step grid start, start + step, … ≤ end cut into k contiguous parts of
 * nearly equal step counts; the last part ends at end itself, so it reads
 * and evaluates what the whole query does at its tail.
 */
export function cutSteps(start: number, end: number, step: number, k: number): Part[] {
  const n = Math.floor((end - start) / step) + 1;
  const parts: Part[] = [];
  let from = 0;
  for (let i = 0; i < k; i++) {
    const to = Math.floor(((i + 1) * n) / k);
    parts.push({ start: start + from * step, end: i === k - 1 ? end : start + (to - 1) * step });
    from = to;
  }
  return parts;
}

/** How many parts a range query is worth cutting into, given workers free to take them. */
export function partsFor(start: number, end: number, step: number, free: number, minSteps: number): number {
  // Steps are added up in floating point by the evaluator: only whole milliseconds land exactly on start + i * step.
  if (!(step > 0) || !Number.isSafeInteger(start) || !Number.isSafeInteger(end) || !Number.isSafeInteger(step)) return 1;
  const n = Math.floor((end - start) / step) + 1;
  // Each part evaluates at least two steps: a one-step range is evaluated as an instant query in places.
  return Math.max(1, Math.min(free, Math.floor(n / Math.max(2, minSteps))));
}

export interface PartAnswer {
  result: QueryResult;
  pieces: MatrixPieces;
  /** The most bytes the part counted against the memory budget at once. */
  peakBytes: number;
}

export interface JoinLimits {
  maxSamples: number;
  maxMemoryBytes: number;
}

interface Joined {
  labels: Labels;
  /** The label set's text: its first part's bytes. */
  metric: Uint8Array;
  /** Its UTF-16 length. */
  metricUnits: number;
  values: Uint8Array[];
  histograms: Uint8Array[];
}

const ascii = (s: string) => new TextEncoder().encode(s);
const OPEN = ascii('['), CLOSE = ascii(']'), COMMA = ascii(','), BRACE_CLOSE = ascii('}');
const FIRST_METRIC = ascii('{"metric":'), METRIC = ascii(',{"metric":');
const VALUES = ascii(',"values":['), HISTOGRAMS = ascii(',"histograms":[');

/**
 * The whole query's result and matrix text from its parts' answers (in step
 * order), or null where the parts cannot stand for the whole query:
 * - a limit: each part held fewer samples and bytes than the whole query
 *   would; the parts' peaks added up bound the whole query's peak (what a
 *   query holds at once is the sum over its steps and series of what they
 *   hold, each step and series evaluated by at least one part), so only a
 *   sum within the limits proves the whole query within them;
 * - warnings and infos that differ between parts, whose order in the whole
 *   query follows its evaluation order, not the steps';
 * - a series without points, or two series with one label set in a part,
 *   which the whole query's matrix may not hold as the join would.
 * The text is the parts' own bytes in order with the punctuation between
 * them, as a list of views: nothing is copied until the answer is sent.
 */
export function joinParts(parts: readonly PartAnswer[], limits: JoinLimits): { result: QueryResult; bytes: Uint8Array[]; length: number } | null {
  let peakSamples = 0, peakBytes = 0, total = 0;
  for (const p of parts) {
    peakSamples += p.result.stats.samples.peakSamples;
    total += p.result.stats.samples.totalQueryableSamples;
    peakBytes += p.peakBytes;
  }
  if (peakSamples > limits.maxSamples || peakBytes > limits.maxMemoryBytes) return null;
  const first = parts[0]!.result;
  for (const p of parts) {
    if (!sameList(p.result.warnings, first.warnings) || !sameList(p.result.infos, first.infos)) return null;
  }
  const byKey = new Map<string, Joined>();
  for (const { pieces } of parts) {
    const seen = new Set<string>();
    const { bytes, at } = pieces;
    for (let i = 0; i < pieces.labels.length; i++) {
      const o = 6 * i;
      const hasValues = at[o + 3]! > at[o + 2]!, hasHistograms = at[o + 5]! > at[o + 4]!;
      if (!hasValues && !hasHistograms) return null;
      const key = labelsKey(pieces.labels[i]!);
      if (seen.has(key)) return null;
      seen.add(key);
      let j = byKey.get(key);
      if (!j) byKey.set(key, (j = { labels: pieces.labels[i]!, metric: bytes.subarray(at[o]!, at[o + 1]!), metricUnits: pieces.metricUnits[i]!, values: [], histograms: [] }));
      if (hasValues) j.values.push(bytes.subarray(at[o + 2]!, at[o + 3]!));
      if (hasHistograms) j.histograms.push(bytes.subarray(at[o + 4]!, at[o + 5]!));
    }
  }
  // The order the whole query's matrix is sorted in (value.ts sortMatrix); label sets are distinct, so it is total.
  const all = [...byKey.values()].sort((a, b) => compareLabels(a.labels, b.labels));
  const out: Uint8Array[] = [OPEN];
  // The text's length in UTF-16 code units: only label sets' text may be other than ASCII.
  let units = 0;
  const push = (b: Uint8Array) => {
    out.push(b);
    units += b.length;
  };
  const list = (pieces: Uint8Array[]) => {
    for (let i = 0; i < pieces.length; i++) {
      if (i > 0) push(COMMA);
      push(pieces[i]!);
    }
  };
  for (let i = 0; i < all.length; i++) {
    const j = all[i]!;
    push(i > 0 ? METRIC : FIRST_METRIC);
    out.push(j.metric);
    units += j.metricUnits;
    if (j.values.length > 0 || j.histograms.length === 0) {
      push(VALUES);
      list(j.values);
      push(CLOSE);
    }
    if (j.histograms.length > 0) {
      push(HISTOGRAMS);
      list(j.histograms);
      push(CLOSE);
    }
    push(BRACE_CLOSE);
  }
  push(CLOSE);
  units += OPEN.length;
  // The whole query's text is held to the memory budget as it is written
  // (json-bytes.ts), reserving three bytes a UTF-16 unit for label text:
  // within a third of the budget it cannot have failed.
  if (3 * units > limits.maxMemoryBytes) return null;
  const timings = { parseSeconds: 0, prepareSeconds: 0, evalSeconds: 0, totalSeconds: 0 };
  for (const p of parts) {
    const t = p.result.stats.timings;
    timings.parseSeconds = Math.max(timings.parseSeconds, t.parseSeconds);
    timings.prepareSeconds = Math.max(timings.prepareSeconds, t.prepareSeconds);
    timings.evalSeconds = Math.max(timings.evalSeconds, t.evalSeconds);
    timings.totalSeconds = Math.max(timings.totalSeconds, t.totalSeconds);
  }
  const result: QueryResult = {
    resultType: 'matrix',
    result: [],
    warnings: first.warnings,
    infos: first.infos,
    // Callers that report stats keep a query in one piece (QueryOptions.stats): these are bounds, not its counts.
    stats: { timings, samples: { totalQueryableSamples: total, peakSamples } },
  };
  return { result, bytes: out, length: all.length };
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
