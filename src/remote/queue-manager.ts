// One remote_write destination, as Prometheus's storage/remote/queue_manager.go:
// series get external labels and write_relabel_configs once; samples go to
// a shard by series, so each series stays in order; a shard sends a batch
// when it holds max_samples_per_send samples or its oldest waited
// batch_send_deadline. Network errors, 5xx and (by default) 429 are retried
// with exponential backoff, forever, so nothing is lost while the log holds
// it; other 4xx answers drop the batch, as a retry cannot succeed.

import { compress } from 'snappyjs';
import { type Labels, labelsFrom } from '../model/labels.js';
import { relabel } from '../scrape/relabel.js';
import { mergeTargetLabels } from '../model/target-labels.js';
import type { RemoteWriteConfig } from './config.js';
import { WriteRequest } from './proto.js';
import { encodeV2 } from './write-v2.js';
import { V2_CONTENT_TYPE, V2_MESSAGE, WRITTEN_HEADERS } from './write-v2-proto.js';
import type { FloatHistogram } from '../model/histogram.js';
import { encodeHistogram } from './histogram-proto.js';

/** The values at `idx`, copied element by element so staleness markers keep their bits. */
function pick(a: Float64Array, idx: readonly number[]): Float64Array {
  const out = new Float64Array(idx.length);
  for (let k = 0; k < idx.length; k++) out[k] = a[idx[k]!]!;
  return out;
}

export interface RemoteWriteStats {
  samplesSent: number;
  /** Dropped after a non-retryable answer. */
  samplesFailed: number;
  samplesRetried: number;
  /** Dropped by write_relabel_configs or sample_age_limit. */
  samplesDropped: number;
  requests: number;
  /** Newest sample timestamp sent (ms; 0 before the first). */
  highestSentTimestamp: number;
  pending: number;
  shards: number;
  lastError: string;
}

export type FetchFn = (url: string, init: RequestInit) => Promise<Response>;

/** One batch: parallel arrays (a sample's value keeps its bits, staleness markers included). */
interface Batch {
  ids: Uint32Array;
  ts: Float64Array;
  vs: Float64Array;
  /** Start (created) timestamps, 0 where unknown; remote write 2.0 sends them. */
  sts: Float64Array;
  /** Native histogram samples: set where the sample is one (its value is then unused). */
  hs: (FloatHistogram | undefined)[];
}

const USER_AGENT = 'promlet/0.1';

type Counters = Omit<RemoteWriteStats, 'pending' | 'shards'>;

export class QueueManager {
  private readonly counters: Counters = { samplesSent: 0, samplesFailed: 0, samplesRetried: 0, samplesDropped: 0, requests: 0, highestSentTimestamp: 0, lastError: '' };
  /** Log series id -> labels to send, or null when write relabeling dropped the series. */
  private readonly series = new Map<number, Labels | null>();
  private readonly external: Labels;
  private shards: Shard[];
  private stopped = false;
  /** What the last resharding window saw: samples in, samples sent and the time spent sending them. */
  private window = { start: Date.now(), in: 0, sent: 0, sendMs: 0, newest: 0 };

  constructor(
    readonly cfg: RemoteWriteConfig,
    externalLabels: Record<string, string>,
    private readonly fetchFn: FetchFn = (u, i) => fetch(u, i),
    /** ms between resharding decisions (Prometheus: 10 s). */
    private readonly reshardInterval = 10_000,
  ) {
    this.external = labelsFrom(externalLabels);
    this.shards = Array.from({ length: cfg.queue.minShards }, () => new Shard(this));
  }

  get stats(): RemoteWriteStats {
    return { ...this.counters, pending: this.shards.reduce((n, s) => n + s.length, 0), shards: this.shards.length };
  }

  /** Registers a series record of the log. */
  setSeries(id: number, labels: Labels): void {
    // External labels apply unless the series has the label already, as honor_labels merges a target's.
    this.series.set(id, relabel(mergeTargetLabels(labels, this.external, true), this.cfg.writeRelabelConfigs));
  }

