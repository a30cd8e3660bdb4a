// The range kernels and the sum fold on their own, over the dashboard
// benchmark's series (docs/QUERY-SPEED.md "Range kernels"): rate[5m] over
// the 432 bucket series, delta[5m] and avg_over_time / sum_over_time [30m]
// over the memory gauges, 5.5 h at a 15 s step, the bucket series' rates
// folded into `sum by (le)` cells, and the two together as a streamed
// `sum by (le) (rate(…))` runs them. Each case runs in this checkout's build and in
// `--root DIR`'s (a checkout with `npm run build` done), alternated `--rounds`
// times; CPU time (process.cpuUsage) per pass, median per build, and the
// ratio change / base. The two builds' outputs are compared byte for byte.
//
//   npx tsx bench/range-kernels.ts --root /tmp/base-checkout

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoSeries } from './demo-data.js';
import { arg } from './cli-arg.js';

const here = dirname(fileURLToPath(import.meta.url));

interface Build {
  rangeKernel: (name: string, st: boolean) => (t: Float64Array, v: Float64Array, g: unknown, out: Cols, tally: unknown) => void;
  /** Absent from builds before kernels added into a sum's cells. */
  sumKernel?: (name: string, st: boolean) => ((t: Float64Array, v: Float64Array, g: unknown, cells: unknown, dn: number, tally: unknown) => number) | null;
  FoldCells: new (op: string, n: number) => { foldColumn(v: Float64Array, p: Uint8Array, from: number, to: number, shift: number, dn: number): void; resultsInPlace(): Float64Array; seen: Uint8Array; sumCells?(): unknown };
}

interface Cols { start: number; interval: number; values: Float64Array; present: Uint8Array; count: number }

