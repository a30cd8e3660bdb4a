// A body of many 64 KiB pieces (the scrape loop decodes and scans it piece by
// piece): every series stored with its exact labels and value, characters of
// several bytes anywhere, known series matched in place on the next scrape,
// and an error in a later piece reported with its line number.

import { describe, expect, it } from 'vitest';
import { openDB, Matcher } from '../../src/index.js';
import { ScrapeManager } from '../../src/scrape/manager.js';
import { labelsToRecord } from '../../src/model/labels.js';

const T0 = Date.UTC(2026, 0, 1);
const config = { global: { scrape_interval: '15s' }, scrape_configs: [{ job_name: 'big', static_configs: [{ targets: ['big:80'] }] }] };

function body(n: number, round: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 100 === 0) lines.push(`# HELP big_${i / 100} Ünïcödé help ✓ ${'x'.repeat(i % 7)}`, `# TYPE big_${i / 100} gauge`);
    lines.push(`big_${Math.floor(i / 100)}{i="${i}",v="${'é✓'.repeat(i % 5)}${'a'.repeat(i % 11)}"} ${i * 10 + round}`);
  }
  return lines.join('\n') + '\n';
}

function fetchOf(text: () => string): typeof fetch {
  return (async () => new Response(text(), { headers: { 'content-type': 'text/plain; version=0.0.4' } })) as typeof fetch;
}

describe('a scrape body of many pieces', () => {
  it('stores every series exactly, and takes each known one by its text on the next scrape', async () => {
    const db = await openDB();
    let round = 0;
    const n = 20_000;
    const m = new ScrapeManager(db, () => fetchOf(() => body(n, round)));
    await m.apply(config);
    expect(new TextEncoder().encode(body(n, 0)).length).toBeGreaterThan(10 * 64 * 1024);
    await m.scrapeAll(T0);
    round = 1;
    await m.scrapeAll(T0 + 15_000);
    m.stop();
    const q = db.querier(0, T0 + 15_000);
    const got = new Map<number, { v: string; value: number }>();
    for (const s of q.select([new Matcher('=~', '__name__', 'big_.*')])) {
      const l = labelsToRecord(s.labels);
      const b = s.samples(0, T0 + 15_000);
      got.set(Number(l.i), { v: l.v ?? '', value: b.values[b.values.length - 1]! });
      expect(b.timestamps.length).toBe(2);
    }
    q.close();
    expect(got.size).toBe(n);
    for (const i of [0, 1, 4, 99, 100, 6553, 6554, 13_107, 19_999]) {
      expect(got.get(i)).toEqual({ v: `${'é✓'.repeat(i % 5)}${'a'.repeat(i % 11)}`, value: i * 10 + 1 });
    }
    const added = db.querier(0, T0 + 15_000);
    const s = [...added.select([new Matcher('=', '__name__', 'scrape_series_added')])][0]!;
    expect(Array.from(s.samples(0, T0 + 15_000).values)).toEqual([n, 0]);
    added.close();
  });

  it('reports a bad line in a later piece with its line number', async () => {
    const db = await openDB();
    const good = body(10_000, 0).split('\n');
    const at = 9_000;
    good[at] = 'big_broken{i="x"} not-a-number';
    const m = new ScrapeManager(db, () => fetchOf(() => good.join('\n')));
    await m.apply(config);
    await m.scrapeAll(T0);
    m.stop();
    expect((m.targets().activeTargets[0] as { lastError: string }).lastError).toMatch(new RegExp(`^line ${at + 1}: `));
  });
});