  /** Queues the samples of one log record; resolves once every shard has room again (backpressure on the log reader). */
  async append(ids: Uint32Array, ts: Float64Array, vs: Float64Array, sts: Float64Array | null = null): Promise<void> {
    if (Date.now() - this.window.start >= this.reshardInterval) await this.maybeReshard();
    this.window.in += ids.length;
    for (let i = 0; i < ts.length; i++) if (ts[i]! > this.window.newest) this.window.newest = ts[i]!;
    const n = this.shards.length;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!this.series.get(id)) this.counters.samplesDropped++;
      else this.shards[id % n]!.push(id, ts, vs, sts, i);
    }
    for (const sh of this.shards) await sh.room();
  }

  /** Queues native histogram samples of the log (only with send_native_histograms, as Prometheus). */
  async appendHistograms(ids: Uint32Array, ts: Float64Array, hs: FloatHistogram[]): Promise<void> {
    if (!this.cfg.sendNativeHistograms) return;
    this.window.in += ids.length;
    const n = this.shards.length;
    const zeros = new Float64Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (ts[i]! > this.window.newest) this.window.newest = ts[i]!;
      if (!this.series.get(id)) this.counters.samplesDropped++;
      else this.shards[id % n]!.push(id, ts, zeros, null, i, hs[i]);
    }
    for (const sh of this.shards) await sh.room();
  }

  /**
   * Prometheus's calculateDesiredShards: enough shards to send what comes in
   * plus 5% of the backlog per second, at the time one sample took to send;
   * changes within 30% of the current count are not worth a reshard, and none
   * happens while sends are failing.
   */
  private async maybeReshard(): Promise<void> {
    const w = this.window;
    const seconds = (Date.now() - w.start) / 1000;
    this.window = { start: Date.now(), in: 0, sent: 0, sendMs: 0, newest: w.newest };
    if (w.sent === 0 || this.counters.lastError !== '') return;
    const { minShards, maxShards } = this.cfg.queue;
    const inRate = w.in / seconds;
    const timePerSample = w.sendMs / 1000 / w.sent;
    const delay = Math.max(0, (w.newest - this.counters.highestSentTimestamp) / 1000);
    const desired = Math.min(maxShards, Math.max(minShards, Math.ceil(timePerSample * (inRate + 0.05 * delay * inRate))));
    const current = this.shards.length;
    if (desired === current || (desired > current * 0.7 && desired < current * 1.3)) return;
    // Drain first, so no series has samples in two shards at once: order is kept.
    await Promise.all(this.shards.map((s) => s.flush()));
    for (const s of this.shards) s.retire();
    this.shards = Array.from({ length: desired }, () => new Shard(this));
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Sends what is queued (for up to `timeout` ms), then stops. */
  async stop(timeout = 5000): Promise<void> {
    await Promise.race([Promise.all(this.shards.map((s) => s.flush())), new Promise((r) => setTimeout(r, timeout))]);
    this.stopped = true;
    for (const s of this.shards) s.retire();
  }

  /** Sends one batch; true when done with it (sent or dropped), false to retry. */
  async send(batch: Batch): Promise<boolean> {
    const { cfg, counters } = this;
    const oldest = cfg.queue.sampleAgeLimit > 0 ? Date.now() - cfg.queue.sampleAgeLimit : -Infinity;
    // Sample indexes by series, in order.
    const bySeries = new Map<number, number[]>();
    let n = 0, newest = 0;
    for (let i = 0; i < batch.ids.length; i++) {
      const t = batch.ts[i]!;
      if (t < oldest) {
        counters.samplesDropped++;
        continue;
      }
      let list = bySeries.get(batch.ids[i]!);
      if (!list) bySeries.set(batch.ids[i]!, (list = []));
      list.push(i);
      n++;
      if (t > newest) newest = t;
    }
    if (n === 0) return true;
    const v2 = cfg.protobufMessage === V2_MESSAGE;
    const histogramsOf = (idx: number[]) => idx.filter((i) => batch.hs[i]).map((i) => ({ t: batch.ts[i]!, h: batch.hs[i]! }));
    if (batch.hs.some((h) => h)) for (const [id, idx] of bySeries) bySeries.set(id, idx.filter((i) => !batch.hs[i]));
    const hists = new Map<number, { t: number; h: FloatHistogram }[]>();
    if (batch.hs.some((h) => h)) {
      const all = new Map<number, number[]>();
      for (let i = 0; i < batch.ids.length; i++) if (batch.hs[i] && batch.ts[i]! >= oldest) (all.get(batch.ids[i]!) ?? all.set(batch.ids[i]!, []).get(batch.ids[i]!)!).push(i);
      for (const [id, idx] of all) hists.set(id, histogramsOf(idx));
      for (const id of hists.keys()) if (!bySeries.has(id)) bySeries.set(id, []);
    }
    const body = compress(v2 ? encodeV2([...bySeries].map(([id, idx]) => ({
      labels: this.series.get(id)!,
      ts: Float64Array.from(idx, (i) => batch.ts[i]!),
      vs: pick(batch.vs, idx),
      sts: idx.some((i) => batch.sts[i] !== 0) ? Float64Array.from(idx, (i) => batch.sts[i]!) : null,
      histograms: hists.get(id),
    }))) : WriteRequest.encode(WriteRequest.fromObject({
      timeseries: [...bySeries].map(([id, idx]) => ({
        labels: this.series.get(id)!, samples: idx.map((i) => ({ value: batch.vs[i]!, timestamp: batch.ts[i]! })),
        histograms: (hists.get(id) ?? []).map(({ t, h }) => encodeHistogram(t, h)),
      })),
    })).finish());
    const headers: Record<string, string> = {
      ...cfg.headers,
      'content-type': v2 ? V2_CONTENT_TYPE : 'application/x-protobuf',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': v2 ? '2.0.0' : '0.1.0',
      'user-agent': USER_AGENT,
    };
    if (cfg.basicAuth) headers.authorization = `Basic ${btoa(`${cfg.basicAuth.username}:${cfg.basicAuth.password}`)}`;
    if (cfg.authorization) headers.authorization = `${cfg.authorization.type} ${cfg.authorization.credentials}`;
    counters.requests++;
    let status = 0;
    const t0 = Date.now();
    try {
      const res = await this.fetchFn(cfg.url, { method: 'POST', body: body as BodyInit, headers, signal: AbortSignal.timeout(cfg.remoteTimeout) });
      status = res.status;
      const text = status >= 300 ? await res.text() : (await res.arrayBuffer(), '');
      // Remote write 2.0: a receiver that does not confirm what it wrote is taken to have written nothing
      // (a 1.0-only receiver that ignores the Content-Type), and samples it reports as not written failed.
      const samplesWritten = v2 ? res.headers.get(WRITTEN_HEADERS.samples) : null;
      // Histogram samples are confirmed in a header of their own.
      const written = samplesWritten === null ? null : String(Number(samplesWritten) + Number(res.headers.get(WRITTEN_HEADERS.histograms) ?? 0));
      if (v2 && status < 300 && (written === null || Number(written) < n)) {
        const ok = written === null ? 0 : Number(written);
        counters.samplesSent += ok;
        counters.samplesFailed += n - ok;
        counters.lastError = written === null
          ? `sent v2 request with ${n} samples; got ${status}, but no X-Prometheus-Remote-Write-Samples-Written header: assuming failure, e.g. the receiver only supports remote write 1.0 (prometheus.WriteRequest)`
          : `sent v2 request with ${n} samples; got ${status}, but the receiver wrote ${ok}`;
        return true;
      }
      if (status < 300) {
        counters.samplesSent += n;
        this.window.sent += n;
        this.window.sendMs += Date.now() - t0;
        counters.highestSentTimestamp = Math.max(counters.highestSentTimestamp, newest);
        counters.lastError = '';
        return true;
      }
      counters.lastError = `server returned HTTP status ${status}: ${text.trim().slice(0, 200)}`;
    } catch (e) {
      counters.lastError = (e as Error).message;
    }
    const retry = status === 0 || status >= 500 || (status === 429 && cfg.queue.retryOnHttp429);
    if (retry) counters.samplesRetried += n;
    else counters.samplesFailed += n;
    return !retry;
  }
}

