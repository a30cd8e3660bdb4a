// A target that cannot be reached reports why, as Prometheus words it.

import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { openDB } from '../../src/index.js';
import { ScrapeManager } from '../../src/scrape/manager.js';

describe('a scrape that cannot connect', () => {
  it('names the URL and the cause in lastError', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    await new Promise<void>((r) => s.close(() => r()));
    const m = new ScrapeManager(await openDB());
    await m.apply({ global: { scrape_interval: '1m' }, scrape_configs: [{ job_name: 'gone', static_configs: [{ targets: [`127.0.0.1:${port}`] }] }] });
    await m.scrapeAll();
    m.stop();
    const [t] = m.targets().activeTargets as { health: string; lastError: string }[];
    expect(t!.health).toBe('down');
    expect(t!.lastError).toBe(`Get "http://127.0.0.1:${port}/metrics": connect ECONNREFUSED 127.0.0.1:${port}`);
  });
});
