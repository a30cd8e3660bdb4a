// The remote-read endpoint (POST /api/v1/read), as Prometheus's
// storage/remote/read_handler.go: a snappy ReadRequest in; a snappy
// ReadResponse of raw samples (SAMPLES), or, when the client lists it first
// among what it accepts, a stream of framed ChunkedReadResponse messages
// (STREAMED_XOR_CHUNKS) with the samples transcoded to XOR chunks of up to
// 120 samples. External labels are added to series that lack them, and an
// equality matcher on an external label's value matches series without it.

import { compress, uncompress } from 'snappyjs';
import { type Labels, compareStrings } from '../model/labels.js';
import { Matcher } from '../model/matcher.js';
import type { Queryable } from '../storage/interfaces.js';
import { frame } from './chunked-frames.js';
import {
  CHUNKED_CONTENT_TYPE, CHUNK_XOR, ChunkedReadResponse, MATCH_TYPES, type PbLabel, type PbMatcher, type PbQuery,
  ReadRequest, SAMPLES, SAMPLES_CONTENT_TYPE, STREAMED_XOR_CHUNKS, toNum,
} from './read-proto.js';
import { XOR_SAMPLES_PER_CHUNK, encodeXorChunk } from './xor-chunk.js';
import { type SeriesSamples, encodeSamplesResponse } from './read-samples-encode.js';
import { encodeHistograms } from './histogram-proto.js';

export interface RemoteReadHandlerOptions {
  /** --storage.remote.read-sample-limit: samples per SAMPLES query (0: no limit; default 5e7). */
  sampleLimit?: number;
  /** --storage.remote.read-concurrent-limit: requests served at once, others wait (0: no limit; default 10). */
  concurrentLimit?: number;
  /** --storage.remote.read-max-bytes-in-frame: a streamed frame's size before a series is split (default 1048576). */
  maxBytesInFrame?: number;
  externalLabels?: () => Record<string, string>;
}

