// A query's vector or matrix written as the API's JSON text straight from the
// evaluation's series: a columnar series' step columns, other series' point
// arrays. The text is byte for byte JSON.stringify of what engine.ts's
// shape() builds (test/promql/engine/result-json.test.ts holds them
// together), without its [t, "value"] array per point: for a dashboard's
// matrix those arrays, their strings and stringifying them again were a
// good part of a query worker's time and garbage.

import { labelsToRecord } from '../../model/labels.js';
import type { Series } from './value.js';
import { type StepColumns, columnsOf } from './columnar.js';
import { histogramJSON } from './histogram-json.js';
import type { FloatHistogram } from '../../model/histogram.js';
import { jsonFloat } from './engine.js';

// ".001" … ".999" with trailing zeros dropped, "" for whole seconds.
const FRACTIONS: string[] = Array.from({ length: 1000 }, (_, ms) => (ms === 0 ? '' : `.${String(ms).padStart(3, '0')}`.replace(/0+$/, '')));

// Below this many ms, t / 1000 is within 10^12 and has at most 15 significant
// digits: that decimal is the double's shortest round-trip form, and
// neighbours 0.001 apart are distinct doubles (ulp ≤ 2^-13), so
// Number::toString writes exactly the whole seconds, a point and the ms.
const EXACT_MS = 1e15;

/** t / 1000 as JSON.stringify writes it, for the timestamp of a sample at t ms. */
export function secondsJSON(t: number): string {
  if (Number.isInteger(t) && t < EXACT_MS && t > -EXACT_MS) {
    if (t >= 0) {
      const s = Math.floor(t / 1000);
      return `${s}${FRACTIONS[t - s * 1000]}`;
    }
    const a = -t, s = Math.floor(a / 1000);
    return `-${s}${FRACTIONS[a - s * 1000]}`;
  }
  return JSON.stringify(t / 1000);
}

const metricJSON = (s: Series) => JSON.stringify(labelsToRecord(s.metric));

const histogramPairJSON = (t: number, h: FloatHistogram) => `[${secondsJSON(t)},${JSON.stringify(histogramJSON(h))}]`;

/**
 * Each step's `[t,"` text for one step grid. A matrix's series share their
 * grid, so the timestamps are written once per query, not once per point.
 */
class StepPrefixes {
  private start = NaN;
  private interval = NaN;
  private texts: string[] = [];

  of(c: StepColumns): string[] {
    const n = c.values.length;
    if (c.start !== this.start || c.interval !== this.interval || this.texts.length !== n) {
      this.start = c.start;
      this.interval = c.interval;
      this.texts = new Array<string>(n);
      for (let k = 0; k < n; k++) this.texts[k] = `[${secondsJSON(c.start + k * c.interval)},"`;
    }
    return this.texts;
  }
}

/** A columnar series' present steps as a `values` array's text. */
function columnValuesJSON(c: StepColumns, prefixes: string[]): string {
  const { values, present } = c;
  let out = '[';
  let first = true;
  // Gauges repeat a value over many steps: the same number has the same text.
  let last = NaN, lastText = '';
  for (let k = 0; k < present.length; k++) {
    if (present[k] !== 1) continue;
    const v = values[k]!;
    // 0 and -0 are equal but written differently; NaN equals nothing.
    if (v !== last || v === 0) {
      last = v;
      lastText = jsonFloat(v);
    }
    out += first ? `${prefixes[k]}${lastText}"]` : `,${prefixes[k]}${lastText}"]`;
    first = false;
  }
  return out + ']';
}

/** Float points' `values` array text. */
function pointValuesJSON(points: readonly { t: number; f: number }[]): string {
  let out = '[';
  let last = NaN, lastText = '';
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if (p.f !== last || p.f === 0) {
      last = p.f;
      lastText = jsonFloat(p.f);
    }
    out += `${i === 0 ? '' : ','}[${secondsJSON(p.t)},"${lastText}"]`;
  }
  return out + ']';
}

/** The API's matrix (sorted as the caller wants it) as JSON text: engine.ts's matrix shape, stringified. */
export function matrixJSON(m: readonly Series[]): string {
  const prefixes = new StepPrefixes();
  let out = '[';
  for (let i = 0; i < m.length; i++) {
    const s = m[i]!;
    out += `${i === 0 ? '' : ','}{"metric":${metricJSON(s)}`;
    const cols = columnsOf(s);
    if (cols) out += `,"values":${columnValuesJSON(cols, prefixes.of(cols))}`;
    else if (s.floats.length > 0 || !s.histograms?.length) out += `,"values":${pointValuesJSON(s.floats)}`;
    const hs = s.histograms;
    if (hs?.length) {
      out += ',"histograms":[';
      for (let j = 0; j < hs.length; j++) out += `${j === 0 ? '' : ','}${histogramPairJSON(hs[j]!.t, hs[j]!.h)}`;
      out += ']';
    }
    out += '}';
  }
  return out + ']';
}

/** The API's instant vector at t as JSON text: engine.ts's vector shape, stringified. */
export function vectorJSON(m: readonly Series[], t: number): string {
  const ts = secondsJSON(t);
  let out = '[';
  for (let i = 0; i < m.length; i++) {
    const s = m[i]!;
    out += `${i === 0 ? '' : ','}{"metric":${metricJSON(s)}`;
    const h = s.histograms?.[0];
    if (h && s.floats.length === 0) out += `,"histogram":[${ts},${JSON.stringify(histogramJSON(h.h))}]}`;
    else out += `,"value":[${ts},"${jsonFloat(s.floats[0]!.f)}"]}`;
  }
  return out + ']';
}
