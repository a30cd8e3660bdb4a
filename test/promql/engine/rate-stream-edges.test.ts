// The streamed sum of rate (a series' windows added straight into its group's
// cells) at the places where it differs from folding a column: a series that
// joins a group another series made must still raise its own annotations and
// keep its name-dropping mark, and the rate kernel's extrapolation
// threshold is reached with >= exactly as Prometheus's extrapolatedRate.

import { describe, expect, it } from 'vitest';
import { createEngine, openDB } from '../../../src/index.js';
import { rangeKernel } from '../../../src/promql/engine/range-kernels.js';
import { emptyColumns } from '../../../src/promql/engine/columnar.js';

const T0 = Date.UTC(2026, 0, 1);

async function db() {
  const d = await openDB();
  const app = d.appender();
  for (let t = 0; t < 600; t += 15) app.append({ __name__: 'x_total', a: '1' }, T0 + t * 1000, t);
  for (let t = 0; t < 1200; t += 15) app.append({ __name__: 'x_total', a: '2' }, T0 + t * 1000, 2 * t);
  for (let t = 0; t < 1200; t += 15) app.append({ __name__: 'y', a: '3' }, T0 + t * 1000, 2 * t);
  app.commit();
  return d;
}

describe('streamed sum of rate into groups made by other series', () => {
  it('keeps the not-a-counter info of a series that joins an existing group', async () => {
    const d = await db();
    const q = 'sum (rate({__name__=~"x_total|y"}[1m]))';
    const fast = createEngine(d, {}).rangeQuerySync(q, T0 + 120_000, T0 + 1_100_000, 15_000);
    const ref = createEngine(d, { columnar: false }).rangeQuerySync(q, T0 + 120_000, T0 + 1_100_000, 15_000);
    expect(fast.infos.some((i: string) => i.includes('"y"'))).toBe(true);
    expect(fast.infos).toEqual(ref.infos);
    expect(JSON.stringify(fast.result)).toBe(JSON.stringify(ref.result));
  });

  it('drops __name__ of a group whose first series ends before the last step (delayed name removal)', async () => {
    const d = await db();
    const q = 'sum by (__name__) (rate(x_total[1m]))';
    const opts = { features: ['promql-delayed-name-removal'] as const };
    const fast = createEngine(d, opts).rangeQuerySync(q, T0 + 120_000, T0 + 1_100_000, 15_000);
    const ref = createEngine(d, { ...opts, columnar: false }).rangeQuerySync(q, T0 + 120_000, T0 + 1_100_000, 15_000);
    expect((fast.result as { metric: Record<string, string> }[]).map((s) => s.metric)).toEqual([{}]);
    expect(JSON.stringify(fast.result)).toBe(JSON.stringify(ref.result));
  });
});

describe('rate kernel extrapolation threshold', () => {
  const T = 1_700_000_000_000;
  const t = Float64Array.from([0, 10_000, 20_000, 30_000], (x) => T + x), v = Float64Array.of(5, 15, 25, 35);
  const run = (at: number, range: number) => {
    const g = { start: at, end: at, interval: 1000, offset: 0, range, params: [], badQuantile() {}, checkAbort() {} };
    const cols = emptyColumns(g.start, 1000, 1);
    rangeKernel('increase', false)!(t, v, g, cols, { total: 0, widest: 0 });
    return cols.values[0];
  };
  it('extrapolates by half an interval when the end is exactly 1.1 intervals away', () => {
    // Samples 10 s apart: the threshold is 11 s; the window ends 11 s after the last sample.
    expect(run(T + 41_000, 60_000)).toBe(40);
  });
  it('extrapolates by half an interval when the start is exactly 1.1 intervals away', () => {
    // The window (T - 11 s, T + 30 s]: 11 s before the first sample, ending on the last one.
    expect(run(T + 30_000, 41_000)).toBe(35);
  });
});
