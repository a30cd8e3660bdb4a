// Alerts from promlet's rule engine reach the real Alertmanager (Debian's
// prometheus-alertmanager) through its API v2, and resolve there.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDB, createEngine } from '../../src/index.js';
import { RuleManager } from '../../src/rules/manager.js';
import { engineQueryFunc } from '../../src/rules/group.js';
import { Notifier, alertmanagersFromConfig } from '../../src/rules/notifier.js';
import { startDaemon, type PrometheusPeer } from '../support/prometheus.js';

const RULES = `groups:
  - name: availability
    rules:
      - alert: JobDown
        expr: job_up == 0
        labels: { severity: page }
        annotations:
          summary: "{{ $labels.job }} is down"
`;

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  generatorURL: string;
  status: { state: string };
}

let am: PrometheusPeer;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'promlet-am-'));
  writeFileSync(join(dir, 'alertmanager.yml'), 'route:\n  receiver: none\nreceivers:\n  - name: none\n');
  am = await startDaemon('prometheus-alertmanager', (port, dataDir) => [
    `--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${dataDir}`,
    `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=',
  ]);
}, 30_000);

afterAll(async () => {
  await am?.stop();
});

const amAlerts = async (): Promise<AmAlert[]> => (await (await fetch(`${am.url}/api/v2/alerts`)).json()) as AmAlert[];

describe('notifications to Alertmanager', () => {
  it('fires an alert, sees it in Alertmanager, resolves it, sees it go', async () => {
    const db = await openDB();
    const engine = createEngine(db);
    const notifier = new Notifier();
    const { targets } = alertmanagersFromConfig({ alertmanagers: [{ static_configs: [{ targets: [new URL(am.url).host] }] }] });
    notifier.configure(targets, { cluster: 'test' }, []);
    const rules = new RuleManager(db, engineQueryFunc(engine), {}, { notify: (a) => notifier.send(a), resendDelay: 60_000, externalURL: 'http://promlet.example:9090' });
    rules.load([{ path: 'rules.yml', text: RULES }]);

    const step = async (up: number) => {
      const now = Date.now();
      const app = db.appender();
      app.append([{ name: '__name__', value: 'job_up' }, { name: 'job', value: 'api' }], now, up);
      await app.commit();
      await rules.evalAll(now);
      await notifier.flush();
    };

    await step(0);
    const firing = await amAlerts();
    expect(firing).toHaveLength(1);
    expect(firing[0]!.labels).toEqual({ alertname: 'JobDown', job: 'api', severity: 'page', cluster: 'test' });
    expect(firing[0]!.annotations).toEqual({ summary: 'api is down' });
    expect(firing[0]!.status.state).toBe('active');
    expect(firing[0]!.generatorURL).toBe('http://promlet.example:9090/graph?g0.expr=job_up+%3D%3D+0&g0.tab=1');
    expect(notifier.stats).toMatchObject({ sent: 1, errors: 0 });

    await step(1);
    expect(await amAlerts()).toEqual([]);
    expect(notifier.stats).toMatchObject({ sent: 2, errors: 0 });
  }, 30_000);
});
