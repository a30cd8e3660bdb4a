// prom-client's surface recorded into a database, and the embedded promlet:
// collection on demand, a prom-client registry, rules and alerts, PromQL.

import { Registry as PromClientRegistry, Counter as PromClientCounter } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createPromlet, openDB, Registry, createEngine } from '../../src/index.js';
import { parseExposition } from '../../src/exposition/parse.js';

const T = Date.UTC(2026, 0, 1);

describe('metrics registry', () => {
  it('records counters, gauges and histograms as a scrape would, and writes the same as text', async () => {
    const db = await openDB();
    const reg = new Registry(db, { job: 'svc' });
    const c = reg.counter({ name: 'req_total', help: 'Requests.', labelNames: ['code'] });
    const g = reg.gauge({ name: 'temp', help: 'Temperature.' });
    const h = reg.histogram({ name: 'lat_seconds', help: 'Latency.', buckets: [0.1, 1] });
    c.inc({ code: 200 });
    c.labels('200').inc(2);
    c.inc({ code: 500 }, 5);
    g.set(3);
    g.dec(1);
    h.observe(0.05);
    h.observe(0.5);
    h.observe(5);
    expect(() => c.inc(-1)).toThrow(/only goes up/);
    expect(() => c.inc({ nope: 'x' })).toThrow(/not declared/);
    expect(await reg.collect(T)).toBe(2 + 1 + 5);
    const e = createEngine(db);
    const v = (q: string) => {
      const r = e.instantQuerySync(q, T);
      return r.resultType === 'vector' ? r.result.map((s) => [s.metric, s.value?.[1]]) : [];
    };
    expect(v('req_total')).toEqual([[{ __name__: 'req_total', code: '200', job: 'svc' }, '3'], [{ __name__: 'req_total', code: '500', job: 'svc' }, '5']]);
    expect(v('temp')).toEqual([[{ __name__: 'temp', job: 'svc' }, '2']]);
    expect(v('lat_seconds_bucket').map(([m, x]) => [(m as Record<string, string>).le, x])).toEqual([['+Inf', '3'], ['0.1', '1'], ['1.0', '2']]);
    expect(v('lat_seconds_sum')[0]![1]).toBe('5.55');
    const text = parseExposition(reg.text());
    expect(text.samples).toHaveLength(8);
    expect(text.metadata.get('lat_seconds')).toEqual({ type: 'histogram', help: 'Latency.', unit: '' });
  });

  it('an embedded promlet records a prom-client registry, evaluates rules and answers PromQL', async () => {
    const alerts: string[] = [];
    const p = await createPromlet({
      interval: 0,
      labels: { job: 'svc' },
      rules: [{ path: 'r.yml', text: 'groups: [{name: g, rules: [{alert: TooMany, expr: "queue_items > 5"}, {record: "job:queue_items:max", expr: "max by (job) (queue_items)"}]}]' }],
      onAlert: (a) => alerts.push(...a.map((x) => `${x.labels.alertname}:${x.labels.job}`)),
    });
    const prom = new PromClientRegistry();
    const legacy = new PromClientCounter({ name: 'legacy_total', help: 'x', registers: [prom] });
    legacy.inc(4);
    p.collectFrom(prom);
    const q = p.gauge({ name: 'queue_items', help: 'Items.' });
    q.set(9);
    expect(await p.collect(T)).toBe(2);
    await p.evaluateRules(T);
    expect(p.alerts().map((a) => [a.name, a.state])).toEqual([['TooMany', 'firing']]);
    expect(alerts).toEqual(['TooMany:svc']);
    const r = await p.query('legacy_total + on(job) group_left job:queue_items:max', T);
    expect(r.resultType === 'vector' && r.result.map((s) => s.value?.[1])).toEqual(['13']);
    await p.close();
  });
});
