// A remote-read client (storage/remote/client.go ReadMultiple): one
// snappy ReadRequest carrying every query, accepting STREAMED_XOR_CHUNKS
// first and SAMPLES second as Prometheus 3 does, so either kind of server
// answers.

import { compress, uncompress } from 'snappyjs';
import { type Labels, compareLabels, labelsFrom } from '../model/labels.js';
import type { Matcher } from '../model/matcher.js';
import type { HistogramBatch, SelectHints } from '../storage/interfaces.js';
import { decodeHistograms } from './histogram-proto.js';
import { readFrames } from './chunked-frames.js';
import type { RemoteReadConfig } from './read-config.js';
import {
  CHUNKED_CONTENT_TYPE, CHUNK_XOR, ChunkedReadResponse, MATCH_TYPES, type PbChunkedSeries, type PbLabel, type PbTimeSeries,
  ReadRequest, ReadResponse, SAMPLES, SAMPLES_CONTENT_TYPE, STREAMED_XOR_CHUNKS, toNum,
} from './read-proto.js';
import { decodeXorChunk } from './xor-chunk.js';

export interface ReadQuery {
  matchers: readonly Matcher[];
  start: number;
  end: number;
  hints?: SelectHints;
}

/** One series a remote returned: samples in time order, within the query's range. */
export interface RemoteSeries {
  labels: Labels;
  timestamps: Float64Array;
  values: Float64Array;
  /** Native histogram samples (sampled responses only). */
  histograms?: HistogramBatch;
}

export type FetchFn = (url: string, init: RequestInit) => Promise<Response>;

const USER_AGENT = 'promlet/0.1';

export class RemoteReadError extends Error {}

function validLabels(ls: readonly PbLabel[] | undefined, where: string): Labels {
  const labels = labelsFrom((ls ?? []).map((l) => ({ name: l.name ?? '', value: l.value ?? '' })));
  // validateLabelsAndMetricName
  for (const l of labels) {
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(l.name)) throw new RemoteReadError(`${where}: invalid label name ${JSON.stringify(l.name)}`);
  }
  return labels;
}

export class RemoteReadClient {
  /**
   * Reads by response type ("sampled", "chunked", "unsupported": by the
   * answer's Content-Type) and HTTP status code, as
   * prometheus_remote_storage_read_queries_total counts them; requests that
   * got no answer are counted as type "none", code "error".
   */
  readonly queries = new Map<string, number>();

  private count(type: string, code: string): void {
    const k = `${type} ${code}`;
    this.queries.set(k, (this.queries.get(k) ?? 0) + 1);
  }

  constructor(readonly cfg: RemoteReadConfig, private readonly fetchFn: FetchFn = (u, i) => fetch(u, i)) {}

