// A query whose text was cheap the last time, arriving while no other query
// is evaluated, is evaluated on the main thread (OffThreadOptions.inlineMaxMs):
// its answer is the worker's byte for byte; a query arriving beside another,
// or reading a span unlike its text's last one, goes to a worker; one past
// the limits there is handed to a worker; and a text that grew dearer than
// the limit goes back to the workers.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDB, createEngine, type DB } from '../../src/index.js';
import { createOffThreadEngine } from '../../src/node/offthread-engine.js';
import { jsonString, resultText } from '../../src/api/result-text.js';
import type { Queryable } from '../../src/storage/interfaces.js';

const T0 = Date.UTC(2026, 0, 1);
const AT = T0 + 50 * 60_000;
let db: DB;

beforeAll(async () => {
  db = await openDB();
  const app = db.appender();
  for (let i = 0; i < 240; i++) {
    const t = T0 + i * 15_000;
    for (const [job, inst, k] of [['api', 'a:1', 3], ['api', 'b:1', 1], ['web', 'c:1', 2]] as const) {
      app.append({ __name__: 'http_requests_total', job, instance: inst }, t, i * k + (i > 120 && job === 'web' ? -100 : 0));
    }
    app.append({ __name__: 'temperature', room: 'x' }, t, 20 + Math.sin(i / 10));
  }
  await app.commit();
});

afterAll(async () => {
  await db?.close();
});

const QUERIES = [
  'sum by (job) (rate(http_requests_total[5m]))',
  'topk(2, http_requests_total)',
  'http_requests_total / on(instance) group_left max by (instance) (http_requests_total)',
  'avg_over_time(temperature[30m])',
  'count by (job) (http_requests_total)',
  'scalar(temperature)',
];

/** What a caller sees of a result: its data as the API's text, and its warnings. */
const seen = (r: Awaited<ReturnType<ReturnType<typeof createEngine>['instantQuery']>>) => {
  const t = resultText(r);
  return { type: r.resultType, text: t ? jsonString(t.text) : JSON.stringify(r.result), warnings: r.warnings, infos: r.infos };
};

/** The test's database, calling `before` ahead of every selection. */
const beforeSelect = (before: () => void): Queryable => ({
  querier: (mint, maxt) => {
    const inner = db.querier(mint, maxt);
    return {
      select: (m, h) => (before(), inner.select(m, h)),
      labelNames: (m) => inner.labelNames(m),
      labelValues: (n, m) => inner.labelValues(n, m),
      close: () => inner.close(),
    };
  },
});

/** Runs `once` until the engine evaluated one on the main thread (the first runs start the workers, slowly). */
async function untilInline(off: ReturnType<typeof createOffThreadEngine>, once: () => Promise<unknown>): Promise<void> {
  const before = off.queriesInline;
  for (let i = 0; i < 20 && off.queriesInline === before; i++) await once();
  expect(off.queriesInline, 'evaluated on the main thread').toBe(before + 1);
}

