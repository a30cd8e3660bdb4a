// One target's scrape: fetch, parse, attach target labels (exported_ on
// conflicts), metric_relabel_configs, limits, append with staleness markers
// for vanished series, and the synthetic up / scrape_* series (scrape/scrape.go).

import type { Appendable, Appender } from '../storage/interfaces.js';
import { UnknownSeriesError } from '../storage/errors.js';
import { type Label, type Labels, compareStrings } from '../model/labels.js';
import { mergeTargetLabels } from '../model/target-labels.js';
import { appendStaleMarkers } from '../storage/staleness.js';
import { formatFromContentType, type ExpositionFormat, type MetricMetadata } from '../exposition/parse.js';
import { fetchCause } from './fetch-error.js';
import { SampleScanner } from '../exposition/sample-scanner.js';
import { BodyTooLargeError, readBounded } from '../exposition/bounded-body.js';
import { ScrapeCache, type CacheEntry } from './scrape-cache.js';
import { keptMetadata } from './metadata-copy.js';
import { addExemplar, type Exemplar } from '../storage/exemplars.js';
import { relabel } from './relabel.js';
import type { ScrapeConfig, Target } from './targets.js';
import { ProtobufScanner } from '../exposition/protobuf-scanner.js';
import { NhcbScrape, nhcbLine } from './nhcb-scrape.js';
import { acceptHeader, appendHistogramTo, checkHistogramAppender, isProtobufContentType, limitHistogram, scrapedExemplar } from './native-histograms.js';

// Moved to src/model/; re-exported for code that imports it from here.
export { mergeTargetLabels };

/** The Accept header Prometheus 3 sends (native histograms off). */
export const ACCEPT = 'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,'
  + 'text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2';

const FALLBACKS: Record<string, ExpositionFormat> = {
  PrometheusText0_0_4: 'text', PrometheusText1_0_0: 'text', OpenMetricsText0_0_1: 'openmetrics', OpenMetricsText1_0_0: 'openmetrics',
};

export interface ScrapeReport {
  health: 'up' | 'down' | 'unknown';
  lastError: string;
  lastScrape: number;
  lastDuration: number;
}

/** Largest scrape body read when the config sets no body_size_limit (after decompression). */
export const MAX_SCRAPE_BODY_BYTES = 256 * 1024 * 1024;

const SYNTHETIC = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added'] as const;

class SampleLimitError extends Error {}

export class ScrapeLoop {
  private readonly cache = new ScrapeCache();
  private readonly synthetic: Labels[];
  private readonly syntheticRefs = new Array<number>(SYNTHETIC.length).fill(-1);
  private inFlight: Promise<void> | null = null;
  private readonly stopping = new AbortController();
  /** convert_classic_histograms_to_nhcb, when set. */
  private readonly nhcb: NhcbScrape | undefined;
  /** Series whose labels were built (merged, relabeled): each new series once, known ones never again. */
  seriesLabelled = 0;
  report: ScrapeReport = { health: 'unknown', lastError: '', lastScrape: 0, lastDuration: 0 };
  /** The HELP, TYPE and UNIT of the last successful scrape, by metric family (/api/v1/metadata). */
  metadata = new Map<string, MetricMetadata>();

  constructor(readonly cfg: ScrapeConfig, readonly target: Target, private readonly db: Appendable, private readonly fetchFn: typeof fetch = fetch) {
    if (cfg.convertClassicHistogramsToNhcb) this.nhcb = new NhcbScrape(cfg, target);
    this.synthetic = SYNTHETIC.map((n) => [{ name: '__name__', value: n }, ...target.labels].sort((a, b) => compareStrings(a.name, b.name)));
  }

