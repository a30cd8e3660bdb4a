// A worker reading the database through the main thread (RemoteStorage and
// StorageServer) sees what reading it directly sees: series, float samples
// with their staleness markers, native histograms with a stale sum's bits,
// window reductions and label names.

import { MessageChannel, Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { openDB, Matcher } from '../../src/index.js';
import { newStorageSignal, serveStoragePort, StorageServer } from '../../src/node/worker-storage.js';
import { workerURL } from '../../src/node/worker-url.js';
import { STALE_NAN } from '../../src/model/stale.js';
import { latencySeries } from '../fixtures/histograms.js';

const T0 = 1_700_000_000_000;
const bits = (a: Float64Array | null) => (a ? [...new BigUint64Array(a.buffer, a.byteOffset, a.length)] : null);

describe('storage read by a worker through the main thread', () => {
  it('answers as the database does, staleness bits included', async () => {
    const db = await openDB();
    const hs = latencySeries(200);
    const app = db.appender();
    for (let i = 0; i < 200; i++) {
      const t = T0 + i * 15_000;
      if (i === 100) app.append({ __name__: 'lat' }, t, STALE_NAN);
      else if (i > 150) app.append({ __name__: 'lat' }, t, i);
      else app.appendHistogram!({ __name__: 'lat' }, t, hs[i]!);
      app.appendHistogram!({ __name__: 'other' }, t, { ...hs[i]!, sum: i === 7 ? STALE_NAN : hs[i]!.sum }, i % 3 === 0 ? 0 : t - 1000);
      app.append({ __name__: 'g', job: 'x' }, t, i === 50 ? STALE_NAN : Math.sin(i));
    }
    await app.commit();
    const mint = T0, maxt = T0 + 200 * 15_000;
    const windows: [number, number][] = [[mint, maxt], [T0 + 1_000_000, T0 + 1_600_000], [T0 + 3, T0 + 4]];

    const { port1, port2 } = new MessageChannel();
    const signal = newStorageSignal();
    const server = new StorageServer(db);
    serveStoragePort(port1, signal, () => server);
    const worker = new Worker(workerURL(import.meta.url, '../fixtures/worker-storage-reader'), {
      workerData: { port: port2, signal, mint, maxt, windows }, transferList: [port2],
    });
    const got = await new Promise<{ out: { labels: unknown; reads: Record<string, unknown>[] }[]; names: string[] }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    server.end();

    const q = db.querier(mint, maxt);
    const want = q.select([new Matcher('=~', '__name__', '.+')]).map((s) => ({
      labels: s.labels,
      reads: windows.map(([lo, hi]) => {
        const b = s.samples(lo, hi);
        const stale = s.samples(lo, hi, { skipStale: true });
        return {
          ts: bits(b.timestamps), vs: bits(b.values),
          hts: bits(b.histograms?.timestamps ?? null),
          hsums: bits(b.histograms ? Float64Array.from(b.histograms.histograms, (h) => h.sum) : null),
          hcounts: b.histograms ? b.histograms.histograms.map((h) => h.count) : null,
          hsts: b.histograms?.startTimestamps ? [...b.histograms.startTimestamps] : null,
          staleSkipped: (stale.histograms?.timestamps.length ?? 0) + stale.timestamps.length,
          hasHistograms: s.hasHistograms!(lo, hi),
          windows: bits(s.reduceWindows(lo, lo + 60_000, 60_000, 3)),
        };
      }),
    }));
    expect(q.labelNames()).toEqual(got.names);
    q.close();
    const seen = got.out.map((s) => ({
      labels: s.labels,
      reads: s.reads.map((r) => ({
        ...r, ts: bits(r.ts as Float64Array), vs: bits(r.vs as Float64Array), hts: bits(r.hts as Float64Array | null),
        hsums: bits(r.hsums as Float64Array | null), windows: bits(r.windows as Float64Array),
      })),
    }));
    expect(seen).toEqual(want);
    expect(want.map((s) => s.labels)).toHaveLength(3);
    // The stale histogram sum and the float markers were there to carry.
    expect(want[2]!.reads[0]!.staleSkipped).toBe(199);
    // So were the histograms' start timestamps.
    expect(want[2]!.reads[0]!.hsts).toHaveLength(200);
  });

  it('reads a selection in order in few round trips, each series as read alone', async () => {
    const db = await openDB();
    const app = db.appender();
    const n = 300;
    for (let i = 0; i < 120; i++) {
      for (let k = 0; k < n; k++) app.append({ __name__: 'g', k: String(k) }, T0 + i * 15_000 + k, i === 60 && k % 7 === 0 ? STALE_NAN : Math.sin(i * k));
    }
    await app.commit();
    const mint = T0, maxt = T0 + 120 * 15_000;

    const { port1, port2 } = new MessageChannel();
    const signal = newStorageSignal();
    const server = new StorageServer(db);
    let calls = 0;
    const answer = server.answer.bind(server);
    server.answer = (call, transfer) => {
      calls++;
      return answer(call, transfer);
    };
    serveStoragePort(port1, signal, () => server);
    const worker = new Worker(workerURL(import.meta.url, '../fixtures/worker-storage-scan'), {
      workerData: { port: port2, signal, mint, maxt }, transferList: [port2],
    });
    type Read = { ts: Float64Array; vs: Float64Array };
    const got = await new Promise<{ labels: unknown[]; samples: Read[]; windows: { w: Float64Array; between: Read | null }[]; reversed: Read[] }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    server.end();

    const q = db.querier(mint, maxt);
    const series = q.select([new Matcher('=', '__name__', 'g')]);
    expect(got.labels).toEqual(series.map((s) => s.labels));
    const read = (b: { timestamps: Float64Array; values: Float64Array }) => ({ ts: bits(b.timestamps), vs: bits(b.values) });
    const asBits = (r: Read) => ({ ts: bits(r.ts), vs: bits(r.vs) });
    const whole = series.map((s) => read(s.samples(mint, maxt)));
    expect(got.samples.map(asBits)).toEqual(whole);
    expect(got.reversed.map(asBits)).toEqual(whole);
    expect(got.windows.map((r) => ({ w: bits(r.w), between: r.between && asBits(r.between) }))).toEqual(series.map((s, i) => ({
      w: bits(s.reduceWindows(mint, mint + 300_000, 60_000, 20)),
      between: i % 3 === 0 ? read(s.samples(mint + 60_000, maxt, { skipStale: true })) : null,
    })));
    q.close();
    // In order, a selection's reads share answers; read in reverse, each series is a call of its own.
    expect(calls).toBeGreaterThan(n);
    expect(calls).toBeLessThan(n + n / 2);
  });

  it('refuses reads once the query ended', () => {
    const server = new StorageServer({ querier: () => { throw new Error('not reached'); } });
    server.end();
    expect(server.answer({ id: 1, op: 'querier', mint: 0, maxt: 1 }, new Set())).toEqual({ id: 1, error: { message: 'storage read after the query ended', name: 'Error' } });
  });
});
