// GET/POST /api/v1/query_exemplars: the exemplars of every series a PromQL
// expression selects, in Prometheus's response shape.

import { parse, ParseError, type Expr, type VectorSelector } from '../promql/index.js';
import { children } from '../promql/parser/ast.js';
import { toMatchers } from '../promql/engine/selection.js';
import { QueryError } from '../promql/engine/errors.js';
import type { ExemplarStore } from '../storage/exemplars.js';
import { labelsToRecord } from '../model/labels.js';
// Go's strconv.FormatFloat(v, 'f', -1, 64), as Prometheus's JSON writes exemplar values.
import { formatFloat } from '../model/float.js';
import { ApiError } from './errors.js';
import { MAX_TIME, MIN_TIME, type Params } from './params.js';

function selectors(e: Expr, out: VectorSelector[] = []): VectorSelector[] {
  if (e.type === 'VectorSelector') out.push(e);
  for (const c of children(e)) selectors(c, out);
  return out;
}

/** The `data` of the answer (undefined, answered with 204, when the expression has no selector, as Prometheus answers). */
export function queryExemplars(store: ExemplarStore | undefined, p: Params): unknown {
  const start = p.time('start', MIN_TIME), end = p.time('end', MAX_TIME);
  if (end < start) throw new ApiError('bad_data', 'end timestamp must not be before start timestamp');
  let expr: Expr;
  try {
    expr = parse(p.get('query') ?? '');
  } catch (e) {
    if (e instanceof ParseError) throw new ApiError('bad_data', e.message);
    throw e;
  }
  let sets;
  try {
    sets = selectors(expr).map(toMatchers);
  } catch (e) {
    if (e instanceof QueryError) throw new ApiError('bad_data', e.message);
    throw e;
  }
  if (sets.length === 0) return undefined;
  if (!store) return [];
  return store.select(start, end, sets).map((r) => ({
    seriesLabels: labelsToRecord(r.seriesLabels),
    exemplars: r.exemplars.map((e) => ({ labels: labelsToRecord(e.labels), value: formatFloat(e.value), timestamp: e.timestamp / 1000 })),
  }));
}
