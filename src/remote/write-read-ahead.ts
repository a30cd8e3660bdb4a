// A remote-write 1.0 request inflated and read whole ahead of appending,
// into a few typed arrays (so a worker thread can do it and hand them over
// without copying): per series the ranges of its labels, exemplars and
// histograms in the inflated bytes, and all samples in one pair of arrays.
// ReplayReader then walks that as WriteRequestReader walks the bytes, so the
// receiver appends from either the same way. Labels, exemplars and histograms
// stay bytes until the receiver asks for them, as with the plain reader.

import { snappyDecode } from './snappy-decode.js';
import { ProtoDecodeError, WriteRequestReader } from './write-decoder.js';

/** Int32 fields per series in ReadAhead.series. */
const FIELDS = 9;
const LABELS_START = 0, LABELS_END = 1, SERIES_END = 2, RANGE_FIRST = 3, LABEL_COUNT = 4, EXEMPLAR_COUNT = 5, HISTOGRAM_COUNT = 6, SAMPLE_FIRST = 7, SAMPLE_COUNT = 8;

export interface ReadAhead {
  /** The inflated WriteRequest. */
  raw: Uint8Array;
  seriesCount: number;
  /** FIELDS int32s per series. */
  series: Int32Array;
  /** [start, end) pairs: each series' labels, then its exemplars, then its histograms. */
  ranges: Int32Array;
  ts: Float64Array;
  vs: Float64Array;
}

/** The answer to a request that cannot be read: the receiver's status and text. */
export interface ReadAheadFailure {
  status: 400;
  body: string;
}

/** Where the arrays come from: new ones, or a worker's recycled buffers. */
export type Alloc = (bytes: number) => ArrayBuffer;

const fresh: Alloc = (bytes) => new ArrayBuffer(bytes);

function grow<T extends Int32Array | Float64Array>(a: T, need: number, alloc: Alloc): T {
  if (need <= a.length) return a;
  let n = Math.max(a.length * 2, 64);
  while (n < need) n *= 2;
  const b = new (a.constructor as new (buf: ArrayBuffer, off: number, len: number) => T)(alloc(n * a.BYTES_PER_ELEMENT), 0, n);
  b.set(a);
  return b;
}

/** Exposes the reader's per-series ranges to readAhead (they are protected for everyone else). */
class RangeReader extends WriteRequestReader {
  copyRanges(out: Int32Array, at: number): number {
    for (let i = 0; i < 2 * this.labelCount; i++) out[at++] = this.labelRanges[i]!;
    for (const r of this.exemplarRanges) out[at++] = r;
    for (const r of this.histogramRanges) out[at++] = r;
    return at;
  }
  get labelCountNow(): number {
    return this.labelCount;
  }
  get seriesEndNow(): number {
    return this.seriesEnd;
  }
}

/**
 * Inflates a snappy-compressed WriteRequest (at most `limit` bytes) and reads
 * it whole; a request that cannot be read gets the receiver's 400 and the
 * same text the in-thread receiver gives.
 */
