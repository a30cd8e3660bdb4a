// API answers from real query workers (which hand array results over as
// JSON text, src/api/result-text.ts) are byte for byte what the API writes
// from the in-process engine's objects: every result type, `limit`
// truncation, stats, warnings and infos, label values that need escaping.
// And the result's objects are still there for any other reader.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDB, createEngine, type DB } from '../../src/index.js';
import { createApiHandler } from '../../src/api/handler.js';
import { resultText } from '../../src/api/result-text.js';
import { createOffThreadEngine } from '../../src/node/offthread-engine.js';

const T0 = Date.UTC(2026, 0, 1);
let db: DB;
let off: ReturnType<typeof createOffThreadEngine>;

beforeAll(async () => {
  db = await openDB();
  const app = db.appender();
  for (let i = 0; i < 120; i++) {
    const t = T0 + i * 15_000;
    for (const [job, inst, k] of [['api', 'a:1', 3], ['api', 'b:1', 1], ['web', 'ü"\\x', 2]] as const) {
      app.append({ __name__: 'http_requests_total', job, instance: inst }, t, i * k);
    }
    app.append({ __name__: 'ratio', kind: 'odd' }, t, i % 7 === 0 ? NaN : i % 5 === 0 ? -Infinity : 1e-9 * i);
    // Values whose text takes the rarer paths: -0, exponent forms, integers past 2^53; a gap every 9th step.
    if (i % 9 !== 4) app.append({ __name__: 'edge', v: 'tab\tnl\n\u0001' }, t, [-0, 1e22 * i, 2 ** 53 + 2 * i, 5e-324 * i, 42][i % 5]!);
  }
  await app.commit();
  off = createOffThreadEngine(db, {}, { workers: 1 });
});

afterAll(async () => {
  await off?.close();
});

const info = { version: 'x', startTime: new Date(0), flags: {}, configYaml: () => '' };
const T = (T0 + 20 * 60_000) / 1000;

const REQUESTS = [
  `/api/v1/query?query=http_requests_total&time=${T}`,
  `/api/v1/query?query=http_requests_total&time=${T}&limit=2`,
  `/api/v1/query?query=http_requests_total&time=${T}&limit=3`,
  `/api/v1/query?query=sum(rate(http_requests_total[5m]))&time=${T}&stats=all`,
  `/api/v1/query?query=scalar(sum(http_requests_total))&time=${T}`,
  `/api/v1/query?query="a%20string"&time=${T}`,
  `/api/v1/query?query=nothing_here&time=${T}`,
  // An info annotation (rate over a series whose name does not say counter).
  `/api/v1/query?query=rate(ratio[5m])&time=${T}`,
  `/api/v1/query_range?query=ratio&start=${T - 600}&end=${T}&step=15`,
  `/api/v1/query_range?query=http_requests_total&start=${T - 600}&end=${T}&step=60&limit=1`,
  `/api/v1/query_range?query=sum by (instance) (http_requests_total)&start=${T - 600}&end=${T}&step=30&stats=1`,
  `/api/v1/query_range?query=edge&start=${T - 900}&end=${T}&step=15`,
  `/api/v1/query_range?query=edge * -1&start=${T - 900}&end=${T}&step=7.5`,
  `/api/v1/query?query=edge[1m]&time=${T}`,
  `/api/v1/query?query=edge&time=${T}`,
];

describe('answers from query workers', () => {
  it('answer byte for byte as the in-process engine does through the same API', async () => {
    const local = createApiHandler({ db, engine: createEngine(db), info });
    const worker = createApiHandler({ db, engine: off, info });
    // Timings differ between runs; everything else must not.
    const strip = (s: string) => s.replace(/"(evalTotalTime|queryPreparationTime|innerEvalTime|execTotalTime)":[0-9.e-]+/g, '"$1":0');
    for (const path of REQUESTS) {
      const a = await local(new Request(`http://x${path}`));
      const b = await worker(new Request(`http://x${path}`));
      expect(b.status, path).toBe(a.status);
      expect(b.headers.get('content-type'), path).toBe(a.headers.get('content-type'));
      expect(strip(await b.text()), path).toBe(strip(await a.text()));
    }
  });

  it('keep the objects for other readers, parsed from the text, keys in the engine\'s order', async () => {
    const r = await off.rangeQuery('http_requests_total', T0, T0 + 600_000, 60_000);
    expect(resultText(r)?.length).toBe(3);
    const l = createEngine(db).rangeQuerySync('http_requests_total', T0, T0 + 600_000, 60_000);
    expect(Object.keys(r)).toEqual(Object.keys(l));
    expect(JSON.stringify({ ...r, stats: 0 })).toBe(JSON.stringify({ ...l, stats: 0 }));
  });
});
