// A request read whole ahead (what the receiver's worker thread does) and
// replayed gives the receiver exactly what reading it as it goes gives:
// the same series state (labels, samples, exemplars, histogram ranges), the
// same answers and stored samples, and the same errors for damaged bodies.

import { compress } from 'snappyjs';
import { describe, expect, it } from 'vitest';
import { openDB } from '../../src/index.js';
import { Matcher } from '../../src/model/matcher.js';
import { WriteRequest } from '../../src/remote/proto.js';
import { snappyDecode } from '../../src/remote/snappy-decode.js';
import { WriteRequestReader } from '../../src/remote/write-decoder.js';
import { appendWriteRequest, handleRemoteWrite } from '../../src/remote/write-handler.js';
import { readAhead, ReplayReader, type ReadAhead } from '../../src/remote/write-read-ahead.js';
import { encodeHistogram } from '../../src/remote/histogram-proto.js';
import { CounterResetHint } from '../../src/model/histogram.js';
import { seededRandom } from '../../src/model/seeded-random.js';

const T0 = Date.UTC(2026, 0, 1);
const HEADERS = new Headers({ 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' });

function request(rand: () => number, series: number): Uint8Array {
  const timeseries = [];
  for (let s = 0; s < series; s++) {
    const samples = [];
    const n = Math.floor(rand() * 40);
    for (let p = 0; p < n; p++) samples.push({ timestamp: T0 + p * 15_000 - (rand() < 0.05 ? 3_600_000 : 0), value: rand() < 0.1 ? NaN : rand() * 1e6 });
    const labels = [{ name: '__name__', value: `m_${s % 3}` }, { name: 'i', value: String(s) }];
    if (rand() < 0.2) labels.push({ name: 'ü', value: 'ß'.repeat(Math.floor(rand() * 5)) });
    const exemplars = rand() < 0.2 ? [{ labels: [{ name: 'trace_id', value: `t${s}` }], value: s, timestamp: T0 + s }] : [];
    timeseries.push({ labels, samples, exemplars });
  }
  return WriteRequest.encode(WriteRequest.fromObject({ timeseries })).finish();
}

type Snapshot = unknown[];

/** Everything the receiver reads from a reader, series by series. */
function walk(r: WriteRequestReader): Snapshot {
  const out: Snapshot = [];
  while (r.nextSeries()) {
    out.push({
      labelsAt: [r.labelsStart, r.labelsEnd], samples: [...r.ts.subarray(0, r.sampleCount)].map((t, i) => [t, r.vs[i]]),
      histograms: [r.histogramCount, [...r.histogramRanges]], exemplarCount: r.exemplarCount,
    });
    // labels() and exemplars() move the reader's position; the next series must still follow.
    out.push(r.labelPairs(), r.exemplars(), r.labels());
  }
  return out;
}


async function stored(db: Awaited<ReturnType<typeof openDB>>): Promise<string[]> {
  const q = db.querier(-Infinity, Infinity);
  try {
    return q.select([new Matcher('=~', '__name__', '.+')]).map((s) => JSON.stringify([s.labels, [...s.samples(-Infinity, Infinity).values]])).sort();
  } finally {
    q.close();
  }
}

describe('readAhead and ReplayReader', () => {
  it('replay what the reader reads, series by series', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const raw = request(seededRandom(seed), 1 + (seed % 17));
      const ahead = readAhead(compress(raw), 1 << 24) as ReadAhead;
      expect('raw' in ahead).toBe(true);
      expect(walk(new ReplayReader(ahead))).toEqual(walk(new WriteRequestReader(snappyDecode(compress(raw), 1 << 24))));
    }
  });

  it('replays histograms and labels interleaved with samples', () => {
    const hist = encodeHistogram(T0, {
      integer: true, counterResetHint: CounterResetHint.NotCounterReset, schema: 0, zeroThreshold: 0, zeroCount: 0, count: 2, sum: 3,
      positiveSpans: [{ offset: 0, length: 1 }], positiveBuckets: [2], negativeSpans: [], negativeBuckets: [],
    });
    // TimeSeries with a label after a sample (not adjacent: no byte key) and a histogram.
    const label = (n: string, v: string) => [0x0a, 4 + n.length + v.length, 0x0a, n.length, ...Buffer.from(n), 0x12, v.length, ...Buffer.from(v)];
    const sample = [0x12, 11, 0x09, ...new Uint8Array(new Float64Array([1.5]).buffer), 0x10, 0x01];
    const ts = [...label('__name__', 'x'), ...sample, ...label('a', 'b'), 0x22, hist.length, ...hist];
    const raw = Uint8Array.from([0x0a, ts.length, ...ts]);
    const ahead = readAhead(compress(raw), 1 << 20) as ReadAhead;
    const replayed = walk(new ReplayReader(ahead));
    expect(replayed).toEqual(walk(new WriteRequestReader(raw)));
    expect(replayed[0]).toMatchObject({ labelsAt: [-1, -1], histograms: [1, [expect.any(Number), expect.any(Number)]] });
  });

  it('give the receiver the same answers, stored samples and errors', async () => {
    const statuses = new Set<number>();
    for (let seed = 1; seed <= 40; seed++) {
      const rand = seededRandom(seed);
      let body = compress(request(rand, 1 + (seed % 9)));
      // Damage some bodies: truncated, or a byte changed inside the compressed stream.
      if (seed % 3 === 1) body = body.subarray(0, Math.floor(body.length * rand()));
      else if (seed % 3 === 2 && body.length > 4) {
        body = body.slice();
        const at = 2 + Math.floor(rand() * (body.length - 2));
        body[at] = body[at]! ^ (1 << Math.floor(rand() * 8));
      }
      const inThread = await openDB(), replayed = await openDB();
      const a = await handleRemoteWrite(inThread, body, HEADERS, { maxDecompressedBytes: 1 << 24 });
      const ahead = readAhead(body, 1 << 24);
      const b = 'raw' in ahead ? await appendWriteRequest(replayed, new ReplayReader(ahead)) : { ...ahead, appended: 0, rejected: 0 };
      expect(b, `seed ${seed}`).toEqual(a);
      statuses.add(a.status);
      expect(await stored(replayed)).toEqual(await stored(inThread));
    }
    // Good requests, refused samples and damaged bodies all came up.
    expect([...statuses].sort()).toEqual([204, 400]);
  });
});
