// Binary operators between vectors and scalars, one evaluation step at a
// time (Prometheus engine.go VectorBinop / VectorscalarBinop / VectorAnd ...).

import { type Labels, keyPart } from '../../model/labels.js';
import type { BinaryOp, VectorMatching } from '../parser/ast.js';
import { QueryError } from './errors.js';
import { cachedLabelsKey, perLabelSet } from './label-key-cache.js';
import type { FloatHistogram } from '../../model/histogram.js';
import type { PositionRange } from '../parser/posrange.js';
import type { Annotations } from './annotations.js';
import { type PendingAnnotation, histogramElemBinop } from './binop-histograms.js';
import { type Sample, type Vector, compareLabels, dropMetricName, labelsKey, labelsString, withoutLabels, keepLabels, getLabel, setLabel } from './value.js';

const COMPARISON = new Set(['==', '!=', '>', '<', '>=', '<=']);
const ARITHMETIC = new Set(['+', '-', '*', '/', '%', '^', 'atan2']);

export const isComparison = (op: BinaryOp) => COMPARISON.has(op);
/** The histogram trim operators, defined for a histogram and a scalar only. */
const isTrim = (op: BinaryOp) => op === '</' || op === '>/';
/** Operators whose result no longer is the input metric (the name is dropped). */
export const changesMetricSchema = (op: BinaryOp) => ARITHMETIC.has(op);

/** Go's math.Pow, which differs from Math.pow for bases ±1 with infinite or NaN exponents. */
export function goPow(x: number, y: number): number {
  if (x === 1 || y === 0) return 1;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return Math.pow(x, y);
}

/** Go's math.Mod (same sign rules as %, named for clarity). */
export const goMod = (x: number, y: number) => x % y;

/** vectorElemBinop for floats: the value, and whether a filtering operator keeps the element. */
export function elemBinop(op: BinaryOp, lhs: number, rhs: number): [number, boolean] {
  switch (op) {
    case '+': return [lhs + rhs, true];
    case '-': return [lhs - rhs, true];
    case '*': return [lhs * rhs, true];
    case '/': return [lhs / rhs, true];
    case '^': return [goPow(lhs, rhs), true];
    case '%': return [goMod(lhs, rhs), true];
    case 'atan2': return [Math.atan2(lhs, rhs), true];
    case '==': return [lhs, lhs === rhs];
    case '!=': return [lhs, lhs !== rhs];
    case '>': return [lhs, lhs > rhs];
    case '<': return [lhs, lhs < rhs];
    case '>=': return [lhs, lhs >= rhs];
    case '<=': return [lhs, lhs <= rhs];
    default: throw new QueryError(`operator "${op}" not allowed for operations between vectors`);
  }
}

export function scalarBinop(op: BinaryOp, lhs: number, rhs: number): number {
  if (COMPARISON.has(op)) return elemBinop(op, lhs, rhs)[1] ? 1 : 0;
  return elemBinop(op, lhs, rhs)[0];
}

/** The join signature of a label set under on(...)/ignoring(...). */
export function signatureFn(matching: VectorMatching): (ls: Labels) => string {
  return perLabelSet(signatureOf(matching));
}

function signatureOf(matching: VectorMatching): (ls: Labels) => string {
  if (matching.on) {
    const names = [...matching.matchingLabels].sort();
    return (ls) => {
      let s = '';
      // keyPart, as labelsKey: a value holding ÿ would otherwise match another pair of values.
      for (const n of names) s += keyPart(n) + '\xff' + keyPart(getLabel(ls, n)) + '\xff';
      return s;
    };
  }
  const drop = ['__name__', ...matching.matchingLabels];
  return (ls) => labelsKey(withoutLabels(ls, drop));
}

/** The labels the match signature is built from (for error messages). */
export function matchLabels(ls: Labels, matching: VectorMatching): Labels {
  return matching.on ? keepLabels(ls, matching.matchingLabels) : withoutLabels(ls, ['__name__', ...matching.matchingLabels]);
}

