// POST /api/v1/otlp/v1/metrics (Prometheus's --web.enable-otlp-receiver):
// OTLP/HTTP metrics as protobuf or JSON, optionally gzipped, translated and
// appended in one batch. As in Prometheus the batch is all or nothing: a
// refused metric or a sample the storage cannot take rolls it back and the
// answer is 400 with the reasons (Prometheus answers refused metrics with
// 500; a 4xx tells OTel exporters not to retry what will fail again).

import type { Appendable } from '../storage/interfaces.js';
import { StorageError } from '../storage/errors.js';
import { InvalidLabelsError, labelsFrom } from '../model/labels.js';
import { addExemplar } from '../storage/exemplars.js';
import { BodyTooLargeError, gunzipBounded, readBounded } from '../exposition/bounded-body.js';
import { decodeJSON, decodeProtobuf, OtlpDecodeError, type OtlpRequest } from './decode.js';
import { translateOtlp, type OtlpMetadata } from './translate.js';
import { DEFAULT_OTLP_CONFIG, type OtlpConfig } from './config.js';
import { DeltaToCumulative } from './delta.js';

export const OTLP_PATH = '/api/v1/otlp/v1/metrics';
const PROTOBUF = 'application/x-protobuf', JSON_TYPE = 'application/json';
/** Prometheus's decodeReadLimit. */
export const DEFAULT_MAX_OTLP_BODY = 32 * 1024 * 1024;
/** Samples more than this ahead of the clock are out of bounds (Prometheus's maxAheadTime). */
const MAX_AHEAD_MS = 10 * 60_000;
const MAX_METADATA = 10_000;

export interface OtlpReceiverOptions {
  config?: () => OtlpConfig;
  allowDelta?: boolean;
  /** Prometheus's otlp-deltatocumulative: add delta sums and histograms up per stream. */
  deltaToCumulative?: boolean;
  lookbackDelta?: number;
  maxBodyBytes?: number;
  now?: () => number;
}

type Counter = Map<string, number>;
const inc = (m: Counter, k: string, n = 1) => m.set(k, (m.get(k) ?? 0) + n);

export class OtlpReceiver {
  private readonly requests: Counter = new Map();
  private appended = 0;
  private rejectedSamples = 0;
  private refusedMetrics = 0;
  private warnings = 0;
  private exemplarsAppended = 0;
  private exemplarsRefused = 0;
  /** Metric metadata from the senders (type, help, unit), by family name. */
  readonly metadata = new Map<string, OtlpMetadata>();

  private readonly d2c: DeltaToCumulative | null;

  constructor(private readonly db: Appendable, private readonly o: OtlpReceiverOptions = {}) {
    if (o.allowDelta && o.deltaToCumulative) throw new Error('cannot enable otlp-deltatocumulative and otlp-native-delta-ingestion features at the same time');
    this.d2c = o.deltaToCumulative ? new DeltaToCumulative({ now: o.now }) : null;
  }

  async handle(req: Request): Promise<Response> {
    const r = await this.serve(req);
    inc(this.requests, String(r.status));
    return r;
  }

