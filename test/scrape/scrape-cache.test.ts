// The scrape cache: a known series costs no label work, staleness and the
// cache follow the series a target shows (no memory of every series ever
// seen), refs that outlive their series are resolved again, and a gzip
// response is read under the body limit as it inflates.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { openDB, Matcher, type DB } from '../../src/index.js';
import { isStaleNaN } from '../../src/model/stale.js';
import { ScrapeLoop } from '../../src/scrape/scrape-loop.js';
import { scrapeConfigs, targetsOf } from '../../src/scrape/targets.js';

const T0 = Date.UTC(2026, 0, 1);

function loopFor(db: DB, body: () => string, extra: Record<string, unknown> = {}, fetchFn?: typeof fetch): ScrapeLoop {
  const [cfg] = scrapeConfigs({ scrape_configs: [{ job_name: 'app', static_configs: [{ targets: ['app:8080'] }], ...extra }] });
  const [target] = targetsOf(cfg!).active;
  const f = fetchFn ?? ((async () => new Response(body(), { headers: { 'content-type': 'text/plain; version=0.0.4' } })) as unknown as typeof fetch);
  return new ScrapeLoop(cfg!, target!, db, f);
}

function last(db: DB, name: string, t: number): Map<string, number> {
  const q = db.querier(0, t);
  const out = new Map<string, number>();
  for (const s of q.select([new Matcher('=~', '__name__', name)])) {
    const b = s.samples(0, t);
    out.set(s.labels.find((l) => l.name === 'i')?.value ?? '', b.values[b.values.length - 1]!);
  }
  q.close();
  return out;
}

describe('scrape cache', () => {
  it('builds labels once per series, then appends by ref', async () => {
    const db = await openDB();
    let round = 0;
    const loop = loopFor(db, () => Array.from({ length: 1000 }, (_, i) => `m{i="${i}"} ${i * 10 + round}\n`).join('') + (round > 1 ? 'extra 1\n' : ''));
    for (round = 0; round < 5; round++) await loop.scrape(T0 + round * 15_000);
    expect(loop.report.health).toBe('up');
    expect(loop.seriesLabelled).toBe(1001);
    expect(last(db, 'm', T0 + 60_000).get('7')).toBe(74);
    expect(last(db, 'scrape_series_added', T0 + 60_000).get('')).toBe(0);
    expect(last(db, 'scrape_samples_scraped', T0 + 60_000).get('')).toBe(1001);
  });

  it('stores the right values when the target changes the order of its series', async () => {
    const db = await openDB();
    let round = 0;
    const order = Array.from({ length: 200 }, (_, i) => i);
    const loop = loopFor(db, () => order.map((i) => `m{i="${i}"} ${i * 1000 + round}\n`).join(''));
    for (round = 0; round < 6; round++) {
      // Reversed, rotated, then a riffle: each scrape's order differs from the last.
      if (round === 2) order.reverse();
      if (round === 3) order.push(...order.splice(0, 37));
      if (round === 4) order.sort((a, b) => (a % 2) - (b % 2) || a - b);
      await loop.scrape(T0 + round * 15_000);
      const values = last(db, 'm', T0 + round * 15_000);
      for (const i of [0, 1, 36, 37, 101, 199]) expect(values.get(String(i))).toBe(i * 1000 + round);
    }
    expect(loop.seriesLabelled).toBe(200);
  });

  it('caches series dropped by relabeling too', async () => {
    const db = await openDB();
    const loop = loopFor(db, () => 'keep 1\ndrop_a 2\ndrop_b 3\n', { metric_relabel_configs: [{ source_labels: ['__name__'], regex: 'drop_.*', action: 'drop' }] });
    for (let r = 0; r < 3; r++) await loop.scrape(T0 + r * 15_000);
    expect(loop.seriesLabelled).toBe(3);
    expect([...last(db, 'keep|drop_.*', T0 + 30_000).keys()]).toHaveLength(1);
    expect(last(db, 'scrape_samples_post_metric_relabeling', T0 + 30_000).get('')).toBe(1);
  });

  it('marks vanished series stale and forgets series gone for ten scrapes', async () => {
    const db = await openDB();
    let round = 0;
    // Every scrape shows 100 series of its own and one that stays.
    const loop = loopFor(db, () => Array.from({ length: 100 }, (_, i) => `churn{i="${round}_${i}"} 1\n`).join('') + 'steady{i="s"} 1\n');
    for (round = 0; round < 40; round++) {
      await loop.scrape(T0 + round * 15_000);
      expect(loop.cachedSeries).toBeLessThanOrEqual(11 * 100 + 1);
    }
    const t = T0 + 39 * 15_000;
    const values = last(db, 'churn|steady', t);
    expect(values.get('s')).toBe(1);
    expect(values.get('39_0')).toBe(1);
    expect(isStaleNaN(values.get('38_0')!)).toBe(true);
    expect(isStaleNaN(values.get('0_99')!)).toBe(true);
  });

  it('stores a series again after its cached ref was removed', async () => {
    const db = await openDB();
    const loop = loopFor(db, () => 'kept{i="k"} 5\n');
    await loop.scrape(T0);
    db.deleteSeries([new Matcher('=', '__name__', 'kept')]);
    await loop.scrape(T0 + 15_000);
    expect(last(db, 'kept', T0 + 15_000).get('k')).toBe(5);
    expect(loop.report.health).toBe('up');
  });

  it('reads a gzip response under body_size_limit as it inflates', async () => {
    // 64 MiB of comment lines: about 64 KB of gzip.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, '#\n'), { level: 9 });
    const small = gzipSync('ok 1\n');
    let which = bomb;
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-encoding': 'gzip' });
      res.end(which);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const db = await openDB();
      const [cfg] = scrapeConfigs({ scrape_configs: [{ job_name: 'z', body_size_limit: '1MB', static_configs: [{ targets: [`127.0.0.1:${port}`] }] }] });
      const loop = new ScrapeLoop(cfg!, targetsOf(cfg!).active[0]!, db);
      await loop.scrape(T0);
      expect(loop.report).toMatchObject({ health: 'down', lastError: 'body size limit exceeded: 1048576 bytes' });
      which = small;
      await loop.scrape(T0 + 15_000);
      expect(loop.report.health).toBe('up');
      expect(last(db, 'ok', T0 + 15_000).get('')).toBe(1);
    } finally {
      server.close();
    }
  });
});