export function readAhead(body: Uint8Array, limit: number, alloc: Alloc = fresh): ReadAhead | ReadAheadFailure {
  let raw: Uint8Array;
  try {
    raw = snappyDecode(body, limit, new Uint8Array(alloc(Math.max(1, inflatedLength(body)))));
  } catch (e) {
    return { status: 400, body: `snappy decode error: ${(e as Error).message}\n` };
  }
  const r = new RangeReader(raw);
  let series = new Int32Array(alloc(64 * FIELDS * 4), 0, 64 * FIELDS);
  let ranges = new Int32Array(alloc(64 * 8 * 4), 0, 64 * 8);
  let ts = new Float64Array(alloc(4096 * 8), 0, 4096);
  let vs = new Float64Array(alloc(4096 * 8), 0, 4096);
  let n = 0, rangeAt = 0, sampleAt = 0;
  try {
    while (r.nextSeries()) {
      series = grow(series, (n + 1) * FIELDS, alloc);
      const rangeNeed = rangeAt + 2 * r.labelCountNow + 2 * r.exemplarCount + r.histogramRanges.length;
      ranges = grow(ranges, rangeNeed, alloc);
      const f = n * FIELDS;
      series[f + LABELS_START] = r.labelsStart;
      series[f + LABELS_END] = r.labelsEnd;
      series[f + SERIES_END] = r.seriesEndNow;
      series[f + RANGE_FIRST] = rangeAt;
      series[f + LABEL_COUNT] = r.labelCountNow;
      series[f + EXEMPLAR_COUNT] = r.exemplarCount;
      series[f + HISTOGRAM_COUNT] = r.histogramCount;
      series[f + SAMPLE_FIRST] = sampleAt;
      series[f + SAMPLE_COUNT] = r.sampleCount;
      rangeAt = r.copyRanges(ranges, rangeAt);
      ts = grow(ts, sampleAt + r.sampleCount, alloc);
      vs = grow(vs, sampleAt + r.sampleCount, alloc);
      ts.set(r.ts.subarray(0, r.sampleCount), sampleAt);
      vs.set(r.vs.subarray(0, r.sampleCount), sampleAt);
      sampleAt += r.sampleCount;
      n++;
    }
  } catch (e) {
    if (e instanceof ProtoDecodeError) return { status: 400, body: `protobuf decode error: ${e.message}\n` };
    throw e;
  }
  return { raw, seriesCount: n, series, ranges, ts, vs };
}

/** snappy's declared length (already checked against the limit by the receiver); 0 when unreadable. */
function inflatedLength(body: Uint8Array): number {
  let result = 0;
  for (let i = 0, shift = 0; i < body.length && i < 5; i++, shift += 7) {
    const b = body[i]!;
    result += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return result;
  }
  return 0;
}

/** Walks a ReadAhead series by series, with WriteRequestReader's interface. */
export class ReplayReader extends WriteRequestReader {
  private next = 0;

  constructor(private readonly ahead: ReadAhead) {
    super(ahead.raw);
  }

  override nextSeries(): boolean {
    const a = this.ahead;
    if (this.next >= a.seriesCount) return false;
    const f = this.next++ * FIELDS, s = a.series;
    this.labelsStart = s[f + LABELS_START]!;
    this.labelsEnd = s[f + LABELS_END]!;
    this.seriesEnd = this.pos = s[f + SERIES_END]!;
    const labels = s[f + LABEL_COUNT]!, exemplars = s[f + EXEMPLAR_COUNT]!, histograms = s[f + HISTOGRAM_COUNT]!;
    let at = s[f + RANGE_FIRST]!;
    if (this.labelRanges.length < 2 * labels) this.labelRanges = new Int32Array(2 * labels);
    this.labelRanges.set(a.ranges.subarray(at, at + 2 * labels));
    this.labelCount = labels;
    at += 2 * labels;
    this.exemplarRanges.length = 0;
    for (let i = 0; i < 2 * exemplars; i++) this.exemplarRanges.push(a.ranges[at++]!);
    this.histogramRanges.length = 0;
    for (let i = 0; i < 2 * histograms; i++) this.histogramRanges.push(a.ranges[at++]!);
    this.histogramCount = histograms;
    const first = s[f + SAMPLE_FIRST]!;
    this.sampleCount = s[f + SAMPLE_COUNT]!;
    this.ts = a.ts.subarray(first, first + this.sampleCount);
    this.vs = a.vs.subarray(first, first + this.sampleCount);
    return true;
  }
}

/** The ArrayBuffers a ReadAhead holds, to hand over or give back. */
export function readAheadBuffers(a: ReadAhead): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const v of [a.raw, a.series, a.ranges, a.ts, a.vs]) out.add(v.buffer as ArrayBuffer);
  return [...out];
}
