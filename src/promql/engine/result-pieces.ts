// A range query's matrix as one piece per series, for a range query
// evaluated in parts over contiguous stretches of its steps: whoever joins
// the parts puts each series' pieces together in part order and writes the
// matrix as matrixJSON (result-json.ts) writes it for the whole range,
// without reading a number back. A series' values text and histograms text
// are matrixJSON's arrays without their brackets.

import type { Labels } from '../../model/labels.js';
import { labelsToRecord } from '../../model/labels.js';
import type { Series } from './value.js';
import { columnsOf } from './columnar.js';
import { JsonBytes } from './json-bytes.js';
import { StepPrefixes, columnValues, histogramPairJSON, pointValues } from './result-json.js';

export interface MatrixPieces {
  /** Each series' labels, in the result's order (sorted by labels). */
  labels: Labels[];
  /** Every piece's UTF-8 text; `at` says where each is. In an array of its own, for a query worker to transfer. */
  bytes: Uint8Array;
  /**
   * Six offsets into `bytes` per series: its label set's JSON text (the
   * `metric` of its element), its float points (matrixJSON's `values` array
   * without brackets), its histogram points (likewise); each from, to (an
   * empty range for none).
   */
  at: Uint32Array;
  /** Each series' label set text's length in UTF-16 code units (its bytes may be more). */
  metricUnits: Uint32Array;
}

/**
 * The sorted matrix's elements in pieces; the float points' text together
 * is held to the memory budget (maxBytes) as matrixJSON's is, and all the
 * text, label sets and histograms included, to wholeBytes: the whole
 * query's budget, past which the join would refuse the parts anyway (it
 * refuses a text of more than a third of the budget in UTF-16 units, and a
 * unit is at most three bytes).
 */
export function matrixPieces(m: readonly Series[], maxBytes = Infinity, wholeBytes = Infinity): MatrixPieces {
  const labels: Labels[] = [];
  const at = new Uint32Array(6 * m.length), metricUnits = new Uint32Array(m.length);
  const prefixes = new StepPrefixes();
  const b = new JsonBytes(maxBytes, wholeBytes);
  for (let i = 0; i < m.length; i++) {
    const s = m[i]!;
    labels.push(s.metric);
    const metric = JSON.stringify(labelsToRecord(s.metric));
    metricUnits[i] = metric.length;
    at[6 * i] = b.pos;
    b.uncounted(() => b.text(metric));
    at[6 * i + 1] = b.pos;
    const cols = columnsOf(s);
    const from = b.pos;
    if (cols) columnValues(b, cols, prefixes.of(cols));
    else if (s.floats.length > 0) pointValues(b, s.floats);
    // Without the brackets the writers put around the points.
    at[6 * i + 2] = b.pos > from ? from + 1 : from;
    at[6 * i + 3] = b.pos > from ? b.pos - 1 : from;
    const hs = s.histograms;
    at[6 * i + 4] = b.pos;
    if (hs?.length) {
      b.uncounted(() => {
        for (let j = 0; j < hs.length; j++) {
          if (j > 0) b.byte(0x2c);
          b.text(histogramPairJSON(hs[j]!.t, hs[j]!.h));
        }
      });
    }
    at[6 * i + 5] = b.pos;
  }
  return { labels, bytes: b.finishBytes(), at, metricUnits };
}
