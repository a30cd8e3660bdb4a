// Shapes of /api/v1/query and /api/v1/query_range answers, and how series are named.

import { formatLabels, labelsFrom } from '../../model/labels.js';
import type { HistogramPair } from '../../model/histogram-api.js';

export type Pair = [number, string];
export type { HistogramPair } from '../../model/histogram-api.js';
/** A vector element has value or histogram; a matrix series values, histograms or both (native histograms). */
export type VectorSample = { metric: Record<string, string>; value?: Pair; histogram?: HistogramPair };
export type MatrixSeries = { metric: Record<string, string>; values?: Pair[]; histograms?: HistogramPair[] };
export type Data =
  | { resultType: 'vector'; result: VectorSample[] }
  | { resultType: 'matrix'; result: MatrixSeries[] }
  | { resultType: 'scalar' | 'string'; result: Pair };

export interface ApiAnswer {
  status: 'success' | 'error';
  data?: Data;
  error?: string;
  errorType?: string;
  warnings?: string[];
  infos?: string[];
}

/** A series as Prometheus's UI names it: name{a="b", c="d"}, a bare name when it has no other labels. */
export function seriesName(metric: Record<string, string>): string {
  const s = formatLabels(labelsFrom(metric));
  return metric.__name__ && s.endsWith('{}') ? s.slice(0, -2) : s;
}

export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.000Z$/, 'Z');
}