export function vectorAnd(lhs: Vector, rhs: Vector, sig: (ls: Labels) => string): Vector {
  if (lhs.length === 0 || rhs.length === 0) return [];
  const right = new Set(rhs.map((s) => sig(s.metric)));
  return lhs.filter((s) => right.has(sig(s.metric)));
}

export function vectorOr(lhs: Vector, rhs: Vector, sig: (ls: Labels) => string): Vector {
  if (lhs.length === 0) return [...rhs];
  if (rhs.length === 0) return [...lhs];
  const left = new Set(lhs.map((s) => sig(s.metric)));
  return [...lhs, ...rhs.filter((s) => !left.has(sig(s.metric)))];
}

export function vectorUnless(lhs: Vector, rhs: Vector, sig: (ls: Labels) => string): Vector {
  if (lhs.length === 0 || rhs.length === 0) return [...lhs];
  const right = new Set(rhs.map((s) => sig(s.metric)));
  return lhs.filter((s) => !right.has(sig(s.metric)));
}

// Result label sets per (matching, lhs, rhs) objects: the same pair meets at every step of a range
// evaluation, and one label-set object per result series lets its key be remembered too.
const resultMetrics = new WeakMap<VectorMatching, WeakMap<Labels, WeakMap<Labels, Labels>>>();

export function cachedResultMetric(lhs: Labels, rhs: Labels, op: BinaryOp, matching: VectorMatching): Labels {
  let byLhs = resultMetrics.get(matching);
  if (!byLhs) resultMetrics.set(matching, (byLhs = new WeakMap()));
  let byRhs = byLhs.get(lhs);
  if (!byRhs) byLhs.set(lhs, (byRhs = new WeakMap()));
  let ls = byRhs.get(rhs);
  if (!ls) byRhs.set(rhs, (ls = resultMetric(lhs, rhs, op, matching)));
  return ls;
}

function resultMetric(lhs: Labels, rhs: Labels, op: BinaryOp, matching: VectorMatching): Labels {
  let ls = lhs;
  // As upstream, arithmetic between vectors drops the name at once, even with delayed removal.
  if (changesMetricSchema(op)) ls = dropMetricName(ls);
  if (matching.card === 'one-to-one') {
    ls = matching.on ? keepLabels(ls, matching.matchingLabels) : withoutLabels(ls, matching.matchingLabels);
  }
  for (const name of matching.include) ls = setLabel(ls, name, getLabel(rhs, name));
  return ls;
}

