// `remote_write` entries of prometheus.yml, with Prometheus 3's defaults.

import { parseDuration } from '../model/duration.js';
import { type RelabelConfig, relabelConfig } from '../scrape/relabel.js';
import { type ProtobufMessage, V1_MESSAGE, V2_MESSAGE } from './write-v2-proto.js';

export interface QueueConfig {
  /** Samples buffered per shard before reading from the log pauses. */
  capacity: number;
  minShards: number;
  maxShards: number;
  maxSamplesPerSend: number;
  /** ms a partial batch waits before it is sent anyway. */
  batchSendDeadline: number;
  minBackoff: number;
  maxBackoff: number;
  retryOnHttp429: boolean;
  /** ms; older samples are dropped instead of sent (0: no limit). */
  sampleAgeLimit: number;
}

export interface RemoteWriteConfig {
  url: string;
  name: string;
  /** ms per request. */
  remoteTimeout: number;
  headers: Record<string, string>;
  writeRelabelConfigs: RelabelConfig[];
  basicAuth?: { username: string; password: string };
  authorization?: { type: string; credentials: string };
  queue: QueueConfig;
  /** protobuf_message: remote write 1.0 (the default) or 2.0. */
  protobufMessage: ProtobufMessage;
  /** send_native_histograms: native histogram samples are sent too (default false, as Prometheus). */
  sendNativeHistograms?: boolean;
}

export class RemoteWriteConfigError extends Error {}

const HEADERS_RESERVED = new Set(['authorization', 'host', 'content-encoding', 'content-length', 'content-type', 'user-agent', 'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'www-authenticate', 'retry-after', 'x-prometheus-remote-write-version']);

function dur(v: unknown, def: number, where: string): number {
  if (v === undefined) return def;
  try {
    return parseDuration(String(v));
  } catch {
    throw new RemoteWriteConfigError(`${where}: not a duration: ${JSON.stringify(v)}`);
  }
}

function int(v: unknown, def: number, where: string): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new RemoteWriteConfigError(`${where}: want a non-negative integer, got ${JSON.stringify(v)}`);
  return n;
}

export function remoteWriteConfigs(doc: Record<string, unknown>): RemoteWriteConfig[] {
  const names = new Set<string>();
  return ((doc.remote_write ?? []) as Record<string, unknown>[]).map((raw, i) => {
    const url = String(raw.url ?? '');
    if (!/^https?:\/\/./.test(url)) throw new RemoteWriteConfigError(`remote_write[${i}]: url ${JSON.stringify(url)} is not an http(s) URL`);
    const name = raw.name === undefined ? `remote-${i}` : String(raw.name);
    if (names.has(name)) throw new RemoteWriteConfigError(`remote_write: duplicate name ${JSON.stringify(name)}`);
    names.add(name);
    const where = `remote_write ${JSON.stringify(name)}`;
    const headers = Object.fromEntries(Object.entries((raw.headers ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
    for (const h of Object.keys(headers)) if (HEADERS_RESERVED.has(h.toLowerCase())) throw new RemoteWriteConfigError(`${where}: ${h} is a reserved header. It must not be changed`);
    const q = (raw.queue_config ?? {}) as Record<string, unknown>;
    const basic = raw.basic_auth as Record<string, unknown> | undefined;
    const auth = raw.authorization as Record<string, unknown> | undefined;
    if (basic && auth) throw new RemoteWriteConfigError(`${where}: at most one of basic_auth and authorization may be configured`);
    const queue: QueueConfig = {
      capacity: int(q.capacity, 10_000, `${where}: capacity`),
      minShards: int(q.min_shards, 1, `${where}: min_shards`),
      maxShards: int(q.max_shards, 50, `${where}: max_shards`),
      maxSamplesPerSend: int(q.max_samples_per_send, 2000, `${where}: max_samples_per_send`),
      batchSendDeadline: dur(q.batch_send_deadline, 5000, `${where}: batch_send_deadline`),
      minBackoff: dur(q.min_backoff, 30, `${where}: min_backoff`),
      maxBackoff: dur(q.max_backoff, 5000, `${where}: max_backoff`),
      retryOnHttp429: q.retry_on_http_429 !== false,
      sampleAgeLimit: dur(q.sample_age_limit, 0, `${where}: sample_age_limit`),
    };
    if (queue.minShards < 1 || queue.maxShards < queue.minShards) throw new RemoteWriteConfigError(`${where}: want 1 <= min_shards <= max_shards`);
    const protobufMessage = (raw.protobuf_message ?? V1_MESSAGE) as ProtobufMessage;
    if (protobufMessage !== V1_MESSAGE && protobufMessage !== V2_MESSAGE) {
      throw new RemoteWriteConfigError(`${where}: unknown remote write protobuf message ${JSON.stringify(raw.protobuf_message)}, supported: ${V1_MESSAGE}, ${V2_MESSAGE}`);
    }
    if (queue.maxSamplesPerSend < 1) throw new RemoteWriteConfigError(`${where}: max_samples_per_send must be at least 1`);
    return {
      url, name, headers, queue, protobufMessage,
      sendNativeHistograms: raw.send_native_histograms === true,
      remoteTimeout: dur(raw.remote_timeout, 30_000, `${where}: remote_timeout`),
      writeRelabelConfigs: ((raw.write_relabel_configs ?? []) as Record<string, unknown>[]).map(relabelConfig),
      basicAuth: basic ? { username: String(basic.username ?? ''), password: String(basic.password ?? '') } : undefined,
      authorization: auth ? { type: String(auth.type ?? 'Bearer'), credentials: String(auth.credentials ?? '') } : undefined,
    };
  });
}
