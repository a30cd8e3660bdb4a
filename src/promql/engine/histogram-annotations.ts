// The annotations Prometheus attaches to queries over native histograms
// (util/annotations), worded as upstream so scripts can match them.

import type { PositionRange } from '../parser/posrange.js';
import type { Annotations } from './annotations.js';

const q = (s: string) => JSON.stringify(s);
const forName = (name: string) => (name === '' ? '' : ` for metric name ${q(name)}`);

export type HistogramOperation = 'addition' | 'subtraction' | 'aggregation';

export const histogramAnnos = {
  mixedFloatsHistograms: (a: Annotations, name: string, pos: PositionRange) =>
    a.warn(`encountered a mix of histograms and floats for metric name ${q(name)}`, pos),
  mixedFloatsHistogramsAgg: (a: Annotations, pos: PositionRange) => a.warn('encountered a mix of histograms and floats for aggregation', pos),
  mixedClassicNative: (a: Annotations, name: string, pos: PositionRange) =>
    a.warn(`vector contains a mix of classic and native histograms${forName(name)}`, pos),
  notCounter: (a: Annotations, name: string, pos: PositionRange) => a.warn(`this native histogram metric is not a counter: ${q(name)}`, pos),
  notGauge: (a: Annotations, name: string, pos: PositionRange) => a.warn(`this native histogram metric is not a gauge: ${q(name)}`, pos),
  mixedExponentialCustom: (a: Annotations, name: string, pos: PositionRange) =>
    a.warn(`vector contains a mix of histograms with exponential and custom buckets schemas for metric name ${q(name)}`, pos),
  incompatibleTypesInBinOp: (a: Annotations, lhs: string, op: string, rhs: string, pos: PositionRange) =>
    a.info(`incompatible sample types encountered for binary operator ${q(op)}: ${lhs} ${op} ${rhs}`, pos),
  ignoredInAggregation: (a: Annotations, agg: string, pos: PositionRange) => a.info(`ignored histogram in ${agg} aggregation`, pos),
  ignoredInMixedRange: (a: Annotations, name: string, pos: PositionRange) =>
    a.info(`ignored histograms in a range containing both floats and histograms for metric name ${q(name)}`, pos),
  incompatibleBucketLayoutInBinOp: (a: Annotations, op: string, pos: PositionRange) =>
    a.warn(`incompatible bucket layout encountered for binary operator ${op}`, pos),
  quantileNaNResult: (a: Annotations, name: string, pos: PositionRange) =>
    a.info(`input to histogram_quantile has NaN observations, result is NaN${forName(name)}`, pos),
  quantileNaNSkew: (a: Annotations, name: string, pos: PositionRange) =>
    a.info(`input to histogram_quantile has NaN observations, result is skewed higher${forName(name)}`, pos),
  fractionNaNs: (a: Annotations, name: string, pos: PositionRange) =>
    a.info(`input to histogram_fraction has NaN observations, which are excluded from all fractions${forName(name)}`, pos),
  counterResetCollision: (a: Annotations, op: HistogramOperation, pos: PositionRange) =>
    a.warn(`conflicting counter resets during histogram ${op}`, pos),
  mismatchedCustomBuckets: (a: Annotations, op: HistogramOperation, pos: PositionRange) =>
    a.info(`mismatched custom buckets were reconciled during ${op}`, pos),
};
