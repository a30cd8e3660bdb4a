// What the browser entries compare between a stored database and an
// in-memory reference: query results as JSON, without their timing stats.

import { createEngine, type DB } from '../../src/index.js';

export const shown = (r: { resultType: string; result: unknown; warnings?: unknown; infos?: unknown }) =>
  JSON.stringify({ resultType: r.resultType, result: r.result, warnings: r.warnings, infos: r.infos });

/** Each of `queries` at its time, then `range` (query, start, end, step), as shown. */
export async function answers(db: DB, queries: readonly [string, number][], range: [string, number, number, number]): Promise<string[]> {
  const engine = createEngine(db);
  const out: string[] = [];
  for (const [q, at] of queries) out.push(shown(await engine.instantQuery(q, at)));
  out.push(shown(await engine.rangeQuery(...range)));
  return out;
}