  private async serve(req: Request): Promise<Response> {
    if (req.method !== 'POST') return text(405, 'method not allowed');
    const ct = (req.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (ct !== PROTOBUF && ct !== JSON_TYPE) return text(415, `unsupported content type: ${ct}, supported: [${JSON_TYPE}, ${PROTOBUF}]`);
    const enc = req.headers.get('content-encoding') ?? '';
    if (enc !== '' && enc !== 'gzip') return text(415, `unsupported compression: ${enc}. Only "gzip" or no compression supported`);
    let body: Uint8Array;
    try {
      body = await readLimited(req, enc === 'gzip', this.o.maxBodyBytes ?? DEFAULT_MAX_OTLP_BODY);
    } catch (e) {
      return text(e instanceof BodyTooLargeError ? 413 : 400, (e as Error).message);
    }
    let decoded: OtlpRequest;
    try {
      decoded = ct === PROTOBUF ? decodeProtobuf(body) : decodeJSON(new TextDecoder().decode(body));
    } catch (e) {
      if (e instanceof OtlpDecodeError) return text(400, e.message);
      throw e;
    }
    return this.write(decoded);
  }

  /** Translates and appends an already decoded request; the answer as the HTTP endpoint gives it. */
  async write(decoded: OtlpRequest): Promise<Response> {
    let tr;
    try {
      this.d2c?.convert(decoded);
      tr = translateOtlp(decoded, { config: this.o.config?.() ?? DEFAULT_OTLP_CONFIG, allowDelta: this.o.allowDelta, lookbackDelta: this.o.lookbackDelta });
    } catch (e) {
      if (e instanceof OtlpDecodeError) return text(400, e.message);
      throw e;
    }
    this.warnings += tr.warnings.length;
    if (tr.errors.length > 0) {
      this.refusedMetrics += tr.errors.length;
      return text(400, tr.errors.join('\n'));
    }
    const maxT = (this.o.now?.() ?? Date.now()) + MAX_AHEAD_MS;
    const app = this.db.appender();
    const pendingExemplars: { series: ReturnType<typeof labelsFrom>; ex: { labels: ReturnType<typeof labelsFrom>; value: number; timestamp: number } }[] = [];
    try {
      for (const s of tr.samples) {
        if (s.t > maxT) throw new StorageError(`out of bounds: timestamp ${s.t} is too far in the future (series ${JSON.stringify(s.labels.__name__)})`);
        if (s.h) {
          if (!app.appendHistogram) throw new StorageError(`native histogram ${JSON.stringify(s.labels.__name__)}: this storage cannot store native histograms`);
          app.appendHistogram(s.labels, s.t, s.h, s.st);
        } else app.append(s.labels, s.t, s.v, s.st);
        if (s.exemplars) {
          const series = labelsFrom(s.labels);
          for (const e of s.exemplars) pendingExemplars.push({ series, ex: { labels: labelsFrom(e.labels), value: e.value, timestamp: e.timestamp || s.t } });
        }
      }
    } catch (e) {
      app.rollback();
      if (e instanceof StorageError || e instanceof InvalidLabelsError) {
        this.rejectedSamples += tr.samples.length;
        return text(400, e.message);
      }
      throw e;
    }
    await app.commit();
    this.appended += tr.samples.length;
    // Metadata of at most MAX_METADATA families: senders inventing names cannot grow it without bound.
    for (const [k, v] of tr.metadata) if (this.metadata.has(k) || this.metadata.size < MAX_METADATA) this.metadata.set(k, v);
    for (const p of pendingExemplars) {
      if (addExemplar(this.db, p.series, p.ex)) this.exemplarsAppended++;
      else this.exemplarsRefused++;
    }
    return new Response(null, { status: 200 });
  }

  metrics(): { name: string; help: string; type: 'counter' | 'gauge'; samples: { labels: Record<string, string>; value: number }[] }[] {
    const one = (value: number) => [{ labels: {}, value }];
    return [
      { name: 'promlet_api_otlp_requests_total', help: 'OTLP write requests by status code.', type: 'counter', samples: [...this.requests].map(([code, value]) => ({ labels: { code }, value })) },
      { name: 'promlet_api_otlp_appended_samples_total', help: 'Samples appended from OTLP.', type: 'counter', samples: one(this.appended) },
      { name: 'promlet_api_otlp_rejected_samples_total', help: 'Samples of OTLP requests rolled back because the storage refused one of them.', type: 'counter', samples: one(this.rejectedSamples) },
      { name: 'promlet_api_otlp_refused_metrics_total', help: 'OTLP metrics refused in translation (delta temporality, exponential histogram scales below -4, invalid names).', type: 'counter', samples: one(this.refusedMetrics) },
      { name: 'promlet_api_otlp_translation_warnings_total', help: 'Warnings produced while translating OTLP metrics.', type: 'counter', samples: one(this.warnings) },
      ...(this.d2c ? [
        { name: 'promlet_api_otlp_delta_streams', help: 'Delta streams being added up (otlp-deltatocumulative).', type: 'gauge' as const, samples: one(this.d2c.size) },
        {
          name: 'promlet_api_otlp_delta_dropped_points_total', help: 'Delta points dropped: out of order, or a new stream past the limit.', type: 'counter' as const,
          samples: [{ labels: { reason: 'out_of_order' }, value: this.d2c.dropped.outOfOrder }, { labels: { reason: 'stream_limit' }, value: this.d2c.dropped.limit }],
        },
      ] : []),
      { name: 'promlet_api_otlp_appended_exemplars_total', help: 'Exemplars stored from OTLP.', type: 'counter', samples: one(this.exemplarsAppended) },
      { name: 'promlet_api_otlp_out_of_order_exemplars_total', help: 'OTLP exemplars the exemplar storage refused (out of order, too long, or no storage).', type: 'counter', samples: one(this.exemplarsRefused) },
    ];
  }
}

const text = (status: number, body: string) => new Response(`${body}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });

/** The body, gunzipped when asked, refused past `limit` bytes (after decompression). */
async function readLimited(req: Request, gzip: boolean, limit: number): Promise<Uint8Array> {
  if (!req.body) return new Uint8Array(0);
  return gzip ? gunzipBounded(req.body, limit, 'request body') : readBounded(req.body, limit, 'request body');
}
