// The notifier's queue, batching, retries and labels, against a fake
// Alertmanager (the real one is in test/compat/alertmanager.test.ts).

import { describe, expect, it } from 'vitest';
import { labelsFrom } from '../../src/model/labels.js';
import { Notifier, alertmanagersFromConfig, type NotifierAlert } from '../../src/rules/notifier.js';
import { relabelConfig } from '../../src/scrape/relabel.js';
import { AlertingRule } from '../../src/rules/rules.js';

const alert = (name: string, extra: Record<string, string> = {}): NotifierAlert => ({
  labels: labelsFrom({ alertname: name, ...extra }), annotations: { summary: name }, startsAt: Date.UTC(2026, 0, 1), endsAt: 0, generatorURL: 'http://p/graph',
});

function fakeAlertmanager(statuses: number[] = []) {
  const posts: { url: string; body: unknown[] }[] = [];
  const fetchFn = (async (url: string, init: RequestInit) => {
    const status = statuses.shift() ?? 200;
    posts.push({ url: String(url), body: JSON.parse(String(init.body)) });
    return new Response('', { status });
  }) as unknown as typeof fetch;
  return { posts, fetchFn };
}

describe('notifier', () => {
  it('reads alerting.alertmanagers as Prometheus does', () => {
    const { targets, relabelConfigs } = alertmanagersFromConfig({
      alertmanagers: [{ scheme: 'https', path_prefix: '/am/', timeout: '3s', static_configs: [{ targets: ['a:9093', 'b:9093'] }] }],
      alert_relabel_configs: [{ action: 'labeldrop', regex: 'replica' }],
    });
    expect(targets).toEqual([
      { url: 'https://a:9093/am/api/v2/alerts', timeout: 3000 },
      { url: 'https://b:9093/am/api/v2/alerts', timeout: 3000 },
    ]);
    expect(relabelConfigs).toHaveLength(1);
    expect(() => alertmanagersFromConfig({ alertmanagers: [{ api_version: 'v1' }] })).toThrow(/only v2/);
  });

  it('posts the API v2 shape with external labels that do not override the alert', async () => {
    const am = fakeAlertmanager();
    const n = new Notifier({ fetch: am.fetchFn });
    n.configure([{ url: 'http://am/api/v2/alerts', timeout: 1000 }], { region: 'eu', job: 'ext' }, [relabelConfig({ action: 'labeldrop', regex: 'tmp' })]);
    n.send([alert('Down', { job: 'api', tmp: 'x' })]);
    await n.flush();
    expect(am.posts).toEqual([{
      url: 'http://am/api/v2/alerts',
      body: [{ labels: { alertname: 'Down', job: 'api', region: 'eu' }, annotations: { summary: 'Down' }, startsAt: '2026-01-01T00:00:00.000Z', generatorURL: 'http://p/graph' }],
    }]);
    expect(n.stats).toEqual({ sent: 1, errors: 0, dropped: 0 });
  });

  it('retries server errors, not client errors', async () => {
    const flaky = fakeAlertmanager([503, 200]);
    const n = new Notifier({ fetch: flaky.fetchFn });
    n.configure([{ url: 'http://am/api/v2/alerts', timeout: 1000 }], {}, []);
    n.send([alert('A')]);
    await n.flush();
    expect(flaky.posts).toHaveLength(2);
    expect(n.stats.sent).toBe(1);

    const bad = fakeAlertmanager([400]);
    const m = new Notifier({ fetch: bad.fetchFn });
    m.configure([{ url: 'http://am/api/v2/alerts', timeout: 1000 }], {}, []);
    m.send([alert('A')]);
    await m.flush();
    expect(bad.posts).toHaveLength(1);
    expect(m.stats).toEqual({ sent: 0, errors: 1, dropped: 0 });
  });

  it('batches 256 alerts per post and drops the oldest beyond the queue capacity', async () => {
    const am = fakeAlertmanager();
    const n = new Notifier({ fetch: am.fetchFn, queueCapacity: 300 });
    n.configure([{ url: 'http://am/api/v2/alerts', timeout: 1000 }], {}, []);
    n.send(Array.from({ length: 400 }, (_, i) => alert(`A${i}`)));
    await n.flush();
    expect(am.posts.map((p) => p.body.length)).toEqual([256, 44]);
    expect((am.posts[0]!.body[0] as { labels: { alertname: string } }).labels.alertname).toBe('A100');
    expect(n.stats).toEqual({ sent: 300, errors: 0, dropped: 100 });
  });
});

describe('resend schedule', () => {
  it('sends firing alerts every resend delay and a resolution at once', () => {
    const rule = new AlertingRule({ alert: 'A', expr: 'x', for: 0, keepFiringFor: 0, labels: {}, annotations: {}, line: 1 }, {});
    const T = Date.UTC(2026, 0, 1);
    const at = (t: number, firing: boolean) => {
      rule.eval(firing ? [{ labels: {}, value: 1 }] : [], T + t, {});
      return rule.alertsToSend(T + t, 60_000, 15_000).map((a) => [a.state, a.resolvedAt ? a.resolvedAt - T : 0, a.validUntil - T]);
    };
    expect(at(0, true)).toEqual([['firing', 0, 240_000]]);
    expect(at(30_000, true)).toEqual([]);
    expect(at(60_000, true)).toEqual([]);
    expect(at(75_000, true)).toEqual([['firing', 0, 315_000]]);
    expect(at(90_000, false)).toEqual([['inactive', 90_000, 330_000]]);
    expect(at(105_000, false)).toEqual([]);
    expect(at(150_001, false)).toEqual([['inactive', 90_000, 390_001]]);
  });
});
