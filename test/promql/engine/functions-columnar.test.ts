// Functions of an instant vector over columns (src/promql/engine/functions-columnar.ts),
// unary minus, and label_replace/label_join keeping their input's columns, against the
// step-by-step path and the instant query at single steps, over gaps, NaN,
// ±Inf, staleness, native histograms mixed in, and output label sets that
// collide once names are dropped (g and g2).

import { columnarDifferential } from '../../fixtures/columnar-data.js';

columnarDifferential('functions of instant vectors over columns', [
  'abs(g)', 'ceil(g)', 'floor(g / 3)', 'sqrt(g)', 'ln(g)', 'log2(g)', 'log10(g)', 'exp(g / 100)', 'sgn(g)',
  'sin(g)', 'cos(g)', 'tan(g)', 'asin(g / 100)', 'acos(g / 100)', 'atan(g)', 'sinh(g / 10)', 'cosh(g / 10)', 'tanh(g)',
  'asinh(g)', 'acosh(g)', 'atanh(g / 100)', 'rad(g)', 'deg(g)',
  'round(g)', 'round(g, 5)', 'round(g, 0.1)', 'round(g, scalar(count(g)) - 10)',
  'clamp(g, -10, 10)', 'clamp(g, 10, -10) or g', 'clamp(g, scalar(count(g)) - 20, 5)', 'clamp_min(g, 0)', 'clamp_max(g, 0)',
  'timestamp(g * 1)', 'timestamp(rate(c_total[1m]))', 'abs(mixed)', 'abs(rate(c_total[1m]))', 'sum by (grp) (abs(g))',
  'label_replace(g, "h", "$1", "host", "h-(\\\\d).*")',
  'label_replace(rate(c_total[1m]), "__name__", "x", "", "")',
  'label_join(g, "x", "-", "grp", "i")',
  'sum by (h) (label_replace(g, "h", "$1", "host", "h-(\\\\d).*"))',
  'label_replace(mixed, "i", "z$1", "i", "(.*)")',
  '-g', '-rate(c_total[1m])', '-mixed', 'sum by (grp) (-g)', '-{__name__=~"g2?"}',
  'abs({__name__=~"g2?"})',
  'label_replace({__name__=~"g2?"}, "__name__", "same", "", "")',
], ['-{__name__=~"g2?"}', 'abs({__name__=~"g2?"})', 'label_replace({__name__=~"g2?"}, "__name__", "same", "", "")']);
