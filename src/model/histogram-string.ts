// A histogram as Prometheus's FloatHistogram.String writes it (count_values
// uses it as a label value): `{count:4, sum:5, [-2,-1):1, [-0.001,0.001]:1, (1,2]:2}`.
// One implementation with TestExpression in histogram-format.ts (Go's %g
// for every number, as String() prints them).

export { histogramString } from './histogram-format.js';
