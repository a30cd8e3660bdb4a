// Differential test against Debian's Prometheus 2.42: it and promlet each
// scrape their own instance of the same deterministic client_golang
// exporter (batch k of observations at the k-th scrape), Prometheus with
// --enable-feature=native-histograms, promlet with scrape_native_histograms.
// The stored histograms (raw range selections through each one's API) must
// be equal scrape for scrape, and so must histogram_count, histogram_sum and
// the mean of the increase over the whole window (extrapolation scales sum
// and count alike, whatever the scrape timing);
// histogram_quantile interpolates within a bucket differently in 2.42 and
// 3.x (docs/PROMQL.md), so its answers must lie in the same bucket.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDB, createEngine, type DB } from '../../src/index.js';
import { ScrapeManager } from '../../src/scrape/manager.js';
import { createApiHandler } from '../../src/api/handler.js';
import { startPrometheus, type PrometheusPeer } from '../support/prometheus.js';
import { buildHistogramExporter, startHistogramExporter, type RunningExporter } from '../support/histogram-exporter.js';

/** Scrapes compared. */
const N = 6;
const T0 = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
const HISTOGRAMS = 'rpc_duration_seconds|temperature_delta_celsius|response_size_bytes';

type HistJSON = { count: string; sum: string; buckets?: [number, string, string, string][] };
interface MatrixSeries { metric: Record<string, string>; values?: [number, string][]; histograms?: [number, HistJSON][] }

let build: ReturnType<typeof buildHistogramExporter>;
let forPrometheus: RunningExporter, forPromlet: RunningExporter;
let prom: PrometheusPeer;
let configDir: string;
let db: DB;
let api: (path: string) => Promise<{ status: string; data: { resultType: string; result: unknown[] } }>;

async function promQuery(expr: string, time: number) {
  const r = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(expr)}&time=${time / 1000}`);
  const j = (await r.json()) as { status: string; error?: string; data: { resultType: string; result: unknown[] } };
  if (j.status !== "success") throw new Error(`Prometheus: ${expr}: ${j.error}`);
  return j;
}

const key = (m: Record<string, string>) => JSON.stringify(Object.entries(m).filter(([k]) => k !== 'instance').sort());

beforeAll(async () => {
  build = buildHistogramExporter();
  [forPrometheus, forPromlet] = await Promise.all([startHistogramExporter(build.binary), startHistogramExporter(build.binary)]);
  configDir = mkdtempSync(join(tmpdir(), 'promlet-hist-peer-'));
  const configFile = join(configDir, 'prometheus.yml');
  writeFileSync(configFile, `global: {scrape_interval: 1s, scrape_timeout: 1s}\nscrape_configs:\n- job_name: hist\n  static_configs: [{targets: ['${forPrometheus.address}']}]\n`);
  prom = await startPrometheus({ configFile, args: ['--enable-feature=native-histograms'] });

  db = await openDB();
  const m = new ScrapeManager(db, () => fetch);
  await m.apply({ global: { scrape_interval: '1s' }, scrape_configs: [{ job_name: 'hist', scrape_native_histograms: true, static_configs: [{ targets: [forPromlet.address] }] }] });
  for (let i = 0; i < N; i++) await m.scrapeAll(T0 + i * 1000);
  m.stop();
  expect(m.targets().activeTargets[0]).toMatchObject({ health: 'up', lastError: '' });
  const handler = createApiHandler({ db, engine: createEngine(db), info: { version: 't', startTime: new Date(T0), flags: {}, configYaml: () => '' } });
  api = async (path) => (await (await handler(new Request(`http://localhost${path}`))).json()) as Awaited<ReturnType<typeof api>>;

  // Prometheus scrapes on its own clock: wait until it has stored N scrapes.
  for (let i = 0; i < 300; i++) {
    const r = await promQuery('exporter_batches_total', Date.now());
    const v = Number((r.data.result[0] as { value?: [number, string] } | undefined)?.value?.[1] ?? 0);
    if (v >= N) break;
    await new Promise((res) => setTimeout(res, 200));
  }
}, 180_000);

afterAll(async () => {
  await prom?.stop();
  await forPrometheus?.stop();
  await forPromlet?.stop();
  await db?.close();
  build?.cleanup();
  if (configDir) rmSync(configDir, { recursive: true, force: true });
});

