import { describe, expect, it } from 'vitest';
import { summaryLines } from '../../scripts/conformance/summary.js';

describe('the conformance run\'s last lines', () => {
  const counts = {
    parserPassed: 2356, parserFailed: 0, plainPassed: 907, plainTotal: 907, evalPassed: 1348, evalTotal: 2214,
    rules: { agree: 18, total: 19 }, baseline: { updated: false, regressions: 0, passing: 3722 },
  };

  it('say what passed in each scope, separating the native-histogram evals promlet does not claim', () => {
    expect(summaryLines(counts).slice(2)).toEqual([
      'parser round trip:                 2356 of 2356 pass',
      'evals outside native histograms:   907 of 907 pass   (promlet\'s scope)',
      'evals over native histograms:      441 of 1307 pass   (not supported: docs/PROMQL.md)',
      'rule unit tests:                   18 of 19 agree with Prometheus 3.x',
      'baseline: no regressions (3722 items pass)',
    ]);
  });

  it('end by saying there are regressions and that the exit code is 1', () => {
    expect(summaryLines({ ...counts, rules: undefined, baseline: { updated: false, regressions: 3, passing: 3719 } }).at(-1))
      .toBe('baseline: 3 REGRESSIONS (listed above): exit code 1');
  });
});
