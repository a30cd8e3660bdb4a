// histogram_quantile over a range (src/promql/engine/classic-quantile-range.ts),
// which orders each group's buckets once per query, against the step-by-step
// engine (`columnar: false`, functions.ts's per-step sort of bucket objects),
// answer for answer (values, warnings, infos, statistics, errors), over random
// buckets: NaN and ±Inf counts, counts that fall as `le` rises, groups with
// no +Inf bucket, one bound written several ways ("1", "1.0", "1e0", "01":
// their counts add up in the order the sort leaves them), "-0" beside "0",
// a NaN bound, a malformed one, series that appear, go stale or stop mid-range,
// and quantiles below 0, above 1, NaN and varying by step. Then BucketSet's
// presorted entry point against its sorting one, every field with Object.is.

import { beforeAll, describe, expect, it } from 'vitest';
import { openDB, createEngine, type DB, type Engine } from '../../../src/index.js';
import type { Feature } from '../../../src/promql/engine/engine.js';
import { STALE_NAN } from '../../../src/model/stale.js';
import { seededRandom } from '../../../src/model/seeded-random.js';
import { BucketSet } from '../../../src/promql/engine/bucket-set.js';
import { rangeAnswer } from '../../fixtures/columnar-data.js';

const T0 = Date.UTC(2026, 0, 1);
const STEP = 15_000;
const STEPS = 160;

// Per group, its buckets' `le` texts: duplicates written differently, no +Inf, -0 and 0, NaN, malformed.
const GROUPS: string[][] = [
  ['0.1', '0.5', '1', '+Inf'],
  ['1', '1.0', '1e0', '01', '2', '+Inf', 'Inf', '0.5'],
  ['0.1', '1', '10'],
  ['-0', '0', '0.5', '+Inf', 'NaN'],
  // NaN compares equal to every bound: whether it is there changes where the sort leaves the others
  // (summed by `le` with the next group, it comes before their bounds; it is there for a while only).
  ['NaN', '+Inf', '1'],
  ['0', '-0', '0.5', '0.25', '+Inf', '+inf'],
  ['abc', '0.5', '+Inf'],
  ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '+Inf'],
];

function count(r: () => number, base: number): number {
  const x = r();
  if (x < 0.01) return NaN;
  if (x < 0.015) return Infinity;
  if (x < 0.018) return -Infinity;
  // Magnitudes far apart, so that the order of additions changes last bits.
  if (x < 0.2) return base * 1e15 + r();
  return base + Math.floor(r() * 50) / 7;
}

async function fixture(seed: number): Promise<DB> {
  const db = await openDB();
  const r = seededRandom(seed);
  const acc = new Map<string, number>();
  for (let k = 0; k < STEPS; k++) {
    const app = db.appender();
    const t = T0 + k * STEP + 1 + Math.floor(r() * 3000);
    for (const [g, les] of GROUPS.entries()) {
      for (let inst = 0; inst < 3; inst++) {
        for (const [b, le] of les.entries()) {
          const labels = { __name__: 'lat_bucket', g: String(g), inst: String(inst), le };
          const id = `${g}/${inst}/${b}`;
          // Some series start late, some stop early, one goes stale for a while.
          if (le === 'NaN' && (k < 50 || k >= 100)) continue;
          if ((b + inst) % 5 === 1 && k < 40) continue;
          if ((b + inst) % 7 === 2 && k > 120) continue;
          if (g === 7 && inst === 1 && b === 3 && k >= 70 && k < 90) {
            if (k === 70) app.append(labels, t, STALE_NAN);
            continue;
          }
          // Mostly growing (counters, with an occasional reset), not always monotonic in `le`.
          let v = (acc.get(id) ?? 0) + count(r, (b + 1) * (inst + 1));
          if (!Number.isFinite(v) || r() < 0.01) v = Math.floor(r() * 10);
          acc.set(id, v);
          app.append(labels, t, r() < 0.03 ? count(r, b) : v);
        }
      }
    }
    app.append({ __name__: 'phi' }, t, k % 11 === 0 ? NaN : (k % 13) / 10 - 0.1);
    await app.commit();
  }
  return db;
}

const PHIS = ['0.99', '0.5', '0', '1', '-0.5', '1.5', 'NaN', 'scalar(phi)'];
const INPUTS = [
  'lat_bucket',
  'rate(lat_bucket[2m])',
  'sum by (g, le) (rate(lat_bucket[5m]))',
  'sum by (le) (rate(lat_bucket{g="7"}[5m]))',
  'sum by (le) (rate(lat_bucket{g=~"4|5"}[5m]))',
  'sum by (le) (lat_bucket{g=~"4|5"})',
  'sum by (g, inst, le) (increase(lat_bucket[1m]))',
  'max by (g, le) (lat_bucket)',
];

