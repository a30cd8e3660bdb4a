// Rule files and their evaluation: recording rules feeding the next rule,
// the alert state machine (for, keep_firing_for, resolution), the ALERTS
// series, and the /api/v1/rules and /api/v1/alerts data.

import { describe, expect, it } from 'vitest';
import { openDB, createEngine } from '../../src/index.js';
import { parseRuleFile, RuleFileError } from '../../src/rules/file.js';
import { RuleManager } from '../../src/rules/manager.js';
import { engineQueryFunc } from '../../src/rules/group.js';

const T0 = Date.UTC(2026, 0, 1);

const RULES = `groups:
  - name: svc
    interval: 15s
    labels: { team: core }
    rules:
      - record: job:errors:rate5m
        expr: sum by (job) (rate(errors_total[5m]))
      - alert: HighErrors
        expr: job:errors:rate5m > 0.5
        for: 1m
        keep_firing_for: 30s
        labels: { severity: page }
        annotations:
          summary: "{{ $labels.job }} errors at {{ $value | humanize }}/s"
`;

describe('rule files', () => {
  it('keeps label and annotation values as written, as Go does for string fields', () => {
    const [g] = parseRuleFile('groups:\n  - name: g\n    labels: { zone: 0x1 }\n    rules:\n      - alert: A\n        expr: 1e3\n        labels: { code: 010, ok: yes, none: }\n        annotations: { summary: }\n', 'g.yml');
    expect(g!.labels).toEqual({ zone: '0x1' });
    expect(g!.rules[0]).toMatchObject({ expr: '1e3', labels: { code: '010', ok: 'yes', none: '' }, annotations: { summary: '' } });
  });

  it('reads the groups of a Kubernetes PrometheusRule or ConfigMap', () => {
    const indented = RULES.replace(/^/gm, '  ');
    const pr = parseRuleFile(`apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: { name: svc }\nspec:\n${indented}`, 'pr.yml');
    expect(pr.map((g) => [g.name, g.rules.length, g.rules[1]!.line])).toEqual([['svc', 2, 12]]);
    const cm = parseRuleFile(`apiVersion: v1\nkind: ConfigMap\nmetadata: { name: rules }\ndata:\n  svc.yml: |\n${RULES.replace(/^/gm, '    ')}`, 'cm.yml');
    expect(cm.map((g) => [g.file, g.name, g.rules.length])).toEqual([['cm.yml:data.svc.yml', 'svc', 2]]);
    expect(() => parseRuleFile('kind: PrometheusRule\nspec:\n  groups:\n    - name: x\n      rules:\n        - record: r\n', 'bad.yml'))
      .toThrow(/bad\.yml:6: group "x", rule "r": field 'expr' must be set/);
  });

  it('reads groups and rules', () => {
    const [g] = parseRuleFile(RULES, 'svc.yml');
    expect(g).toMatchObject({ name: 'svc', interval: 15_000, labels: { team: 'core' } });
    expect(g!.rules.map((r) => [r.record ?? r.alert, r.for, r.line])).toEqual([['job:errors:rate5m', 0, 6], ['HighErrors', 60_000, 8]]);
  });

  it('reports every problem with file, line, group and rule', () => {
    const bad = `groups:
  - name: g
    rules:
      - record: a
        alert: b
        expr: up
      - alert: c
        expr: sum(
      - record: x{y}
        expr: up
        annotations: { a: b }
  - name: g
    rules: []
`;
    try {
      parseRuleFile(bad, 'bad.yml');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RuleFileError);
      const msgs = (e as RuleFileError).errors;
      expect(msgs).toContain(`bad.yml:4: group "g", rule "a": one of 'record' or 'alert' must be set`);
      expect(msgs.some((m) => m.startsWith('bad.yml:7: group "g", rule "c": could not parse expression: 1:5: parse error'))).toBe(true);
      expect(msgs).toContain(`bad.yml:9: group "g", rule "x{y}": invalid field 'annotations' in recording rule`);
      expect(msgs).toContain('bad.yml:9: group "g", rule "x{y}": invalid recording rule name: x{y}');
      expect(msgs.some((m) => m.includes('"g": repeated in the same file'))).toBe(true);
    }
  });
});

