// `promlet serve` with remote_read endpoints still evaluates API queries in
// worker threads: the remotes are read on the main thread first (within the
// query's timeout), merged with local data, and the worker evaluates. So a
// costly query ends at its timeout while /-/healthy answers, a failing
// remote is a warning, and a remote that never answers ends the query at
// its timeout rather than holding it. Order of events is asserted, not
// wall-clock times (shared machines): the costly query is certainly slower
// than its timeout (hundreds of times over), and the timeout is roomy for
// the cheap query that must answer before it.

import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servePromlet, type RunningPromlet } from '../../src/node/serve.js';

let remote: RunningPromlet, ours: RunningPromlet, silent: Server, silentUrl: string;
const dir = mkdtempSync(join(tmpdir(), 'promlet-offthread-remote-'));
const now = Date.now();
const TIMEOUT_S = 6;

beforeAll(async () => {
  remote = await servePromlet({ listen: '127.0.0.1:0' });
  const r = remote.db.appender();
  // The remote holds the older half of `both`, and a series of its own.
  for (let i = 0; i < 10; i++) r.append({ __name__: 'both', job: 'x' }, now - 600_000 + i * 30_000, 2);
  r.append({ __name__: 'remote_only', job: 'y' }, now - 10_000, 7);
  await r.commit();
  // A remote that accepts the request and never answers.
  silent = createServer(() => {});
  await new Promise<void>((res) => silent.listen(0, '127.0.0.1', res));
  silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}/api/v1/read`;
  const config = join(dir, 'ours.yml');
  writeFileSync(config, `scrape_configs: [{ job_name: none, static_configs: [] }]
remote_read:
  - url: ${remote.url}/api/v1/read
    read_recent: true
  - url: http://127.0.0.1:1/api/v1/read
    name: gone
    read_recent: true
`);
  // Two workers whatever the machine's core count: the cheap query must not wait for the costly one.
  ours = await servePromlet({ listen: '127.0.0.1:0', configFile: config, queryTimeout: `${TIMEOUT_S}s`, queryWorkers: 2 });
  const a = ours.db.appender();
  for (let i = 10; i < 20; i++) a.append({ __name__: 'both', job: 'x' }, now - 600_000 + i * 30_000, 1);
  for (let i = 0; i < 3000; i++) a.append({ __name__: 'load_metric', series: `series-${i}` }, now - 1000, i);
  await a.commit();
});

afterAll(async () => {
  await ours?.stop();
  await remote?.stop();
  silent?.closeAllConnections();
  silent?.close();
});

const query = async (s: RunningPromlet, q: string, extra: Record<string, string> = {}) => {
  const r = await fetch(`${s.url}/api/v1/query`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ query: q, time: String(now / 1000), ...extra }) });
  return { status: r.status, body: await r.json(), at: performance.now() };
};

describe('serve: API queries with remote_read endpoints run in workers', () => {
  it('merges remote and local series, and a failing remote is a warning', async () => {
    const r = await query(ours, 'sum by (job) (count_over_time({__name__=~"both|remote_only"}[10m]))');
    expect(r.status).toBe(200);
    const byName = Object.fromEntries(r.body.data.result.map((s: { metric: { job: string }; value: [number, string] }) => [s.metric.job, s.value[1]]));
    // 10 samples from the remote and 10 local ones: the 10-minute window (left-open) holds 19 of them.
    expect(byName).toEqual({ x: '19', y: '1' });
    expect(r.body.warnings).toHaveLength(1);
    expect(r.body.warnings[0]).toMatch(/^remote_read: /);
    const range = await fetch(`${ours.url}/api/v1/query_range?${new URLSearchParams({ query: 'remote_only', start: String((now - 60_000) / 1000), end: String(now / 1000), step: '15' })}`);
    const rb = await range.json();
    expect(rb.data.result[0].metric).toEqual({ __name__: 'remote_only', job: 'y' });
    expect(rb.warnings[0]).toMatch(/^remote_read: /);
  });

  it('a costly query ends at the query timeout while /-/healthy and other queries answer', async () => {
    // Both workers started first: a worker's start-up under load is not part of what is checked.
    await Promise.all([query(ours, 'count(load_metric)'), query(ours, 'count(load_metric)')]);
    // One label_replace over 3000 series builds 660 MB of label values; the subquery does it ~300 times.
    const heavy = query(ours, `count_over_time(count(label_replace(load_metric, "x", "${'$1'.repeat(20_000)}", "series", "(.*)"))[5m:1s])`);
    let done = false;
    void heavy.finally(() => (done = true));
    let cheap: ReturnType<typeof query> | undefined;
    const healthAt: number[] = [];
    for (let i = 0; i < 2000 && !done; i++) {
      const h = await fetch(`${ours.url}/-/healthy`);
      expect(h.status).toBe(200);
      await h.text();
      if (!done) healthAt.push(performance.now());
      // Asked once the costly query is under way; on one thread it would wait for it.
      cheap ??= query(ours, 'count(load_metric) + count(remote_only)');
      await new Promise((r) => setTimeout(r, 50));
    }
    const answer = await heavy;
    expect(answer.status).toBe(503);
    expect(answer.body).toMatchObject({ status: 'error', errorType: 'timeout' });
    const other = await cheap!;
    expect(other.body.data.result[0].value[1]).toBe('3001');
    expect(other.body.warnings[0]).toMatch(/^remote_read: /);
    expect(other.at).toBeLessThan(answer.at);
    // Health checks were still answered after that, while the costly query ran.
    expect(healthAt.some((t) => t > other.at && t < answer.at)).toBe(true);
    console.log(`remote_read: 503 after the query timeout (${TIMEOUT_S}s); /-/healthy answered ${healthAt.length}× meanwhile`);
    // The server still answers, from both sources.
    expect((await query(ours, 'count(load_metric)')).body.data.result[0].value[1]).toBe('3000');
    expect((await query(ours, 'remote_only')).body.data.result).toHaveLength(1);
  });

  it('a remote that never answers ends the query at its timeout', async () => {
    const config = join(dir, 'silent.yml');
    writeFileSync(config, `scrape_configs: [{ job_name: none, static_configs: [] }]\nremote_read:\n  - url: ${silentUrl}\n    read_recent: true\n`);
    const s = await servePromlet({ listen: '127.0.0.1:0', configFile: config, queryTimeout: '1m' });
    try {
      const r = await query(s, 'up', { timeout: '0.3' });
      expect(r.status).toBe(503);
      expect(r.body).toMatchObject({ status: 'error', errorType: 'timeout', error: 'query timed out in remote read' });
      // Without a selector there is nothing to fetch.
      expect((await query(s, '1 + 1')).body.data.result[1]).toBe('2');
    } finally {
      await s.stop();
    }
  });
});