/**
 * One shard's queue (parallel typed arrays, no object per sample) and its
 * sending loop: one request in flight, retried until done, so series stay
 * in order.
 */
class Shard {
  private ids = new Uint32Array(1024);
  private ts = new Float64Array(1024);
  private vs = new Float64Array(1024);
  private sts = new Float64Array(1024);
  /** Native histogram samples, parallel to the arrays above (sparse: most samples are floats). */
  private hs: (FloatHistogram | undefined)[] = [];
  /** Queued samples are [head, tail). */
  private head = 0;
  private tail = 0;
  private oldestAt = 0;
  /** Set by flush(): send whatever is queued without waiting for a full batch or the deadline. */
  private flushing = false;
  private retired = false;
  private sending = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private wakers: (() => void)[] = [];
  private roomWaiters: (() => void)[] = [];
  private drainWaiters: (() => void)[] = [];

  constructor(private readonly q: QueueManager) {
    void this.loop();
  }

  get length(): number {
    return this.tail - this.head;
  }

  /** Queues sample i of a record's arrays (copied element-wise between typed arrays, so NaN payloads survive). */
  push(id: number, ts: Float64Array, vs: Float64Array, sts: Float64Array | null, i: number, h?: FloatHistogram): void {
    if (this.length === 0) this.oldestAt = Date.now();
    if (this.tail === this.ids.length) this.makeRoom();
    if (h || this.hs.length > this.tail) this.hs[this.tail] = h;
    this.ids[this.tail] = id;
    this.ts[this.tail] = ts[i]!;
    this.vs[this.tail] = vs[i]!;
    this.sts[this.tail] = sts ? sts[i]! : 0;
    this.tail++;
    if (this.length >= this.q.cfg.queue.maxSamplesPerSend) this.wake();
    else if (!this.timer) this.timer = setTimeout(() => this.wake(), this.q.cfg.queue.batchSendDeadline);
  }

