// convert_classic_histograms_to_nhcb: the classic histograms of a scrape
// (series of a family whose TYPE is histogram: `x_bucket{le}`, `x_count`,
// `x_sum`, in any format) become one native histogram with custom buckets
// named `x` per label set, as Prometheus's textparse.NHCBParser. Series are
// grouped while consecutive and converted before target labels and
// metric_relabel_configs, so relabeling sees `x`. Unless
// always_scrape_classic_histograms is set the classic series are not stored.
// A histogram that also came as a native (exponential) one is not converted.
// Series that do not convert (not cumulative, count mismatch) give no NHCB.
// The NHCB series have their own staleness: one missing from a successful
// scrape, or every one after a failed scrape, ends with a staleness marker.

import type { Appender } from '../storage/interfaces.js';
import type { FloatHistogram } from '../model/histogram.js';
import { ClassicHistogramBuilder, classicHistogramPart, parseLe } from '../model/histogram-nhcb.js';
import { type Labels, labelsKey } from '../model/labels.js';
import { mergeTargetLabels } from '../model/target-labels.js';
import type { Exemplar as ScrapedExemplar, MetricMetadata } from '../exposition/parse.js';
import type { Exemplar } from '../storage/exemplars.js';
import { relabel } from './relabel.js';
import type { ScrapeConfig, Target } from './targets.js';
import { appendHistogramTo, checkHistogramAppender, limitHistogram } from './native-histograms.js';

/** What a scraped series is to the conversion (kept on its scrape cache entry). */
export interface NhcbLine {
  kind: 'bucket' | 'count' | 'sum' | 'native';
  /** labelsKey of the NHCB's labels: the family name, no `le`. */
  group: string;
  base: Labels;
  le: number;
}

/** How a scraped series (its labels as exposed) takes part in the conversion; null when it does not. */
export function nhcbLine(labels: Labels, metadata: Map<string, MetricMetadata>, nativeHistogram: boolean): NhcbLine | null {
  const name = labels.find((l) => l.name === '__name__')?.value ?? '';
  if (nativeHistogram) return { kind: 'native', group: labelsKey(labels), base: labels, le: NaN };
  const part = classicHistogramPart(name);
  if (!part || metadata.get(part.base)?.type !== 'histogram') return null;
  let le = NaN;
  if (part.kind === 'bucket') {
    const text = labels.find((l) => l.name === 'le')?.value;
    if (text === undefined) return null;
    le = parseLe(text);
    if (Number.isNaN(le)) return null;
  }
  const base = labels.filter((l) => l.name !== 'le').map((l) => (l.name === '__name__' ? { name: l.name, value: part.base } : l));
  return { kind: part.kind, group: labelsKey(base), base, le };
}

interface Collecting {
  group: string;
  base: Labels;
  builder: ClassicHistogramBuilder;
  exemplars: ScrapedExemplar[];
  timestamp: number | undefined;
}

interface NhcbSeries {
  ref: number;
  /** After target labels and relabeling; null when relabeling drops it. */
  labels: Labels | null;
  /** The last scrape that stored it without an explicit timestamp, successful or not. */
  curIter: number;
  /** The last successful scrape that did (staleness tracking). */
  staleIter: number;
  lastIter: number;
}

/** Scrapes an NHCB series may be missing before it is forgotten (as the scrape cache). */
const KEEP_ITERATIONS = 10;

export class NhcbScrape {
  private readonly series = new Map<string, NhcbSeries>();
  private collecting: Collecting | undefined;
  /** Label sets of this scrape's native histograms: their classic series are not converted. */
  private readonly native = new Set<string>();
  private iter = 0;
  private ready: Collecting[] = [];

  constructor(private readonly cfg: ScrapeConfig, private readonly target: Target) {}

  begin(): void {
    this.iter++;
    this.native.clear();
    this.collecting = undefined;
    this.ready = [];
  }

