// Runs rule groups on their intervals, each at an offset derived from a
// hash of its file and name (as Prometheus spreads them), keeping the state
// of unchanged groups across reloads.

import type { Appendable } from '../storage/interfaces.js';
import { type GroupSpec, parseRuleFile } from './file.js';
import { type AlertSink, type QueryFunc, RuleGroup, alertJSON, groupJSON } from './group.js';
import type { Alert } from './rules.js';

export interface RuleManagerOptions {
  /** ms; groups without their own interval use it (Prometheus's global.evaluation_interval, 1m). */
  evaluationInterval?: number;
  externalLabels?: Record<string, string>;
}

function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

export class RuleManager {
  private groups: RuleGroup[] = [];
  private timers: ReturnType<typeof setTimeout>[] = [];
  private opts: Required<RuleManagerOptions>;

  constructor(private readonly db: Appendable, private readonly query: QueryFunc, opts: RuleManagerOptions = {}, private readonly sink?: AlertSink) {
    this.opts = { evaluationInterval: opts.evaluationInterval ?? 60_000, externalLabels: opts.externalLabels ?? {} };
  }

  /** Loads rule files (path and text); throws RuleFileError and keeps the old groups on any error. */
  load(files: { path: string; text: string }[], opts: RuleManagerOptions = {}): void {
    const specs: GroupSpec[] = files.flatMap((f) => parseRuleFile(f.text, f.path));
    this.opts = { evaluationInterval: opts.evaluationInterval ?? this.opts.evaluationInterval, externalLabels: opts.externalLabels ?? this.opts.externalLabels };
    const old = new Map(this.groups.map((g) => [`${g.key}\xff${JSON.stringify(g.spec)}`, g]));
    this.groups = specs.map((s) => {
      const interval = s.interval || this.opts.evaluationInterval;
      const same = old.get(`${s.file}\xff${s.name}\xff${JSON.stringify(s)}`);
      return same && same.interval === interval ? same : new RuleGroup(s, interval);
    });
  }

  /**
   * Starts the timers (again, after a load). Groups that have not been
   * evaluated yet restore their alerts' `for` state from ALERTS_FOR_STATE
   * after their first evaluation, as Prometheus does at startup.
   */
  start(): void {
    this.stop();
    for (const g of this.groups) {
      if (g.iterations > 0) continue;
      g.restorePending = true;
      for (const r of g.rules) if (r.alerting) r.alerting.restored = false;
    }
    for (const g of this.groups) {
      const offset = hash32(g.key) % g.interval;
      const delay = (offset - (Date.now() % g.interval) + g.interval) % g.interval;
      const t = setTimeout(() => {
        void this.evalGroup(g, Date.now());
        const i = setInterval(() => void this.evalGroup(g, Date.now()), g.interval);
        (i as { unref?: () => void }).unref?.();
        this.timers.push(i);
      }, delay);
      (t as { unref?: () => void }).unref?.();
      this.timers.push(t);
    }
  }

  stop(): void {
    for (const t of this.timers) {
      clearTimeout(t);
      clearInterval(t);
    }
    this.timers = [];
  }

  private async evalGroup(g: RuleGroup, ts: number): Promise<void> {
    // A slow evaluation is not queued behind: the tick it overlaps is counted as missed.
    if (g.running) {
      g.missedIterations++;
      return;
    }
    g.running = true;
    try {
      await g.eval(this.query, this.db, ts, this.opts.externalLabels, this.sink);
    } finally {
      g.running = false;
    }
  }

  /** Prometheus's rule-group metrics, for the server's /metrics. */
  metrics() {
    const per = (name: string, help: string, type: 'counter' | 'gauge', value: (g: RuleGroup) => number) => ({
      name, help, type, samples: this.groups.map((g) => ({ labels: { rule_group: `${g.spec.file};${g.spec.name}` }, value: value(g) })),
    });
    return [
      per('prometheus_rule_group_iterations_total', 'The total number of scheduled rule group evaluations.', 'counter', (g) => g.iterations + g.missedIterations),
      per('prometheus_rule_group_iterations_missed_total', 'The total number of rule group evaluations missed due to slow rule group evaluation.', 'counter', (g) => g.missedIterations),
      per('prometheus_rule_group_last_duration_seconds', 'The duration of the last rule group evaluation.', 'gauge', (g) => g.evaluationTime),
      per('prometheus_rule_group_last_evaluation_timestamp_seconds', 'The timestamp of the last rule group evaluation in seconds.', 'gauge', (g) => g.lastEvaluation / 1000),
      per('prometheus_rule_group_rules', 'The number of rules.', 'gauge', (g) => g.rules.length),
      per('prometheus_rule_group_interval_seconds', 'The interval of a rule group.', 'gauge', (g) => g.interval / 1000),
    ];
  }

  /** Evaluates every group once at ts (tests, and `promlet test rules`). */
  async evalAll(ts: number): Promise<void> {
    for (const g of this.groups) await this.evalGroup(g, ts);
  }

  /** /api/v1/rules's data; type "alert" or "record" filters the rules. */
  rulesJSON(type?: string) {
    const groups = this.groups.map(groupJSON).map((g) => ({
      ...g,
      rules: g.rules.filter((r) => !type || (type === 'alert' ? r.type === 'alerting' : r.type === 'recording')),
    }));
    return { groups: type ? groups.filter((g) => g.rules.length > 0) : groups };
  }

  /** Pending and firing alerts of every group. */
  activeAlerts(): Alert[] {
    return this.groups.flatMap((g) => g.rules.flatMap((r) => (r.alerting ? [...r.alerting.active.values()].filter((a) => a.state !== 'inactive') : [])));
  }

  /** /api/v1/alerts's data: pending and firing alerts. */
  alertsJSON() {
    return { alerts: this.activeAlerts().map(alertJSON) };
  }
}
