// Runs the http_sd_configs and dns_sd_configs of every scrape job: each
// provider refreshes on its own interval, keeps its last good answer when a
// refresh fails (as Prometheus does), and tells the scrape manager when the
// targets changed. Providers whose config is unchanged survive a reload.

import type { TargetGroup, TlsConfig } from '../scrape/targets.js';
import { dnsSdConfigs, httpSdConfigs } from './config.js';
import { refreshHttpSd } from './http-sd.js';
import { refreshDnsSd, type DnsResolver } from './dns-sd.js';

export interface DiscoveryOptions {
  /** The fetch an HTTP SD config uses (Node supplies one honouring tls_config). */
  fetchFor?: (tls: TlsConfig | undefined) => typeof fetch;
  /** Needed for dns_sd_configs (Node's node:dns, or a test's). */
  resolver?: DnsResolver;
  /** Called after a refresh changed some job's targets. */
  onChange?: () => void;
  warn?: (msg: string) => void;
}

interface Provider {
  key: string;
  job: string;
  mechanism: 'http' | 'dns';
  interval: number;
  refresh: () => Promise<TargetGroup[]>;
  groups: TargetGroup[];
  timer: ReturnType<typeof setInterval> | null;
}

export class DiscoveryManager {
  private providers = new Map<string, Provider>();
  private httpFailures = 0;
  private dnsLookups = 0;
  private dnsFailures = 0;

  constructor(private readonly o: DiscoveryOptions = {}) {}

  /** Starts the providers of a configuration (stopping vanished ones); resolves after each new provider's first refresh. */
  async apply(doc: Record<string, unknown>): Promise<void> {
    const wanted = new Map<string, Omit<Provider, 'groups' | 'timer'>>();
    for (const job of (Array.isArray(doc.scrape_configs) ? doc.scrape_configs : []) as Record<string, unknown>[]) {
      const name = String(job?.job_name ?? '');
      httpSdConfigs(job, name).forEach((c, i) => {
        const key = `${name}\xffhttp\xff${i}\xff${JSON.stringify(c)}`;
        const fetchFn = this.o.fetchFor?.(c.tls) ?? fetch;
        wanted.set(key, {
          key, job: name, mechanism: 'http', interval: c.refreshInterval,
          refresh: async () => {
            try {
              return await refreshHttpSd(c, fetchFn);
            } catch (e) {
              this.httpFailures++;
              throw e;
            }
          },
        });
      });
      dnsSdConfigs(job, name).forEach((c, i) => {
        const key = `${name}\xffdns\xff${i}\xff${JSON.stringify(c)}`;
        const lastByName = new Map<string, TargetGroup[]>();
        wanted.set(key, {
          key, job: name, mechanism: 'dns', interval: c.refreshInterval,
          refresh: async () => {
            if (!this.o.resolver) throw new Error('dns_sd_configs need a DNS resolver (promlet serve supplies one)');
            this.dnsLookups += c.names.length;
            const r = await refreshDnsSd(c, this.o.resolver, lastByName);
            this.dnsFailures += r.failures.length;
            for (const f of r.failures) this.o.warn?.(`dns_sd (job ${name}): ${f}; keeping that name's last targets`);
            return r.groups;
          },
        });
      });
    }
    for (const [key, p] of this.providers) {
      if (wanted.has(key)) continue;
      if (p.timer) clearInterval(p.timer);
      this.providers.delete(key);
    }
    const fresh: Provider[] = [];
    for (const [key, w] of wanted) {
      if (this.providers.has(key)) continue;
      const p: Provider = { ...w, groups: [], timer: null };
      this.providers.set(key, p);
      fresh.push(p);
    }
    await Promise.all(fresh.map((p) => this.refreshOne(p, false)));
    for (const p of fresh) {
      p.timer = setInterval(() => void this.refreshOne(p, true), p.interval);
      (p.timer as { unref?: () => void }).unref?.();
    }
  }

  private async refreshOne(p: Provider, notify: boolean): Promise<void> {
    let groups: TargetGroup[];
    try {
      groups = await p.refresh();
    } catch (e) {
      this.o.warn?.(`${p.mechanism}_sd (job ${p.job}): ${(e as Error).message}; keeping the last targets`);
      return;
    }
    if (!this.providers.has(p.key)) return;
    const changed = JSON.stringify(groups) !== JSON.stringify(p.groups);
    p.groups = groups;
    if (changed && notify) this.o.onChange?.();
  }

  /** Refreshes every provider now (tests; a reload does it for new ones). */
  async refreshAll(): Promise<void> {
    await Promise.all([...this.providers.values()].map((p) => this.refreshOne(p, true)));
  }

  /** The discovered target groups of a job. */
  groups(job: string): TargetGroup[] {
    return [...this.providers.values()].filter((p) => p.job === job).flatMap((p) => p.groups);
  }

  stop(): void {
    for (const p of this.providers.values()) if (p.timer) clearInterval(p.timer);
  }

  metrics(): { name: string; help: string; type: 'counter' | 'gauge'; samples: { labels: Record<string, string>; value: number }[] }[] {
    const one = (value: number) => [{ labels: {}, value }];
    const perJob = new Map<string, number>();
    for (const p of this.providers.values()) perJob.set(p.job, (perJob.get(p.job) ?? 0) + p.groups.reduce((n, g) => n + g.targets.length, 0));
    return [
      { name: 'promlet_sd_http_failures_total', help: 'Number of HTTP service discovery refresh failures.', type: 'counter', samples: one(this.httpFailures) },
      { name: 'promlet_sd_dns_lookups_total', help: 'The number of DNS-SD lookups.', type: 'counter', samples: one(this.dnsLookups) },
      { name: 'promlet_sd_dns_lookup_failures_total', help: 'The number of DNS-SD lookup failures.', type: 'counter', samples: one(this.dnsFailures) },
      { name: 'promlet_sd_discovered_targets', help: 'Targets discovered by HTTP and DNS service discovery, by job.', type: 'gauge', samples: [...perJob].map(([config, value]) => ({ labels: { config }, value })) },
    ];
  }
}