/** Each side's histogram series, by labels without instance: the first N samples' times and JSON. */
async function storedHistograms(): Promise<{ prometheus: Map<string, [number, HistJSON][]>; promlet: Map<string, [number, HistJSON][]> }> {
  const expr = `{__name__=~"${HISTOGRAMS}"}[1h]`;
  const p = await promQuery(expr, Date.now());
  const l = await api(`/api/v1/query?query=${encodeURIComponent(expr)}&time=${(T0 + N * 1000) / 1000}`);
  const byKey = (result: unknown[]) => new Map((result as MatrixSeries[]).map((s) => [key(s.metric), (s.histograms ?? []).slice(0, N)]));
  return { prometheus: byKey(p.data.result), promlet: byKey(l.data.result) };
}

const num = (s: string) => Number(s);
function expectSameHistogram(a: HistJSON, b: HistJSON, where: string): void {
  expect(num(b.count), `${where} count`).toBe(num(a.count));
  expect(num(b.sum), `${where} sum`).toBeCloseTo(num(a.sum), 9);
  const bucketsA = (a.buckets ?? []).map(([r, lo, hi, c]) => [r, num(lo), num(hi), num(c)]);
  const bucketsB = (b.buckets ?? []).map(([r, lo, hi, c]) => [r, num(lo), num(hi), num(c)]);
  expect(bucketsB, `${where} buckets`).toEqual(bucketsA);
}

describe('native histograms scraped by Prometheus 2.42 and by promlet', () => {
  it('stores the same histograms, scrape for scrape', async () => {
    const { prometheus, promlet } = await storedHistograms();
    // rpc_duration_seconds{service=a|b}, temperature_delta_celsius, response_size_bytes.
    expect([...promlet.keys()].sort()).toEqual([...prometheus.keys()].sort());
    expect(promlet.size).toBe(4);
    for (const [k, ps] of prometheus) {
      const ls = promlet.get(k)!;
      expect(ps.length, k).toBe(N);
      expect(ls.length, k).toBe(N);
      for (let i = 0; i < N; i++) expectSameHistogram(ps[i]![1], ls[i]![1], `${k} scrape ${i + 1}`);
    }
  });

  it('answers histogram_count and histogram_sum alike, and histogram_quantile within the same bucket', async () => {
    const { prometheus } = await storedHistograms();
    // Each side at its own N-th scrape: the [1h] windows then hold the same samples.
    const promT = Math.round(prometheus.values().next().value![N - 1]![0] * 1000);
    const promletT = T0 + (N - 1) * 1000;
    const ask = async (expr: string) => {
      const p = (await promQuery(expr, promT)).data.result as { metric: Record<string, string>; value: [number, string] }[];
      const l = (await api(`/api/v1/query?query=${encodeURIComponent(expr)}&time=${promletT / 1000}`)).data.result as typeof p;
      const pm = new Map(p.map((s) => [key(s.metric), Number(s.value[1])]));
      const lm = new Map(l.map((s) => [key(s.metric), Number(s.value[1])]));
      expect([...lm.keys()].sort(), expr).toEqual([...pm.keys()].sort());
      expect(pm.size, expr).toBeGreaterThan(0);
      return [...pm].map(([k, v]) => ({ k, prometheus: v, promlet: lm.get(k)! }));
    };
    for (const name of HISTOGRAMS.split('|')) {
      // Over the whole window both sides hold the same N samples: the rate's extrapolation differs with the
      // scrape timing, the ratio of sum to count does not.
      for (const expr of [`histogram_count(${name})`, `histogram_sum(${name})`, `histogram_sum(increase(${name}[1h])) / histogram_count(increase(${name}[1h]))`]) {
        for (const r of await ask(expr)) expect(r.promlet, `${expr} ${r.k}`).toBeCloseTo(r.prometheus, 9);
      }
    }
    // Exponential interpolation (3.x) and linear (2.42) agree on the bucket: within one bucket's growth factor (schema 3: 2^(1/8)).
    for (const r of [...await ask('histogram_quantile(0.9, rpc_duration_seconds)'), ...await ask('histogram_quantile(0.9, rate(rpc_duration_seconds[1h]))')]) {
      expect(r.promlet / r.prometheus, r.k).toBeGreaterThan(2 ** (-1 / 8));
      expect(r.promlet / r.prometheus, r.k).toBeLessThan(2 ** (1 / 8));
    }
  });
});
