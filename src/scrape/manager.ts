// Runs the scrape loops of a configuration: one timer per target, started
// at an offset within the interval derived from a hash of the target (as
// Prometheus spreads scrapes), kept across reloads when the target is
// unchanged, and ended with staleness markers when it goes away.

import type { Appendable } from '../storage/interfaces.js';
import { labelsToRecord } from '../model/labels.js';
import { formatDuration } from '../model/duration.js';
import { ScrapeLoop } from './scrape-loop.js';
import { type FileSdReader, type ScrapeConfig, type TargetGroup, scrapeConfigs, targetsOf } from './targets.js';

interface Running {
  loop: ScrapeLoop;
  timer: ReturnType<typeof setTimeout> | ReturnType<typeof setInterval> | null;
}

function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export class ScrapeManager {
  private running = new Map<string, Running>();
  private dropped: { discoveredLabels: Record<string, string>; scrapePool: string }[] = [];
  private configs: ScrapeConfig[] = [];

  /**
   * fetchFor gives the fetch a scrape config uses (Node supplies one that honours
   * tls_config); readFileSd reads file_sd_configs files.
   */
  constructor(
    private readonly db: Appendable,
    private readonly fetchFor: (cfg: ScrapeConfig) => typeof fetch = () => fetch,
    private readonly readFileSd?: FileSdReader,
    /** Target groups found by service discovery (http_sd_configs, dns_sd_configs), by job. */
    private readonly discovered?: (jobName: string) => TargetGroup[],
  ) {}

  /** Applies a (parsed YAML) configuration: new targets start, vanished ones stop and go stale. */
  async apply(doc: Record<string, unknown>): Promise<void> {
    const configs = scrapeConfigs(doc);
    const wanted = new Map<string, { cfg: ScrapeConfig; target: ReturnType<typeof targetsOf>['active'][number] }>();
    this.dropped = [];
    for (const cfg of configs) {
      const { active, dropped } = targetsOf(cfg, this.readFileSd, this.discovered);
      for (const t of active) wanted.set(`${t.key}\xff${cfg.interval}\xff${cfg.timeout}`, { cfg, target: t });
      for (const d of dropped) this.dropped.push({ discoveredLabels: d, scrapePool: cfg.jobName });
    }
    for (const [key, r] of this.running) {
      if (wanted.has(key) && JSON.stringify(wanted.get(key)!.cfg) === JSON.stringify(r.loop.cfg)) continue;
      this.stopOne(key, r);
      // A scrape in flight is cancelled first: none lands after the staleness markers.
      await r.loop.stop();
      await r.loop.markStale(Date.now());
    }
    for (const [key, { cfg, target }] of wanted) {
      if (this.running.has(key)) continue;
      const loop = new ScrapeLoop(cfg, target, this.db, this.fetchFor(cfg));
      const r: Running = { loop, timer: null };
      this.running.set(key, r);
      const offset = hash32(key) % cfg.interval;
      const delay = (offset - (Date.now() % cfg.interval) + cfg.interval) % cfg.interval;
      r.timer = setTimeout(() => {
        void loop.scrape(Date.now());
        r.timer = setInterval(() => void loop.scrape(Date.now()), cfg.interval);
        (r.timer as { unref?: () => void }).unref?.();
      }, delay);
      (r.timer as { unref?: () => void }).unref?.();
    }
    this.configs = configs;
  }

  /** Scrapes every target once now (tests, and a first scrape at start). */
  async scrapeAll(t = Date.now()): Promise<void> {
    await Promise.all([...this.running.values()].map((r) => r.loop.scrape(t)));
  }

  private static clear(r: Running): void {
    if (r.timer) {
      clearTimeout(r.timer as ReturnType<typeof setTimeout>);
      clearInterval(r.timer as ReturnType<typeof setInterval>);
      r.timer = null;
    }
  }

  private stopOne(key: string, r: Running): void {
    ScrapeManager.clear(r);
    this.running.delete(key);
  }

  /** Stops the timers and the scrapes for good; settles when no scrape is in flight. The last state stays listed. */
  async stop(): Promise<void> {
    for (const r of this.running.values()) ScrapeManager.clear(r);
    await Promise.all([...this.running.values()].map((r) => r.loop.stop()));
  }

  /** /api/v1/targets's data. */
  targets(): { activeTargets: unknown[]; droppedTargets: unknown[] } {
    return {
      activeTargets: [...this.running.values()].map(({ loop }) => ({
        discoveredLabels: loop.target.discovered,
        labels: labelsToRecord(loop.target.labels),
        scrapePool: loop.cfg.jobName,
        scrapeUrl: loop.target.url,
        globalUrl: loop.target.url,
        lastError: loop.report.lastError,
        lastScrape: loop.report.lastScrape ? new Date(loop.report.lastScrape).toISOString() : '0001-01-01T00:00:00Z',
        lastScrapeDuration: loop.report.lastDuration,
        health: loop.report.health,
        scrapeInterval: formatDuration(loop.cfg.interval),
        scrapeTimeout: formatDuration(loop.cfg.timeout),
      })),
      droppedTargets: this.dropped,
    };
  }

  /** /api/v1/metadata's data: each metric family's distinct HELP, TYPE and UNIT across the targets' last scrapes. */
  metadata(): Record<string, { type: string; help: string; unit: string }[]> {
    const out: Record<string, { type: string; help: string; unit: string }[]> = {};
    for (const { loop } of this.running.values()) {
      for (const [name, m] of loop.metadata) {
        const list = (out[name] ??= []);
        // The text format's untyped is Prometheus's unknown.
        const type = m.type === 'untyped' ? 'unknown' : m.type;
        if (!list.some((x) => x.type === type && x.help === m.help && x.unit === m.unit)) list.push({ type, help: m.help, unit: m.unit });
      }
    }
    return out;
  }

  get jobNames(): string[] {
    return this.configs.map((c) => c.jobName);
  }

  /** The shortest file_sd refresh interval of the applied configs (ms), or 0 without file_sd. */
  get fileSdRefresh(): number {
    const all = this.configs.flatMap((c) => c.fileSdConfigs.map((f) => f.refreshInterval));
    return all.length > 0 ? Math.min(...all) : 0;
  }
}
