// Vector matching over columns (binop-columnar.ts) where a left-hand series'
// partner changes during the range: each right-hand series of a match group
// lives for a stretch of steps only, one after another, with labels of its
// own that group_left/group_right copy into the result. The columnar path
// keeps each left series' last partner and that pair's output slot; a partner
// change must reach the maps again, so answers (labels, values, which series)
// must equal the step-by-step path's, for every operator, with bool, on both
// sides, and where duplicates make an error at some steps only.

import { beforeAll, describe, expect, it } from 'vitest';
import { openDB, createEngine, type Engine } from '../../../src/index.js';
import { STALE_NAN } from '../../../src/model/stale.js';

const T0 = Date.UTC(2026, 0, 1);
const STEP = 15_000;
const STEPS = 200;

type Answer = { data?: unknown; samples?: unknown; error?: string };

function answer(engine: Engine, q: string, start: number, end: number, step = STEP): Answer {
  try {
    const r = engine.rangeQuerySync(q, start, end, step);
    return { data: r.result, samples: r.stats.samples };
  } catch (err) {
    return { error: String(err) };
  }
}

// Which of the right-hand series of instance `inst` is present at step k (-1: none): each a stretch of its own.
function partner(inst: number, k: number): number {
  if (inst === 2 && k >= 90 && k < 110) return -1;
  return Math.floor((k + inst * 13) / 40) % 3;
}

let columnar: Engine, steps: Engine;

beforeAll(async () => {
  const db = await openDB();
  for (let k = 0; k < STEPS; k++) {
    const app = db.appender();
    const t = T0 + k * STEP + 1 + (k % 3) * 500;
    for (let inst = 0; inst < 4; inst++) {
      for (let m = 0; m < 3; m++) {
        if (inst === 1 && m === 2 && k % 50 > 40) continue;
        // Values with ties, zeros, NaN and infinities, so comparisons keep and drop at different steps.
        let v = ((inst * 31 + m * 17 + k * 7) % 11) - 3;
        if (k % 37 === m) v = NaN;
        if (k % 41 === inst) v = (k & 1) ? Infinity : -Infinity;
        app.append({ __name__: 'use', inst: String(inst), mode: String(m) }, t, v);
      }
      const p = partner(inst, k);
      // The partner before goes stale as the next one starts: no step sees both within the lookback.
      const before = k > 0 ? partner(inst, k - 1) : -1;
      if (before >= 0 && before !== p) app.append({ __name__: 'cap', inst: String(inst), gen: String(before) }, t, STALE_NAN);
      if (p >= 0) app.append({ __name__: 'cap', inst: String(inst), gen: String(p) }, t, 1 + ((inst + k) % 4));
      // A left-hand twin of use{inst="0",mode="0"} across instance 0's partner change at step 120: with names
      // dropped the two give one result labelset there, which matching must refuse at that step only.
      if (inst === 0 && k >= 118 && k < 126) app.append({ __name__: 'use2', inst: '0', mode: '0' }, t, 2);
      // A second right-hand series for instance 3 at a few steps only: a duplicate match group there.
      if (inst === 3 && k >= 170 && k < 175) app.append({ __name__: 'cap', inst: '3', gen: 'x' }, t, 5);
    }
    await app.commit();
  }
  columnar = createEngine(db);
  steps = createEngine(db, { columnar: false });
});

const OPS = ['+', '-', '*', '/', '%', '^', 'atan2', '==', '!=', '>', '<', '>=', '<='];
const COMPARISONS = new Set(['==', '!=', '>', '<', '>=', '<=']);

const QUERIES = [
  ...OPS.map((op) => `use ${op} on(inst) group_left(gen) cap`),
  ...OPS.map((op) => `cap ${op} on(inst) group_right(gen) use`),
  ...[...COMPARISONS].map((op) => `use ${op} bool on(inst) group_left(gen) cap`),
  // Without copying gen: the result's labels stay, the partner changes under them.
  'use / on(inst) group_left cap',
  'use / ignoring(mode, gen) group_left cap',
  // One-to-one: a series per instance on each side.
  'sum by (inst) (use) / on(inst) cap',
  'max by (inst) (use) > bool on(inst) cap',
  'cap - on(inst) min by (inst) (use)',
];

describe('vector matching over columns with changing partners', () => {
  for (const q of QUERIES) {
    it(`${q} answers as the step-by-step path does`, () => {
      // Before the duplicate of steps 170-174 (answers), and across it (an error, at the same step).
      for (const last of [165, STEPS - 1]) {
        const start = T0 + 5 * STEP, end = T0 + last * STEP;
        const want = answer(steps, q, start, end);
        if (last === 165) expect(want.error, 'the query answers').toBeUndefined();
        expect(answer(columnar, q, start, end)).toEqual(want);
      }
    });
  }

  it('refuses two left series that meet one result labelset, at the steps where they do', () => {
    const q = '{__name__=~"use|use2"} - on(inst) group_left(gen) cap';
    const before = answer(columnar, q, T0 + 5 * STEP, T0 + 110 * STEP);
    expect(before.error).toBeUndefined();
    expect(before).toEqual(answer(steps, q, T0 + 5 * STEP, T0 + 110 * STEP));
    for (const [from, to] of [[5, 165], [119, 124], [121, 140]]) {
      const want = answer(steps, q, T0 + from! * STEP, T0 + to! * STEP);
      expect(want.error).toMatch(/multiple matches for labels/);
      expect(answer(columnar, q, T0 + from! * STEP, T0 + to! * STEP)).toEqual(want);
    }
  });

  it('meets every partner of a series with its own labels', () => {
    const r = answer(columnar, 'use / on(inst) group_left(gen) cap', T0 + 5 * STEP, T0 + 165 * STEP);
    const series = r.data as { metric: Record<string, string> }[];
    const gens = new Set(series.filter((s) => s.metric['inst'] === '0' && s.metric['mode'] === '0').map((s) => s.metric['gen']));
    expect([...gens].sort()).toEqual(['0', '1', '2']);
  });
});

describe('instant selectors over more steps than one slab of columns holds', () => {
  // At a 100 ms step, 10,001 steps: a slab holds 13 series, so the 12 use series take one slab cut to 12.
  // At 10 ms, 11,000 steps: a slab holds 11, so they take a whole slab and one of a single series.
  for (const step of [100, 10]) {
    for (const q of ['use', 'cap', 'use / on(inst) group_left(gen) cap', 'topk(2, use)']) {
      it(`${q} at a ${step} ms step answers as the step-by-step path does`, () => {
        const start = T0 + 40 * STEP, end = start + (step === 10 ? 109_990 : 1_000_000);
        const want = answer(steps, q, start, end, step);
        expect(want.error).toBeUndefined();
        expect(answer(columnar, q, start, end, step)).toEqual(want);
      });
    }
  }
});
