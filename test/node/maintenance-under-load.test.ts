// Cutting and compaction go on while queries run without pause: samples are
// appended past many block ranges while some querier is always open, blocks
// are cut and merged anyway, the head stays within its span, and every
// answer (of a querier opened before a cut and still reading after it, of
// the engine, of `promlet serve` with its query workers) equals the same
// query over an in-memory database holding the same data.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDiskDB } from '../../src/node/disk-db.js';
import { openDB, type DB } from '../../src/storage/db.js';
import { createEngine } from '../../src/promql/engine/engine.js';
import { createApiHandler } from '../../src/api/handler.js';
import { Matcher } from '../../src/model/matcher.js';
import { isULID } from '../../src/storage/block-format.js';
import type { Querier } from '../../src/storage/interfaces.js';
import { freePort } from '../support/prometheus.js';
import { remoteWrite } from '../support/remote-write.js';

const H = 3600_000;
const SERIES = 8;
const value = (s: number, t: number) => (s === 0 ? t / 1000 : Math.sin(t / 7e5 + s) * 100 + ((t / 30_000) % 13));
const labels = (s: number) => ({ __name__: 'm', s: String(s), job: s % 2 ? 'odd' : 'even' });
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'promlet-maint-load-'));
  dirs.push(d);
  return d;
};
const strip = (r: { stats?: unknown }) => ({ ...r, stats: undefined });
const bits = (r: unknown) => JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));

/** The samples of the 4 h up to `upTo`: they span the ranges a cut moves from the head to a block. */
function read(q: Querier, upTo: number): { labels: unknown; ts: number[]; vs: number[] }[] {
  return q.select([new Matcher('=', '__name__', 'm')]).map((s) => {
    const b = s.samples(Math.max(0, upTo - 4 * H), upTo);
    return { labels: s.labels, ts: [...b.timestamps], vs: [...b.values] };
  });
}

async function commit(db: DB, t: number): Promise<void> {
  const app = db.appender();
  for (let s = 0; s < SERIES; s++) app.append(labels(s), t, value(s, t));
  await app.commit();
}

let proc: ChildProcess | null = null;

