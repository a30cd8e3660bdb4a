// The series a dashboard of the PromLabs demo service reads (the names the
// query-speed issue's six queries use), scraped every 15 s with jitter:
// per instance 4 CPU-mode counters, 1 CPU count, 3 memory gauges and a
// classic latency histogram (2 methods × 2 paths × 2 statuses × 9 buckets,
// plus _sum and _count): 96 series, so 6 instances make 576. One instance
// restarts half-way, resetting its counters, as real fleets do.

import { closeSync, openSync, writeSync } from 'node:fs';
import { rng, scrapeTimes, INTERVAL } from './data.js';

export interface DemoSeries {
  labels: Record<string, string>;
  timestamps: number[];
  values: Float64Array;
}

export const DEMO_SERIES_PER_INSTANCE = 96;

const LES = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '+Inf'];
const LE_BOUNDS = LES.map(Number);

/** The series of `instances` demo-service instances over `hours` at `interval` ms. */
export function demoSeries(instances: number, hours: number, interval = INTERVAL, seed = 17): DemoSeries[] {
  const n = Math.round((hours * 3600_000) / interval);
  const out: DemoSeries[] = [];
  for (let k = 0; k < instances; k++) {
    const r = rng(seed * 1009 + k);
    // 1..4999 ms after each grid point: no sample sits on a window boundary of a query at a multiple of
    // 15 s, where Prometheus 2.42's closed windows and promlet's left-open ones (3.x) differ.
    const ts = scrapeTimes(n, r, 4998).map((t, i) => t + 1 + i * (interval - INTERVAL));
    const base = { job: 'demo', instance: `demo-service-${k}:10000` };
    const restartAt = k === instances - 1 ? n >> 1 : -1;
    const cpus = 2 + (k % 4) * 2;
    const mk = (labels: Record<string, string>, values: Float64Array) => out.push({ labels: { ...labels, ...base }, timestamps: ts, values });
    mk({ __name__: 'demo_num_cpus' }, new Float64Array(n).fill(cpus));
    for (const [mode, share] of [['idle', 0.7], ['user', 0.2], ['system', 0.08], ['iowait', 0.02]] as const) {
      const v = new Float64Array(n);
      let c = r() * 1e5;
      for (let i = 0; i < n; i++) {
        if (i === restartAt) c = 0;
        c += (cpus * interval / 1000) * share * (0.8 + r() * 0.4);
        v[i] = c;
      }
      mk({ __name__: 'demo_cpu_usage_seconds_total', mode }, v);
    }
    for (const [type, size] of [['free', 2e9], ['used', 5e9], ['buffers', 3e8]] as const) {
      const v = new Float64Array(n);
      let x = size * (0.8 + r() * 0.4);
      for (let i = 0; i < n; i++) v[i] = x = Math.max(0, Math.round(x + (r() - 0.5) * size * 0.01));
      mk({ __name__: 'demo_memory_usage_bytes', type }, v);
    }
    for (const method of ['GET', 'POST']) {
      for (const path of ['/api/foo', '/api/bar']) {
        for (const status of ['200', '500']) {
          const labels = { method, path, status };
          const rate = (status === '200' ? 20 : 1) * (method === 'GET' ? 3 : 1) * (0.5 + r());
          const scale = (path === '/api/foo' ? 0.04 : 0.12) * (status === '500' ? 3 : 1);
          const buckets = LES.map(() => new Float64Array(n));
          const counts = new Float64Array(LES.length);
          // Observations per step by the first bucket that holds them; added up cumulatively after the step
          // (the same counts as adding each observation to every bucket at or above its own, in far fewer steps).
          const firstBucket = new Float64Array(LES.length);
          const sum = new Float64Array(n);
          let s = 0;
          for (let i = 0; i < n; i++) {
            if (i === restartAt) {
              counts.fill(0);
              s = 0;
            }
            const obs = Math.floor(r() * rate * 2 * (interval / INTERVAL));
            firstBucket.fill(0);
            for (let o = 0; o < obs; o++) {
              const latency = -Math.log(1 - r()) * scale;
              s += latency;
              let b = 0;
              while (b < LES.length - 1 && !(latency <= LE_BOUNDS[b]!)) b++;
              firstBucket[b]!++;
            }
            let below = 0;
            for (let b = 0; b < LES.length; b++) {
              below += firstBucket[b]!;
              buckets[b]![i] = counts[b]! += below;
            }
            sum[i] = s;
          }
          LES.forEach((le, b) => mk({ __name__: 'demo_api_request_duration_seconds_bucket', ...labels, le }, buckets[b]!));
          mk({ __name__: 'demo_api_request_duration_seconds_sum', ...labels }, sum);
          mk({ __name__: 'demo_api_request_duration_seconds_count', ...labels }, buckets[LES.length - 1]!.slice());
        }
      }
    }
  }
  return out;
}

function seriesName(labels: Record<string, string>): string {
  const { __name__: n, ...rest } = labels;
  const ls = Object.entries(rest).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',');
  return `${n}${ls ? `{${ls}}` : ''}`;
}

/**
 * Writes the series time-major (as scraped) to an OpenMetrics file
 * (seconds; for promtool and promlet import) and a text exposition with
 * millisecond timestamps (for VictoriaMetrics' /api/v1/import/prometheus).
 * Written in pieces of about 4 MiB, so 10,000 series × 24 h never sit in
 * memory as text; each line's series text and each instance's timestamp
 * text are built once, not once per sample.
 */
export function writeDemoFiles(series: DemoSeries[], omPath: string, promPath: string): number {
  const prefixes = series.map((s) => `${seriesName(s.labels)} `);
  const om = openSync(omPath, 'w'), prom = openSync(promPath, 'w');
  try {
    writeSync(om, [...new Set(series.map((s) => s.labels.__name__!))].map((m) => `# TYPE ${m} gauge\n`).join(''));
    const n = Math.max(...series.map((s) => s.timestamps.length));
    let samples = 0;
    let a = '', b = '';
    for (let i = 0; i < n; i++) {
      // Series of one instance share their timestamps array: its text is made once per step.
      let shared: number[] | null = null, omT = '', promT = '';
      for (let k = 0; k < series.length; k++) {
        const s = series[k]!;
        if (i >= s.timestamps.length) continue;
        if (s.timestamps !== shared) {
          shared = s.timestamps;
          omT = ` ${(shared[i]! / 1000).toFixed(3)}\n`;
          promT = ` ${shared[i]}\n`;
        }
        const line = prefixes[k]! + String(s.values[i]!);
        a += line + omT;
        b += line + promT;
        samples++;
      }
      if (a.length > 4 << 20) {
        writeSync(om, a);
        writeSync(prom, b);
        a = b = '';
      }
    }
    writeSync(om, `${a}# EOF\n`);
    writeSync(prom, b);
    return samples;
  } finally {
    closeSync(om);
    closeSync(prom);
  }
}
