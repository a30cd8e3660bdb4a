// A query result whose `result` array arrives already written as JSON bytes
// (a query worker writes them: src/node/query-worker.ts), so the API's
// answer splices those bytes in rather than receiving the result as objects
// (a structured clone of every sample pair across the thread boundary) and
// encoding them again on the main thread, which every query's answer passes
// through. Readers of `result` still get the objects: they are parsed from
// the bytes on first use.

import type { QueryResult } from '../promql/engine/engine.js';

/** The bytes of JSON.stringify(result.result) and how many elements the array has (1 for a scalar or string). */
export interface EncodedResult {
  bytes: Uint8Array;
  length: number;
}

const encodedOf = new WeakMap<object, EncodedResult>();

/** The bytes of a result's `result`, when it carries them (see encodedQueryResult). */
export function encodedResultOf(r: QueryResult): EncodedResult | undefined {
  return encodedOf.get(r);
}

/** A QueryResult over `rest`, whose `result` is the encoded one, parsed when first read. */
export function encodedQueryResult(rest: Omit<QueryResult, 'result'>, encoded: EncodedResult): QueryResult {
  let parsed: unknown;
  // The keys in the engine's order: resultType, result, then the rest.
  const r: Record<string, unknown> = { resultType: rest.resultType };
  Object.defineProperty(r, 'result', {
    enumerable: true,
    get: () => (parsed ??= JSON.parse(new TextDecoder().decode(encoded.bytes))),
  });
  Object.assign(r, rest);
  encodedOf.set(r, encoded);
  return r as unknown as QueryResult;
}

/** Encodes a result's `result` (the worker's side). */
export function encodeResult(r: Pick<QueryResult, 'resultType' | 'result'>): EncodedResult {
  const length = r.resultType === 'vector' || r.resultType === 'matrix' ? r.result.length : 1;
  return { bytes: new TextEncoder().encode(JSON.stringify(r.result)), length };
}

/** Stands in an answer's data.result for JSON bytes written elsewhere: bodyJSON splices them in. */
export class RawJSON {
  constructor(readonly bytes: Uint8Array) {}
}

// Written in place of the raw value, then replaced by its bytes. Nothing before data.result in an
// answer (its status, data.resultType) can contain it, so its first occurrence is the place.
const MARK = '\u0000promlet-raw-json\u0000';
const QUOTED_MARK = JSON.stringify(MARK);

/** JSON.stringify(body), with a RawJSON at body.data.result written as its bytes (then bytes, else a string). */
export function bodyJSON(body: { data?: unknown }): string | Uint8Array {
  const data = body.data as { result?: unknown } | undefined;
  const raw = data && typeof data === 'object' && data.result instanceof RawJSON ? data.result : undefined;
  if (!raw) return JSON.stringify(body);
  const text = JSON.stringify({ ...body, data: { ...data, result: MARK } });
  const at = text.indexOf(QUOTED_MARK);
  const enc = new TextEncoder();
  const head = enc.encode(text.slice(0, at)), tail = enc.encode(text.slice(at + QUOTED_MARK.length));
  const out = new Uint8Array(head.length + raw.bytes.length + tail.length);
  out.set(head, 0);
  out.set(raw.bytes, head.length);
  out.set(tail, head.length + raw.bytes.length);
  return out;
}
