// Structural equality of syntax trees, ignoring positions: what "printing
// and parsing again gives the same AST" means.

import type { Expr } from './ast.js';

export function sameAST(a: Expr, b: Expr): boolean {
  return same(a, b);
}

function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) || a === b;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => same(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) {
    if (k === 'posRange') continue;
    if (k === 'matchers') {
      // Matcher order carries no meaning (the printer sorts them).
      const key = (m: { type: string; name: string; value: string }) => `${m.name}\u0000${m.type}\u0000${m.value}`;
      const sa = (ao.matchers as { type: string; name: string; value: string }[]).map(key).sort();
      const sb = (bo.matchers as { type: string; name: string; value: string }[]).map(key).sort();
      if (!same(sa, sb)) return false;
      continue;
    }
    if (k === 'func') {
      if ((ao.func as { name: string }).name !== (bo.func as { name: string }).name) return false;
      continue;
    }
    if (!same(ao[k], bo[k])) return false;
  }
  return true;
}
