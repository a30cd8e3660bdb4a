// Scraping with an in-process fetch: target labels and exported_ conflicts,
// metric relabeling, limits, staleness markers, synthetic series and the
// targets listing.

import { describe, expect, it } from 'vitest';
import { openDB, Matcher, type DB } from '../../src/index.js';
import { isStaleNaN } from '../../src/model/stale.js';
import { ScrapeManager } from '../../src/scrape/manager.js';
import { mergeTargetLabels } from '../../src/model/target-labels.js';
import { labelsFrom, labelsToRecord } from '../../src/model/labels.js';

const T0 = Date.UTC(2026, 0, 1);

function fakeFetch(bodies: Record<string, { status?: number; type?: string; body: string }>): typeof fetch {
  return (async (url: string | URL | Request) => {
    const u = new URL(String(url));
    const r = bodies[u.host + u.pathname];
    if (!r) throw new Error(`connect ECONNREFUSED ${u.host}`);
    return new Response(r.body, { status: r.status ?? 200, headers: { 'content-type': r.type ?? 'text/plain; version=0.0.4' } });
  }) as typeof fetch;
}

function latest(db: DB, match: string, t: number): Record<string, number> {
  const q = db.querier(0, t);
  const out: Record<string, number> = {};
  for (const s of q.select([new Matcher('=~', '__name__', match)])) {
    const b = s.samples(0, t);
    const i = b.timestamps.length - 1;
    const key = JSON.stringify(labelsToRecord(s.labels));
    out[key] = isStaleNaN(b.values[i]!) ? NaN : b.values[i]!;
  }
  q.close();
  return out;
}

const config = (extra: Record<string, unknown> = {}) => ({
  global: { scrape_interval: '15s' },
  scrape_configs: [{ job_name: 'app', static_configs: [{ targets: ['app:8080'], labels: { env: 'prod' } }], ...extra }],
});

describe('scraping', () => {
  it('stores samples with target labels, exported_ conflicts and synthetic series', async () => {
    const db = await openDB();
    const body = '# TYPE req_total counter\nreq_total{code="200",job="inner",instance="x"} 7\nreq_total{code="500"} 1\n';
    const m = new ScrapeManager(db, () => fakeFetch({ 'app:8080/metrics': { body } }));
    await m.apply(config());
    await m.scrapeAll(T0);
    m.stop();
    expect(latest(db, 'req_total', T0)).toEqual({
      [JSON.stringify({ __name__: 'req_total', code: '200', env: 'prod', exported_instance: 'x', exported_job: 'inner', instance: 'app:8080', job: 'app' })]: 7,
      [JSON.stringify({ __name__: 'req_total', code: '500', env: 'prod', instance: 'app:8080', job: 'app' })]: 1,
    });
    const synthetic = latest(db, 'up|scrape_.*', T0);
    const k = (n: string) => JSON.stringify({ __name__: n, env: 'prod', instance: 'app:8080', job: 'app' });
    expect(synthetic[k('up')]).toBe(1);
    expect(synthetic[k('scrape_samples_scraped')]).toBe(2);
    expect(synthetic[k('scrape_series_added')]).toBe(2);
    expect(m.targets().activeTargets[0]).toMatchObject({ health: 'up', scrapeUrl: 'http://app:8080/metrics', labels: { job: 'app', instance: 'app:8080', env: 'prod' } });
  });

  it('honor_labels keeps the scraped values', () => {
    const scraped = labelsFrom({ __name__: 'x', job: 'inner' });
    const target = labelsFrom({ job: 'app', instance: 'i' });
    expect(labelsToRecord(mergeTargetLabels(scraped, target, true))).toEqual({ __name__: 'x', job: 'inner', instance: 'i' });
  });

  it('marks vanished series stale, and everything stale when a scrape fails', async () => {
    const db = await openDB();
    const bodies: Record<string, { status?: number; body: string }> = { 'app:8080/metrics': { body: 'a 1\nb 2\n' } };
    const m = new ScrapeManager(db, () => fakeFetch(bodies));
    await m.apply(config());
    await m.scrapeAll(T0);
    bodies['app:8080/metrics'] = { body: 'a 3\n' };
    await m.scrapeAll(T0 + 15_000);
    expect(latest(db, 'a|b', T0 + 15_000)).toEqual({ [JSON.stringify({ __name__: 'a', env: 'prod', instance: 'app:8080', job: 'app' })]: 3, [JSON.stringify({ __name__: 'b', env: 'prod', instance: 'app:8080', job: 'app' })]: NaN });
    bodies['app:8080/metrics'] = { status: 503, body: 'down' };
    await m.scrapeAll(T0 + 30_000);
    m.stop();
    const after = latest(db, 'a|up', T0 + 30_000);
    expect(after[JSON.stringify({ __name__: 'a', env: 'prod', instance: 'app:8080', job: 'app' })]).toBeNaN();
    expect(after[JSON.stringify({ __name__: 'up', env: 'prod', instance: 'app:8080', job: 'app' })]).toBe(0);
    expect(m.targets().activeTargets[0]).toMatchObject({ health: 'down', lastError: 'server returned HTTP status 503 ' });
  });

  it('applies metric_relabel_configs and fails the whole scrape over sample_limit', async () => {
    const db = await openDB();
    const body = 'keep_me 1\ndrop_me 2\nalso_kept 3\n';
    const m = new ScrapeManager(db, () => fakeFetch({ 'app:8080/metrics': { body } }));
    await m.apply(config({ metric_relabel_configs: [{ source_labels: ['__name__'], regex: 'drop_.*', action: 'drop' }] }));
    await m.scrapeAll(T0);
    expect(Object.keys(latest(db, '.*_me|also_kept', T0)).map((k) => JSON.parse(k).__name__).sort()).toEqual(['also_kept', 'keep_me']);
    await m.apply(config({ sample_limit: 1 }));
    await m.scrapeAll(T0 + 15_000);
    m.stop();
    expect(m.targets().activeTargets[0]).toMatchObject({ health: 'down', lastError: 'sample limit exceeded (3 > 1)' });
  });

  it('refuses a response without a known Content-Type unless a fallback is configured', async () => {
    const db = await openDB();
    const m = new ScrapeManager(db, () => fakeFetch({ 'app:8080/metrics': { body: 'a 1\n', type: 'application/json' } }));
    await m.apply(config());
    await m.scrapeAll(T0);
    expect(m.targets().activeTargets[0]).toMatchObject({ health: 'down' });
    await m.apply(config({ fallback_scrape_protocol: 'PrometheusText0_0_4' }));
    await m.scrapeAll(T0 + 15_000);
    m.stop();
    expect(m.targets().activeTargets[0]).toMatchObject({ health: 'up' });
  });

  it('relabels targets: drops some, rewrites the address and the instance', async () => {
    const db = await openDB();
    const m = new ScrapeManager(db, () => fakeFetch({}));
    await m.apply({
      scrape_configs: [{
        job_name: 'nodes', metrics_path: '/m', params: { module: ['x'] },
        static_configs: [{ targets: ['a:1', 'b:2'] }],
        relabel_configs: [
          { source_labels: ['__address__'], regex: 'b:.*', action: 'drop' },
          { source_labels: ['__address__'], target_label: 'instance', regex: '(.*):.*' },
          { target_label: '__param_module', replacement: 'y' },
        ],
      }],
    });
    m.stop();
    const t = m.targets();
    expect(t.activeTargets).toHaveLength(1);
    expect(t.activeTargets[0]).toMatchObject({ scrapeUrl: 'http://a:1/m?module=y', labels: { instance: 'a', job: 'nodes' } });
    expect(t.droppedTargets).toHaveLength(1);
  });
});

