// The conformance run's last lines: what passed in each scope, said plainly:
// evals over float data and over native-histogram data are counted apart,
// then together.

export interface ConformanceCounts {
  parserPassed: number;
  parserFailed: number;
  /** Evals outside native-histogram data. */
  plainPassed: number;
  plainTotal: number;
  evalPassed: number;
  evalTotal: number;
  /** Rule unit tests agreeing with Prometheus 3.x, when the corpus has them. */
  rules?: { agree: number; total: number };
  baseline: { updated: boolean; regressions: number; passing: number };
}

export function summaryLines(c: ConformanceCounts): string[] {
  const lines = [
    '## Summary',
    '',
    `parser round trip:                 ${c.parserPassed} of ${c.parserPassed + c.parserFailed} pass`,
    `evals outside native histograms:   ${c.plainPassed} of ${c.plainTotal} pass`,
    `evals over native histograms:      ${c.evalPassed - c.plainPassed} of ${c.evalTotal - c.plainTotal} pass   (what fails: docs/PROMQL.md)`,
    `all evals:                         ${c.evalPassed} of ${c.evalTotal} pass`,
  ];
  if (c.rules) lines.push(`rule unit tests:                   ${c.rules.agree} of ${c.rules.total} agree with Prometheus 3.x`);
  lines.push(c.baseline.updated ? `baseline: rewritten with ${c.baseline.passing} passing items`
    : c.baseline.regressions > 0 ? `baseline: ${c.baseline.regressions} REGRESSIONS (listed above): exit code 1`
      : `baseline: no regressions (${c.baseline.passing} items pass)`);
  return lines;
}
