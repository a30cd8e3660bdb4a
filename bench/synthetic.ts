// Deterministic synthetic scrape data for differential tests: counters with
// resets, gauges and classic histograms for several jobs and instances,
// scraped every 15s with jittered timestamps. Written as OpenMetrics text
// (for promtool tsdb create-blocks-from openmetrics) and as samples.

import { rng } from './data.js';

export interface SyntheticSeries {
  labels: Record<string, string>;
  t: number[];
  v: number[];
}

export const SCRAPE = 15_000;

/**
 * Scrapes land 1..4999 ms after each 15s grid point, so no sample ever sits
 * on a window boundary of an evaluation at a multiple of 15s: Prometheus
 * 2.42's closed windows and 3.x's left-open ones then select the same samples.
 */
export function synthetic(start: number, hours: number, seed = 1): SyntheticSeries[] {
  const r = rng(seed);
  const n = Math.floor((hours * 3600_000) / SCRAPE);
  const out: SyntheticSeries[] = [];
  const bounds = ['0.05', '0.1', '0.25', '0.5', '1', '+Inf'];
  for (const job of ['api', 'web']) {
    for (const instance of ['i-1', 'i-2', 'i-3']) {
      const times = Array.from({ length: n }, (_, i) => start + i * SCRAPE + 1 + Math.floor(r() * 4998));
      const base = { job, instance };
      // Counters restart well above zero after a reset, so the rate extrapolation never
      // reaches the counter's zero point (where 2.42 and 3.x order their clamps differently).
      let c = 5000 + Math.floor(r() * 1000);
      const counter: number[] = [];
      for (let i = 0; i < n; i++) {
        c = r() < 0.003 ? 1000 + Math.floor(r() * 100) : c + Math.floor(r() * 20);
        counter.push(c);
      }
      out.push({ labels: { __name__: 'http_requests_total', ...base, code: '200' }, t: times, v: counter });
      out.push({ labels: { __name__: 'http_requests_total', ...base, code: '500' }, t: times, v: counter.map((x) => Math.floor(x / 50)) });
      let g = 20 + r() * 5;
      out.push({ labels: { __name__: 'temperature_celsius', ...base }, t: times, v: times.map(() => (g += (r() - 0.5) * 0.4)) });
      const cum = new Array(bounds.length).fill(0) as number[];
      let sum = 0;
      const buckets = bounds.map(() => [] as number[]);
      const sums: number[] = [];
      const counts: number[] = [];
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < 5; k++) {
          const x = r() * r() * 1.2;
          sum += x;
          bounds.forEach((b, j) => { if (b === '+Inf' || x <= Number(b)) cum[j]!++; });
        }
        bounds.forEach((_, j) => buckets[j]!.push(cum[j]!));
        sums.push(sum);
        counts.push(cum[bounds.length - 1]!);
      }
      bounds.forEach((le, j) => out.push({ labels: { __name__: 'request_seconds_bucket', ...base, le }, t: times, v: buckets[j]! }));
      out.push({ labels: { __name__: 'request_seconds_sum', ...base }, t: times, v: sums });
      out.push({ labels: { __name__: 'request_seconds_count', ...base }, t: times, v: counts });
    }
  }
  return out;
}

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** OpenMetrics text, families contiguous, each series in time order; all families untyped. */
export function toOpenMetrics(series: SyntheticSeries[]): string {
  const byName = new Map<string, SyntheticSeries[]>();
  for (const s of series) byName.set(s.labels.__name__!, [...(byName.get(s.labels.__name__!) ?? []), s]);
  const lines: string[] = [];
  for (const [name, ss] of byName) {
    lines.push(`# TYPE ${name} unknown`);
    for (const s of ss) {
      const ls = Object.entries(s.labels).filter(([k]) => k !== '__name__').map(([k, v]) => `${k}="${esc(v)}"`).join(',');
      s.t.forEach((t, i) => lines.push(`${name}{${ls}} ${s.v[i]} ${(t / 1000).toFixed(3)}`));
    }
  }
  lines.push('# EOF');
  return lines.join('\n') + '\n';
}
