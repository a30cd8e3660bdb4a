// promtool's failure output for rule unit tests: Go's label, float and
// duration formats, so a failure reads the same under both tools.

import { compareLabels, type Labels } from '../model/labels.js';
import { formatDuration } from '../model/duration.js';

/** Go's labels.Labels.String(): {a="1", b="2"}. */
export function goLabels(ls: Labels): string {
  return `{${ls.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ')}}`;
}

/** Go's strconv.FormatFloat(v, 'E', -1, 64): 1E+00, 1.5E-07. */
export function goFloatE(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  return v.toExponential().toUpperCase().replace(/E([+-])(\d)$/, 'E$10$2');
}

/** Go's time.Duration.String(): 0s, 1m0s, 2m59.999s, 1h0m0s, 500ms. */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
  let rest = Math.abs(ms);
  if (rest < 1000) return `${neg ? '-' : ''}${rest}ms`;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = `${Number((rest / 1000).toFixed(3))}s`;
  return `${neg ? '-' : ''}${h ? `${h}h${m}m` : m ? `${m}m` : ''}${s}`;
}

/** Prometheus's model.Duration.String(): 0s, 1m, 1d, 1h30m. */
export const promDuration = formatDuration;

/** promtool's parsedSamplesString: a histogram sample shows its test expression instead of its value. */
export function formatSamples(ss: { labels: Labels; value: number; histogram?: string }[]): string {
  return ss.length === 0 ? 'nil' : ss.map((s) => `${goLabels(s.labels)} ${s.histogram ? s.histogram : goFloatE(s.value)}`).join(', ');
}

const indent = (text: string, pad: string) => text.split('\n').map((l, i) => (i > 0 ? pad + l : l)).join('\n');

/** promtool's labelsAndAnnotations.String(), sorted, indented as in its failure messages. */
export function alertsString(as: { labels: Labels; annotations: Labels }[]): string {
  if (as.length === 0) return '[]';
  const sorted = [...as].sort((a, b) => {
    const c = compareLabels(a.labels, b.labels);
    return c !== 0 ? c : compareLabels(a.annotations, b.annotations);
  });
  const items = sorted.map((a, i) => `${i}:${indent(`\nLabels:${goLabels(a.labels)}\nAnnotations:${goLabels(a.annotations)}`, '  ')}`);
  return indent(`[\n${items.join(',\n')}\n]`, '            ');
}
