// A query's vector or matrix written as the API's JSON text straight from the
// evaluation's series: a columnar series' step columns, other series' point
// arrays. The text is byte for byte JSON.stringify of what engine.ts's
// shape() builds (test/promql/engine/result-json.test.ts holds them
// together), without its [t, "value"] array per point: for a dashboard's
// matrix those arrays, their strings and stringifying them again were a
// good part of a query worker's time and garbage. The text is built as bytes
// (json-bytes.ts); the values' texts come as bytes from the WebAssembly core
// (src/wasm/float-text.ts), a columnar series' whole values array at once.

import { labelsToRecord } from '../../model/labels.js';
import type { Series } from './value.js';
import { type StepColumns, columnsOf } from './columnar.js';
import { histogramJSON } from './histogram-json.js';
import type { FloatHistogram } from '../../model/histogram.js';
import { columnTexts, floatSlots, floatTexts, type FloatTexts, type StepPrefixTable } from '../../wasm/float-text.js';
import { JsonBytes } from './json-bytes.js';
import { secondsJSON, stepPrefixTable } from './step-prefixes.js';

export { secondsJSON };

const Q = 34, COMMA = 44, OPEN = 91, CLOSE = 93, BRACE_CLOSE = 125; // " , [ ] }

export const histogramPairJSON = (t: number, h: FloatHistogram) => `[${secondsJSON(t)},${JSON.stringify(histogramJSON(h))}]`;

/**
 * Each step's `[t,"` as bytes for one step grid. A matrix's series share
 * their grid, so the timestamps are written once per query, not once per point.
 */
export class StepPrefixes {
  private start = NaN;
  private interval = NaN;
  private n = -1;
  private table: StepPrefixTable = { bytes: new Uint8Array(0), offsets: new Uint32Array(1) };

  of(c: StepColumns): StepPrefixTable {
    const n = c.values.length;
    if (c.start !== this.start || c.interval !== this.interval || this.n !== n) {
      this.start = c.start;
      this.interval = c.interval;
      this.n = n;
      this.table = stepPrefixTable(c.start, c.interval, n);
    }
    return this.table;
  }
}

function metric(out: JsonBytes, s: Series, first: boolean): void {
  out.ascii(first ? '{"metric":' : ',{"metric":');
  out.text(JSON.stringify(labelsToRecord(s.metric)));
}

// Points and vector elements are converted this many at a time, so the core's scratch space stays small.
const TEXT_BATCH = 4096;

/** A columnar series' present steps as a `values` array. */
export function columnValues(out: JsonBytes, c: StepColumns, prefixes: StepPrefixTable): void {
  if (c.present.length > COLUMN_STEPS_MAX) return batchedColumnValues(out, c, prefixes);
  const t = columnTexts(c.values, c.present, prefixes);
  out.byte(OPEN);
  out.copy(t.bytes, t.from, t.to);
  out.byte(CLOSE);
}

// Longer columns (a fine subquery's, returned by an instant query) are written TEXT_BATCH values at a
// time: written whole, the core's scratch would grow with the column, and WebAssembly memory never
// shrinks, so each query worker would keep the largest answer's size.
const COLUMN_STEPS_MAX = 16_384;
const batchSteps = new Int32Array(TEXT_BATCH);

/** columnValues' bytes for a long column, converted a batch of present steps at a time. */
function batchedColumnValues(out: JsonBytes, c: StepColumns, prefixes: StepPrefixTable): void {
  const { values, present } = c;
  const steps = present.length;
  out.byte(OPEN);
  let first = true;
  for (let k = 0; k < steps; ) {
    const slots = floatSlots(TEXT_BATCH);
    let m = 0;
    for (; k < steps && m < TEXT_BATCH; k++) {
      if (present[k] === 0) continue;
      batchSteps[m] = k;
      slots[m++] = values[k]!;
    }
    if (m === 0) break;
    const texts = floatTexts(m);
    let at = texts.from;
    for (let j = 0; j < m; j++) {
      const s = batchSteps[j]!;
      if (!first) out.byte(COMMA);
      first = false;
      out.copy(prefixes.bytes, prefixes.offsets[s]!, prefixes.offsets[s + 1]!);
      const to = texts.from + texts.ends[j]!;
      out.copy(texts.bytes, at, to);
      at = to;
      out.byte(Q);
      out.byte(CLOSE);
    }
  }
  out.byte(CLOSE);
}

