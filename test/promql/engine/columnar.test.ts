// Columnar range evaluation (src/promql/engine/columnar.ts and the nodes that
// read and write columns) against the step-by-step path it replaces: the
// same range queries through an engine with `columnar: false` must give the
// same answer string for string, the same warnings and infos, the same
// sample statistics, and the same errors. The data has gaps, NaN,
// infinities, counter resets, malformed and non-monotonic histogram
// buckets, series that start late, and duplicates that only collide at
// some steps.

import { beforeAll, describe, expect, it } from 'vitest';
import { openDB, createEngine, type DB, type Engine } from '../../../src/index.js';
import { rangeAnswer } from '../../fixtures/columnar-data.js';

const T0 = Date.UTC(2026, 0, 1);
const STEP = 15_000;
const STEPS = 240;
const LES = ['0.1', '0.5', '1', '+Inf'];

function wave(i: number, k: number): number {
  return ((i * 7919 + k * 104729) % 1000) / 7 - 50;
}

async function fixture(): Promise<DB> {
  const db = await openDB();
  const counters = new Array<number>(24).fill(0);
  for (let k = 0; k < STEPS; k++) {
    const app = db.appender();
    const t = T0 + k * STEP + 1 + (k % 5) * 700;
    for (let inst = 0; inst < 4; inst++) {
      const base = { job: 'j', inst: String(inst) };
      if (!(inst === 1 && k >= 60 && k < 90)) app.append({ __name__: 'cpus', ...base }, t, 2 + inst * 2);
      // A second cpus series for inst 3 during some steps: a duplicate match for group_left there.
      if (inst === 3 && k >= 200 && k < 210) app.append({ __name__: 'cpus', ...base, extra: 'x' }, t, 1);
      for (const [m, mode] of ['idle', 'user', 'system'].entries()) {
        const c = inst * 3 + m;
        if (inst === 2 && k === 120) counters[c] = 0; // a restart
        counters[c]! += 1 + ((c * 31 + k * 17) % 13);
        if (inst === 0 && m === 2 && k < 50) continue; // starts late
        app.append({ __name__: 'cpu_seconds_total', ...base, mode }, t, counters[c]!);
      }
      for (const kind of ['free', 'used']) {
        const i = inst * 2 + (kind === 'free' ? 0 : 1);
        if (i % 3 === 0 && k >= 100 && k < 130) continue; // a gap longer than the lookback
        let v = wave(i, k);
        if (i === 5 && k % 17 === 0) v = NaN;
        if (i === 6 && k % 23 === 0) v = k % 2 ? Infinity : -Infinity;
        app.append({ __name__: 'mem_bytes', ...base, kind }, t, v);
      }
      for (const [b, le] of LES.entries()) {
        // Cumulative, with a bucket that dips below the one before at some steps (a monotonicity fix).
        let v = (k + 1) * (b + 1) * (inst + 1);
        if (inst === 1 && b === 2 && k % 11 === 0) v -= 3 * (k + 1);
        if (inst === 3 && b === 0 && k < 40) continue; // a bucket that appears late
        app.append({ __name__: 'lat_bucket', ...base, le }, t, v);
      }
      if (inst === 0) app.append({ __name__: 'lat_bucket', ...base, le: 'oops' }, t, k);
      // Same labels as lat_bucket once the name is dropped, at some steps only.
      if (inst === 2 && k >= 150 && k < 160) for (const le of LES) app.append({ __name__: 'lat2_bucket', ...base, le }, t, k);
    }
    await app.commit();
  }
  return db;
}

