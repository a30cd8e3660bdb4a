import { describe, expect, it } from 'vitest';
import { summaryLines } from '../../scripts/conformance/summary.js';

describe('the conformance run\'s last lines', () => {
  const counts = {
    parserPassed: 2356, parserFailed: 0, plainPassed: 907, plainTotal: 907, evalPassed: 2204, evalTotal: 2214,
    rules: { agree: 18, total: 19 }, baseline: { updated: false, regressions: 0, passing: 3722 },
  };

  it('say what passed in each scope: float data, native-histogram data, and all evals', () => {
    expect(summaryLines(counts).slice(2)).toEqual([
      'parser round trip:                 2356 of 2356 pass',
      'evals outside native histograms:   907 of 907 pass',
      'evals over native histograms:      1297 of 1307 pass   (what fails: docs/PROMQL.md)',
      'all evals:                         2204 of 2214 pass',
      'rule unit tests:                   18 of 19 agree with Prometheus 3.x',
      'baseline: no regressions (3722 items pass)',
    ]);
  });

  it('end by saying there are regressions and that the exit code is 1', () => {
    expect(summaryLines({ ...counts, rules: undefined, baseline: { updated: false, regressions: 3, passing: 3719 } }).at(-1))
      .toBe('baseline: 3 REGRESSIONS (listed above): exit code 1');
  });
});
