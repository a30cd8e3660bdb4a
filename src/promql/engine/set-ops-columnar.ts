// `and`, `or` and `unless` over a whole step grid when both sides are float
// columns on it. Each series' match signature becomes a small integer once
// per query; each step then stamps the signatures present on one side into
// an Int32Array and reads them for the other. The step-by-step path built a
// sample per series and step, and a Set of signature strings per step.
//
// Output is binop.ts's vectorAnd/vectorOr/vectorUnless at every step: the
// left side's samples first, in order, then (or) the right side's, collected
// by label set in first-seen order with the same duplicate error, and the
// same sample counts step by step.

import type { Labels } from '../../model/labels.js';
import type { StepColumns } from './columnar.js';
import type { Matrix } from './value.js';
import { type ColumnarBinopContext, ColumnarCollector, signatureIds } from './binop-columnar.js';

export function columnarSetOp(
  op: 'and' | 'or' | 'unless', lhs: Matrix, lcols: StepColumns[], rhs: Matrix, rcols: StepColumns[], sig: (ls: Labels) => string, ctx: ColumnarBinopContext,
): Matrix {
  const { lSig, rSig, count } = signatureIds(lhs, rhs, sig);
  // The step at which a signature was last seen on the side that filters (-1: never).
  const seenAt = new Int32Array(count).fill(-1);
  const out = new ColumnarCollector(ctx);
  const lSlot = lhs.map((s) => out.slot(s.metric));
  const rSlot = rhs.map((s) => out.slot(s.metric));
  const original = ctx.current();
  let held = original;
  for (let k = 0; k < ctx.numSteps; k++) {
    ctx.checkAbort();
    ctx.setCurrent(held);
    let nl = 0, nr = 0;
    for (let i = 0; i < lhs.length; i++) nl += lcols[i]!.present[k]!;
    for (let j = 0; j < rhs.length; j++) nr += rcols[j]!.present[k]!;
    ctx.add(nl + nr);
    let ne = 0;
    if (op === 'or') {
      for (let i = 0; i < lhs.length; i++) {
        const c = lcols[i]!;
        if (c.present[k] === 0) continue;
        seenAt[lSig[i]!] = k;
        out.put(lSlot[i]!, k, c.values, k, lhs[i]!.dropName);
        ne++;
      }
      for (let j = 0; j < rhs.length; j++) {
        const c = rcols[j]!;
        if (c.present[k] === 0 || seenAt[rSig[j]!] === k) continue;
        out.put(rSlot[j]!, k, c.values, k, rhs[j]!.dropName);
        ne++;
      }
    } else if (!(op === 'and' && (nl === 0 || nr === 0))) {
      for (let j = 0; j < rhs.length; j++) if (rcols[j]!.present[k] === 1) seenAt[rSig[j]!] = k;
      const keepIfSeen = op === 'and';
      for (let i = 0; i < lhs.length; i++) {
        const c = lcols[i]!;
        if (c.present[k] === 0 || (seenAt[lSig[i]!] === k) !== keepIfSeen) continue;
        out.put(lSlot[i]!, k, c.values, k, lhs[i]!.dropName);
        ne++;
      }
    }
    ctx.add(ne);
    held += ne;
  }
  const { m, samples } = out.matrix();
  ctx.setCurrent(original + samples);
  return m;
}
