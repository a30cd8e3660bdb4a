// Out-of-order samples against Debian's Prometheus: both run with
// storage.tsdb.out_of_order_time_window: 30m and receive the same
// remote-write requests, in-order and out-of-order; every request gets the
// same status and the queries the same answers.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servePromlet, type RunningPromlet } from '../../src/node/serve.js';
import { startPrometheus, type PrometheusPeer } from '../support/prometheus.js';
import { remoteWrite } from '../support/remote-write.js';

const MIN = 60_000;
// The data ends about now: promlet's head also holds its own metrics at the current time, and the
// window is measured from the head's newest sample, so both heads' newest times are close (within
// two minutes); no sample below sits that near a window edge.
const T0 = Math.floor(Date.now() / MIN) * MIN - 61 * MIN;

let ours: RunningPromlet;
let prom: PrometheusPeer;
let dir: string;

type Series = Parameters<typeof remoteWrite>[1];
const A = { __name__: 'ooo_a', job: 'j' };
const B = { __name__: 'ooo_b', job: 'j' };

// In order first, then requests of older samples: inside the window, too old, again, on a new
// series, and older and newer together. A refused sample is alone in its request: Prometheus 2.42
// refuses a whole request for one bad sample, newer versions (and promlet) store the others.
const REQUESTS: { what: string; series: Series }[] = [
  { what: 'in order', series: [{ labels: A, samples: Array.from({ length: 61 }, (_, i) => [T0 + i * MIN, i] as [number, number]) }] },
  { what: 'inside the window', series: [{ labels: A, samples: [[T0 + 35 * MIN + 30_000, 100], [T0 + 45 * MIN + 10_000, 101]] }] },
  { what: 'too old', series: [{ labels: A, samples: [[T0 + 10 * MIN + 15_000, 102]] }] },
  { what: 'the same sample again', series: [{ labels: A, samples: [[T0 + 45 * MIN + 10_000, 101]] }] },
  { what: 'a new series, then older', series: [{ labels: B, samples: [[T0 + 50 * MIN, 1], [T0 + 55 * MIN, 2]] }] },
  { what: 'older on the new series', series: [{ labels: B, samples: [[T0 + 40 * MIN, 3], [T0 + 52 * MIN + 1, 4]] }] },
  { what: 'too old on the new series', series: [{ labels: B, samples: [[T0 + 20 * MIN, 5]] }] },
  { what: 'older and newer in one request', series: [{ labels: A, samples: [[T0 + 59 * MIN + 30_000, 103], [T0 + 61 * MIN, 61]] }] },
];

const statuses: { what: string; ours: [number, string]; prom: [number, string] }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'promlet-ooo-diff-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, 'storage:\n  tsdb:\n    out_of_order_time_window: 30m\n');
  prom = await startPrometheus({ configFile: config, args: ['--web.enable-remote-write-receiver'] });
  ours = await servePromlet({ listen: '127.0.0.1:0', remoteWriteReceiver: true, configFile: config });
  for (const r of REQUESTS) {
    const p = await remoteWrite(prom.url, r.series);
    const o = await remoteWrite(ours.url, r.series);
    statuses.push({ what: r.what, ours: [o.status, o.text], prom: [p.status, p.text] });
  }
}, 60_000);

afterAll(async () => {
  await ours?.stop();
  await prom?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Steps 7 s off the samples' grid: Prometheus 2.42 closes lookback and range windows on the left,
// 3.x (and promlet) leave them open, which only matters for a sample exactly at the edge.
const rangeQuery = async (base: string, q: string) => {
  const params = new URLSearchParams({ query: q, start: String((T0 + 7_000) / 1000), end: String((T0 + 62 * MIN) / 1000), step: '15' });
  const r = await fetch(`${base}/api/v1/query_range?${params}`);
  // Only the answer: 2.42 has no annotations (rate's "might not be a counter" info).
  const { status, data } = (await r.json()) as { status: string; data: unknown };
  return { status, data };
};

describe('out-of-order samples match Prometheus', () => {
  it('answers every remote-write request with the same status and error kind', () => {
    for (const s of statuses) {
      // Prometheus 2.42 answers a too-old sample with 500; later versions with 400, as promlet does.
      const tooOld = s.prom[1].includes('too old sample');
      if (tooOld) expect([400, 500], s.what).toContain(s.prom[0]);
      expect(s.ours[0], `${s.what}: ${s.ours[1]}`).toBe(tooOld ? 400 : s.prom[0]);
      for (const kind of ['too old sample', 'out of order sample', 'duplicate sample']) {
        expect(s.ours[1].includes(kind), `${s.what}: ${s.ours[1]} vs ${s.prom[1]}`).toBe(s.prom[1].includes(kind));
      }
    }
    expect(statuses.filter((s) => s.prom[1].includes('too old sample')).map((s) => s.what)).toEqual(['too old', 'too old on the new series']);
  });

  for (const q of ['ooo_a', 'ooo_b', 'count_over_time(ooo_a[10m])', 'sum_over_time(ooo_b[30m])', 'rate(ooo_a[5m])', 'timestamp(ooo_a)']) {
    it(q, async () => {
      expect(await rangeQuery(ours.url, q)).toEqual(await rangeQuery(prom.url, q));
    });
  }

  it('raw samples of a range selector', async () => {
    const at = String((T0 + 62 * MIN) / 1000);
    const get = async (base: string) => (await (await fetch(`${base}/api/v1/query?${new URLSearchParams({ query: '{job="j"}[2h]', time: at })}`)).json()) as { data: { result: { metric: unknown; values: unknown[] }[] } };
    const want = await get(prom.url);
    expect(want.data.result.map((s) => s.values.length)).toEqual([65, 4]);
    expect(await get(ours.url)).toEqual(want);
  });
});