describe('a scrape loop stopping, and a commit that fails', () => {
  it('cancels the scrape in flight at stop, stores nothing of it, and settles once it has ended', async () => {
    const db = await openDB();
    let started!: (signal: AbortSignal) => void;
    const fetching = new Promise<AbortSignal>((r) => (started = r));
    // A target that never answers: the request ends only when it is aborted.
    const hanging = ((_url: string, init?: RequestInit) => {
      started(init!.signal!);
      return new Promise<Response>((_resolve, reject) => init!.signal!.addEventListener('abort', () => reject(init!.signal!.reason)));
    }) as unknown as typeof fetch;
    const m = new ScrapeManager(db, () => hanging);
    // A timeout of 50 minutes: stop() awaiting the scrape settles only if the stop itself ends it.
    await m.apply(config({ scrape_interval: '1h', scrape_timeout: '50m' }));
    const scraping = m.scrapeAll(T0);
    const signal = await fetching;
    await m.stop();
    await scraping;
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).name).not.toBe('TimeoutError');
    expect(latest(db, '.+', T0 + 1)).toEqual({});
    // And no scrape starts once stopped.
    await m.scrapeAll(T0 + 15_000);
    expect(latest(db, '.+', T0 + 15_001)).toEqual({});
  });

  it('marks a leaving target\'s series stale even when its scrape in flight was cancelled', async () => {
    const db = await openDB();
    let hang = false;
    let started!: () => void;
    const fetching = new Promise<void>((r) => (started = r));
    const answers = fakeFetch({ 'app:8080/metrics': { body: 'a 1\n' } });
    const sometimes = ((url: string, init?: RequestInit) => {
      if (!hang) return answers(url, init);
      started();
      return new Promise<Response>((_resolve, reject) => init!.signal!.addEventListener('abort', () => reject(init!.signal!.reason)));
    }) as unknown as typeof fetch;
    const m = new ScrapeManager(db, () => sometimes);
    await m.apply(config());
    await m.scrapeAll(T0);
    hang = true;
    const scraping = m.scrapeAll(T0 + 15_000);
    await fetching;
    await m.apply({ global: { scrape_interval: '15s' }, scrape_configs: [] });
    await scraping;
    const now = Date.now() + 1;
    expect(Object.values(latest(db, 'a|up', now)).map(Number.isNaN)).toEqual([true, true]);
    await m.stop();
  });

  it('reports a commit that fails (a disk error) as the target down, and never rejects', async () => {
    const db = await openDB();
    const failing = {
      appender() {
        const app = db.appender();
        return Object.assign(Object.create(app) as typeof app, { commit: async () => { app.rollback(); throw new Error('write-ahead log: EBADF: bad file descriptor, write'); } });
      },
    } as unknown as DB;
    const m = new ScrapeManager(failing, () => fakeFetch({ 'app:8080/metrics': { body: 'a 1\n' } }));
    await m.apply(config());
    await expect(m.scrapeAll(T0)).resolves.toBeUndefined();
    expect(m.targets().activeTargets[0]).toMatchObject({ health: 'down', lastError: 'write-ahead log: EBADF: bad file descriptor, write' });
    expect(latest(db, '.+', T0 + 1)).toEqual({});
    await m.stop();
  });
});