/** Float points as a `values` array. */
export function pointValues(out: JsonBytes, points: readonly { t: number; f: number }[]): void {
  out.byte(OPEN);
  let texts: FloatTexts | null = null;
  let batchEnd = 0, at = 0, base = 0;
  for (let i = 0; i < points.length; i++) {
    if (i === batchEnd) {
      const m = Math.min(TEXT_BATCH, points.length - i);
      const slots = floatSlots(m);
      for (let j = 0; j < m; j++) slots[j] = points[i + j]!.f;
      texts = floatTexts(m);
      at = texts.from;
      base = i;
      batchEnd = i + m;
    }
    const tTo = texts!.from + texts!.ends[i - base]!;
    if (i > 0) out.byte(COMMA);
    out.byte(OPEN);
    out.ascii(secondsJSON(points[i]!.t));
    out.ascii(',"');
    out.copy(texts!.bytes, at, tTo);
    at = tTo;
    out.byte(Q);
    out.byte(CLOSE);
  }
  out.byte(CLOSE);
}

/** The API's matrix (sorted as the caller wants it) as JSON text: engine.ts's matrix shape, stringified. */
export function matrixJSON(m: readonly Series[], maxBytes = Infinity): string {
  return writeMatrix(m, maxBytes).finish();
}

/** matrixJSON's text as UTF-8 bytes. */
export function matrixJSONBytes(m: readonly Series[], maxBytes = Infinity): Uint8Array {
  return writeMatrix(m, maxBytes).finishBytes();
}

function writeMatrix(m: readonly Series[], maxBytes: number): JsonBytes {
  const out = new JsonBytes(maxBytes);
  const prefixes = new StepPrefixes();
  out.byte(OPEN);
  for (let i = 0; i < m.length; i++) {
    const s = m[i]!;
    metric(out, s, i === 0);
    const cols = columnsOf(s);
    if (cols) {
      out.ascii(',"values":');
      columnValues(out, cols, prefixes.of(cols));
    } else if (s.floats.length > 0 || !s.histograms?.length) {
      out.ascii(',"values":');
      pointValues(out, s.floats);
    }
    const hs = s.histograms;
    if (hs?.length) {
      out.ascii(',"histograms":[');
      for (let j = 0; j < hs.length; j++) {
        if (j > 0) out.byte(COMMA);
        out.text(histogramPairJSON(hs[j]!.t, hs[j]!.h));
      }
      out.byte(CLOSE);
    }
    out.byte(BRACE_CLOSE);
  }
  out.byte(CLOSE);
  return out;
}

/** The API's instant vector at t as JSON text: engine.ts's vector shape, stringified. */
export function vectorJSON(m: readonly Series[], t: number, maxBytes = Infinity): string {
  return writeVector(m, t, maxBytes).finish();
}

/** vectorJSON's text as UTF-8 bytes. */
export function vectorJSONBytes(m: readonly Series[], t: number, maxBytes = Infinity): Uint8Array {
  return writeVector(m, t, maxBytes).finishBytes();
}

function writeVector(m: readonly Series[], t: number, maxBytes: number): JsonBytes {
  const ts = secondsJSON(t);
  const out = new JsonBytes(maxBytes);
  out.byte(OPEN);
  let texts: FloatTexts | null = null;
  let batchEnd = 0, at = 0, base = 0;
  for (let i = 0; i < m.length; i++) {
    if (i === batchEnd) {
      const n = Math.min(TEXT_BATCH, m.length - i);
      const slots = floatSlots(n);
      for (let j = 0; j < n; j++) {
        const s = m[i + j]!;
        slots[j] = s.histograms?.length && s.floats.length === 0 ? 0 : s.floats[0]!.f;
      }
      texts = floatTexts(n);
      at = texts.from;
      base = i;
      batchEnd = i + n;
    }
    const tTo = texts!.from + texts!.ends[i - base]!;
    const s = m[i]!;
    metric(out, s, i === 0);
    const h = s.histograms?.[0];
    if (h && s.floats.length === 0) out.text(`,"histogram":[${ts},${JSON.stringify(histogramJSON(h.h))}]}`);
    else {
      out.ascii(`,"value":[${ts},"`);
      out.copy(texts!.bytes, at, tTo);
      out.ascii('"]}');
    }
    at = tTo;
  }
  out.byte(CLOSE);
  return out;
}
