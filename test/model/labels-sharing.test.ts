import { describe, expect, it } from 'vitest';
import { labelsFrom } from '../../src/model/labels.js';
import { openDB, Matcher } from '../../src/index.js';

describe('labelsFrom and label objects', () => {
  it('copies labels a caller could change, and shares frozen ones', () => {
    const plain = [{ name: 'b', value: '2' }, { name: 'a', value: '1' }];
    const frozen = plain.map((l) => Object.freeze({ ...l }));
    const fromPlain = labelsFrom(plain);
    const fromFrozen = labelsFrom(frozen);
    expect(fromPlain).toEqual([{ name: 'a', value: '1' }, { name: 'b', value: '2' }]);
    expect(fromFrozen).toEqual(fromPlain);
    expect(fromPlain[0]).not.toBe(plain[1]);
    expect(fromFrozen[0]).toBe(frozen[1]);
    expect(fromFrozen).not.toBe(frozen);
  });

  it('keeps a series as appended when the caller changes its plain labels afterwards', async () => {
    const db = await openDB();
    const labels = [{ name: '__name__', value: 'm' }, { name: 'x', value: 'before' }];
    const app = db.appender();
    app.append(labels, 1000, 1);
    await app.commit();
    labels[1]!.value = 'after';
    const q = db.querier(0, 2000);
    expect([...q.select([new Matcher('=', '__name__', 'm')])].map((s) => s.labels)).toEqual([[{ name: '__name__', value: 'm' }, { name: 'x', value: 'before' }]]);
    q.close();
  });
});
