// A query result handed to the API as JSON text (as query workers send it)
// gives the same answer, byte for byte, as the result itself.

import { beforeAll, describe, expect, it } from 'vitest';
import { openDB, createEngine, type DB, type Engine } from '../../src/index.js';
import { createApiHandler } from '../../src/api/handler.js';
import { resultText, stringifyWithRaw, RawJSON, withResultText } from '../../src/api/result-text.js';
import type { QueryResult } from '../../src/promql/engine/engine.js';

const T0 = Date.UTC(2026, 0, 1);
const PLACEHOLDER_TEXT = '\u0000raw result\u0000';

let db: DB;

beforeAll(async () => {
  db = await openDB();
  const app = db.appender();
  for (let i = 0; i <= 40; i++) {
    for (const instance of ['a', 'b', 'c']) app.append({ __name__: 'req_total', instance, odd: PLACEHOLDER_TEXT }, T0 + i * 15_000, i * 10.25 + 1e-9);
    app.append({ __name__: 'temp', instance: 'a' }, T0 + i * 15_000, i % 7 === 0 ? NaN : -i / 3);
  }
  await app.commit();
});

/** The in-process engine, with its array results handed over as text the way offthread-engine.ts does. */
function asText(engine: Engine, extraWarning?: string): Engine {
  const wrap = (r: QueryResult): QueryResult => {
    const warned = extraWarning ? { ...r, warnings: [...r.warnings, extraWarning] } : r;
    if (r.resultType !== 'vector' && r.resultType !== 'matrix') return warned;
    return withResultText(warned, JSON.stringify(r.result), r.result.length);
  };
  return {
    ...engine,
    instantQuery: async (...a) => wrap(await engine.instantQuery(...a)),
    rangeQuery: async (...a) => wrap(await engine.rangeQuery(...a)),
  };
}

/** The engine answering every query with its first answer (the same timings in every body). */
function once(engine: Engine): Engine {
  let first: Promise<QueryResult> | undefined;
  return {
    ...engine,
    instantQuery: (...a) => (first ??= engine.instantQuery(...a)),
    rangeQuery: (...a) => (first ??= engine.rangeQuery(...a)),
  };
}

async function body(engine: Engine, path: string, params: Record<string, string>): Promise<string> {
  const handler = createApiHandler({ db, engine, now: () => T0 + 600_000, info: { version: 'test', startTime: new Date(T0), flags: {}, configYaml: () => '' } });
  const res = await handler(new Request(`http://localhost${path}?${new URLSearchParams(params)}`));
  return res.text();
}

describe('results as JSON text', () => {
  const cases: [string, Record<string, string>][] = [
    ['/api/v1/query', { query: 'req_total', time: String((T0 + 300_000) / 1000) }],
    ['/api/v1/query', { query: 'scalar(sum(req_total))', time: String((T0 + 300_000) / 1000) }],
    ['/api/v1/query', { query: 'req_total[1m]', time: String((T0 + 300_000) / 1000) }],
    ['/api/v1/query_range', { query: 'rate(req_total[1m]) / temp', start: String(T0 / 1000), end: String((T0 + 600_000) / 1000), step: '15' }],
    ['/api/v1/query_range', { query: 'temp', start: String(T0 / 1000), end: String((T0 + 600_000) / 1000), step: '15', stats: 'all' }],
    ['/api/v1/query_range', { query: 'req_total', start: String(T0 / 1000), end: String((T0 + 600_000) / 1000), step: '15', limit: '2' }],
    ['/api/v1/query_range', { query: 'req_total', start: String(T0 / 1000), end: String((T0 + 600_000) / 1000), step: '15', limit: '3' }],
    ['/api/v1/query_range', { query: 'nothing_here', start: String(T0 / 1000), end: String((T0 + 600_000) / 1000), step: '15' }],
  ];
  for (const [path, params] of cases) {
    it(`answers as the result itself: ${path} ${JSON.stringify(params)}`, async () => {
      const engine = once(createEngine(db));
      const plain = await body(engine, path, params);
      // A warning holding the placeholder's text comes after the result and is left as it is.
      expect(await body(asText(engine), path, params)).toBe(plain);
      const warned = await body(asText(engine, PLACEHOLDER_TEXT), path, params);
      expect(JSON.parse(warned).warnings).toContain(PLACEHOLDER_TEXT);
      expect(JSON.parse(warned).data).toEqual(JSON.parse(plain).data);
    });
  }

  it('parses the text for whoever reads the result, and forgets it when the result is replaced', () => {
    const r = withResultText({ resultType: 'vector', warnings: [], infos: [], stats: undefined as never }, '[{"metric":{},"value":[1,"2"]}]', 1);
    expect(resultText(r)).toEqual({ text: '[{"metric":{},"value":[1,"2"]}]', length: 1 });
    expect(r.result).toEqual([{ metric: {}, value: [1, '2'] }]);
    expect(r.result).toBe(r.result);
    r.result = [];
    expect(resultText(r)).toBeUndefined();
    expect(r.result).toEqual([]);
  });

  it('splices the raw text where its placeholder was written', () => {
    expect(stringifyWithRaw({ a: 1, b: new RawJSON('[1,2]'), c: 'x' }, new RawJSON('[1,2]'))).toBe('{"a":1,"b":[1,2],"c":"x"}');
    expect(stringifyWithRaw({ a: 1 }, undefined)).toBe('{"a":1}');
    expect(() => stringifyWithRaw({ a: 1 }, new RawJSON('[]'))).toThrow(/placeholder/);
  });

  it('writes raw text held as UTF-8 pieces as the bytes of the string it spells', () => {
    const text = '[{"metric":{"é":"ü \\"x\\" \\u0001 😀"},"values":[[1,"2"]]}]';
    const enc = new TextEncoder();
    const whole = enc.encode(text);
    for (const cuts of [[], [1], [5, 6, 7], [12, 13, 30, whole.length - 1], [0, whole.length]]) {
      const pieces: Uint8Array[] = [];
      let from = 0;
      for (const c of [...cuts, whole.length]) {
        pieces.push(whole.subarray(from, c));
        from = c;
      }
      const body = { status: 'success', data: { resultType: 'matrix', result: new RawJSON(pieces) }, warnings: ['w "é"'] };
      const got = stringifyWithRaw(body, new RawJSON(pieces));
      expect(Array.isArray(got)).toBe(true);
      expect(Buffer.concat(got as Uint8Array[]).equals(Buffer.from(stringifyWithRaw(body, new RawJSON(text)) as string, 'utf8'))).toBe(true);
      const r = withResultText({ resultType: 'matrix', warnings: [], infos: [], stats: undefined as never }, pieces, 1);
      expect(r.result).toEqual(JSON.parse(text));
    }
  });
});