afterAll(() => {
  proc?.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('maintenance under constant query load', () => {
  it('cuts and merges blocks while a querier is always open, and every querier reads what it would have read without them', async () => {
    const dir = tmp();
    const a = await openDiskDB(dir, { checkpointInterval: 0, blockRange: H });
    const ref = await openDB();
    const engine = createEngine(a.db), refEngine = createEngine(ref);
    const STEP = 30_000, END = 24 * H;
    // Queriers opened one step apart, each read two steps later: two are open at every moment.
    const held: { q: Querier; upTo: number }[] = [];
    let maxHeadChunks = 0, maxHeadSpan = 0, checked = 0;
    for (let t = 0; t < END; t += STEP) {
      await Promise.all([commit(a.db, t), commit(ref, t)]);
      held.push({ q: a.db.querier(0, END), upTo: t });
      if (held.length > 2) {
        const { q, upTo } = held.shift()!;
        const r = ref.querier(0, END);
        expect(read(q, upTo)).toEqual(read(r, upTo));
        q.close();
        r.close();
        checked++;
      }
      expect(a.db.hasOpenQueriers()).toBe(true);
      if ((t / STEP) % 40 === 0) {
        for (const query of ['sum by (job) (rate(m[5m]))', 'count_over_time(m[1h])', 'm']) {
          const from = Math.max(0, t - 5 * H);
          expect(bits(strip(engine.rangeQuerySync(query, from, t, '5m'))), query).toBe(bits(strip(refEngine.rangeQuerySync(query, from, t, '5m'))));
        }
      }
      const st = a.db.stats(), { minTime, maxTime } = a.db.headRange();
      maxHeadChunks = Math.max(maxHeadChunks, st.chunks);
      if (minTime !== null && maxTime !== null) maxHeadSpan = Math.max(maxHeadSpan, maxTime - minTime);
      // A server's event loop turns between commits; the background cut runs there.
      await new Promise((r) => setImmediate(r));
    }
    expect(checked).toBeGreaterThan(2000);
    // Without cuts the head would hold all 24 h (8 series × 24 chunks of 120 samples): it kept about 3 block ranges.
    expect(maxHeadSpan).toBeLessThanOrEqual(4 * H);
    expect(maxHeadChunks).toBeLessThanOrEqual(SERIES * 6);
    const covered = a.db.blockList().reduce((n, b) => n + (b.maxTime - b.minTime), 0);
    expect(covered).toBeGreaterThanOrEqual(20 * H);
    // Merges happened too (1 h blocks into 3 h and 9 h ones).
    expect(a.db.blockList().some((b) => b.maxTime - b.minTime > H)).toBe(true);
    for (const { q } of held.splice(0)) q.close();
    await a.maintenance();
    expect(a.db.deferredHeadWork).toEqual({ chunks: 0, actions: 0 });
    for (const query of ['sum by (job) (rate(m[5m]))', 'count_over_time(m[3h])', 'max_over_time(m[20m])']) {
      expect(bits(strip(engine.rangeQuerySync(query, 0, END, '7m'))), query).toBe(bits(strip(refEngine.rangeQuerySync(query, 0, END, '7m'))));
    }
    await a.close();
    await ref.close();
  });

  it('through promlet serve with query workers: blocks are cut while queries run back to back, and every answer is exact', async () => {
    const dir = tmp();
    const config = join(dir, 'prometheus.yml');
    // A scrape job without targets: without any, promlet would scrape itself, at "now", into the head this test fills from 26 h ago.
    writeFileSync(config, 'scrape_configs:\n  - job_name: none\n    static_configs: []\n');
    const dataDir = join(dir, 'data');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let log = '';
    const p = spawn(process.execPath, [
      '--import', 'tsx', join(import.meta.dirname, '../fixtures/ingest/promlet-serve.ts'), 'serve', '--listen', `127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver', '--config.file', config, '--storage.tsdb.path', dataDir,
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc = p;
    p.stdout!.on('data', (d) => (log += String(d)));
    p.stderr!.on('data', (d) => (log += String(d)));
    for (let i = 0; ; i++) {
      if (p.exitCode !== null || i === 300) throw new Error(`promlet did not start: ${log}`);
      if (await fetch(`${url}/-/ready`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 100));
    }

    const STEP = 30_000, BATCH = 10 * 60_000, HOURS = 24;
    const T0 = Math.floor((Date.now() - (HOURS + 2) * H) / (2 * H)) * 2 * H;
    const END = T0 + HOURS * H;
    const ref = await openDB();
    let committed = -Infinity, writing = true;
    const asked: { query: string; start: number; end: number; range: boolean; body: { data: unknown } }[] = [];
    const gauge = async (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await (await fetch(`${url}/metrics`)).text())?.[1]);

    const writer = (async () => {
      try {
        for (let from = T0; from < END; from += BATCH) {
          const series = Array.from({ length: SERIES }, (_, s) => ({
            labels: labels(s),
            samples: Array.from({ length: BATCH / STEP }, (_, i): [number, number] => [from + i * STEP, value(s, from + i * STEP)]),
          }));
          const r = await remoteWrite(url, series);
          expect(r.status, r.text).toBe(204);
          const app = ref.appender();
          for (const s of series) for (const [t, v] of s.samples) app.append(s.labels, t, v);
          await app.commit();
          committed = from + BATCH - STEP;
          // Paced by the queries (about one answered per batch), so cuts happen among many of them.
          while (asked.length < (from - T0) / BATCH) await new Promise((r) => setTimeout(r, 2));
        }
      } finally {
        writing = false;
      }
    })();

    // Three clients keep a long query each running back to back, a third of a query apart (with two query
    // workers, one of them waits for a worker and takes it as soon as it is free): one is always being
    // evaluated, pinning what it reads, as under a constant dashboard load. Two more ask short range
    // queries back to back.
    const LONG = 'sum by (job) (count_over_time(m[6h:10s]))';
    const SHORT = ['sum by (job) (rate(m[5m]))', 'count_over_time(m[1h])', 'm', 'avg_over_time(m[30m]) - m offset 1h'];
    const ask = async (query: string, end: number, range: boolean) => {
      const start = range ? Math.max(T0, end - 6 * H) : end;
      const params = new URLSearchParams(range ? { query, start: String(start / 1000), end: String(end / 1000), step: '90' } : { query, time: String(end / 1000) });
      const r = await fetch(`${url}/api/v1/${range ? 'query_range' : 'query'}?${params}`);
      expect(r.status).toBe(200);
      asked.push({ query, start, end, range, body: (await r.json()) as { data: unknown } });
    };
    const untilData = async () => {
      while (committed < T0) await new Promise((r) => setTimeout(r, 5));
    };
    const long = async (k: number) => {
      await untilData();
      const t = performance.now();
      await ask(LONG, committed, false);
      await new Promise((r) => setTimeout(r, ((performance.now() - t) * k) / 3));
      while (writing) await ask(LONG, committed, false);
    };
    const short = async (k: number) => {
      await untilData();
      for (let i = k; writing; i += 2) await ask(SHORT[i % SHORT.length]!, committed, true);
    };
    let maxHeadChunks = 0;
    const monitor = (async () => {
      while (writing) {
        maxHeadChunks = Math.max(maxHeadChunks, await gauge('prometheus_tsdb_head_chunks'));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await Promise.all([writer, monitor, long(0), long(1), long(2), short(0), short(1)]);

    // Blocks were cut (and merged) while the queries ran; the head let go of what they hold.
    expect(readdirSync(dataDir).filter(isULID).length).toBeGreaterThanOrEqual(2);
    expect(await gauge('prometheus_tsdb_head_min_time')).toBeGreaterThanOrEqual(END - 6 * H);
    // 8 series × 24 h would be 192 chunks of 120 samples; the head keeps at most about 3 block ranges of 2 h.
    expect(maxHeadChunks).toBeLessThanOrEqual(SERIES * 8);
    expect(asked.length).toBeGreaterThan(140);

    const handler = createApiHandler({ db: ref, engine: createEngine(ref), info: { version: 'test', startTime: new Date(), flags: {}, configYaml: () => '', metadata: () => [] } as never });
    for (const { query, start, end, range, body } of asked) {
      const params = new URLSearchParams(range ? { query, start: String(start / 1000), end: String(end / 1000), step: '90' } : { query, time: String(end / 1000) });
      const want = (await (await handler(new Request(`http://x/api/v1/${range ? 'query_range' : 'query'}?${params}`))).json()) as { data: unknown };
      expect(bits(strip(body.data as object)), `${query} over ${start}..${end}`).toBe(bits(strip(want.data as object)));
    }
    p.kill('SIGKILL');
    proc = null;
    await ref.close();
  });
});
