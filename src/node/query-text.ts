// `promlet query`'s text for one result element: a float value as the API
// wrote it, a native histogram on one line in Prometheus's bucket notation.

import { histogramText } from '../model/histogram-api.js';
import type { MatrixElement, VectorElement } from '../promql/engine/engine.js';

export const vectorElementText = (s: VectorElement): string => (s.histogram ? histogramText(s.histogram[1]) : s.value![1]);

/** A series' float and histogram points in time order, each as text (a series may switch between the two). */
export function matrixPointsText(s: MatrixElement): [number, string][] {
  const points: [number, string][] = [...(s.values ?? []), ...(s.histograms ?? []).map(([t, h]): [number, string] => [t, histogramText(h)])];
  return points.sort((a, b) => a[0] - b[0]);
}
