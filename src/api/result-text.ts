// A query's result written as JSON text where it was evaluated (a query
// worker), so the thread answering the request splices it into the body
// instead of receiving the result as a structured clone (tens of thousands
// of small [t, "value"] arrays for a dashboard's matrix) and writing it
// again with JSON.stringify. Whoever reads `result` itself still gets the
// array, parsed from the text on first use.

import type { QueryResult } from '../promql/engine/engine.js';

const TEXT = Symbol('result text');

interface WithText {
  [TEXT]?: { text: string; length: number };
}

/**
 * `r` with its array result held as JSON text (`length` elements): the
 * `result` property parses the text the first time it is read.
 */
export function withResultText(r: Omit<QueryResult, 'result' | 'resultType'> & { resultType: QueryResult['resultType'] }, text: string, length: number): QueryResult {
  let parsed: unknown;
  const out = { ...r } as QueryResult & WithText;
  Object.defineProperty(out, 'result', {
    enumerable: true,
    configurable: true,
    get: () => (parsed ??= JSON.parse(text)),
    set: (v: unknown) => {
      parsed = v;
      delete out[TEXT];
    },
  });
  // Not enumerable: copies and comparisons of the result see only its fields.
  Object.defineProperty(out, TEXT, { value: { text, length }, configurable: true, writable: true });
  return out;
}

/** The result's JSON text and element count, when it is held as text and nobody replaced it. */
export function resultText(r: QueryResult): { text: string; length: number } | undefined {
  return (r as QueryResult & WithText)[TEXT];
}

/** Stands for JSON text inside a value given to stringifyWithRaw. */
export class RawJSON {
  constructor(readonly text: string) {}
  toJSON(): string {
    return PLACEHOLDER;
  }
}

// Written by JSON.stringify as "\u0000raw result\u0000": the first such text in an answer is where
// the raw result goes (its status and resultType, the only strings before it, are fixed words).
const PLACEHOLDER = '\u0000raw result\u0000';
const QUOTED = JSON.stringify(PLACEHOLDER);

/** JSON.stringify of `body`, with the one RawJSON in it (if any, before any text from users) written as its text. */
export function stringifyWithRaw(body: unknown, raw: RawJSON | undefined): string {
  const s = JSON.stringify(body);
  if (!raw) return s;
  const at = s.indexOf(QUOTED);
  if (at < 0) throw new Error('raw JSON placeholder missing from the answer');
  return s.slice(0, at) + raw.text + s.slice(at + QUOTED.length);
}