describe('queries evaluated on the main thread', () => {
  it('answer as the workers and the in-process engine do, range and instant', async () => {
    const off = createOffThreadEngine(db, {}, { workers: 1, inlineMaxMs: 60_000 });
    const ref = createEngine(db);
    try {
      for (const q of QUERIES) {
        const range = () => off.rangeQuery(q, T0 + 20 * 60_000, T0 + 70 * 60_000, '1m');
        const byWorker = seen(await range());
        await untilInline(off, range);
        expect(seen(await range())).toEqual(byWorker);
        expect(seen(await range())).toEqual(seen(ref.rangeQuerySync(q, T0 + 20 * 60_000, T0 + 70 * 60_000, '1m')));
        const instant = () => off.instantQuery(q, AT);
        await untilInline(off, instant);
        expect(seen(await instant())).toEqual(seen(ref.instantQuerySync(q, AT)));
      }
    } finally {
      await off.close();
    }
  });

  it('never with the limit at 0 (the default)', async () => {
    const off = createOffThreadEngine(db, {}, { workers: 1 });
    try {
      for (let i = 0; i < 5; i++) await off.instantQuery('count(temperature)', AT);
      expect(off.queriesInline).toBe(0);
    } finally {
      await off.close();
    }
  });

  it('not while another query is evaluated', async () => {
    const off = createOffThreadEngine(db, {}, { workers: 2, inlineMaxMs: 60_000 });
    const q = 'sum(http_requests_total)';
    try {
      await untilInline(off, () => off.instantQuery(q, AT));
      const before = off.queriesInline;
      const [a, b] = await Promise.all([off.instantQuery(q, AT), off.instantQuery(q, AT)]);
      expect(off.queriesInline).toBe(before);
      expect(seen(a)).toEqual(seen(b));
    } finally {
      await off.close();
    }
  });

  // Storage whose selections spin while `slow` is set: the same text becomes dear.
  let slow = false;
  const spin = (ms: number) => {
    const end = performance.now() + ms;
    while (performance.now() < end);
  };
  const slowDb = beforeSelect(() => {
    if (slow) spin(400);
  });

  it('not once its text took longer than the limit here, failed or not', async () => {
    slow = false;
    const off = createOffThreadEngine(slowDb, { timeout: '60s' }, { workers: 1, inlineMaxMs: 200 });
    const q = 'count(http_requests_total)';
    try {
      await untilInline(off, () => off.instantQuery(q, AT));
      slow = true;
      const before = off.queriesInline;
      await off.instantQuery(q, AT);
      expect(off.queriesInline, 'still believed cheap').toBe(before + 1);
      await off.instantQuery(q, AT);
      expect(off.queriesInline, 'back to the worker').toBe(before + 1);
      // A failure's time counts as well: a text that timed out here, past the limit, goes to a worker.
      slow = false;
      const other = 'count(temperature)';
      await untilInline(off, () => off.instantQuery(other, AT));
      slow = true;
      await expect(off.instantQuery(other, AT, { timeout: '100ms' })).rejects.toThrow(/timeout|timed out/i);
      const n = off.queriesInline;
      await off.instantQuery(other, AT);
      expect(off.queriesInline).toBe(n);
    } finally {
      await off.close();
    }
  });

  it('hands a query to a worker when it runs past four times the limit here', async () => {
    slow = false;
    // 4 × 60 ms: past the 400 ms a selection spins, the evaluation here gives up and a worker answers.
    const off = createOffThreadEngine(slowDb, { timeout: '60s' }, { workers: 1, inlineMaxMs: 60 });
    const ref = createEngine(db);
    const q = 'sum by (job) (http_requests_total)';
    try {
      await untilInline(off, () => off.instantQuery(q, AT));
      slow = true;
      const n = off.queriesInline;
      expect(seen(await off.instantQuery(q, AT))).toEqual(seen(ref.instantQuerySync(q, AT)));
      expect(off.queriesInline, 'answered by the worker').toBe(n);
    } finally {
      slow = false;
      await off.close();
    }
  });

  it('hands a query to a worker when it holds more than its memory here, whose budget is the query\'s', async () => {
    let selects = 0;
    const counted = beforeSelect(() => selects++);
    const off = createOffThreadEngine(counted, {}, { workers: 1, inlineMaxMs: 60_000, inlineMaxBytes: 1000 });
    const ref = createEngine(db);
    const q = 'http_requests_total[1h]';
    try {
      expect(seen(await off.instantQuery(q, AT))).toEqual(seen(ref.instantQuerySync(q, AT)));
      const byWorker = selects;
      // Tried here, past the memory, then a worker's.
      expect(seen(await off.instantQuery(q, AT))).toEqual(seen(ref.instantQuerySync(q, AT)));
      expect(selects).toBeGreaterThan(2 * byWorker);
      // From then on a worker's at once: not tried here again.
      const before = selects;
      expect(seen(await off.instantQuery(q, AT))).toEqual(seen(ref.instantQuerySync(q, AT)));
      expect(selects - before).toBe(byWorker);
      expect(off.queriesInline).toBe(0);
      await untilInline(off, () => off.instantQuery('count(http_requests_total)', AT));
    } finally {
      await off.close();
    }
  });

  it('only where the query reads about what its text read last time', async () => {
    const off = createOffThreadEngine(db, {}, { workers: 1, inlineMaxMs: 60_000 });
    const q = 'sum(count_over_time(http_requests_total[10m]))';
    try {
      // Learned where there is no data, asked where there is: a worker's.
      await off.instantQuery(q, T0 - 3600_000);
      await off.instantQuery(q, T0 - 3600_000);
      const n = off.queriesInline;
      expect(n, 'the same instant, on the main thread').toBeGreaterThan(0);
      await off.instantQuery(q, AT);
      expect(off.queriesInline, 'elsewhere').toBe(n);
      // A range much longer than last time's: a worker's.
      await untilInline(off, () => off.rangeQuery(q, AT - 600_000, AT, '1m'));
      const m = off.queriesInline;
      await off.rangeQuery(q, AT - 1800_000, AT, '3m');
      expect(off.queriesInline, 'three times the span').toBe(m);
      // A dashboard's next refresh, a step later over the same span: still here.
      await off.rangeQuery(q, AT - 1800_000 + 180_000, AT + 180_000, '3m');
      expect(off.queriesInline).toBe(m + 1);
    } finally {
      await off.close();
    }
  });
});
