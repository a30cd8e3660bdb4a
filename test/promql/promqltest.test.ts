// The test-script interpreter itself: notation, comparisons, and that a
// wrong expectation is reported as a failure.

import { describe, expect, it } from 'vitest';
import { parseSeriesLabels, parseSeriesValues } from '../../src/promql/promqltest/series.js';
import { almostEqual } from '../../src/promql/promqltest/compare.js';
import { runScript } from '../../src/promql/promqltest/runner.js';
import { STALE_NAN } from '../../src/model/stale.js';

describe('series notation', () => {
  it('expands a+bxN, a-bxN, axN, _, _xN and stale', () => {
    expect(parseSeriesValues('-2+4x3 1-2x2 5x1 _ _x2 stale')).toEqual([-2, 2, 6, 10, 1, -1, -3, 5, 5, null, null, null, 'stale']);
  });

  it('reads Inf and NaN in any case; 0x10 is 0 repeated, not hex', () => {
    const v = parseSeriesValues('Inf -inf NaN');
    expect(v[0]).toBe(Infinity);
    expect(v[1]).toBe(-Infinity);
    expect(Number.isNaN(v[2])).toBe(true);
    expect(parseSeriesValues('0x10')).toEqual(new Array(11).fill(0));
    expect(() => parseSeriesValues('1m')).toThrow(/invalid series value/);
  });

  it('accumulates by repeated addition, as upstream', () => {
    const v = parseSeriesValues('0+0.1x3') as number[];
    expect(v[3]).toBe(0.1 + 0.1 + 0.1);
  });

  it('parses metric names, quoted UTF-8 names and escapes', () => {
    expect(parseSeriesLabels('up{job="a\\"b", "x.y"="z"} 1 2')).toEqual({
      labels: [{ name: '__name__', value: 'up' }, { name: 'job', value: 'a"b' }, { name: 'x.y', value: 'z' }],
      rest: '1 2',
    });
    expect(parseSeriesLabels('{"my.metric", a="b"} 3').labels).toEqual([{ name: '__name__', value: 'my.metric' }, { name: 'a', value: 'b' }]);
    expect(parseSeriesLabels('{} 3').labels).toEqual([]);
  });
});

describe('comparison', () => {
  it('uses a relative tolerance of 1e-6, NaN equals NaN, stale only equals stale', () => {
    expect(almostEqual(1, 1 + 1e-7)).toBe(true);
    expect(almostEqual(1, 1 + 1e-5)).toBe(false);
    expect(almostEqual(NaN, NaN)).toBe(true);
    expect(almostEqual(STALE_NAN, NaN)).toBe(false);
    expect(almostEqual(0, 1e-300)).toBe(false);
  });
});

describe('runner', () => {
  const script = (expected: string) => `load 1m\n  m{a="1"} 1 2 3\n\neval instant at 2m m\n  ${expected}\n`;

  it('passes a right expectation and fails a wrong value, a wrong label set and a missing series', async () => {
    expect((await runScript(script('m{a="1"} 3'))).evals[0]!.ok).toBe(true);
    const wrong = await Promise.all([script('m{a="1"} 4'), script('m{a="2"} 3'), script('m{a="1"} 3\n  m{a="2"} 3')].map((s) => runScript(s)));
    for (const r of wrong) expect(r.evals[0]!.ok).toBe(false);
  });

  it('checks expected errors and their messages', async () => {
    const ok = await runScript('load 1m\n  m 1\n\neval instant at 0m m + on() m{x="y"} + m\n  expect fail\n');
    expect(ok.evals[0]!.ok).toBe(false);
    const fails = await runScript('eval instant at 0m label_replace(vector(1), "a", "b", "c", "(")\n  expect fail msg: invalid regular expression in label_replace(): (\n');
    expect(fails.evals[0]!.ok).toBe(true);
    const wrongMsg = await runScript('eval instant at 0m label_replace(vector(1), "a", "b", "c", "(")\n  expect fail msg: something else\n');
    expect(wrongMsg.evals[0]!.ok).toBe(false);
  });

  it('checks range queries point by point', async () => {
    const base = 'load 1m\n  m 1 2 _ 4\n\neval range from 0 to 3m step 1m m\n';
    expect((await runScript(base + '  m 1 2 2 4\n')).evals[0]!.ok).toBe(true);
    expect((await runScript(base + '  m 1 2 _ 4\n')).evals[0]!.ok).toBe(false);
  });

  it('reports annotations by level', async () => {
    const s = 'load 1m\n  gauge 1 2 3\n\neval instant at 2m rate(gauge[5m])\n  expect info msg: PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "gauge" (1:6)\n  {} 0.008333333333333333\n';
    expect((await runScript(s)).evals[0]).toMatchObject({ ok: true });
    expect((await runScript(s.replace('expect info', 'expect warn'))).evals[0]!.ok).toBe(false);
  });
});