  /**
   * One scraped series. Returns true when it is a classic histogram series
   * taken into an NHCB and not to be stored itself.
   */
  line(info: NhcbLine | null | undefined, value: number, timestamp: number | undefined, exemplars: readonly ScrapedExemplar[]): boolean {
    const c = this.collecting;
    if (c && (!info || info.group !== c.group || info.kind === 'native')) this.finishGroup();
    if (!info) return false;
    if (info.kind === 'native') {
      this.native.add(info.group);
      return false;
    }
    if (this.native.has(info.group)) return false;
    if (!this.collecting) {
      this.collecting = { group: info.group, base: info.base, builder: new ClassicHistogramBuilder(), exemplars: [], timestamp };
    }
    const b = this.collecting.builder;
    if (info.kind === 'bucket') b.setBucketCount(info.le, value);
    else if (info.kind === 'count') b.setCount(value);
    else b.setSum(value);
    this.collecting.exemplars.push(...exemplars);
    return !this.cfg.alwaysScrapeClassicHistograms;
  }

  /** Ends the last group (the body is read). */
  finishGroup(): void {
    if (this.collecting) this.ready.push(this.collecting);
    this.collecting = undefined;
  }

  /**
   * Appends the NHCBs of the groups finished so far at t (or their explicit
   * timestamp with honor_timestamps), their exemplars into `exemplars`.
   * Returns how many were scraped (converted) and kept (not dropped by relabeling).
   */
  appendReady(app: Appender, t: number, exemplars: { labels: Labels; ex: Exemplar }[]): { scraped: number; kept: number; added: number } {
    const out = { scraped: 0, kept: 0, added: 0 };
    const groups = this.ready;
    this.ready = [];
    for (const g of groups) {
      let h: FloatHistogram;
      try {
        h = g.builder.convert();
      } catch {
        continue; // As Prometheus: a classic histogram that does not convert gives no NHCB.
      }
      out.scraped++;
      let s = this.series.get(g.group);
      const fresh = !s;
      if (!s) {
        const merged = mergeTargetLabels(g.base, this.target.labels, this.cfg.honorLabels);
        let labels = relabel(merged, this.cfg.metricRelabelConfigs);
        if (labels && !labels.some((l) => l.name === '__name__')) labels = null;
        this.series.set(g.group, (s = { ref: -1, labels, curIter: 0, staleIter: -1, lastIter: this.iter }));
      }
      s.lastIter = this.iter;
      if (!s.labels) continue;
      if (this.cfg.labelLimit > 0 && s.labels.length > this.cfg.labelLimit) {
        throw new Error(`label_limit exceeded (metric: ${s.labels.find((l) => l.name === '__name__')!.value}, number of labels: ${s.labels.length}, limit: ${this.cfg.labelLimit})`);
      }
      out.kept++;
      checkHistogramAppender(app);
      limitHistogram(h, { nativeHistogramBucketLimit: this.cfg.nativeHistogramBucketLimit ?? 0, nativeHistogramMaxSchema: this.cfg.nativeHistogramMaxSchema ?? 8 });
      const explicit = g.timestamp !== undefined && this.cfg.honorTimestamps;
      const at = explicit ? g.timestamp! : t;
      if (!explicit) s.curIter = this.iter;
      try {
        s.ref = appendHistogramTo(app, s, at, h);
        if (fresh) out.added++;
      } catch {
        // Out-of-order and duplicate samples are dropped one by one, as for any scraped series.
      }
      for (const ex of g.exemplars) exemplars.push({ labels: s.labels, ex: { labels: ex.labels, value: ex.value, timestamp: ex.timestamp ?? at } });
    }
    return out;
  }

  /**
   * Ends a scrape: the NHCB series the previous scrape stored and this one
   * did not (all of them when this one failed), for staleness markers.
   */
  end(ok: boolean): Labels[] {
    const stale: Labels[] = [];
    for (const [key, s] of this.series) {
      if (ok && s.curIter === this.iter) s.staleIter = this.iter;
      else if (s.staleIter === this.iter - 1 && s.labels) stale.push(s.labels);
      if (s.lastIter < this.iter - KEEP_ITERATIONS) this.series.delete(key);
    }
    return stale;
  }

  /** The NHCB series the last scrape stored (for the target going away). */
  lastStored(): Labels[] {
    const out: Labels[] = [];
    for (const s of this.series.values()) if (s.labels && s.staleIter === this.iter) out.push(s.labels);
    return out;
  }
}
