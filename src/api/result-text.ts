// A query's result written as JSON text where it was evaluated (a query
// worker), so the thread answering the request splices it into the body
// instead of receiving the result as a structured clone (tens of thousands
// of small [t, "value"] arrays for a dashboard's matrix) and writing it
// again with JSON.stringify. Whoever reads `result` itself still gets the
// array, parsed from the text on first use.

import type { QueryResult } from '../promql/engine/engine.js';

const TEXT = Symbol('result text');

/**
 * JSON text as a string, or as UTF-8 bytes in pieces to be sent one after
 * another (a query worker's transferred answer, or parts' answers joined
 * without copying them into one array).
 */
export type JSONText = string | readonly Uint8Array[];

interface WithText {
  [TEXT]?: { text: JSONText; length: number };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** Byte pieces one after another in one array: the one copy of an answer's bytes on their way out. */
export function concatBytes(pieces: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const b of pieces) n += b.length;
  const out = new Uint8Array(n);
  let p = 0;
  for (const b of pieces) {
    out.set(b, p);
    p += b.length;
  }
  return out;
}

/** The text as a string. */
export function jsonString(text: JSONText): string {
  return typeof text === 'string' ? text : decoder.decode(concatBytes(text));
}

/**
 * `r` with its array result held as JSON text (`length` elements): the
 * `result` property parses the text the first time it is read.
 */
export function withResultText(r: Omit<QueryResult, 'result' | 'resultType'> & { resultType: QueryResult['resultType'] }, text: JSONText, length: number): QueryResult {
  let parsed: unknown;
  const out = { ...r } as QueryResult & WithText;
  Object.defineProperty(out, 'result', {
    enumerable: true,
    configurable: true,
    get: () => (parsed ??= JSON.parse(jsonString(text))),
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
export function resultText(r: QueryResult): { text: JSONText; length: number } | undefined {
  return (r as QueryResult & WithText)[TEXT];
}

/** Stands for JSON text inside a value given to stringifyWithRaw. */
export class RawJSON {
  constructor(readonly text: JSONText) {}
  toJSON(): string {
    return PLACEHOLDER;
  }
}

// Written by JSON.stringify as "\u0000raw result\u0000": the first such text in an answer is where
// the raw result goes (its status and resultType, the only strings before it, are fixed words).
const PLACEHOLDER = '\u0000raw result\u0000';
const QUOTED = JSON.stringify(PLACEHOLDER);

/**
 * JSON.stringify of `body`, with the one RawJSON in it (if any, before any
 * text from users) written as its text: a string, or, when the raw text is
 * UTF-8 bytes, the body's bytes as pieces to send one after another (never
 * made a string; the raw pieces are not copied).
 */
export function stringifyWithRaw(body: unknown, raw: RawJSON | undefined): string | Uint8Array[] {
  const s = JSON.stringify(body);
  if (!raw) return s;
  const at = s.indexOf(QUOTED);
  if (at < 0) throw new Error('raw JSON placeholder missing from the answer');
  const text = raw.text;
  if (typeof text === 'string') return s.slice(0, at) + text + s.slice(at + QUOTED.length);
  return [encoder.encode(s.slice(0, at)), ...text, encoder.encode(s.slice(at + QUOTED.length))];
}
