// A range function's context is one object for all the series of a call
// (range-call.ts): what it remembers of one series (the counter resets of its
// values) must never reach the next. Counters here reset at different
// samples in each series, in windows long enough (60 samples) that the resets
// are looked up from the context; every path (the per-window reference, the
// whole-series kernels, the WebAssembly reductions) and every single step
// evaluated alone must agree, and queries run one after another on one engine
// must answer as each does on a fresh engine.

import { beforeAll, describe, expect, it } from 'vitest';
import { openDB, createEngine, type DB, type Engine } from '../../../src/index.js';

const T0 = Date.UTC(2026, 0, 1);
const SCRAPE = 1_000;
const SAMPLES = 1_200;
const STEP = 15_000;

async function fixture(): Promise<DB> {
  const db = await openDB();
  const counters = new Array<number>(8).fill(0);
  for (let k = 0; k < SAMPLES; k++) {
    const app = db.appender();
    for (let i = 0; i < 8; i++) {
      // Series i resets every 97 + 13 i samples, at a different offset each.
      if ((k + i * 31) % (97 + 13 * i) === 0) counters[i] = 0;
      counters[i]! += 1 + ((i * 7 + k * 3) % 5) / 4;
      app.append({ __name__: 'c_total', i: String(i) }, T0 + k * SCRAPE, counters[i]!);
    }
    app.append({ __name__: 'g', i: '0' }, T0 + k * SCRAPE, k % 10);
    await app.commit();
  }
  return db;
}

const QUERIES = [
  'rate(c_total[1m])',
  'increase(c_total[2m])',
  'resets(c_total[1m])',
  'irate(c_total[30s])',
  'sum(rate(c_total[1m]))',
  'changes(g[1m])',
  'rate(c_total[1m] offset 10s)',
  'rate(c_total[1m:2s])',
];

const text = (e: Engine, q: string, start: number, end: number) => {
  const r = (e as Engine & { rangeQueryTextSync(q: string, s: number, e: number, st: number): { resultJSON?: string } }).rangeQueryTextSync(q, start, end, STEP);
  return r.resultJSON;
};

describe('a range function context shared by the series of a call', () => {
  let db: DB;
  beforeAll(async () => {
    db = await fixture();
  });
  const start = T0 + 120_000, end = T0 + (SAMPLES - 1) * SCRAPE;

  it('gives each series its own resets on every path', () => {
    const engines = [
      createEngine(db, { columnar: false, wasmReductions: false }),
      createEngine(db, { columnar: true, wasmReductions: false }),
      createEngine(db, { columnar: false, wasmReductions: true }),
      createEngine(db, { columnar: true, wasmReductions: true }),
    ];
    for (const q of QUERIES) {
      const want = text(engines[0]!, q, start, end);
      expect(want, q).toMatch(/"values"/);
      for (const e of engines.slice(1)) expect(text(e, q, start, end), q).toBe(want);
    }
  });

  it('answers each step as the instant query there does', () => {
    const engine = createEngine(db, { columnar: false });
    for (const q of ['rate(c_total[1m])', 'increase(c_total[2m])']) {
      const range = engine.rangeQuerySync(q, start, end, STEP).result as { metric: Record<string, string>; values: [number, string][] }[];
      let compared = 0;
      for (const s of range) {
        for (const [t, v] of s.values.filter((_, k) => k % 5 === 0)) {
          const inst = engine.instantQuerySync(q, t * 1000).result as { metric: Record<string, string>; value: [number, string] }[];
          expect(inst.find((x) => x.metric.i === s.metric.i)!.value[1], `${q} ${s.metric.i} at ${t}`).toBe(v);
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(100);
    }
  });

  it('answers queries run in sequence on one engine as fresh engines do, byte for byte', () => {
    const shared = createEngine(db);
    const order = [...QUERIES, ...[...QUERIES].reverse()];
    for (const [k, q] of order.entries()) {
      const s = start + (k % 3) * STEP;
      expect(text(shared, q, s, end), q).toBe(text(createEngine(db), q, s, end));
    }
  });
});