  private async fetchBody(): Promise<{ bytes: Uint8Array; format: ExpositionFormat; protobuf: boolean }> {
    const headers: Record<string, string> = {
      accept: this.cfg.scrapeProtocols ? acceptHeader(this.cfg.scrapeProtocols) : ACCEPT, 'user-agent': 'promlet', 'x-prometheus-scrape-timeout-seconds': String(this.cfg.timeout / 1000),
    };
    if (this.cfg.basicAuth) headers.authorization = `Basic ${btoa(`${this.cfg.basicAuth.username}:${this.cfg.basicAuth.password}`)}`;
    if (this.cfg.authorization) headers.authorization = `${this.cfg.authorization.type} ${this.cfg.authorization.credentials}`;
    const signal = AbortSignal.any([AbortSignal.timeout(this.cfg.timeout), this.stopping.signal]);
    let res: Response;
    try {
      res = await this.fetchFn(this.target.url, { headers, signal });
    } catch (e) {
      // As Prometheus words it: Get "URL": the reason.
      throw new Error(`Get ${JSON.stringify(this.target.url)}: ${fetchCause(e)}`);
    }
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => {});
      throw new Error(`server returned HTTP status ${res.status} ${res.statusText}`);
    }
    const ct = res.headers.get('content-type');
    const protobuf = isProtobufContentType(ct) || (formatFromContentType(ct) === null && this.cfg.fallbackProtocol === 'PrometheusProto');
    const format = protobuf ? 'text' : formatFromContentType(ct) ?? (this.cfg.fallbackProtocol ? FALLBACKS[this.cfg.fallbackProtocol] : undefined);
    if (!format) {
      await res.body?.cancel().catch(() => {});
      throw new Error(`received unsupported Content-Type ${JSON.stringify(ct ?? '')} and no fallback_scrape_protocol specified for target`);
    }
    // The limit counts decompressed bytes as they arrive: a small gzip body cannot inflate past it.
    const limit = this.cfg.bodySizeLimit > 0 ? this.cfg.bodySizeLimit : MAX_SCRAPE_BODY_BYTES;
    let bytes: Uint8Array;
    try {
      bytes = await readBounded(res.body, limit, 'scrape body');
    } catch (e) {
      if (e instanceof BodyTooLargeError) throw new Error(`body size limit exceeded: ${limit} bytes`);
      throw e;
    }
    return { bytes, format, protobuf };
  }

  /**
   * One scrape at time t (ms). Never throws: failures become up=0 and lastError, and so does a commit
   * that fails (a disk error), which the timer calling this would otherwise leave unhandled. Never
   * overlaps itself, nor runs once the loop is stopped.
   */
  async scrape(t: number): Promise<void> {
    if (this.inFlight || this.stopping.signal.aborted) return;
    const t0 = performance.now();
    this.inFlight = this.scrapeOnce(t)
      .catch((e: unknown) => {
        this.report = { health: 'down', lastError: (e as Error).message, lastScrape: t, lastDuration: (performance.now() - t0) / 1000 };
      })
      .finally(() => {
        this.inFlight = null;
      });
    await this.inFlight;
  }

  /**
   * Stops scraping for good: a scrape in flight is cancelled, stores nothing, and has ended when this
   * settles, so the storage can be closed after it (a scrape committing into a closed log took the
   * server down at its own stop).
   */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.inFlight;
  }

  private async scrapeOnce(t: number): Promise<void> {
    const t0 = performance.now();
    let fetched: Awaited<ReturnType<ScrapeLoop['fetchBody']>> | null = null;
    let fetchError: unknown = null;
    try {
      fetched = await this.fetchBody();
    } catch (e) {
      fetchError = e;
    }
    // Stopped meanwhile (the only wait before the commit): nothing of this scrape is stored, and the scrape
    // cache is left as the last scrape did, whose series a leaving target's staleness markers name.
    if (this.stopping.signal.aborted) return;
    const cache = this.cache;
    const cfg = this.cfg;
    cache.begin();
    const nhcb = this.nhcb;
    nhcb?.begin();
    let scraped = 0, kept = 0, added = 0;
    let error = '';
    let limited = false;
    let app = this.db.appender();
    const exemplars: { labels: Labels; ex: Exemplar }[] = [];
    try {
      if (!fetched) throw fetchError;
      const { bytes, format, protobuf } = fetched;
      const proto = protobuf ? new ProtobufScanner(bytes, { nativeHistograms: cfg.scrapeNativeHistograms === true, alwaysClassic: cfg.alwaysScrapeClassicHistograms === true }) : undefined;
      // Text is decoded and scanned a piece at a time (see textPieces).
      const pieces = textPieces(proto ? new Uint8Array(0) : bytes);
      let piece = pieces.next();
      const scanner = proto || new SampleScanner('', format);
      if (!proto) (scanner as SampleScanner).continueWith(piece.value.text, piece.value.final);
      let overLimit = false;
      // Targets list their series in the same order every time: the entry that followed the
      // previous line's last time is checked in place first, before hashing the line.
      let expected = cache.first;
      let prev: CacheEntry | undefined;
      for (;;) {
        if (!scanner.nextLine()) {
          if (proto || piece.value.final) break;
          piece = pieces.next();
          (scanner as SampleScanner).continueWith(piece.value.text, piece.value.final);
          continue;
        }
        scraped++;
        let e: CacheEntry | undefined;
        if (expected && !expected.dead && scanner.known(expected.key)) {
          e = expected;
          e.lastIter = cache.iter;
        } else {
          scanner.read();
          e = cache.get(scanner);
        }
        let fresh = false;
        if (!e) {
          // Label work only for a series this target has not shown before.
          const s = scanner.parse();
          this.seriesLabelled++;
          const merged = mergeTargetLabels(s.labels, this.target.labels, cfg.honorLabels, s.emptyLabels);
          let labels = relabel(merged, cfg.metricRelabelConfigs);
          if (labels && !labels.some((l) => l.name === '__name__')) labels = null;
          if (labels && cfg.labelLimit > 0 && labels.length > cfg.labelLimit) {
            throw new Error(`label_limit exceeded (metric: ${labels.find((l) => l.name === '__name__')!.value}, number of labels: ${labels.length}, limit: ${cfg.labelLimit})`);
          }
          e = scanner.seriesEnd < 0 ? { key: '', hash: 0, next: undefined, follow: undefined, dead: false, ref: -1, labels, lastIter: cache.iter, curIter: 0, staleIter: 0 } : cache.add(scanner, labels);
          fresh = true;
          if (nhcb) e.nhcb = nhcbLine(s.labels, scanner.metadata, proto ? proto.histogram !== undefined : false);
        }
        if (e.key !== '') {
          if (prev) prev.follow = e;
          else cache.first = e;
          prev = e;
          expected = e.follow;
        }
        if (nhcb) {
          const taken = nhcb.line(e.nhcb, scanner.value, scanner.timestamp, proto ? proto.exemplars : scanner.exemplar ? [scanner.exemplar] : []);
          const r = nhcb.appendReady(app, t, exemplars);
          scraped += r.scraped - (taken ? 1 : 0);
          kept += r.kept;
          added += r.added;
          if (taken) continue;
        }
        if (!e.labels) continue;
        kept++;
        if (cfg.sampleLimit > 0 && kept > cfg.sampleLimit) {
          // Counted to the end for the error message; nothing of this scrape is stored.
          overLimit = true;
          continue;
        }
        if (overLimit) continue;
        const explicit = scanner.timestamp !== undefined && cfg.honorTimestamps;
        if (!explicit) e.curIter = cache.iter;
        const h = proto ? proto.histogram : undefined;
        if (h) {
          checkHistogramAppender(app);
          limitHistogram(h, { nativeHistogramBucketLimit: cfg.nativeHistogramBucketLimit ?? 0, nativeHistogramMaxSchema: cfg.nativeHistogramMaxSchema ?? 8 });
        }
        try {
          e.ref = h ? appendHistogramTo(app, e, explicit ? scanner.timestamp! : t, h) : appendTo(app, e, explicit ? scanner.timestamp! : t, scanner.value);
          if (fresh) added++;
        } catch {
          // Out-of-order, duplicate and too-old samples are dropped one by one, as Prometheus does.
        }
        const ex = scanner.exemplar;
        if (ex) exemplars.push({ labels: e.labels, ex: { labels: ex.labels, value: ex.value, timestamp: ex.timestamp ?? (explicit ? scanner.timestamp! : t) } });
        if (proto) for (let i = 1; i < proto.exemplars.length; i++) exemplars.push(scrapedExemplar(e.labels, proto.exemplars[i]!, explicit ? scanner.timestamp! : t));
      }
      if (nhcb) {
        nhcb.finishGroup();
        const r = nhcb.appendReady(app, t, exemplars);
        scraped += r.scraped;
        kept += r.kept;
        added += r.added;
        if (cfg.sampleLimit > 0 && kept > cfg.sampleLimit) overLimit = true;
      }
      this.metadata = keptMetadata(this.metadata, scanner.metadata);
      if (overLimit) throw new SampleLimitError(`sample limit exceeded (${kept} > ${cfg.sampleLimit})`);
    } catch (e) {
      error = (e as Error).message;
      limited = e instanceof SampleLimitError;
      exemplars.length = 0;
      app.rollback();
      app = this.db.appender();
    }
    // Series of the previous scrape that are gone now end with a staleness marker.
    appendStaleMarkers(app, cache.end(!error), t);
    if (nhcb) appendStaleMarkers(app, nhcb.end(!error), t);
    const duration = (performance.now() - t0) / 1000;
    const values = [error ? 0 : 1, duration, scraped, error && !limited ? 0 : kept, error ? 0 : added];
    for (let i = 0; i < SYNTHETIC.length; i++) {
      try {
        this.syntheticRefs[i] = appendTo(app, { ref: this.syntheticRefs[i]!, labels: this.synthetic[i]! }, t, values[i]!);
      } catch {
        // A scrape at the same millisecond as the last one.
      }
    }
    await app.commit();
    for (const e of exemplars) addExemplar(this.db, e.labels, e.ex);
    this.report = { health: error ? 'down' : 'up', lastError: error, lastScrape: t, lastDuration: duration };
  }

  /** Entries in the scrape cache (series seen in the last few scrapes, kept or dropped). */
  get cachedSeries(): number {
    return this.cache.size;
  }

  /** When the target goes away: staleness markers for everything it last exposed. */
  async markStale(t: number): Promise<void> {
    const app = this.db.appender();
    appendStaleMarkers(app, [...this.cache.lastStored(), ...(this.nhcb?.lastStored() ?? []), ...this.synthetic], t);
    await app.commit();
    this.cache.begin();
    this.cache.end(false);
    this.nhcb?.begin();
    this.nhcb?.end(false);
  }
}