async function load(root: string): Promise<Build> {
  const k = await import(join(root, 'dist/src/promql/engine/range-kernels.js'));
  const f = await import(join(root, 'dist/src/promql/engine/aggregate-fold.js'));
  return { rangeKernel: k.rangeKernel, sumKernel: k.sumKernel, FoldCells: f.FoldCells };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

function cpuMs(fn: () => void): number {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

async function main(): Promise<void> {
  const base = await load(resolve(arg('--root') ?? join(here, '..')));
  const change = await load(join(here, '..'));
  const rounds = Number(arg('--rounds') ?? 9), passes = Number(arg('--passes') ?? 10);
  const series = demoSeries(6, 6).map((s) => ({ labels: s.labels, t: Float64Array.from(s.timestamps), v: s.values }));
  const buckets = series.filter((s) => s.labels.__name__ === 'demo_api_request_duration_seconds_bucket');
  const memory = series.filter((s) => s.labels.__name__ === 'demo_memory_usage_bytes');
  const firstT = Math.min(...series.map((s) => s.t[0]!)), lastT = Math.max(...series.map((s) => s.t[s.t.length - 1]!));
  const start = Math.ceil((firstT + 1800_000) / 15_000) * 15_000, end = Math.floor(lastT / 15_000) * 15_000, interval = 15_000;
  const steps = Math.floor((end - start) / interval) + 1;
  const grid = (range: number) => ({ start, end, interval, offset: 0, range, params: [], badQuantile: () => {}, checkAbort: () => {} });
  const cols = (): Cols => ({ start, interval, values: new Float64Array(steps), present: new Uint8Array(steps), count: 0 });
  const les = [...new Set(buckets.map((s) => s.labels.le!))];

  // Each case returns its output bytes (for the comparison) and runs `passes` times per timing.
  const kernelCase = (name: string, input: typeof series, range: number) => (b: Build) => {
    const kernel = b.rangeKernel(name, false), g = grid(range), tally = { total: 0, widest: 0 };
    const outs = input.map(() => cols());
    const run = () => {
      for (let i = 0; i < input.length; i++) {
        const o = outs[i]!;
        o.present.fill(0);
        o.count = 0;
        kernel(input[i]!.t, input[i]!.v, g, o, tally);
      }
    };
    return { run, bytes: () => outs.flatMap((o) => [new Uint8Array(o.values.buffer), o.present]) };
  };
  const foldCase = (b: Build) => {
    const kernel = b.rangeKernel('rate', false), g = grid(300_000), tally = { total: 0, widest: 0 };
    const rates = buckets.map((s) => {
      const o = cols();
      kernel(s.t, s.v, g, o, tally);
      return o;
    });
    let results: Uint8Array[] = [];
    const run = () => {
      const groups = new Map<string, InstanceType<Build['FoldCells']>>();
      for (let i = 0; i < buckets.length; i++) {
        const le = buckets[i]!.labels.le!;
        let cells = groups.get(le);
        if (!cells) groups.set(le, (cells = new b.FoldCells('sum', steps)));
        cells.foldColumn(rates[i]!.values, rates[i]!.present, 0, steps, 0, 1);
      }
      results = les.flatMap((le) => {
        const c = groups.get(le)!;
        return [new Uint8Array(c.resultsInPlace().buffer.slice(0)), c.seen.slice()];
      });
    };
    return { run, bytes: () => results };
  };
  // The streamed `sum by (le) (rate(…))`: each series' rates into a column folded into its group, or
  // (where the build can) added straight into the group's cells once the group has them.
  const rateSumCase = (b: Build) => {
    const kernel = b.rangeKernel('rate', false), toSum = b.sumKernel?.('rate', false) ?? null, g = grid(300_000), tally = { total: 0, widest: 0 };
    const col = cols();
    let results: Uint8Array[] = [];
    const run = () => {
      const groups = new Map<string, InstanceType<Build['FoldCells']>>();
      for (const s of buckets) {
        const le = s.labels.le!;
        const cells = groups.get(le);
        if (cells && toSum) {
          toSum(s.t, s.v, g, cells.sumCells!(), 1, tally);
          continue;
        }
        kernel(s.t, s.v, g, col, tally);
        let into = cells;
        if (!into) groups.set(le, (into = new b.FoldCells('sum', steps)));
        into.foldColumn(col.values, col.present, 0, steps, 0, 1);
        col.present.fill(0);
        col.count = 0;
      }
      results = les.flatMap((le) => {
        const c = groups.get(le)!;
        return [new Uint8Array(c.resultsInPlace().buffer.slice(0)), c.seen.slice()];
      });
    };
    return { run, bytes: () => results };
  };
  const cases: [string, (b: Build) => { run: () => void; bytes: () => Uint8Array[] }][] = [
    [`rate[5m] × ${buckets.length} series`, kernelCase('rate', buckets, 300_000)],
    [`increase[5m] × ${buckets.length} series`, kernelCase('increase', buckets, 300_000)],
    [`delta[5m] × ${memory.length} series`, kernelCase('delta', memory, 300_000)],
    [`avg_over_time[30m] × ${memory.length} series`, kernelCase('avg_over_time', memory, 1_800_000)],
    [`sum_over_time[30m] × ${memory.length} series`, kernelCase('sum_over_time', memory, 1_800_000)],
    [`sum by (le) fold of ${buckets.length} rate columns`, foldCase],
    [`sum by (le) (rate[5m]) over ${buckets.length} series, streamed`, rateSumCase],
  ];
  const report: Record<string, { baseMs: number; changeMs: number; ratio: number; sameBytes: boolean }> = {};
  for (const [label, make] of cases) {
    const a = make(base), b = make(change);
    const times: [number[], number[]] = [[], []];
    for (let r = 0; r < rounds + 1; r++) {
      for (const [i, c] of [a, b].entries()) {
        const ms = cpuMs(() => {
          for (let p = 0; p < passes; p++) c.run();
        }) / passes;
        if (r > 0) times[i]!.push(ms);
      }
    }
    const ba = a.bytes(), bb = b.bytes();
    const sameBytes = ba.length === bb.length && ba.every((x, i) => Buffer.compare(Buffer.from(x.buffer, x.byteOffset, x.byteLength), Buffer.from(bb[i]!.buffer, bb[i]!.byteOffset, bb[i]!.byteLength)) === 0);
    const baseMs = median(times[0]), changeMs = median(times[1]);
    report[label] = { baseMs: +baseMs.toFixed(3), changeMs: +changeMs.toFixed(3), ratio: +(changeMs / baseMs).toFixed(3), sameBytes };
  }
  console.log(JSON.stringify({ steps, rounds, passes, cases: report }, null, 1));
}

await main();
