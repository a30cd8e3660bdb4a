// Evaluator.scalarSteps for a number literal (topk's k, quantile's φ,
// quantile_over_time's φ): written straight into the step array, it must
// give the values evaluating the literal gives (the same bits, NaN and -0
// too) and leave the query's sample count, peak, samples read and limit
// errors as that evaluation leaves them.

import { describe, expect, it } from 'vitest';
import { Evaluator, QueryState } from '../../../src/promql/engine/evaluator.js';
import type { Selection } from '../../../src/promql/engine/selection.js';
import { prepare } from '../../../src/promql/engine/preprocess.js';
import { parse } from '../../../src/promql/parser/index.js';
import type { AggregateExpr, Call, Expr } from '../../../src/promql/parser/ast.js';

const T0 = 1_767_225_600_000;

function state(query: string, start: number, end: number, step: number, maxSamples: number, maxMemoryBytes: number, columnar = true) {
  const prepared = prepare(parse(query), { start, end, step });
  const q = new QueryState({
    lookbackDelta: 300_000, maxSamples, maxMemoryBytes, maxLabelValueLength: 1 << 20, delayedNameRemoval: false,
    noStepSubqueryInterval: () => 60_000, checkAbort: () => {}, query: { start, end, step }, useWasmReductions: false, columnar,
  }, prepared, {} as Selection);
  const e = prepared.expr;
  const param: Expr = e.type === 'AggregateExpr' ? (e as AggregateExpr).param! : (e as Call).args[0]!;
  return { q, param };
}

/** What scalarSteps gave before: the literal evaluated to a matrix step by step (columnar off), its points placed at their steps. */
function evaluated(ev: Evaluator, e: Expr): Float64Array {
  const out = new Float64Array(ev.numSteps).fill(NaN);
  for (const p of ev.matrix(e)[0]?.floats ?? []) out[Math.round((p.t - ev.start) / ev.interval)] = p.f;
  return out;
}

function outcome(run: () => Float64Array, q: QueryState) {
  try {
    const values = run();
    return { values: Array.from(values, (x) => (Object.is(x, -0) ? '-0' : String(x))), current: q.current, peak: q.peak, loaded: q.totalLoaded };
  } catch (err) {
    return { error: `${(err as Error).constructor.name}: ${(err as Error).message}` };
  }
}

describe('scalarSteps of a number literal', () => {
  const queries = ['topk(3, m)', 'bottomk((2), m)', 'quantile(-0, m)', 'quantile(NaN, m)', 'topk(-Inf, m)', 'quantile_over_time(0.9, m[5m])', 'topk(1e300, m)'];
  for (const query of queries) {
    it(`${query}: the evaluated literal's values and sample accounting`, () => {
      let compared = 0, errors = 0;
      for (const [start, end, step] of [[T0, T0, 1], [T0, T0 + 3_600_000, 15_000], [T0, T0 + 59_000, 60_000], [T0 + 5, T0 + 86_400_000, 7_000]] as const) {
        for (const [maxSamples, maxMemoryBytes] of [[50_000_000, 1e12], [100, 1e12], [1e9, 4_000], [1e9, 1e12]] as const) {
          const a = state(query, start, end, step, maxSamples, maxMemoryBytes), b = state(query, start, end, step, maxSamples, maxMemoryBytes, false);
          // Samples already counted by the query, as when the literal is evaluated after other nodes.
          a.q.add(40);
          b.q.add(40);
          const evA = new Evaluator(a.q, start, end, step), evB = new Evaluator(b.q, start, end, step);
          const want = outcome(() => evaluated(evB, b.param), b.q);
          expect(outcome(() => evA.scalarSteps(a.param), a.q)).toEqual(want);
          if ('error' in want) errors++;
          compared++;
        }
      }
      expect(compared).toBe(16);
      expect(errors).toBeGreaterThan(2);
    });
  }
});
