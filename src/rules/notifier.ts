// Sends alerts to Alertmanagers' API v2 as Prometheus's notifier does
// (notifier/manager.go): a bounded queue that drops the oldest alerts when
// full, batches of up to 256 alerts posted to every Alertmanager, external
// labels and alert_relabel_configs applied before queueing. Uses fetch, so
// it runs in Node and in browsers.

import { type Labels, labelsFrom, labelsToRecord } from '../model/labels.js';
import { relabel, relabelConfig, type RelabelConfig } from '../scrape/relabel.js';
import { parseDuration } from '../model/duration.js';

export interface NotifierAlert {
  labels: Labels;
  annotations: Record<string, string>;
  /** ms */
  startsAt: number;
  /** ms; 0 = not set */
  endsAt: number;
  generatorURL: string;
}

export interface AlertmanagerTarget {
  /** Full URL of the Alertmanager's alerts endpoint: scheme://host:port/path_prefix/api/v2/alerts. */
  url: string;
  /** ms */
  timeout: number;
}

export interface NotifierOptions {
  queueCapacity?: number;
  externalLabels?: Record<string, string>;
  relabelConfigs?: RelabelConfig[];
  /** Attempts per batch and Alertmanager before the batch counts as failed (default 3). */
  attempts?: number;
  fetch?: typeof fetch;
}

const MAX_BATCH = 256;

/** The Alertmanagers of Prometheus's `alerting` config section (static_configs). */
export function alertmanagersFromConfig(alerting: unknown): { targets: AlertmanagerTarget[]; relabelConfigs: RelabelConfig[] } {
  const a = (alerting ?? {}) as { alertmanagers?: Record<string, unknown>[]; alert_relabel_configs?: Record<string, unknown>[] };
  const targets: AlertmanagerTarget[] = [];
  for (const am of a.alertmanagers ?? []) {
    if (am.api_version !== undefined && am.api_version !== 'v2') throw new Error(`alertmanager api_version ${String(am.api_version)} is not supported (only v2)`);
    const scheme = String(am.scheme ?? 'http');
    const prefix = String(am.path_prefix ?? '').replace(/\/+$/, '');
    const timeout = parseDuration(String(am.timeout ?? '10s'));
    for (const sc of (am.static_configs ?? []) as { targets?: string[] }[]) {
      for (const t of sc.targets ?? []) targets.push({ url: `${scheme}://${t}${prefix.startsWith('/') || prefix === '' ? prefix : `/${prefix}`}/api/v2/alerts`, timeout });
    }
  }
  return { targets, relabelConfigs: (a.alert_relabel_configs ?? []).map(relabelConfig) };
}

export class Notifier {
  private queue: NotifierAlert[] = [];
  private sending: Promise<void> | null = null;
  private targets: AlertmanagerTarget[] = [];
  private readonly opts: Required<Omit<NotifierOptions, 'fetch'>> & { fetch: typeof fetch };
  readonly stats = { sent: 0, errors: 0, dropped: 0 };

  constructor(opts: NotifierOptions = {}) {
    this.opts = {
      queueCapacity: opts.queueCapacity ?? 10_000, externalLabels: opts.externalLabels ?? {}, relabelConfigs: opts.relabelConfigs ?? [],
      attempts: opts.attempts ?? 3, fetch: opts.fetch ?? ((...a) => fetch(...a)),
    };
  }

  /** Replaces the Alertmanagers, external labels and relabelling (on reload). */
  configure(targets: AlertmanagerTarget[], externalLabels: Record<string, string>, relabelConfigs: RelabelConfig[]): void {
    this.targets = targets;
    this.opts.externalLabels = externalLabels;
    this.opts.relabelConfigs = relabelConfigs;
  }

  /** Prometheus's notifier metrics, for the server's /metrics. */
  metrics() {
    const one = (name: string, help: string, type: 'counter' | 'gauge', value: number) => ({ name, help, type, samples: [{ labels: {}, value }] });
    return [
      one('prometheus_notifications_sent_total', 'Total number of alerts sent.', 'counter', this.stats.sent),
      one('prometheus_notifications_errors_total', 'Total number of sent alerts affected by errors.', 'counter', this.stats.errors),
      one('prometheus_notifications_dropped_total', 'Total number of alerts dropped due to errors when sending to Alertmanager.', 'counter', this.stats.dropped),
      one('prometheus_notifications_queue_length', 'The number of alert notifications in the queue.', 'gauge', this.queue.length),
      one('prometheus_notifications_queue_capacity', 'The capacity of the alert notifications queue.', 'gauge', this.opts.queueCapacity),
      one('prometheus_notifications_alertmanagers_discovered', 'The number of alertmanagers discovered and active.', 'gauge', this.targets.length),
    ];
  }

  get alertmanagers(): string[] {
    return this.targets.map((t) => t.url);
  }

  get queueLength(): number {
    return this.queue.length;
  }

  /** Queues alerts and starts sending; alerts past the capacity push out the oldest. */
  send(alerts: NotifierAlert[]): void {
    for (const a of alerts) {
      // External labels never override the alert's own labels.
      const withExternal = labelsFrom({ ...this.opts.externalLabels, ...labelsToRecord(a.labels) });
      const labels = this.opts.relabelConfigs.length ? relabel(withExternal, this.opts.relabelConfigs) : withExternal;
      if (labels && labels.length > 0) this.queue.push({ ...a, labels });
    }
    const over = this.queue.length - this.opts.queueCapacity;
    if (over > 0) {
      this.queue.splice(0, over);
      this.stats.dropped += over;
    }
    this.sending ??= this.drain().finally(() => {
      this.sending = null;
    });
  }

  /** Resolves when the queue is empty (tests, shutdown). */
  async flush(): Promise<void> {
    while (this.sending) await this.sending;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      if (this.targets.length === 0) {
        this.stats.dropped += batch.length;
        continue;
      }
      const body = JSON.stringify(batch.map(alertJSON));
      const results = await Promise.all(this.targets.map((t) => this.post(t, body)));
      if (results.some(Boolean)) this.stats.sent += batch.length;
    }
  }

  private async post(t: AlertmanagerTarget, body: string): Promise<boolean> {
    for (let attempt = 1; attempt <= this.opts.attempts; attempt++) {
      try {
        const res = await this.opts.fetch(t.url, {
          method: 'POST', body, headers: { 'Content-Type': 'application/json', 'User-Agent': 'promlet' }, signal: AbortSignal.timeout(t.timeout),
        });
        await res.arrayBuffer();
        if (res.ok) return true;
        // A client error will not get better by retrying.
        if (res.status >= 400 && res.status < 500) break;
      } catch {
        // Network error or timeout: retry after a pause.
      }
      if (attempt < this.opts.attempts) await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
    this.stats.errors++;
    return false;
  }
}

function alertJSON(a: NotifierAlert) {
  return {
    labels: labelsToRecord(a.labels), annotations: a.annotations, startsAt: new Date(a.startsAt).toISOString(),
    ...(a.endsAt ? { endsAt: new Date(a.endsAt).toISOString() } : {}), generatorURL: a.generatorURL,
  };
}
