// Range functions over subqueries whose inner result is columnar
// (evaluator.ts's windowSource reads the columns instead of building points),
// and step-invariant nodes (@) repeated over the steps as columns, against
// the step-by-step path and the instant query at single steps.

import { columnarDifferential } from '../../fixtures/columnar-data.js';

columnarDifferential('range functions over columnar subqueries, and @', [
  'g @ 1767229200',
  'sum by (grp) (g @ 1767229000)',
  'rate(c_total[1m] @ 1767227000)',
  'topk(2, g @ 1767228000)',
  'abs(g @ 1767226800) - on(i) g',
  'mixed @ 1767226500',
  'max_over_time(g[5m:1m] @ 1767228000)',
  'max_over_time(rate(c_total[1m])[10m:30s])',
  'avg_over_time(sum by (grp) (g)[5m:])',
  'rate(sum(c_total)[5m:15s])',
  'max_over_time(g[10m:1m])',
  'min_over_time((g > 0)[5m:20s])',
  'count_over_time(mixed[5m:30s])',
  'last_over_time(topk(2, g)[3m:45s])',
  'sum_over_time((-g)[2m:10s] offset 1m)',
]);
