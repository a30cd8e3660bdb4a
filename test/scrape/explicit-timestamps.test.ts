// Samples with explicit timestamps (a federation scrape) are not tracked
// for staleness, from the first scrape on: a staleness marker at the scrape
// time would hide them from every query after it.

import { describe, expect, it } from 'vitest';
import { openDB, Matcher } from '../../src/index.js';
import { ScrapeManager } from '../../src/scrape/manager.js';

const T0 = Date.UTC(2026, 0, 1);

describe('explicit timestamps', () => {
  it('get no staleness marker on the first scrape, or the next', async () => {
    const db = await openDB();
    const body = `fed_metric{job="lower"} 3 ${T0 - 5000}\n`;
    const fetchBody = (async () => new Response(body, { headers: { 'content-type': 'text/plain; version=0.0.4' } })) as unknown as typeof fetch;
    const m = new ScrapeManager(db, () => fetchBody);
    await m.apply({ global: { scrape_interval: '15s' }, scrape_configs: [{ job_name: 'federate', honor_labels: true, static_configs: [{ targets: ['lower:9090'] }] }] });
    await m.scrapeAll(T0);
    await m.scrapeAll(T0 + 15_000);
    m.stop();
    const q = db.querier(0, T0 + 60_000);
    const [s] = q.select([new Matcher('=', '__name__', 'fed_metric')]);
    const b = s!.samples(0, T0 + 60_000);
    expect([...b.timestamps]).toEqual([T0 - 5000]);
    expect([...b.values]).toEqual([3]);
    q.close();
  });
});