const QUERIES = [
  'rate(cpu_seconds_total[1m])',
  'increase(cpu_seconds_total[2m])',
  'irate(cpu_seconds_total[1m])',
  'delta(mem_bytes[2m])',
  'avg_over_time(mem_bytes[5m])',
  'sum_over_time(mem_bytes[2m])',
  'max_over_time(mem_bytes[2m])',
  'count_over_time(mem_bytes[1m])',
  'quantile_over_time(0.3, mem_bytes[3m])',
  'stddev_over_time(mem_bytes[3m])',
  'mem_bytes',
  'sum by (inst) (rate(cpu_seconds_total[1m]))',
  'sum by (job) (rate(cpu_seconds_total[5m]))',
  'avg by (kind) (mem_bytes)',
  'count by (inst) (mem_bytes)',
  'min(mem_bytes)',
  'max without (kind) (mem_bytes)',
  'group by (inst) (mem_bytes)',
  'stddev by (kind) (avg_over_time(mem_bytes[2m]))',
  'stdvar(mem_bytes)',
  'sum(sum by (inst) (rate(cpu_seconds_total[1m])))',
  'topk(2, mem_bytes)',
  'bottomk(1, rate(cpu_seconds_total[1m]))',
  'quantile(0.5, mem_bytes)',
  'histogram_quantile(0.9, sum by (le) (rate(lat_bucket[2m])))',
  'histogram_quantile(0.5, sum by (le, inst) (rate(lat_bucket[2m])))',
  'histogram_quantile(0.99, lat_bucket)',
  'histogram_quantile(1.5, lat_bucket)',
  'histogram_quantile(scalar(min(cpus)) / 10, rate(lat_bucket[1m]))',
  'sum(histogram_quantile(0.9, rate(lat_bucket[1m])))',
  'histogram_quantile(0.9, {__name__=~"lat2?_bucket"})',
  'cpu_seconds_total / on(inst) group_left cpus',
  'rate(cpu_seconds_total[1m]) / ignoring(mode) group_left cpus',
  'cpus * on(inst) group_right rate(cpu_seconds_total[1m])',
  'cpus * on(inst) group_right(job) mem_bytes',
  'mem_bytes - on(inst, kind) mem_bytes',
  'mem_bytes > on(inst, kind) avg_over_time(mem_bytes[2m])',
  'mem_bytes >= bool on(inst, kind) avg_over_time(mem_bytes[2m])',
  'mem_bytes + on(inst) cpus',
  'mem_bytes * on(inst) group_left(kind) cpus',
  'mem_bytes / 1024',
  '2 ^ (mem_bytes / 100)',
  'mem_bytes > 10',
  '10 < mem_bytes',
  'mem_bytes == bool 0',
  'mem_bytes % 7',
  'mem_bytes atan2 3',
  'cpu_seconds_total * 2',
  '-rate(cpu_seconds_total[1m])',
  'abs(rate(cpu_seconds_total[1m]))',
  'label_replace(rate(cpu_seconds_total[1m]), "m", "$1", "mode", "(.*)")',
  'count_values("v", cpus)',
  'sum by (inst) (rate(cpu_seconds_total[1m])) / on(inst) cpus',
  'timestamp(mem_bytes)',
  'topk(3, mem_bytes)',
  'topk by (kind) (2, mem_bytes)',
  'bottomk(2, mem_bytes)',
  'bottomk without (inst) (1, mem_bytes)',
  'topk(scalar(min(cpus)) - 1, mem_bytes)',
  'topk(1, cpus)',
  'topk(100, rate(cpu_seconds_total[1m]))',
  'limitk(2, mem_bytes)',
  'limitk by (kind) (1, cpu_seconds_total)',
  'limit_ratio(0.5, mem_bytes)',
  'limit_ratio(-0.3, cpu_seconds_total)',
  'quantile by (kind) (0.9, mem_bytes)',
  'quantile(scalar(min(cpus)) / 10, mem_bytes)',
];

describe('columnar range evaluation', () => {
  const engines: Record<string, { columnar: Engine; steps: Engine }> = {};
  beforeAll(async () => {
    const db = await fixture();
    const experimental = 'promql-experimental-functions';
    for (const [name, features] of [['default', [experimental]], ['delayed name removal', [experimental, 'promql-delayed-name-removal']]] as const) {
      engines[name] = {
        columnar: createEngine(db, { features: [...features] }),
        steps: createEngine(db, { features: [...features], columnar: false }),
      };
    }
  });

  for (const mode of ['default', 'delayed name removal']) {
    for (const q of QUERIES) {
      it(`${mode}: ${q} answers as the step-by-step path does`, () => {
        const { columnar, steps } = engines[mode]!;
        // All steps, and those before the duplicate right-hand series of steps 200-209.
        for (const last of [STEPS - 1, 190]) {
          const start = T0 + 20 * STEP, end = T0 + last * STEP;
          const want = rangeAnswer(steps, q, start, end);
          expect(rangeAnswer(columnar, q, start, end)).toEqual(want);
        }
      });
    }
  }

  it('compares answers that have values, and errors where duplicates meet', () => {
    const { columnar } = engines['default']!;
    const start = T0 + 20 * STEP, end = T0 + (STEPS - 1) * STEP;
    const ok = QUERIES.map((q) => rangeAnswer(columnar, q, start, T0 + 190 * STEP)).filter((a) => !a.error);
    expect(ok.length).toBe(QUERIES.length - 3);
    expect(ok.every((a) => (a.data as unknown[]).length > 0)).toBe(true);
    expect(rangeAnswer(columnar, 'cpu_seconds_total / on(inst) group_left cpus', start, end).error).toMatch(/duplicate series for the match group/);
    expect(rangeAnswer(columnar, 'histogram_quantile(0.9, {__name__=~"lat2?_bucket"})', start, end).error).toMatch(/same labelset/);
    expect(rangeAnswer(columnar, 'mem_bytes + on(inst) cpus', start, end).error).toMatch(/many-to-one matching must be explicit/);
    expect(rangeAnswer(columnar, 'mem_bytes * on(inst) group_left(kind) cpus', start, end).error).toMatch(/grouping labels must ensure unique matches/);
    expect(rangeAnswer(columnar, 'histogram_quantile(0.99, lat_bucket)', start, end).warnings!.join()).toMatch(/malformed value of "oops"/);
    expect(rangeAnswer(columnar, 'histogram_quantile(0.99, lat_bucket)', start, end).infos!.join()).toMatch(/monotonicity/);
  });
});