/** Prometheus's decodeReadLimit: the largest request, compressed or not. */
const DECODE_READ_LIMIT = 32 * 1024 * 1024;

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const plain = (status: number, msg: string) =>
  new Response(`${msg}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' } });

/** Waits for a free slot (Prometheus's gate). */
class Gate {
  private active = 0;
  private waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.limit > 0 && this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

export function pbMatchers(ms: readonly PbMatcher[]): Matcher[] {
  return ms.map((m) => {
    const type = MATCH_TYPES[m.type ?? 0];
    if (!type) throw new HttpError(400, `invalid matcher type ${m.type}`);
    return new Matcher(type, m.name ?? '', m.value ?? '');
  });
}

/** MergeLabels: the series' own labels win over external labels of the same name. */
export function withExternalLabels(ls: Labels, ext: readonly PbLabel[]): PbLabel[] {
  const out: PbLabel[] = [];
  let i = 0, j = 0;
  while (i < ls.length && j < ext.length) {
    const c = compareStrings(ls[i]!.name, ext[j]!.name);
    if (c < 0) out.push(ls[i++]!);
    else if (c > 0) out.push(ext[j++]!);
    else {
      out.push(ls[i++]!);
      j++;
    }
  }
  while (i < ls.length) out.push(ls[i++]!);
  while (j < ext.length) out.push(ext[j++]!);
  return out.map((l) => ({ name: l.name, value: l.value }));
}

const varintLen = (n: number) => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5);
const utf8Len = (s: string) => new TextEncoder().encode(s).length;
const fieldLen = (n: number) => (n === 0 ? 0 : 1 + varintLen(n) + n);
/** The encoded size of a Label, as gogo's Size(). */
const labelSize = (l: PbLabel) => fieldLen(utf8Len(l.name)) + fieldLen(utf8Len(l.value));

export function createRemoteReadHandler(db: Queryable, opts: RemoteReadHandlerOptions = {}): (req: Request) => Promise<Response> {
  const sampleLimit = opts.sampleLimit ?? 5e7;
  const maxBytesInFrame = opts.maxBytesInFrame ?? 1048576;
  const gate = new Gate(opts.concurrentLimit ?? 10);

  const queryMatchers = (q: PbQuery, ext: Record<string, string>): Matcher[] => {
    let ms: Matcher[];
    try {
      ms = pbMatchers(q.matchers ?? []);
    } catch (e) {
      if (e instanceof HttpError) throw e;
      throw new HttpError(400, `invalid matcher: ${(e as Error).message}`);
    }
    // filterExtLabelsFromMatchers: stored series do not carry the external labels.
    return ms.map((m) => (m.type === '=' && ext[m.name] === m.value && m.name in ext ? new Matcher('=', m.name, '') : m));
  };

  const samplesResponse = (queries: PbQuery[], ext: Record<string, string>, extSorted: PbLabel[]): Response => {
    const results = queries.map((q) => {
      const start = toNum(q.start_timestamp_ms), end = toNum(q.end_timestamp_ms);
      const matchers = queryMatchers(q, ext);
      const querier = db.querier(start, end);
      let n = 0;
      try {
        const timeseries: SeriesSamples[] = [];
        for (const s of querier.select(matchers, { start, end })) {
          const b = s.samples(start, end);
          const hs = b.histograms;
          if (b.timestamps.length === 0 && !hs?.timestamps.length) continue;
          n += b.timestamps.length + (hs?.timestamps.length ?? 0);
          if (sampleLimit > 0 && n > sampleLimit) throw new HttpError(400, `exceeded sample limit (${sampleLimit})`);
          timeseries.push({ labels: withExternalLabels(s.labels, extSorted), timestamps: b.timestamps, values: b.values, histograms: hs && encodeHistograms(hs) });
        }
        return timeseries;
      } finally {
        querier.close();
      }
    });
    const body = compress(encodeSamplesResponse(results));
    return new Response(body as BodyInit, { status: 200, headers: { 'content-type': SAMPLES_CONTENT_TYPE, 'content-encoding': 'snappy' } });
  };

  const chunkedResponse = (queries: PbQuery[], ext: Record<string, string>, extSorted: PbLabel[]): Response => {
    const frames: Uint8Array[] = [];
    queries.forEach((q, queryIndex) => {
      const start = toNum(q.start_timestamp_ms), end = toNum(q.end_timestamp_ms);
      const matchers = queryMatchers(q, ext);
      const querier = db.querier(start, end);
      try {
        for (const s of querier.select(matchers, { start, end })) {
          const b = s.samples(start, end);
          if (b.timestamps.length === 0) continue;
          const labels = withExternalLabels(s.labels, extSorted);
          // At most one series a frame; a series whose chunks pass maxBytesInFrame is split over several.
          const maxData = maxBytesInFrame - labels.reduce((n, l) => n + labelSize(l), 0);
          let left = maxData;
          let chunks: { min_time_ms: number; max_time_ms: number; type: number; data: Uint8Array }[] = [];
          for (let i = 0; i < b.timestamps.length; i += XOR_SAMPLES_PER_CHUNK) {
            const to = Math.min(i + XOR_SAMPLES_PER_CHUNK, b.timestamps.length);
            const data = encodeXorChunk(b.timestamps, b.values, i, to);
            chunks.push({ min_time_ms: b.timestamps[i]!, max_time_ms: b.timestamps[to - 1]!, type: CHUNK_XOR, data });
            // About a Chunk's encoded size: two int64 times (up to 11 bytes each with their tags), the type, the data
            // field, and the chunk's own tag and length. Prometheus too allows a frame to pass the limit by one chunk.
            left -= 2 * 11 + 2 + fieldLen(data.length) + 2;
            if (left > 0 && to < b.timestamps.length) continue;
            const msg = ChunkedReadResponse.encode(ChunkedReadResponse.fromObject({ chunked_series: [{ labels, chunks }], query_index: queryIndex })).finish();
            frames.push(frame(msg));
            chunks = [];
            left = maxData;
          }
        }
      } finally {
        querier.close();
      }
    });
    const body = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
    let o = 0;
    for (const f of frames) {
      body.set(f, o);
      o += f.length;
    }
    return new Response(body as BodyInit, { status: 200, headers: { 'content-type': CHUNKED_CONTENT_TYPE } });
  };

  return (req) => gate.run(async () => {
    if (req.method !== 'POST') return plain(405, 'method not allowed');
    const compressed = new Uint8Array(await req.arrayBuffer());
    if (compressed.length > DECODE_READ_LIMIT) return plain(400, `snappy: compressed length ${compressed.length} exceeds limit ${DECODE_READ_LIMIT}`);
    let reqMsg: { queries?: PbQuery[]; accepted_response_types?: number[] };
    try {
      const raw = uncompress(compressed, DECODE_READ_LIMIT);
      reqMsg = ReadRequest.toObject(ReadRequest.decode(raw), { defaults: false }) as typeof reqMsg;
    } catch (e) {
      return plain(400, `decoding the read request: ${(e as Error).message}`);
    }
    // NegotiateResponseType: the first accepted type this server implements; none listed means SAMPLES.
    const accepted = reqMsg.accepted_response_types?.length ? reqMsg.accepted_response_types : [SAMPLES];
    const type = accepted.find((t) => t === SAMPLES || t === STREAMED_XOR_CHUNKS);
    if (type === undefined) {
      return plain(400, `server does not support any of the requested response types: [${accepted.join(' ')}]; supported: [SAMPLES STREAMED_XOR_CHUNKS]`);
    }
    const ext = opts.externalLabels?.() ?? {};
    const extSorted = Object.entries(ext).sort(([a], [b]) => compareStrings(a, b)).map(([name, value]) => ({ name, value }));
    try {
      const queries = reqMsg.queries ?? [];
      return type === STREAMED_XOR_CHUNKS ? chunkedResponse(queries, ext, extSorted) : samplesResponse(queries, ext, extSorted);
    } catch (e) {
      if (e instanceof HttpError) return plain(e.status, e.message);
      return plain(500, (e as Error).message);
    }
  });
}
