// Type checks of a parsed expression, following Prometheus's checkAST
// (promql/parser/parse.go): value types, argument counts and types, and the
// rules of binary operators and selectors. Errors go to an ErrorList.

import { type Expr, type ValueType, documentedType, typeOf } from './ast.js';
import type { ErrorList } from './errors.js';
import type { PositionRange } from './posrange.js';

const COMPARISON = new Set(['==', '!=', '>', '<', '>=', '<=']);
const SET_OPS = new Set(['and', 'or', 'unless']);

export function checkAST(e: Expr, query: string, errs: ErrorList, emptyMatches: (m: { type: string; value: string }) => boolean): ValueType {
  const check = (n: Expr): ValueType => checkAST(n, query, errs, emptyMatches);
  const expect = (n: Expr, want: ValueType, context: string) => {
    const t = check(n);
    if (t !== want) errs.add(n.posRange, `expected type ${documentedType(want)} in ${context}, got ${documentedType(t)}`);
  };
  const typ = typeOf(e);
  switch (e.type) {
    case 'AggregateExpr':
      expect(e.expr, 'vector', 'aggregation expression');
      if (e.param && ['topk', 'bottomk', 'quantile', 'limitk', 'limit_ratio'].includes(e.op)) expect(e.param, 'scalar', 'aggregation parameter');
      if (e.param && e.op === 'count_values') expect(e.param, 'string', 'aggregation parameter');
      break;

    case 'BinaryExpr': {
      const lt = check(e.lhs);
      const rt = check(e.rhs);
      const opRange = (): PositionRange => {
        let start = e.lhs.posRange.end;
        while (/\s/.test(query[start] ?? '')) start++;
        let end = e.rhs.posRange.start - 1;
        while (end > start && /\s/.test(query[end] ?? '')) end--;
        return { start, end };
      };
      if (e.returnBool && !COMPARISON.has(e.op)) errs.add(opRange(), 'bool modifier can only be used on comparison operators');
      if (COMPARISON.has(e.op) && !e.returnBool && lt === 'scalar' && rt === 'scalar') {
        errs.add(opRange(), 'comparisons between scalars must use BOOL modifier');
      }
      const vm = e.matching;
      if (vm && SET_OPS.has(e.op) && vm.card === 'one-to-one') vm.card = 'many-to-many';
      if (vm && vm.on) {
        for (const l of vm.matchingLabels) {
          if (vm.include.includes(l)) errs.add(opRange(), `label ${JSON.stringify(l)} must not occur in ON and GROUP clause at once`);
        }
      }
      if (lt !== 'scalar' && lt !== 'vector') errs.add(e.lhs.posRange, 'binary expression must contain only scalar and instant vector types');
      if (rt !== 'scalar' && rt !== 'vector') errs.add(e.rhs.posRange, 'binary expression must contain only scalar and instant vector types');
      if (vm && (lt !== 'vector' || rt !== 'vector')) {
        if (vm.matchingLabels.length > 0) errs.add(e.posRange, 'vector matching only allowed between instant vectors');
        if (vm.fillLHS !== null || vm.fillRHS !== null) errs.add(e.posRange, 'filling in missing series only allowed between instant vectors');
        e.matching = null;
      } else if (vm && SET_OPS.has(e.op)) {
        if (vm.card === 'one-to-many' || vm.card === 'many-to-one') errs.add(e.posRange, `no grouping allowed for ${JSON.stringify(e.op)} operation`);
        if (vm.card !== 'many-to-many') errs.add(e.posRange, 'set operations must always be many-to-many');
        if (vm.fillLHS !== null || vm.fillRHS !== null) errs.add(e.posRange, 'filling in missing series not allowed for set operators');
      }
      if ((lt === 'scalar' || rt === 'scalar') && SET_OPS.has(e.op)) {
        errs.add(e.posRange, `set operator ${JSON.stringify(e.op)} not allowed in binary scalar expression`);
      }
      break;
    }

    case 'Call': {
      const f = e.func;
      const nargs = f.argTypes.length;
      if (f.variadic === 0) {
        if (nargs !== e.args.length) errs.add(e.posRange, `expected ${nargs} argument(s) in call to ${JSON.stringify(f.name)}, got ${e.args.length}`);
      } else {
        const min = nargs - 1;
        if (min > e.args.length) errs.add(e.posRange, `expected at least ${min} argument(s) in call to ${JSON.stringify(f.name)}, got ${e.args.length}`);
        else if (f.variadic > 0 && min + f.variadic < e.args.length) {
          errs.add(e.posRange, `expected at most ${min + f.variadic} argument(s) in call to ${JSON.stringify(f.name)}, got ${e.args.length}`);
        }
      }
      if (f.name === 'info' && e.args.length > 1) {
        const sel = e.args[1]!;
        if (typeOf(sel) !== 'vector') {
          errs.add(e.posRange, `expected type instant vector in call to function "info", got ${documentedType(typeOf(sel))}`);
        }
        if (sel.type === 'VectorSelector' && sel.name !== '') errs.add(sel.posRange, 'expected label selectors only, got vector selector instead');
        else if (sel.type === 'VectorSelector') sel.bypassEmptyMatcherCheck = true;
        else errs.add(sel.posRange, 'expected label selectors only');
      }
      e.args.forEach((arg, i) => {
        if (i >= nargs) {
          if (f.variadic === 0) return;
          i = nargs - 1;
        }
        const t = check(arg);
        const want = f.argTypes[i]!;
        if (t !== want) errs.add(arg.posRange, `expected type ${documentedType(want)} in call to function ${JSON.stringify(f.name)}, got ${documentedType(t)}`);
      });
      break;
    }

    case 'ParenExpr':
      check(e.expr);
      break;

    case 'UnaryExpr': {
      const t = check(e.expr);
      if (t !== 'scalar' && t !== 'vector') {
        errs.add(e.posRange, `unary expression only allowed on expressions of type scalar or instant vector, got ${JSON.stringify(documentedType(t))}`);
      }
      break;
    }

    case 'SubqueryExpr': {
      const t = check(e.expr);
      if (t !== 'vector') errs.add(e.posRange, `subquery is only allowed on instant vector, got ${t} instead`);
      break;
    }

    case 'MatrixSelector':
      check(e.vectorSelector);
      break;

    case 'VectorSelector':
      if (e.name !== '') {
        for (const m of e.matchers.slice(0, -1)) {
          if (m.name === '__name__') errs.add(e.posRange, `metric name must not be set twice: ${JSON.stringify(e.name)} or ${JSON.stringify(m.value)}`);
        }
        break;
      }
      if (!e.bypassEmptyMatcherCheck && !e.matchers.some((m) => !emptyMatches(m))) {
        errs.add(e.posRange, 'vector selector must contain at least one non-empty matcher');
      }
      break;

    default:
      break;
  }
  return typ;
}
