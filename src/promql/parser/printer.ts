// The one-line canonical form of an expression: Prometheus's Expr.String()
// (promql/parser/printer.go). Printing and parsing again gives the same tree.

import type { AggregateExpr, BinaryExpr, DurationExpr, Expr, LabelMatcher, SubqueryExpr, VectorMatching, VectorSelector } from './ast.js';
import { goQuote } from './literals.js';
import { formatDuration } from '../../model/duration.js';
import { formatFloat } from '../../model/float.js';

const LEGACY_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LEGACY_METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export function formatLabelName(name: string): string {
  return LEGACY_LABEL.test(name) ? name : goQuote(name);
}

export function formatMatcher(m: LabelMatcher): string {
  return `${formatLabelName(m.name)}${m.type}${goQuote(m.value)}`;
}

function labelList(names: readonly string[]): string {
  return names.map(formatLabelName).join(', ');
}

function signedDuration(ms: number): string {
  return ms < 0 ? `-${formatDuration(-ms)}` : formatDuration(ms);
}

function offsetSuffix(offset: number, offsetExpr: DurationExpr | null): string {
  if (offsetExpr) return ` offset ${print(offsetExpr)}`;
  if (offset !== 0) return ` offset ${signedDuration(offset)}`;
  return '';
}

function atSuffix(timestamp: number | null, startOrEnd: 'start' | 'end' | null): string {
  if (timestamp !== null) return ` @ ${(timestamp / 1000).toFixed(3)}`;
  if (startOrEnd) return ` @ ${startOrEnd}()`;
  return '';
}

function selectorBody(vs: VectorSelector): string {
  const strs: string[] = [];
  let name = vs.name;
  for (const m of vs.matchers) {
    if (m.name === '__name__' && m.type === '=' && m.value === vs.name && m.value !== '') continue;
    strs.push(formatMatcher(m));
  }
  // A name that is not a legacy metric name only parses back inside the braces.
  if (name !== '' && !LEGACY_METRIC.test(name)) {
    strs.push(goQuote(name));
    name = '';
  }
  strs.sort();
  return name + (strs.length > 0 ? `{${strs.join(',')}}` : '');
}

function matchingSuffix(vm: VectorMatching | null): string {
  if (!vm) return '';
  let s = '';
  const grouped = vm.card === 'many-to-one' || vm.card === 'one-to-many';
  if (vm.matchingLabels.length > 0 || vm.on || grouped) s += ` ${vm.on ? 'on' : 'ignoring'} (${labelList(vm.matchingLabels)})`;
  if (grouped) s += ` group_${vm.card === 'many-to-one' ? 'left' : 'right'} (${labelList(vm.include)})`;
  if (vm.fillLHS !== null || vm.fillRHS !== null) {
    if (vm.fillLHS !== null && vm.fillRHS !== null && Object.is(vm.fillLHS, vm.fillRHS)) s += ` fill (${goNumber(vm.fillLHS)})`;
    else {
      if (vm.fillLHS !== null) s += ` fill_left (${goNumber(vm.fillLHS)})`;
      if (vm.fillRHS !== null) s += ` fill_right (${goNumber(vm.fillRHS)})`;
    }
  }
  return s;
}

/** Go's %v of a float64. */
function goNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e21)) return v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return formatFloat(v);
}

/** `sum by (job) ` of an aggregation: everything before its arguments. */
export function aggregatePrefix(e: AggregateExpr): string {
  if (e.without) return `${e.op} without (${labelList(e.grouping)}) `;
  if (e.grouping.length > 0) return `${e.op} by (${labelList(e.grouping)}) `;
  return e.op;
}

/** The operator of a binary expression with its modifiers: `/ on (job) group_left ()`. */
export function binaryOperator(e: BinaryExpr): string {
  return `${e.op}${e.returnBool ? ' bool' : ''}${matchingSuffix(e.matching)}`;
}

/** `[range:step] @ t offset d` of a subquery. */
export function subquerySuffix(e: SubqueryExpr): string {
  const range = e.rangeExpr ? print(e.rangeExpr) : formatDuration(e.range);
  const step = e.step !== 0 ? formatDuration(e.step) : e.stepExpr ? print(e.stepExpr) : '';
  return `[${range}:${step}]${atSuffix(e.timestamp, e.startOrEnd)}${offsetSuffix(e.offset, e.offsetExpr)}`;
}

export function print(e: Expr): string {
  switch (e.type) {
    case 'AggregateExpr':
      return `${aggregatePrefix(e)}(${e.param ? print(e.param) + ', ' : ''}${print(e.expr)})`;
    case 'BinaryExpr':
      return `${print(e.lhs)} ${binaryOperator(e)} ${print(e.rhs)}`;
    case 'Call':
      return `${e.func.name}(${e.args.map(print).join(', ')})`;
    case 'DurationExpr': {
      let s: string;
      if (e.op === 'step' || e.op === 'range') s = `${e.op}()`;
      else if (e.op === 'min_of' || e.op === 'max_of') s = `${e.op}(${print(e.lhs!)}, ${print(e.rhs!)})`;
      else if (e.lhs === null) s = e.op === '-' ? `-${print(e.rhs!)}` : print(e.rhs!);
      else s = `${print(e.lhs)} ${e.op} ${print(e.rhs!)}`;
      return e.wrapped ? `(${s})` : s;
    }
    case 'MatrixSelector': {
      const vs = e.vectorSelector as VectorSelector;
      const range = e.rangeExpr ? print(e.rangeExpr) : formatDuration(e.range);
      const ext = vs.anchored ? ' anchored' : vs.smoothed ? ' smoothed' : '';
      return `${selectorBody(vs)}[${range}]${ext}${atSuffix(vs.timestamp, vs.startOrEnd)}${offsetSuffix(vs.offset, vs.offsetExpr)}`;
    }
    case 'SubqueryExpr':
      return print(e.expr) + subquerySuffix(e);
    case 'NumberLiteral':
      if (e.duration) return e.val < 0 ? `-${formatDuration(Math.round(-e.val * 1000))}` : formatDuration(Math.round(e.val * 1000));
      return formatFloat(e.val);
    case 'StringLiteral':
      return goQuote(e.val);
    case 'ParenExpr':
      return `(${print(e.expr)})`;
    case 'UnaryExpr':
      return `${e.op}${print(e.expr)}`;
    case 'VectorSelector': {
      const ext = e.anchored ? ' anchored' : e.smoothed ? ' smoothed' : '';
      return `${selectorBody(e)}${atSuffix(e.timestamp, e.startOrEnd)}${ext}${offsetSuffix(e.offset, e.offsetExpr)}`;
    }
  }
}