  private makeRoom(): void {
    const n = this.length;
    if (n * 2 > this.ids.length) {
      const grow = <T extends Uint32Array | Float64Array>(a: T, make: (len: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a.subarray(this.head, this.tail));
        return b;
      };
      this.ids = grow(this.ids, (len) => new Uint32Array(len));
      this.ts = grow(this.ts, (len) => new Float64Array(len));
      this.vs = grow(this.vs, (len) => new Float64Array(len));
      this.sts = grow(this.sts, (len) => new Float64Array(len));
    } else {
      this.ids.copyWithin(0, this.head, this.tail);
      this.ts.copyWithin(0, this.head, this.tail);
      this.vs.copyWithin(0, this.head, this.tail);
      this.sts.copyWithin(0, this.head, this.tail);
    }
    this.hs = this.hs.slice(this.head, this.tail);
    this.head = 0;
    this.tail = n;
  }

  /** Ends this shard's loop (after a flush, when resharding or stopping). */
  retire(): void {
    this.retired = true;
    this.wake();
    for (const w of [...this.roomWaiters.splice(0), ...this.drainWaiters.splice(0)]) w();
  }

  private wake(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const w of this.wakers.splice(0)) w();
  }

  /** Resolves when the queue is below capacity. */
  room(): Promise<void> {
    if (this.length < this.q.cfg.queue.capacity || this.retired) return Promise.resolve();
    return new Promise((r) => this.roomWaiters.push(r));
  }

  /** Sends everything queued now, however small the batches; resolves once it is sent. */
  async flush(): Promise<void> {
    if (this.length === 0 && !this.sending) return;
    this.flushing = true;
    this.wake();
    await new Promise<void>((r) => this.drainWaiters.push(r));
    this.flushing = false;
  }

  private async loop(): Promise<void> {
    const { queue: cfg } = this.q.cfg;
    while (!this.retired) {
      const n = this.length;
      const due = n >= cfg.maxSamplesPerSend || (n > 0 && (this.flushing || Date.now() - this.oldestAt >= cfg.batchSendDeadline));
      if (!due) {
        if (n > 0 && !this.timer) this.timer = setTimeout(() => this.wake(), Math.max(0, cfg.batchSendDeadline - (Date.now() - this.oldestAt)));
        await new Promise<void>((r) => this.wakers.push(r));
        continue;
      }
      const end = this.head + Math.min(n, cfg.maxSamplesPerSend);
      // Copies: pushes during the send may move the queue.
      const batch = {
        ids: this.ids.slice(this.head, end), ts: this.ts.slice(this.head, end), vs: this.vs.slice(this.head, end), sts: this.sts.slice(this.head, end),
        hs: this.hs.length > this.head ? this.hs.slice(this.head, end) : [],
      };
      this.sending = true;
      let backoff = cfg.minBackoff;
      while (!(await this.q.send(batch)) && !this.q.isStopped) {
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, cfg.maxBackoff);
      }
      this.sending = false;
      this.head += batch.ids.length;
      if (this.length > 0) this.oldestAt = Date.now();
      if (this.length < cfg.capacity) for (const w of this.roomWaiters.splice(0)) w();
      if (this.length === 0) for (const w of this.drainWaiters.splice(0)) w();
    }
  }
}