  /** Series per query, each list sorted by labels. Throws RemoteReadError with the remote's answer. */
  async read(queries: readonly ReadQuery[], signal?: AbortSignal): Promise<RemoteSeries[][]> {
    const { cfg } = this;
    const body = compress(ReadRequest.encode(ReadRequest.fromObject({
      queries: queries.map((q) => ({
        start_timestamp_ms: q.start,
        end_timestamp_ms: q.end,
        matchers: q.matchers.map((m) => ({ type: MATCH_TYPES.indexOf(m.type), name: m.name, value: m.value })),
        hints: q.hints ? { start_ms: q.hints.start, end_ms: q.hints.end, step_ms: q.hints.step ?? 0, func: q.hints.func ?? '', range_ms: q.hints.range ?? 0 } : undefined,
      })),
      accepted_response_types: [STREAMED_XOR_CHUNKS, SAMPLES],
    })).finish());
    const headers: Record<string, string> = {
      ...cfg.headers,
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      'accept-encoding': 'snappy',
      'x-prometheus-remote-read-version': '0.1.0',
      'user-agent': USER_AGENT,
    };
    if (cfg.basicAuth) headers.authorization = `Basic ${btoa(`${cfg.basicAuth.username}:${cfg.basicAuth.password}`)}`;
    if (cfg.authorization) headers.authorization = `${cfg.authorization.type} ${cfg.authorization.credentials}`;
    const timeout = AbortSignal.timeout(cfg.remoteTimeout);
    let res: Response;
    let raw: Uint8Array;
    try {
      res = await this.fetchFn(cfg.url, { method: 'POST', body: body as BodyInit, headers, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      raw = new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      const err = e as Error;
      this.count('none', 'error');
      if (timeout.aborted) throw new RemoteReadError(`remote_read ${cfg.name}: request timed out after ${cfg.remoteTimeout}ms`);
      throw new RemoteReadError(`remote_read ${cfg.name}: error sending request: ${err.message}`);
    }
    const ct = res.headers.get('content-type') ?? '';
    const type = ct.startsWith(CHUNKED_CONTENT_TYPE) ? 'chunked' : ct.startsWith(SAMPLES_CONTENT_TYPE) ? 'sampled' : 'unsupported';
    this.count(type, String(res.status));
    if (res.status < 200 || res.status >= 300) {
      throw new RemoteReadError(`remote server ${cfg.url} returned http status ${res.status}: ${new TextDecoder().decode(raw).trim().slice(0, 500)}`);
    }
    const out: RemoteSeries[][] = queries.map(() => []);
    try {
      if (ct.startsWith(CHUNKED_CONTENT_TYPE)) {
        // A series split over several frames arrives in consecutive frames.
        for (const msg of readFrames(raw, cfg.chunkedReadLimit)) {
          const m = ChunkedReadResponse.toObject(ChunkedReadResponse.decode(msg), { defaults: false }) as { chunked_series?: PbChunkedSeries[]; query_index?: unknown };
          const qi = toNum(m.query_index);
          const list = out[qi];
          if (!list) throw new RemoteReadError(`chunked response names query ${qi} of ${queries.length}`);
          const q = queries[qi]!;
          for (const cs of m.chunked_series ?? []) {
            const labels = validLabels(cs.labels, cfg.url);
            const decoded = (cs.chunks ?? []).map((c) => {
              if ((c.type ?? 0) !== CHUNK_XOR) throw new RemoteReadError(`chunk encoding ${c.type} is not supported (promlet reads XOR chunks only; native histograms come in sampled responses)`);
              return decodeXorChunk(c.data ?? new Uint8Array(0));
            });
            // Servers send whole chunks: keep what lies in the query's range. Typed arrays throughout, so
            // staleness markers (signaling NaNs) keep their bits.
            const n = decoded.reduce((k, d) => k + d.timestamps.length, 0);
            const ts = new Float64Array(n), vs = new Float64Array(n);
            let k = 0;
            for (const d of decoded) {
              for (let i = 0; i < d.timestamps.length; i++) {
                const t = d.timestamps[i]!;
                if (t < q.start || t > q.end) continue;
                ts[k] = t;
                vs[k++] = d.values[i]!;
              }
            }
            const prev = list[list.length - 1];
            if (prev && compareLabels(prev.labels, labels) === 0) {
              prev.timestamps = concat(prev.timestamps, ts.subarray(0, k));
              prev.values = concat(prev.values, vs.subarray(0, k));
            } else list.push({ labels, timestamps: ts.slice(0, k), values: vs.slice(0, k) });
          }
        }
      } else if (ct.startsWith(SAMPLES_CONTENT_TYPE)) {
        const m = ReadResponse.toObject(ReadResponse.decode(uncompress(raw, 1 << 30)), { defaults: false }) as { results?: { timeseries?: PbTimeSeries[] }[] };
        (m.results ?? []).forEach((r, qi) => {
          if (!out[qi]) return;
          for (const s of r.timeseries ?? []) {
            const samples = s.samples ?? [];
            const timestamps = new Float64Array(samples.length), values = new Float64Array(samples.length);
            samples.forEach((p, i) => {
              timestamps[i] = toNum(p.timestamp);
              values[i] = p.value ?? 0;
            });
            const rs: RemoteSeries = { labels: validLabels(s.labels, cfg.url), timestamps, values };
            if (s.histograms?.length) rs.histograms = decodeHistograms(s.histograms);
            out[qi]!.push(rs);
          }
          out[qi]!.sort((a, b) => compareLabels(a.labels, b.labels));
        });
      } else throw new RemoteReadError(`unsupported content type: ${ct}`);
    } catch (e) {
      if (e instanceof RemoteReadError) throw e;
      throw new RemoteReadError(`remote_read ${cfg.name}: error reading response: ${(e as Error).message}`);
    }
    return out;
  }
}

function concat(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
