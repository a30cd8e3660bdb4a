// Runs in headless Chromium (bundled by chromium.test.ts): the codec round
// trip, head queries, PromQL, the exposition parser and the HTTP API handler,
// reported on window.

import { encodeChunks, decodeChunk, openDB, createEngine, Matcher, type ChunkEncoding } from '../../src/index.js';
import { parseExposition } from '../../src/exposition/parse.js';
import { createApiHandler } from '../../src/api/handler.js';

declare global {
  interface Window {
    __promlet?: { ok: boolean; report: string[] };
  }
}

async function run(): Promise<{ ok: boolean; report: string[] }> {
  const report: string[] = [];
  let ok = true;
  const n = 20_000;
  const ts: number[] = [];
  const vs = new Float64Array(n);
  const bits = new BigUint64Array(vs.buffer);
  let t = 1_700_000_000_000;
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < n; i++) {
    t += 15_000 + (rand() < 0.1 ? Math.floor(rand() * 20) : 0);
    ts.push(t);
    if (i % 500 === 0) bits[i] = 0x7ff0000000000002n; // staleness marker
    else vs[i] = i % 3 === 0 ? rand() * 1000 : Math.floor(i / 10);
  }
  for (const enc of ['varbit', 'double-delta'] as ChunkEncoding[]) {
    const chunks = encodeChunks(enc, ts, vs);
    let k = 0;
    let bad = 0;
    for (const c of chunks) {
      const d = decodeChunk(c);
      const got = new BigUint64Array(d.values.buffer);
      for (let i = 0; i < d.timestamps.length; i++, k++) {
        if (d.timestamps[i] !== ts[k] || got[i] !== bits[k]) bad++;
      }
    }
    report.push(`${enc}: ${chunks.length} chunks, ${k} samples, ${bad} mismatches`);
    if (k !== n || bad !== 0) ok = false;
  }
  const db = await openDB({ encoding: 'varbit' });
  const app = db.appender();
  for (let i = 0; i < 1000; i++) app.append({ __name__: 'up', job: i % 2 ? 'a' : 'b' }, 1000 + i, i);
  await app.commit();
  const sel = db.querier(0, Infinity).select([new Matcher('=~', 'job', 'a|c')]);
  const count = sel[0]?.samples(0, Infinity).timestamps.length;
  report.push(`head: ${sel.length} series selected, ${count} samples`);
  if (sel.length !== 1 || count !== 500) ok = false;

  // PromQL, the exposition parser and the HTTP API handler, unchanged in the page.
  const T0 = 1_700_000_000_000;
  const metrics = await openDB();
  const parsed = parseExposition('# TYPE c_total counter\nc_total{path="/"} 0\n');
  const app2 = metrics.appender();
  for (let i = 0; i < 100; i++) app2.append(parsed.samples[0]!.labels, T0 + i * 15_000, i * 10);
  await app2.commit();
  const engine = createEngine(metrics);
  const rate = engine.instantQuerySync('sum(rate(c_total[5m]))', T0 + 99 * 15_000);
  const value = Number((rate.result as { value: [number, string] }[])[0]?.value[1]);
  report.push(`promql: sum(rate(c_total[5m])) = ${value}`);
  if (!(Math.abs(value - 2 / 3) < 1e-9)) ok = false;
  const handler = createApiHandler({ db: metrics, engine, info: { version: 'browser', startTime: new Date(), flags: {}, configYaml: () => '' } });
  const res = await handler(new Request(`http://page/api/v1/query?query=${encodeURIComponent('count(c_total)')}&time=${(T0 + 99 * 15_000) / 1000}`));
  const body = (await res.json()) as { status: string; data: { result: { value: [number, string] }[] } };
  report.push(`api: ${res.status} ${body.status} count=${body.data.result[0]?.value[1]}`);
  if (res.status !== 200 || body.data.result[0]?.value[1] !== '1') ok = false;
  return { ok, report };
}

run().then(
  (r) => (window.__promlet = r),
  (e) => (window.__promlet = { ok: false, report: [String(e && (e as Error).stack)] }),
);
