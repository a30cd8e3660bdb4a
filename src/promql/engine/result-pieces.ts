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
  /** Each series' label set as JSON text: the `metric` of its element. */
  metrics: string[];
  /** Each series' float points, matrixJSON's `values` array without brackets ('' for none). */
  values: string[];
  /** Each series' histogram points, likewise ('' for none). */
  histograms: string[];
}

/** The sorted matrix's elements in pieces; the text together is held to the memory budget as matrixJSON's is. */
export function matrixPieces(m: readonly Series[], maxBytes = Infinity): MatrixPieces {
  const out: MatrixPieces = { labels: [], metrics: [], values: [], histograms: [] };
  const prefixes = new StepPrefixes();
  let used = 0;
  const inner = (write: (b: JsonBytes) => void): string => {
    const b = new JsonBytes(maxBytes - used);
    write(b);
    used += b.pos;
    const s = b.finish();
    return s.slice(1, -1);
  };
  for (const s of m) {
    out.labels.push(s.metric);
    out.metrics.push(JSON.stringify(labelsToRecord(s.metric)));
    const cols = columnsOf(s);
    out.values.push(cols ? inner((b) => columnValues(b, cols, prefixes.of(cols))) : s.floats.length > 0 ? inner((b) => pointValues(b, s.floats)) : '');
    const hs = s.histograms;
    out.histograms.push(hs?.length ? hs.map((p) => histogramPairJSON(p.t, p.h)).join(',') : '');
  }
  return out;
}
