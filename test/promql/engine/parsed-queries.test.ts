// Parsed queries remembered by text and parser options (parsed-queries.ts):
// the same tree for the same text and options, a parse of its own otherwise,
// errors reported every time, and queries whose trees are shared answering
// as queries parsed afresh (per-query state such as @ start() or duration
// expressions stays outside the tree).

import { describe, expect, it } from 'vitest';
import { parseRemembered } from '../../../src/promql/engine/parsed-queries.js';
import { parse } from '../../../src/promql/parser/index.js';
import { openDB, createEngine } from '../../../src/index.js';

describe('parseRemembered', () => {
  it('hands out one tree per text and options', () => {
    const a = parseRemembered('sum by (job) (rate(up[5m]))', {});
    expect(parseRemembered('sum by (job) (rate(up[5m]))', {})).toBe(a);
    expect(parseRemembered('sum by (job) (rate(up[5m])) ', {})).not.toBe(a);
    expect(parseRemembered('sum by (job) (rate(up[5m]))', { experimentalFunctions: true })).not.toBe(a);
    expect(a).toEqual(parse('sum by (job) (rate(up[5m]))', {}));
  });

  it('parses under the options it is given, remembered or not', () => {
    expect(parseRemembered('limitk(1, up)', { experimentalFunctions: true }).type).toBe('AggregateExpr');
    expect(() => parseRemembered('limitk(1, up)', {})).toThrow(/limitk/);
    expect(() => parseRemembered('limitk(1, up)', {})).toThrow(/limitk/);
  });

  it('reports a bad query each time it is asked', () => {
    for (let i = 0; i < 3; i++) expect(() => parseRemembered('sum(up', {})).toThrow(/unclosed|expected|end of input/);
  });

  it('keeps a bounded number of trees, dropping the least recently used', () => {
    const first = parseRemembered('up offset 1s', {});
    for (let i = 0; i < 300; i++) {
      parseRemembered(`up offset ${i + 2}s`, {});
      // Used again and again, so never the least recently used.
      if (i % 50 === 0) parseRemembered('up offset 1s', {});
    }
    expect(parseRemembered('up offset 1s', {})).toBe(first);
    const early = parseRemembered('up offset 2s', {});
    expect(early).toEqual(parse('up offset 2s'));
    expect(parseRemembered('up offset 2s', {})).toBe(early);
  });

  it('parses a very long query each time', () => {
    const long = `up + ${'1 + '.repeat(1100)}1`;
    expect(parseRemembered(long, {})).not.toBe(parseRemembered(long, {}));
  });
});

describe('queries sharing a remembered tree', () => {
  it('resolve @ start(), end() and duration expressions for their own range', async () => {
    const db = await openDB();
    const app = db.appender();
    for (let t = 0; t <= 3600_000; t += 15_000) app.append({ __name__: 'x' }, t, t / 1000);
    await app.commit();
    const engine = createEngine(db);
    const queries = ['x @ start()', 'x @ end()', 'x offset step()', 'sum_over_time(x[step() * 4])', 'x[5m:1m] @ end()'];
    for (const q of queries) {
      for (const [start, end, step] of [[600, 1200, 60], [1800, 3000, 120], [600, 1200, 60]] as const) {
        const ask = () => {
          try {
            return q.includes('[5m:1m]') ? engine.instantQuerySync(q, end * 1000).result : engine.rangeQuerySync(q, start * 1000, end * 1000, step * 1000).result;
          } catch (e) {
            return String(e);
          }
        };
        const got = ask();
        // The same query through an engine whose parse of it is fresh: a text the cache has not seen.
        const fresh = createEngine(db);
        const spaced = `${q}${' '.repeat(start + step)}`;
        const want = q.includes('[5m:1m]') ? fresh.instantQuerySync(spaced, end * 1000).result : fresh.rangeQuerySync(spaced, start * 1000, end * 1000, step * 1000).result;
        expect(got, `${q} over ${start}..${end} step ${step}`).toEqual(want);
      }
    }
  });
});
