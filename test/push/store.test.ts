// The Pushgateway API: grouping keys (with @base64), PUT and POST replace
// semantics, DELETE, rejected timestamps, and pushed values staying
// queryable because they are recorded again every interval.

import { describe, expect, it } from 'vitest';
import { openDB, createEngine } from '../../src/index.js';
import { createApiHandler } from '../../src/api/handler.js';
import { PushStore, groupingKey } from '../../src/push/store.js';

const T0 = Date.UTC(2026, 0, 1);

async function setup() {
  const db = await openDB();
  const push = new PushStore(db);
  let now = T0;
  const engine = createEngine(db);
  const handler = createApiHandler({ db, engine, push, now: () => now, info: { version: 't', startTime: new Date(T0), flags: {}, configYaml: () => '' } });
  const send = async (method: string, path: string, body = '') => {
    // As `curl --data-binary @-` sends it.
    const res = await handler(new Request(`http://localhost${path}`, { method, body: method === 'DELETE' ? undefined : body, headers: { 'content-type': 'application/x-www-form-urlencoded' } }));
    return { status: res.status, text: await res.text() };
  };
  const query = (q: string) => (engine.instantQuerySync(q, now).result as { metric: Record<string, string>; value: [number, string] }[])
    .map((s) => [s.metric, s.value[1]]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return { push, send, query, tick: (ms: number) => (now += ms), at: () => now };
}

describe('push', () => {
  it('stores what a cron job pushes, labelled with the grouping key', async () => {
    const s = await setup();
    expect(await s.send('POST', '/metrics/job/my_job', 'my_metric 99\n')).toEqual({ status: 200, text: '' });
    expect(s.query('my_metric')).toEqual([[{ __name__: 'my_metric', job: 'my_job' }, '99']]);
    expect(s.query('push_time_seconds')).toEqual([[{ __name__: 'push_time_seconds', job: 'my_job' }, String(T0 / 1000)]]);
  });

  it('lets grouping labels override pushed ones and decodes @base64 values', async () => {
    const s = await setup();
    await s.send('PUT', '/metrics/job/backup/path@base64/L3Zhci90bXA', 'size_bytes{path="ignored",disk="sda"} 5\n');
    expect(s.query('size_bytes')).toEqual([[{ __name__: 'size_bytes', disk: 'sda', job: 'backup', path: '/var/tmp' }, '5']]);
    expect(() => groupingKey('job@base64/=')).toThrow(/job name is required/);
  });

  it('PUT replaces the whole group, POST only the pushed names', async () => {
    const s = await setup();
    await s.send('PUT', '/metrics/job/j', 'a 1\nb 2\n');
    s.tick(1000);
    await s.send('POST', '/metrics/job/j', 'c 3\n');
    expect(s.query('{job="j", __name__=~"a|b|c"}').map(([m]) => (m as Record<string, string>).__name__)).toEqual(['a', 'b', 'c']);
    s.tick(1000);
    await s.send('POST', '/metrics/job/j', 'a{x="1"} 10\n');
    expect(s.query('a')).toEqual([[{ __name__: 'a', job: 'j', x: '1' }, '10']]);
    s.tick(1000);
    await s.send('PUT', '/metrics/job/j', 'b 20\n');
    expect(s.query('{job="j", __name__=~"a|b|c"}')).toEqual([[{ __name__: 'b', job: 'j' }, '20']]);
  });

  it('DELETE ends the group, and other groups stay', async () => {
    const s = await setup();
    await s.send('PUT', '/metrics/job/j/instance/a', 'up_time 1\n');
    await s.send('PUT', '/metrics/job/j/instance/b', 'up_time 2\n');
    s.tick(1000);
    expect((await s.send('DELETE', '/metrics/job/j/instance/a')).status).toBe(202);
    expect(s.query('up_time')).toEqual([[{ __name__: 'up_time', instance: 'b', job: 'j' }, '2']]);
    expect(s.query('push_time_seconds').map(([m]) => (m as Record<string, string>).instance)).toEqual(['b']);
  });

  it('keeps pushed values queryable by recording them every interval', async () => {
    const s = await setup();
    await s.send('PUT', '/metrics/job/nightly', 'last_success_timestamp_seconds 1700000000\n');
    for (let i = 0; i < 60; i++) {
      s.tick(15_000);
      await s.push.record(s.at());
    }
    expect(s.query('last_success_timestamp_seconds')).toEqual([[{ __name__: 'last_success_timestamp_seconds', job: 'nightly' }, '1700000000']]);
  });

  it('rejects timestamps, bad paths and bad bodies with 400', async () => {
    const s = await setup();
    expect(await s.send('PUT', '/metrics/job/j', 'a 1 1700000000000\n')).toEqual({ status: 400, text: 'pushed metrics must not have timestamps (line 1)\n' });
    expect((await s.send('PUT', '/metrics/job/j/odd', 'a 1\n')).status).toBe(400);
    expect((await s.send('PUT', '/metrics/job/j/__x/y', 'a 1\n')).status).toBe(400);
    expect((await s.send('PUT', '/metrics/job/j', 'a{ 1\n')).text).toMatch(/^line 1: /);
    expect(s.query('push_failure_time_seconds')).toEqual([[{ __name__: 'push_failure_time_seconds', job: 'j' }, String(T0 / 1000)]]);
  });
});
