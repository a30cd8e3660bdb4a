// One target's scrape: fetch, parse, attach target labels (exported_ on
// conflicts), metric_relabel_configs, limits, append with staleness markers
// for vanished series, and the synthetic up / scrape_* series (scrape/scrape.go).

import type { Appendable } from '../storage/interfaces.js';
import { type Label, type Labels, labelsKey, compareStrings } from '../model/labels.js';
import { appendStaleMarkers, vanished } from '../storage/staleness.js';
import { formatFromContentType, parseExposition, type ExpositionFormat } from '../exposition/parse.js';
import { relabel } from './relabel.js';
import { addExemplar, type Exemplar } from '../storage/exemplars.js';
import type { ScrapeConfig, Target } from './targets.js';

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

/** Target labels win; a scraped label they replace is kept as exported_<name> (shortest names first). */
export function mergeTargetLabels(scraped: Labels, target: Labels, honor: boolean, emptyScraped: readonly string[] = []): Labels {
  const m = new Map(scraped.map((l) => [l.name, l.value]));
  if (honor) for (const name of emptyScraped) m.set(name, '');
  if (honor) {
    for (const l of target) if (!m.has(l.name)) m.set(l.name, l.value);
  } else {
    const conflicts: Label[] = [];
    for (const l of target) {
      const existing = m.get(l.name);
      if (existing !== undefined && existing !== '') conflicts.push({ name: l.name, value: existing });
      m.set(l.name, l.value);
    }
    conflicts.sort((a, b) => a.name.length - b.name.length);
    for (const c of conflicts) {
      let name = c.name;
      for (;;) {
        name = `exported_${name}`;
        if (!m.get(name)) {
          m.set(name, c.value);
          break;
        }
      }
    }
  }
  const out = [...m].filter(([, v]) => v !== '').map(([name, value]) => ({ name, value }));
  out.sort((a, b) => compareStrings(a.name, b.name));
  return out;
}

export class ScrapeLoop {
  private previous = new Map<string, Labels>();
  private seenEver = new Set<string>();
  report: ScrapeReport = { health: 'unknown', lastError: '', lastScrape: 0, lastDuration: 0 };

  constructor(readonly cfg: ScrapeConfig, readonly target: Target, private readonly db: Appendable, private readonly fetchFn: typeof fetch = fetch) {}

  private async fetchBody(): Promise<{ text: string; format: ExpositionFormat }> {
    const headers: Record<string, string> = {
      accept: ACCEPT, 'user-agent': 'promlet', 'x-prometheus-scrape-timeout-seconds': String(this.cfg.timeout / 1000),
    };
    if (this.cfg.basicAuth) headers.authorization = `Basic ${btoa(`${this.cfg.basicAuth.username}:${this.cfg.basicAuth.password}`)}`;
    if (this.cfg.authorization) headers.authorization = `${this.cfg.authorization.type} ${this.cfg.authorization.credentials}`;
    const res = await this.fetchFn(this.target.url, { headers, signal: AbortSignal.timeout(this.cfg.timeout) });
    if (res.status !== 200) throw new Error(`server returned HTTP status ${res.status} ${res.statusText}`);
    const text = await res.text();
    if (this.cfg.bodySizeLimit > 0 && text.length > this.cfg.bodySizeLimit) throw new Error(`body size limit exceeded: ${this.cfg.bodySizeLimit} bytes`);
    const ct = res.headers.get('content-type');
    const format = formatFromContentType(ct) ?? (this.cfg.fallbackProtocol ? FALLBACKS[this.cfg.fallbackProtocol] : undefined);
    if (!format) throw new Error(`received unsupported Content-Type ${JSON.stringify(ct ?? '')} and no fallback_scrape_protocol specified for target`);
    return { text, format };
  }

  /** One scrape at time t (ms). Never throws: failures become up=0 and lastError. */
  async scrape(t: number): Promise<void> {
    const t0 = performance.now();
    let scraped = 0, kept = 0, added = 0;
    let error = '';
    const rows: { labels: Labels; t: number; v: number; explicit: boolean }[] = [];
    const exemplars: { labels: Labels; ex: Exemplar }[] = [];
    try {
      const { text, format } = await this.fetchBody();
      const parsed = parseExposition(text, format);
      scraped = parsed.samples.length;
      for (const s of parsed.samples) {
        const merged = mergeTargetLabels(s.labels, this.target.labels, this.cfg.honorLabels, s.emptyLabels);
        const labels = relabel(merged, this.cfg.metricRelabelConfigs);
        if (!labels || !labels.some((l) => l.name === '__name__')) continue;
        if (this.cfg.labelLimit > 0 && labels.length > this.cfg.labelLimit) throw new Error(`label_limit exceeded (metric: ${labels.find((l) => l.name === '__name__')!.value}, number of labels: ${labels.length}, limit: ${this.cfg.labelLimit})`);
        const explicit = s.timestamp !== undefined && this.cfg.honorTimestamps;
        rows.push({ labels, t: explicit ? s.timestamp! : t, v: s.value, explicit });
        if (s.exemplar) exemplars.push({ labels, ex: { labels: s.exemplar.labels, value: s.exemplar.value, timestamp: s.exemplar.timestamp ?? (explicit ? s.timestamp! : t) } });
      }
      kept = rows.length;
      if (this.cfg.sampleLimit > 0 && kept > this.cfg.sampleLimit) throw new Error(`sample limit exceeded (${kept} > ${this.cfg.sampleLimit})`);
    } catch (e) {
      error = (e as Error).message;
      rows.length = 0;
      exemplars.length = 0;
    }
    const app = this.db.appender();
    const current = new Map<string, Labels>();
    for (const r of rows) {
      const key = labelsKey(r.labels);
      if (!r.explicit) current.set(key, r.labels);
      if (!this.seenEver.has(key)) {
        this.seenEver.add(key);
        added++;
      }
      try {
        app.append(r.labels, r.t, r.v);
      } catch {
        // Out-of-order, duplicate and too-old samples are dropped one by one, as Prometheus does.
      }
    }
    // Series of the previous scrape that are gone now end with a staleness marker.
    appendStaleMarkers(app, vanished(this.previous, current), t);
    this.previous = current;
    const duration = (performance.now() - t0) / 1000;
    const synthetic: [string, number][] = [
      ['up', error ? 0 : 1], ['scrape_duration_seconds', duration], ['scrape_samples_scraped', scraped],
      ['scrape_samples_post_metric_relabeling', kept], ['scrape_series_added', added],
    ];
    for (const [name, v] of synthetic) {
      try {
        app.append([{ name: '__name__', value: name }, ...this.target.labels].sort((a, b) => compareStrings(a.name, b.name)), t, v);
      } catch {
        // A scrape at the same millisecond as the last one.
      }
    }
    await app.commit();
    for (const e of exemplars) addExemplar(this.db, e.labels, e.ex);
    this.report = { health: error ? 'down' : 'up', lastError: error, lastScrape: t, lastDuration: duration };
  }

  /** When the target goes away: staleness markers for everything it last exposed. */
  async markStale(t: number): Promise<void> {
    const app = this.db.appender();
    const names = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added'];
    const all = [...this.previous.values(), ...names.map((n) => [{ name: '__name__', value: n }, ...this.target.labels].sort((a, b) => compareStrings(a.name, b.name)))];
    appendStaleMarkers(app, all, t);
    await app.commit();
    this.previous.clear();
  }
}