/** Bytes of body text decoded at a time. */
const PIECE_BYTES = 64 * 1024;

/**
 * The body as text in pieces of whole lines of about 64 KiB, decoded as one
 * stream (exactly as decoding it whole). A body decoded whole is one string
 * as large as the body, which the JavaScript engine keeps until its next
 * full collection: a few megabytes every scrape piled up into a hundred or
 * more between collections. Pieces this size die young.
 */
function* textPieces(bytes: Uint8Array): Generator<{ text: string; final: boolean }, { text: string; final: boolean }> {
  const decoder = new TextDecoder();
  let start = 0;
  for (;;) {
    // A newline byte never occurs inside a UTF-8 sequence, so pieces end on whole characters.
    const nl = bytes.length - start > PIECE_BYTES ? bytes.indexOf(10, start + PIECE_BYTES) : -1;
    if (nl < 0) return { text: decoder.decode(bytes.subarray(start)), final: true };
    yield { text: decoder.decode(bytes.subarray(start, nl + 1), { stream: true }), final: false };
    start = nl + 1;
  }
}

/** Appends by the cached ref, or by labels when there is none yet or its series is gone. */
function appendTo(app: Appender, e: { ref: number; labels: Labels | null }, t: number, v: number): number {
  if (e.ref >= 0) {
    try {
      return app.append(e.ref, t, v);
    } catch (err) {
      if (!(err instanceof UnknownSeriesError)) throw err;
    }
  }
  return app.append(e.labels!, t, v);
}
