// The harness: measurements per run and variant, judged with PromQL.

import { describe, expect, it } from 'vitest';
import { createHarness } from '../../src/index.js';

describe('benchmark harness', () => {
  it('passes and fails checks on recorded measurements, reporting both sides of a failed comparison', async () => {
    const h = await createHarness({ time: Date.UTC(2026, 0, 1) });
    await h.record('latency_seconds', { variant: 'baseline' }, [1, 2, 3, 4, 100]);
    await h.record('latency_seconds', { variant: 'canary' }, [1, 2, 3, 4, 5]);
    await h.record('ops', { variant: 'canary' }, 10);
    const q = h.query('count_over_time(latency_seconds[1d])');
    expect(q.resultType === 'vector' && q.result.map((s) => s.value?.[1])).toEqual(['5', '5']);
    const v = h.judge([
      { name: 'canary max below baseline', expr: 'max_over_time(latency_seconds{variant="canary"}[1d]) < ignoring(variant) max_over_time(latency_seconds{variant="baseline"}[1d])' },
      { name: 'canary median at most half the baseline', expr: 'quantile_over_time(0.5, latency_seconds{variant="canary"}[1d]) <= ignoring(variant) 0.5 * quantile_over_time(0.5, latency_seconds{variant="baseline"}[1d])' },
      { name: 'ops recorded', expr: 'ops' },
      { name: 'missing metric', expr: 'absent_metric' },
      { name: 'bad query', expr: 'sum(' },
    ]);
    expect(v.checks.map((c) => c.pass)).toEqual([true, false, true, false, false]);
    expect(v.pass).toBe(false);
    expect(v.report().split('\n')).toEqual([
      '✓ canary max below baseline',
      '✗ canary median at most half the baseline',
      '    quantile_over_time(0.5, latency_seconds{variant="canary"}[1d]) <= ignoring(variant) 0.5 * quantile_over_time(0.5, latency_seconds{variant="baseline"}[1d])',
      '    <= holds for no series:',
      '    left  {variant="canary"} 3',
      '    right {variant="baseline"} 1.5',
      '✓ ops recorded',
      '✗ missing metric',
      '    absent_metric',
      '    returned nothing',
      '✗ bad query',
      '    sum(',
      expect.stringMatching(/^ {4}1:5: parse error/),
    ]);
  });
});
