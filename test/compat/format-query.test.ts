import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { format } from '../../src/index.js';
import { startPrometheus, type PrometheusPeer } from '../support/prometheus.js';

// promlet's pretty printer against the real Prometheus's /api/v1/format_query.
const queries = readFileSync(new URL('../fixtures/promql/format-queries.txt', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.startsWith('#'));

describe('format_query matches Prometheus', () => {
  let prom: PrometheusPeer;
  beforeAll(async () => {
    prom = await startPrometheus();
  });
  afterAll(async () => {
    await prom?.stop();
  });

  it('has queries to compare', () => {
    expect(queries.length).toBeGreaterThan(50);
  });

  for (const q of queries) {
    it(q, async () => {
      const r = await fetch(`${prom.url}/api/v1/format_query`, { method: 'POST', body: new URLSearchParams({ query: q }) });
      const body = (await r.json()) as { status: string; data: string; error?: string };
      expect(body.status, body.error).toBe('success');
      expect(format(q, { pretty: true })).toBe(body.data);
    });
  }
});
