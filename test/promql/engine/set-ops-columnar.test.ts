// `and`, `or` and `unless` over columns (src/promql/engine/set-ops-columnar.ts)
// against the step-by-step path and the instant query at single steps, over
// gaps, NaN, ±Inf, staleness and native histograms mixed in.

import { columnarDifferential } from '../../fixtures/columnar-data.js';

columnarDifferential('and, or and unless over columns', [
  'g and g > 0', 'g and on(grp) c_total', 'g and on(grp) rate(c_total[1m]) > 0.25', 'g or c_total', 'rate(c_total[1m]) or g',
  'g > 10 or g < -10', 'g unless g < 0', 'g unless on(grp) rate(c_total[1m]) > 5', 'g unless ignoring(i) g2',
  'mixed or g', 'g and on(i) mixed', 'g unless on(i) mixed', 'sum by (grp) (g and g > 0)', '(g > 0) or on(grp) g',
  'g2 or g', 'g or g2',
]);
