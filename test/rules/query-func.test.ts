// Rules query through a function (Prometheus's rules.QueryFunc), not an engine:
// any source of samples can drive recording and alerting rules.

import { describe, expect, it } from 'vitest';
import { openDB, createEngine } from '../../src/index.js';
import { engineQueryFunc, type QueryFunc } from '../../src/rules/group.js';
import { RuleManager } from '../../src/rules/manager.js';

const RULES = `groups:
  - name: g
    rules:
      - record: job:load:max
        expr: max by (job) (load)
      - alert: Overloaded
        expr: load > 5
        annotations:
          summary: "{{ $labels.instance }} at {{ $value }}; total {{ with query \\"sum(load)\\" }}{{ . | first | value }}{{ end }}"
`;

describe('rules take a query function', () => {
  it('evaluates recording and alerting rules, and template queries, with whatever the function answers', async () => {
    const db = await openDB();
    const asked: [string, number][] = [];
    const query: QueryFunc = (q, at) => {
      asked.push([q, at]);
      if (q === 'sum(load)') return [{ labels: {}, value: 9 }];
      if (q === 'load > 5') return [{ labels: { __name__: 'load', job: 'api', instance: 'a' }, value: 7 }];
      return [{ labels: { job: 'api' }, value: 7 }];
    };
    const m = new RuleManager(db, query);
    m.load([{ path: 'r.yml', text: RULES }]);
    await m.evalAll(1_700_000_000_000);
    expect(asked).toEqual([['max by (job) (load)', 1_700_000_000_000], ['load > 5', 1_700_000_000_000], ['sum(load)', 1_700_000_000_000]]);
    const [alert] = m.alertsJSON().alerts as { labels: Record<string, string>; annotations: Record<string, string>; state: string }[];
    expect(alert!.state).toBe('firing');
    expect(alert!.annotations.summary).toBe('a at 7; total 9');
    // The recording rule's output is in the database, as an engine reading it sees.
    const r = createEngine(db).instantQuerySync('job:load:max', 1_700_000_000_000);
    expect(r.resultType === 'vector' && r.result.map((s) => [s.metric, s.value?.[1]])).toEqual([[{ __name__: 'job:load:max', job: 'api' }, '7']]);
  });

  it('an engine\'s query function answers as the engine does', async () => {
    const db = await openDB();
    const app = db.appender();
    app.append({ __name__: 'x', a: '1' }, 1000, 3);
    await app.commit();
    expect(engineQueryFunc(createEngine(db))('x * 2', 1000)).toEqual([{ labels: { a: '1' }, value: 6 }]);
  });
});
