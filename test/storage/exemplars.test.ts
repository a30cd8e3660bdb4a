// The circular exemplar store: capacity shared by all series, oldest
// overwritten first, per-series order, resizing, and the label limit.

import { describe, expect, it } from 'vitest';
import { ExemplarStore, ExemplarError } from '../../src/storage/exemplars.js';
import { labelsFrom, labelsToRecord } from '../../src/model/labels.js';
import { Matcher } from '../../src/model/matcher.js';

const a = labelsFrom({ __name__: 'x', s: 'a' }), b = labelsFrom({ __name__: 'x', s: 'b' });
const ex = (t: number, v = t, trace = `t${t}`) => ({ labels: labelsFrom({ trace_id: trace }), value: v, timestamp: t });
const everything = [[new Matcher('=', '__name__', 'x')]];
const times = (s: ExemplarStore) => s.select(-Infinity, Infinity, everything).map((r) => [labelsToRecord(r.seriesLabels).s, r.exemplars.map((e) => e.timestamp)]);

describe('ExemplarStore', () => {
  it('overwrites the oldest exemplar of any series once full', () => {
    const s = new ExemplarStore(3);
    s.add(a, ex(1));
    s.add(b, ex(2));
    s.add(a, ex(3));
    expect(times(s)).toEqual([['a', [1, 3]], ['b', [2]]]);
    s.add(b, ex(4));
    expect(times(s)).toEqual([['a', [3]], ['b', [2, 4]]]);
    s.add(a, ex(5));
    s.add(a, ex(6));
    // The ring now holds b4 (slot 0), a5 (slot 1, was b2) and a6 (slot 2, was a3).
    expect(times(s)).toEqual([['a', [5, 6]], ['b', [4]]]);
    expect(s.size).toBe(3);
    expect(s.seriesCount).toBe(2);
  });

  it('refuses out-of-order exemplars of a series, ignores a repeat, and limits label length', () => {
    const s = new ExemplarStore(10);
    s.add(a, ex(5));
    s.add(a, ex(5));
    expect(() => s.add(a, ex(4))).toThrow(ExemplarError);
    s.add(b, ex(1));
    expect(() => s.add(a, { labels: labelsFrom({ trace_id: 'x'.repeat(121) }), value: 1, timestamp: 9 })).toThrow(/128/);
    expect(times(s)).toEqual([['a', [5]], ['b', [1]]]);
    expect([s.appended, s.outOfOrder, s.rejected]).toEqual([2, 1, 1]);
  });

  it('selects by matchers and time range', () => {
    const s = new ExemplarStore(10);
    s.add(a, ex(1000, 0.5));
    s.add(a, ex(2000, 1e21));
    s.add(b, ex(3000, NaN));
    expect(s.select(1500, 5000, [[new Matcher('=', 's', 'a')], [new Matcher('=', 's', 'b')]])).toEqual([
      { seriesLabels: a, exemplars: [ex(2000, 1e21)] },
      { seriesLabels: b, exemplars: [ex(3000, NaN)] },
    ]);
    expect(s.select(0, 500, everything)).toEqual([]);
  });

  it('answers /api/v1/query_exemplars with Prometheus\'s JSON values', async () => {
    const { queryExemplars } = await import('../../src/api/exemplars.js');
    const { Params } = await import('../../src/api/params.js');
    const s = new ExemplarStore(10);
    s.add(a, ex(2000, 1e21));
    s.add(b, ex(3000, 1.5e-25));
    s.add(b, ex(3500, NaN));
    expect(queryExemplars(s, new Params(new URLSearchParams({ query: 'x', start: '1.5', end: '5' })))).toEqual([
      { seriesLabels: { __name__: 'x', s: 'a' }, exemplars: [{ labels: { trace_id: 't2000' }, value: '1000000000000000000000', timestamp: 2 }] },
      { seriesLabels: { __name__: 'x', s: 'b' }, exemplars: [
        { labels: { trace_id: 't3000' }, value: '0.00000000000000000000000015', timestamp: 3 },
        { labels: { trace_id: 't3500' }, value: 'NaN', timestamp: 3.5 },
      ] },
    ]);
  });

  it('resizes keeping the newest', () => {
    const s = new ExemplarStore(4);
    for (let t = 1; t <= 4; t++) s.add(t % 2 ? a : b, ex(t));
    s.resize(2);
    expect(times(s)).toEqual([['a', [3]], ['b', [4]]]);
    s.resize(5);
    s.add(a, ex(7));
    expect(times(s)).toEqual([['a', [3, 7]], ['b', [4]]]);
    s.resize(0);
    s.add(a, ex(8));
    expect(s.size).toBe(0);
    expect(() => new ExemplarStore(-1)).toThrow(ExemplarError);
  });

  it('counts what it holds through overwrites, duplicates, refusals and resizes', () => {
    const s = new ExemplarStore(7);
    const held = () => times(s).reduce((n, [, ts]) => n + (ts as number[]).length, 0);
    const sizes: [number, number][] = [];
    for (let t = 1; t <= 30; t++) {
      s.add(t % 3 ? a : b, ex(t));
      if (t % 4 === 0) s.add(t % 3 ? a : b, ex(t)); // the same again: ignored
      if (t % 5 === 0) expect(() => s.add(t % 3 ? a : b, ex(t - 3))).toThrow(ExemplarError);
      if (t === 12) s.resize(4);
      if (t === 20) s.resize(9);
      sizes.push([s.size, held()]);
    }
    expect(sizes.map(([size]) => size)).toEqual(sizes.map(([, n]) => n));
    expect(s.size).toBe(9);
  });
});
