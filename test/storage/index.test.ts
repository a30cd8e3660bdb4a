import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openDB, Matcher, type MatchType } from '../../src/index.js';
import { intersect, merge, without } from '../../src/storage/postings.js';

const NAMES = ['job', 'env', 'code'];
const VALUES = ['', 'a', 'b', 'api', 'web', '200', '500', 'A', 'x\ny'];
const PATTERNS = ['a', 'a.*', '.*', '.+', 'a|b', '(?i)a', 'api|web|', '[0-9]+', '2..', 'x.y', '', 'b?'];

const labelSetArb = fc.record(
  Object.fromEntries(NAMES.map((n) => [n, fc.constantFrom(...VALUES)])) as Record<string, fc.Arbitrary<string>>,
);
const matcherArb = fc
  .record({
    type: fc.constantFrom<MatchType>('=', '!=', '=~', '!~'),
    name: fc.constantFrom(...NAMES, 'missing'),
    value: fc.constantFrom(...VALUES, ...PATTERNS),
  })
  .map((m) => new Matcher(m.type, m.name, m.value));

describe('label index against a brute-force scan', () => {
  it('selects exactly the series every matcher accepts (absent label = empty value)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(labelSetArb, { maxLength: 40 }), fc.array(matcherArb, { minLength: 1, maxLength: 3 }), async (sets, matchers) => {
        const db = await openDB();
        const app = db.appender();
        sets.forEach((ls, i) => app.append({ __name__: 'm', ...ls, i: String(i) }, 1000, i));
        await app.commit();
        const got = db.querier(0, Infinity).select(matchers).map((s) => s.labels.find((l) => l.name === 'i')!.value);
        const want = sets
          .map((ls, i) => ({ ls: ls as Record<string, string>, i }))
          .filter(({ ls }) => matchers.every((m) => m.matches(ls[m.name] ?? '')))
          .map(({ i }) => String(i));
        expect(got.sort()).toEqual(want.sort());
        await db.close();
      }),
      { numRuns: 200 },
    );
  });
});

describe('postings set operations', () => {
  const sortedArb = fc.uniqueArray(fc.integer({ min: 0, max: 200 })).map((a) => a.sort((x, y) => x - y));
  it('intersect, merge and without agree with Set arithmetic', () => {
    fc.assert(
      fc.property(fc.array(sortedArb, { minLength: 1, maxLength: 5 }), (lists) => {
        const sets = lists.map((l) => new Set(l));
        const inter = [...sets[0]!].filter((x) => sets.every((s) => s.has(x)));
        expect(intersect(lists)).toEqual(inter);
        expect(merge(lists)).toEqual([...new Set(lists.flat())].sort((a, b) => a - b));
        expect(without(lists[0]!, lists[1] ?? [])).toEqual(lists[0]!.filter((x) => !(lists[1] ?? []).includes(x)));
      }),
    );
  });
});