/** Arithmetic and comparison between two vectors with vector matching (and fill values). */
export function vectorBinop(
  op: BinaryOp, lhsIn: Vector, rhsIn: Vector, matching: VectorMatching, returnBool: boolean,
  sig: (ls: Labels) => string, delayedNameRemoval: boolean, annos?: Annotations, pos?: PositionRange,
): Vector {
  const hasFill = matching.fillLHS !== null || matching.fillRHS !== null;
  if ((lhsIn.length === 0 && rhsIn.length === 0) || ((lhsIn.length === 0 || rhsIn.length === 0) && !hasFill)) return [];
  // One-to-many is many-to-one with the sides swapped.
  const swapped = matching.card === 'one-to-many';
  const lhs = swapped ? rhsIn : lhsIn;
  const rhs = swapped ? lhsIn : rhsIn;
  // As upstream, the fill values apply to the sides after the swap.
  const fillForMissingRight = matching.fillRHS;
  const fillForMissingLeft = matching.fillLHS;

  const rightSigs = new Map<string, Sample>();
  for (const rs of rhs) {
    const s = sig(rs.metric);
    const dup = rightSigs.get(s);
    if (dup) {
      const [a, b] = [rs.metric, dup.metric].sort(compareLabels);
      throw new QueryError(
        `found duplicate series for the match group ${labelsString(matchLabels(rs.metric, matching))} on the ${swapped ? 'left' : 'right'} hand-side of the operation: ` +
        `[${labelsString(a!)}, ${labelsString(b!)}];many-to-many matching not allowed: matching labels must be unique on one side`,
      );
    }
    rightSigs.set(s, rs);
  }

  const out: Vector = [];
  const matched = new Map<string, Set<string> | null>();
  let lastAnno: PendingAnnotation | undefined;
  const apply = (ls: Sample, rs: Sample, s: string) => {
    let [fl, fr] = [ls.f, rs.f];
    let [hl, hr] = [ls.h, rs.h];
    if (swapped) {
      [fl, fr] = [fr, fl];
      [hl, hr] = [hr, hl];
    }
    let value: number, keep: boolean, h: FloatHistogram | undefined;
    if (hl || hr || isTrim(op)) {
      const r = histogramElemBinop(op, fl, fr, hl, hr, pos!);
      if (r.err) {
        lastAnno = r.err;
        return;
      }
      if (r.info) lastAnno = r.info;
      ({ f: value, keep, h } = r);
    } else {
      [value, keep] = elemBinop(op, fl, fr);
    }
    if (returnBool) {
      value = keep ? 1 : 0;
      h = undefined;
    }
    let metric = cachedResultMetric(ls.metric, rs.metric, op, matching);
    if (!delayedNameRemoval && returnBool) metric = dropMetricName(metric);
    const inserted = matched.get(s);
    if (matching.card === 'one-to-one') {
      if (matched.has(s)) throw new QueryError('multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
      matched.set(s, null);
    } else {
      const key = cachedLabelsKey(metric);
      if (inserted === undefined || inserted === null) {
        matched.set(s, new Set([key]));
      } else {
        if (inserted.has(key)) throw new QueryError('multiple matches for labels: grouping labels must ensure unique matches');
        inserted.add(key);
      }
    }
    if (!keep && !returnBool) return;
    // As upstream, only bool marks the name for removal: arithmetic has removed it already.
    const el: Sample = { metric, t: ls.t, f: value, dropName: returnBool };
    if (h) el.h = h;
    out.push(el);
  };

  for (const ls of lhs) {
    const s = sig(ls.metric);
    let rs = rightSigs.get(s);
    if (!rs) {
      if (fillForMissingRight === null) continue;
      rs = { metric: matchLabels(ls.metric, matching), t: ls.t, f: fillForMissingRight, dropName: false };
    }
    apply(ls, rs, s);
  }
  if (fillForMissingLeft !== null) {
    for (const [s, rs] of rightSigs) {
      if (matched.has(s)) continue;
      apply({ metric: matchLabels(rs.metric, matching), t: rs.t, f: fillForMissingLeft, dropName: false }, rs, s);
    }
  }
  if (lastAnno && annos) lastAnno(annos);
  return out;
}

/** Vector op scalar (or scalar op vector when swapped): comparisons keep the vector's value. */
export function vectorScalarBinop(
  op: BinaryOp, lhs: Vector, scalar: number, swap: boolean, returnBool: boolean, delayedNameRemoval: boolean,
  annos?: Annotations, pos?: PositionRange,
): Vector {
  const out: Vector = [];
  let lastAnno: PendingAnnotation | undefined;
  for (const s of lhs) {
    let [lf, rf] = [s.f, scalar];
    if (swap) [lf, rf] = [rf, lf];
    let value: number, keep: boolean, h: FloatHistogram | undefined;
    if (s.h || isTrim(op)) {
      const r = histogramElemBinop(op, lf, rf, swap ? undefined : s.h, swap ? s.h : undefined, pos!);
      if (r.err) {
        lastAnno = r.err;
        continue;
      }
      ({ f: value, keep, h } = r);
    } else {
      [value, keep] = elemBinop(op, lf, rf);
    }
    if (isComparison(op) && swap) {
      value = rf;
      h = s.h;
    }
    if (returnBool) {
      value = keep ? 1 : 0;
      h = undefined;
      keep = true;
    }
    if (!keep) continue;
    const drop = changesMetricSchema(op) || returnBool;
    const el: Sample = {
      metric: drop && !delayedNameRemoval ? dropMetricName(s.metric) : s.metric,
      t: s.t,
      f: value,
      dropName: drop || s.dropName,
    };
    if (h) el.h = h;
    out.push(el);
  }
  if (lastAnno && annos) lastAnno(annos);
  return out;
}
