// Functions of one instant vector (abs, ceil, clamp, round, sqrt, exp, ln,
// the trigonometric ones, timestamp of an expression, …) over a whole step
// grid when every input series is a float column on it: each output column
// is computed from its input column in one pass, the output label set once
// per series. The step-by-step path built a sample object per series and
// step, another for the result, and a point per result at the end.
//
// Results equal that path's (functions.ts's INSTANT_FUNCTIONS through
// Evaluator.rangeEval): the same Math calls on the same values, output
// series in the order the per-step collector would first see them, and the
// same sample counts step by step. Where output label sets collide (names
// dropped from series that differ only by name), null: the step-by-step
// path merges those or raises its error.

import type { Labels } from '../../model/labels.js';
import { cachedLabelsKey } from './label-key-cache.js';
import { ColumnarSeries, type StepColumns, emptyColumns } from './columnar.js';
import { type Matrix, dropMetricName } from './value.js';
import type { ColumnarBinopContext } from './binop-columnar.js';

// Operation codes: one switch in the loop instead of a function per value, whose
// result V8 would box at every call.
const OPS: Record<string, number> = {
  abs: 1, ceil: 2, floor: 3, exp: 4, sqrt: 5, ln: 6, log2: 7, log10: 8, sin: 9, cos: 10, tan: 11, asin: 12, acos: 13, atan: 14,
  sinh: 15, cosh: 16, tanh: 17, asinh: 18, acosh: 19, atanh: 20, rad: 21, deg: 22, sgn: 23,
  round: 30, clamp: 31, clamp_min: 32, clamp_max: 33, timestamp: 34,
};

/** Whether the named function of an instant vector has a columnar form. */
export function columnarFunction(name: string): boolean {
  return OPS[name] !== undefined;
}

/**
 * name(vec, scalars...) over the grid. `params` are the scalar arguments'
 * values per step (NaN where absent), in argument order after the vector.
 */
export function columnarInstantFunction(name: string, vec: Matrix, cols: StepColumns[], params: Float64Array[], ctx: ColumnarBinopContext): Matrix | null {
  const op = OPS[name]!;
  const n = ctx.numSteps;
  const metrics: Labels[] = vec.map((s) => (ctx.delayedNameRemoval ? s.metric : dropMetricName(s.metric)));
  const keys = new Set<string>();
  for (const m of metrics) {
    const key = cachedLabelsKey(m);
    if (keys.has(key)) return null;
    keys.add(key);
  }
  const p0 = params[0], p1 = params[1];
  const inPerStep = new Int32Array(n), outPerStep = new Int32Array(n);
  const outCols: StepColumns[] = [];
  const firstStep = new Int32Array(vec.length);
  for (let i = 0; i < vec.length; i++) {
    ctx.checkAbort();
    const { values: xs, present } = cols[i]!;
    const oc = emptyColumns(ctx.start, ctx.interval, n);
    const ys = oc.values, op2 = oc.present;
    let first = -1;
    for (let k = 0; k < n; k++) {
      if (present[k] === 0) continue;
      inPerStep[k]!++;
      const x = xs[k]!;
      let y: number;
      switch (op) {
        case 1: y = Math.abs(x); break;
        case 2: y = Math.ceil(x); break;
        case 3: y = Math.floor(x); break;
        case 4: y = Math.exp(x); break;
        case 5: y = Math.sqrt(x); break;
        case 6: y = Math.log(x); break;
        case 7: y = Math.log2(x); break;
        case 8: y = Math.log10(x); break;
        case 9: y = Math.sin(x); break;
        case 10: y = Math.cos(x); break;
        case 11: y = Math.tan(x); break;
        case 12: y = Math.asin(x); break;
        case 13: y = Math.acos(x); break;
        case 14: y = Math.atan(x); break;
        case 15: y = Math.sinh(x); break;
        case 16: y = Math.cosh(x); break;
        case 17: y = Math.tanh(x); break;
        case 18: y = Math.asinh(x); break;
        case 19: y = Math.acosh(x); break;
        case 20: y = Math.atanh(x); break;
        case 21: y = (x * Math.PI) / 180; break;
        case 22: y = (x * 180) / Math.PI; break;
        case 23: y = x < 0 ? -1 : x > 0 ? 1 : x; break;
        case 30: {
          // functions.ts's round: to the nearest multiple of the scalar (1 without one).
          const inv = 1 / (p0 ? p0[k]! : 1);
          y = Math.floor(x * inv + 0.5) / inv;
          break;
        }
        case 31: {
          const lo = p0![k]!, hi = p1![k]!;
          if (hi < lo) continue;
          y = Math.max(lo, Math.min(hi, x));
          break;
        }
        case 32: y = Math.max(p0![k]!, Math.min(Infinity, x)); break;
        case 33: {
          const hi = p0![k]!;
          if (hi < -Infinity) continue;
          y = Math.max(-Infinity, Math.min(hi, x));
          break;
        }
        case 34: y = (ctx.start + k * ctx.interval) / 1000; break;
        default: y = x;
      }
      ys[k] = y;
      op2[k] = 1;
      oc.count++;
      outPerStep[k]!++;
      if (first < 0) first = k;
    }
    outCols.push(oc);
    firstStep[i] = first;
  }
  // The step-by-step path's sample accounting: at each step the input's samples (a scalar argument's one among
  // them: it has one at every step), then the output's, on top of the outputs so far.
  const original = ctx.current();
  let held = original;
  for (let k = 0; k < n; k++) {
    ctx.setCurrent(held);
    ctx.add(inPerStep[k]! + params.length);
    ctx.add(outPerStep[k]!);
    held += outPerStep[k]!;
  }
  ctx.setCurrent(held);
  // The collector would meet series in step order, and within a step in input order.
  const order: number[] = [];
  for (let i = 0; i < vec.length; i++) if (firstStep[i]! >= 0) order.push(i);
  order.sort((a, b) => firstStep[a]! - firstStep[b]! || a - b);
  return order.map((i) => new ColumnarSeries(metrics[i]!, true, outCols[i]!));
}