describe('histogram_quantile over a range against the step-by-step engine', () => {
  const engines: Record<string, { columnar: Engine; steps: Engine }> = {};
  beforeAll(async () => {
    const db = await fixture(7);
    const pair = (features: Feature[]) => ({ columnar: createEngine(db, { features }), steps: createEngine(db, { features, columnar: false }) });
    engines['default'] = pair([]);
    engines['delayed name removal'] = pair(['promql-delayed-name-removal']);
  }, 120_000);

  for (const mode of ['default', 'delayed name removal']) {
    it(`${mode}: every quantile of every input answers as the per-step path does`, () => {
      const { columnar, steps } = engines[mode]!;
      let values = 0;
      for (const input of INPUTS) {
        for (const phi of PHIS) {
          const q = `histogram_quantile(${phi}, ${input})`;
          for (const [start, end] of [[T0 + 3 * STEP, T0 + (STEPS - 1) * STEP], [T0 + 35 * STEP, T0 + 95 * STEP]] as const) {
            const want = rangeAnswer(steps, q, start, end);
            expect(rangeAnswer(columnar, q, start, end), `${q} over [${start}, ${end}]`).toEqual(want);
            for (const s of (want.data ?? []) as { values: unknown[] }[]) values += s.values.length;
          }
        }
      }
      expect(values).toBeGreaterThan(10_000);
    }, 300_000);
  }

  it('has answers that vary, with NaN among them (the comparison is not vacuous)', () => {
    const { steps } = engines['default']!;
    // The step-by-step engine's answers are what the columnar path is held to; they vary and include NaN.
    const r = steps.rangeQuerySync('histogram_quantile(0.9, sum by (g, le) (rate(lat_bucket[5m])))', T0 + 3 * STEP, T0 + (STEPS - 1) * STEP, STEP);
    const texts = (r.result as { values: [number, string][] }[]).flatMap((s) => s.values.map((v) => v[1]));
    expect(new Set(texts).size).toBeGreaterThan(100);
    expect(texts).toContain('NaN');
  });
});

describe('BucketSet: buckets handed over sorted against buckets sorted at each step', () => {
  it('gives the same value and monotonicity fields, bit for bit', () => {
    const r = seededRandom(3);
    const boundsPool = [-1, -0, 0, 0.1, 0.5, 1, 1, 1, 2, 10, Infinity, Infinity];
    const sorting = new BucketSet(), sorted = new BucketSet();
    let forced = 0, checked = 0;
    for (let round = 0; round < 20_000; round++) {
      const n = 1 + Math.floor(r() * 10);
      const upper: number[] = [], counts: number[] = [];
      for (let i = 0; i < n; i++) {
        upper.push(boundsPool[Math.floor(r() * boundsPool.length)]!);
        const x = r();
        counts.push(x < 0.03 ? NaN : x < 0.05 ? Infinity : x < 0.3 ? Math.floor(r() * 20) : r() * 1e16 + r());
      }
      const phiX = r();
      const q = phiX < 0.03 ? NaN : phiX < 0.06 ? -0.1 : phiX < 0.09 ? 1.1 : phiX < 0.12 ? 0 : phiX < 0.15 ? 1 : r();
      sorting.reset();
      for (let i = 0; i < n; i++) sorting.add(upper[i]!, counts[i]!);
      const want = sorting.quantile(q);
      const order = upper.map((_, i) => i).sort((a, b) => (upper[a]! < upper[b]! ? -1 : upper[a]! > upper[b]! ? 1 : 0));
      sorted.resetSorted();
      for (const i of order) sorted.addSorted(upper[i]!, counts[i]!);
      const got = sorted.sortedQuantile(q);
      expect(Object.is(got, want), `${upper} ${counts} q=${q}: ${got} against ${want}`).toBe(true);
      for (const f of ['forcedMonotonic', 'minBucket', 'maxBucket', 'maxDiff'] as const) {
        expect(Object.is(sorted[f], sorting[f]), f).toBe(true);
      }
      if (sorting.forcedMonotonic) forced++;
      if (Number.isFinite(want)) checked++;
    }
    expect(forced).toBeGreaterThan(1000);
    expect(checked).toBeGreaterThan(5000);
  });
});

describe('histogram_quantile over a range and the query deadline', () => {
  it('checks for an abort at the first step and after at most 65,536 input series visited', async () => {
    const { classicQuantileRange } = await import('../../../src/promql/engine/classic-quantile-range.js');
    const { ColumnarSeries, emptyColumns } = await import('../../../src/promql/engine/columnar.js');
    const { Annotations } = await import('../../../src/promql/engine/annotations.js');
    const n = 1000;
    const column = (v: number) => {
      const c = emptyColumns(0, STEP, n);
      c.values.fill(v);
      c.present.fill(1);
      c.count = n;
      return c;
    };
    // 300 buckets: a step visits 300 series, so the checks come every 218 steps.
    const buckets = 300;
    const cols = Array.from({ length: buckets }, (_, i) => column(5 + i));
    const input = cols.map((c, i) => new ColumnarSeries([{ name: 'le', value: i === buckets - 1 ? '+Inf' : String(i + 1) }], false, c));
    const phi = [new ColumnarSeries([], false, column(0.5))];
    const checkedAt: number[] = [];
    let step = 0, current = 0;
    const pos = { start: 0, end: 1 };
    const ctx = {
      start: 0, interval: STEP, numSteps: n, delayedNameRemoval: false,
      checkAbort: () => void checkedAt.push(step),
      add: (x: number) => {
        current += x;
        // Two adds a step: the inputs, then the outputs.
        step += 0.5;
      },
      setCurrent: (x: number) => void (current = x),
      current: () => current,
      call: { args: [{ posRange: pos }, { posRange: pos }] },
      annos: new Annotations(),
    } as unknown as Parameters<typeof classicQuantileRange>[3];
    const out = classicQuantileRange(phi, input, cols, ctx);
    expect(out[0]!.floats.length).toBe(n);
    expect(checkedAt[0]).toBe(0);
    const gaps = checkedAt.slice(1).map((s, i) => s - checkedAt[i]!);
    expect(checkedAt.length).toBeGreaterThan(3);
    expect(Math.max(...gaps, n - checkedAt[checkedAt.length - 1]!) * buckets).toBeLessThanOrEqual(65_536 + buckets);
  });
});