describe('evaluation', () => {
  it('records, then alerts: pending, firing, kept firing, resolved', async () => {
    const db = await openDB();
    const engine = createEngine(db);
    const m = new RuleManager(db, engineQueryFunc(engine));
    m.load([{ path: 'svc.yml', text: RULES }]);
    let errors = 0;
    const step = async (t: number, inc: number) => {
      errors += inc;
      const app = db.appender();
      app.append({ __name__: 'errors_total', job: 'api' }, t, errors);
      await app.commit();
      await m.evalAll(t);
    };
    // 45 errors every 15 s from T0. rate(...[5m]) divides by the whole 5 minutes, so it grows
    // as samples fill the window: 0.225, 0.375, then 0.525 at T0+45s, where the alert becomes
    // pending; at T0+120s it is 382.5 / 300 = 1.275 and the alert has fired (for: 1m).
    for (let i = 0; i <= 8; i++) await step(T0 + i * 15_000, 45);
    const firing = m.alertsJSON().alerts;
    expect(firing).toEqual([{
      labels: { alertname: 'HighErrors', job: 'api', severity: 'page', team: 'core' },
      annotations: { summary: 'api errors at 1.275/s' },
      state: 'firing', activeAt: new Date(T0 + 45_000).toISOString(), value: '1.275e+00',
    }]);
    const alerts = engine.instantQuerySync('ALERTS', T0 + 8 * 15_000).result as { metric: Record<string, string> }[];
    expect(alerts.map((a) => a.metric.alertstate)).toEqual(['firing']);
    expect(engine.instantQuerySync('ALERTS_FOR_STATE', T0 + 8 * 15_000).result).toMatchObject([{ value: [(T0 + 8 * 15_000) / 1000, String((T0 + 45_000) / 1000)] }]);
    const rules = m.rulesJSON();
    expect(rules.groups[0]!.rules[0]).toMatchObject({ type: 'recording', name: 'job:errors:rate5m', health: 'ok', query: 'sum by (job) (rate(errors_total[5m]))' });
    expect(rules.groups[0]!.rules[1]).toMatchObject({ type: 'alerting', state: 'firing', duration: 60, keepFiringFor: 30, labels: { severity: 'page', team: 'core' } });
    expect(m.rulesJSON('record').groups[0]!.rules).toHaveLength(1);
    // The errors stop. Once the condition is false, keep_firing_for holds the alert 30 s more.
    const states: [boolean, number][] = [];
    for (let i = 9; i <= 30; i++) {
      const t = T0 + i * 15_000;
      await step(t, 0);
      const rate = Number((engine.instantQuerySync('job:errors:rate5m', t).result as { value: [number, string] }[])[0]?.value[1] ?? 0);
      states.push([rate > 0.5, m.alertsJSON().alerts.length]);
    }
    const off = states.findIndex(([cond]) => !cond);
    expect(off).toBeGreaterThan(0);
    expect(states.slice(off, off + 4).map(([, n]) => n)).toEqual([1, 1, 0, 0]);
    expect(m.alertsJSON().alerts).toEqual([]);
    expect(engine.instantQuerySync('ALERTS', T0 + 30 * 15_000).result).toEqual([]);
  });

  it('pending alerts that clear before `for` never fire', async () => {
    const db = await openDB();
    const engine = createEngine(db);
    const m = new RuleManager(db, engineQueryFunc(engine));
    m.load([{ path: 'a.yml', text: 'groups:\n  - name: a\n    rules:\n      - alert: Flap\n        expr: flap > 0\n        for: 5m\n' }]);
    const app = db.appender();
    app.append({ __name__: 'flap' }, T0, 1);
    app.append({ __name__: 'flap' }, T0 + 60_000, 0);
    await app.commit();
    await m.evalAll(T0);
    expect(m.alertsJSON().alerts.map((a) => (a as { state: string }).state)).toEqual(['pending']);
    await m.evalAll(T0 + 60_000);
    expect(m.alertsJSON().alerts).toEqual([]);
    expect(m.rulesJSON().groups[0]!.rules[0]).toMatchObject({ state: 'inactive', health: 'ok' });
  });

  it('reports a rule whose result is a range vector as an error', async () => {
    const db = await openDB();
    const m = new RuleManager(db, engineQueryFunc(createEngine(db)));
    m.load([{ path: 'r.yml', text: 'groups:\n  - name: r\n    rules:\n      - record: bad\n        expr: up[5m]\n' }]);
    await m.evalAll(T0);
    expect(m.rulesJSON().groups[0]!.rules[0]).toMatchObject({ health: 'err', lastError: 'rule result is not a vector or scalar' });
  });

  it('counts an evaluation that overlaps a running one as missed instead of queueing it', async () => {
    const db = await openDB();
    const m = new RuleManager(db, engineQueryFunc(createEngine(db)));
    m.load([{ path: 'r.yml', text: RULES }]);
    await Promise.all([m.evalAll(T0), m.evalAll(T0 + 15_000)]);
    await m.evalAll(T0 + 30_000);
    const metric = (name: string) => m.metrics().find((f) => f.name === name)!.samples;
    expect(metric('prometheus_rule_group_iterations_missed_total')).toEqual([{ labels: { rule_group: 'r.yml;svc' }, value: 1 }]);
    expect(metric('prometheus_rule_group_iterations_total')[0]!.value).toBe(3);
    expect(metric('prometheus_rule_group_last_evaluation_timestamp_seconds')[0]!.value).toBe((T0 + 30_000) / 1000);
  });

  it('restores `for` state from ALERTS_FOR_STATE after a restart, not counting the time down', async () => {
    const db = await openDB();
    const engine = createEngine(db);
    const text = 'groups:\n  - name: slow\n    rules:\n      - alert: Slow\n        expr: x > 0\n        for: 30m\n';
    const M = 60_000;
    const feed = async (t: number) => {
      const app = db.appender();
      app.append([{ name: '__name__', value: 'x' }, { name: 'job', value: 'a' }], t, 1);
      await app.commit();
    };
    const before = new RuleManager(db, engineQueryFunc(engine));
    before.load([{ path: 'r.yml', text }]);
    for (let t = 0; t <= 10 * M; t += M) {
      await feed(T0 + t);
      await before.evalAll(T0 + t);
    }
    // Restart after 5 minutes down: the new manager's first evaluation restores activeAt.
    const after = new RuleManager(db, engineQueryFunc(engine));
    after.load([{ path: 'r.yml', text }]);
    after.start();
    after.stop();
    const state = () => after.alertsJSON().alerts.map((a) => [a.state, a.activeAt]);
    await feed(T0 + 15 * M);
    await after.evalAll(T0 + 15 * M);
    expect(state()).toEqual([['pending', new Date(T0 + 5 * M).toISOString()]]);
    await feed(T0 + 34 * M);
    await after.evalAll(T0 + 34 * M);
    expect(state()[0]![0]).toBe('pending');
    await feed(T0 + 35 * M);
    await after.evalAll(T0 + 35 * M);
    expect(state()[0]![0]).toBe('firing');
  });
});
